"""The shadow workspace: a private copy of the workspace an agent works in, so it never writes the user's files.

The copy is made when the ask starts: every file of the root that Claif may send (never ``.git``, ``.env*``,
private keys or the heavy, regenerable folders in :data:`SKIPPED_DIRS`), then the editor's unsaved buffers over
it. Files are copied, never hard-linked: an agent that writes in place through a link would change the user's
file. The copy is one scandir walk (excluded folders and files dropped before any stat) and, per file, its bytes
and permission bits copied in the kernel into a new file, no other metadata: creating the files is what it costs.
Each file's stat after seeding is recorded; when the turn ends, the files whose stat changed, the new ones
and the deleted ones are compared with what they were at ask time (the buffer, else the file on disk) and become
one git-style unified diff with root-relative paths, which the server's patch engine places against the buffers
(stale rules as for any other answer). The copy and the private HOME beside it are removed on :meth:`close`.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claif_lsp.sdk import never_sent_reason

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".tox"}
)
"""Folders left out of the copy: version control internals and regenerable caches, often most of a tree."""
MAX_FILE_BYTES = 4 * 1024 * 1024
"""Larger files are left out of the copy (an agent edits source, not data dumps)."""
COPY_BLOCK = 1024 * 1024
"""Bytes asked of the kernel per copy_file_range call."""
NO_NEWLINE = "\\ No newline at end of file"


class OutsideWorkspace(ValueError):
    """A path that lies outside the shadow copy (and the real root it stands for)."""


@dataclass
class FileStat:
    """What identifies a file's content cheaply: size, modification time, inode."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileStat:
        """The stat of ``path``."""
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class ShadowWorkspace:
    """A private copy of ``root`` seeded with ``buffers`` (absolute path → unsaved text), plus a private HOME."""

    root: Path
    buffers: Mapping[Path, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    base: Path = field(init=False)
    copy: Path = field(init=False)
    home: Path = field(init=False)
    _stats: dict[str, FileStat] = field(init=False, default_factory=dict)
    _originals: dict[str, str] = field(init=False, default_factory=dict)
    """Ask-time text of the seeded buffers, by relative path."""

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.root))
        self.base = Path(os.path.realpath(tempfile.mkdtemp(prefix="claif-acp-")))
        self.copy = self.base / "workspace"
        self.home = self.base / "home"
        try:
            self.home.mkdir()
            self._copy_tree()
            self._seed_buffers()
        except BaseException:
            self.close()
            raise

    def _copy_tree(self) -> None:
        self.copy.mkdir()
        for rel, mode in self._walk():
            copied = _copy_bytes(os.path.join(self.root, rel), os.path.join(self.copy, rel), mode)
            if copied is not None:
                self._stats[rel] = copied

    def _walk(self) -> list[tuple[str, int]]:
        """Make the copy's folders and list the files to copy (relative, with their permission bits), no symlinks."""
        files: list[tuple[str, int]] = []
        pending = [""]
        while pending:
            rel_dir = pending.pop()
            try:
                entries = list(os.scandir(os.path.join(self.root, rel_dir)))
            except OSError:
                continue
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    if entry.is_symlink():
                        continue  # a link may point out of the workspace; the copy holds only real files
                    if entry.is_dir():
                        if entry.name not in SKIPPED_DIRS:
                            os.mkdir(os.path.join(self.copy, rel))
                            pending.append(rel)
                        continue
                    if not entry.is_file() or never_sent_reason(rel, self.exclude):
                        continue
                    st = entry.stat()
                    if st.st_size <= MAX_FILE_BYTES:
                        files.append((rel, stat.S_IMODE(st.st_mode)))
                except OSError:
                    continue
        return files

    def _seed_buffers(self) -> None:
        for path, text in self.buffers.items():
            try:
                rel = Path(os.path.realpath(path)).relative_to(self.root).as_posix()
            except ValueError:
                continue  # a buffer outside the root is not part of this workspace
            if never_sent_reason(rel, self.exclude):
                continue
            target = self.copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
            self._originals[rel] = text
            self._stats[rel] = FileStat.of(target)

    def relative(self, path: str | Path) -> str:
        """The root-relative path of ``path`` given in the copy or in the real root; OutsideWorkspace otherwise."""
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = self.copy / candidate
        normal = Path(os.path.normpath(candidate))
        for base in (self.copy, self.root):
            if normal == base or normal.is_relative_to(base):
                rel = normal.relative_to(base).as_posix()
                if rel in ("", "."):
                    break
                real = Path(os.path.realpath(self.copy / rel))
                if not real.is_relative_to(self.copy):
                    break  # a symlink the agent made pointing out of the copy
                return rel
        raise OutsideWorkspace(f"{path} is outside the workspace")

    def in_copy(self, path: str | Path) -> Path:
        """Where ``path`` lives in the copy."""
        return self.copy / self.relative(path)

    def read_text(self, path: str | Path, line: int | None = None, limit: int | None = None) -> str:
        """The copy's text of ``path`` (the unsaved buffer at first), from 1-based ``line`` for ``limit`` lines."""
        rel = self.relative(path)
        if never_sent_reason(rel, self.exclude):
            raise OutsideWorkspace(f"{rel} is never sent to a provider")
        text = (self.copy / rel).read_text(encoding="utf-8", errors="replace")
        if line is None and limit is None:
            return text
        lines = text.splitlines(keepends=True)
        start = max((line or 1) - 1, 0)
        end = start + limit if limit is not None else None
        return "".join(lines[start:end])

    def write_text(self, path: str | Path, content: str) -> str:
        """Write ``content`` to ``path`` in the copy; returns the relative path written."""
        rel = self.relative(path)
        if never_sent_reason(rel, self.exclude):
            raise OutsideWorkspace(f"{rel} is never sent to a provider, so it is not written either")
        target = self.copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))
        return rel

    def _original(self, rel: str) -> str | None:
        if rel in self._originals:
            return self._originals[rel]
        try:
            return (self.root / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def changed_paths(self) -> list[str]:
        """Relative paths whose content may differ from ask time: changed stat, new or deleted, sorted."""
        seen: set[str] = set()
        changed: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.copy):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
            for name in filenames:
                rel = (here / name).relative_to(self.copy).as_posix()
                seen.add(rel)
                before = self._stats.get(rel)
                if before is None or (here / name).is_symlink() or FileStat.of(here / name) != before:
                    changed.append(rel)
        changed += [rel for rel in self._stats if rel not in seen]
        return sorted(changed)

    def diff(self) -> str:
        """The agent's changes as one git-style unified diff, root-relative; empty when nothing changed."""
        parts: list[str] = []
        for rel in self.changed_paths():
            if never_sent_reason(rel, self.exclude):
                continue
            old = self._original(rel) if rel in self._stats else None
            target = self.copy / rel
            new: str | None
            if target.is_symlink() or not target.exists():
                new = None
            else:
                try:
                    new = target.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # binary output has no place in a text proposal
            if old == new or (old is None and new is None):
                continue
            parts.append(unified_file_diff(rel, old, new))
        return "".join(parts)

    def close(self) -> None:
        """Remove the copy and the private HOME; idempotent."""
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> ShadowWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _copy_bytes(source: str, target: str, mode: int) -> FileStat | None:
    """Copy one file's bytes in the kernel into a new file with ``mode`` (never through an existing one); its stat.

    Only the bytes and permission bits (so scripts stay executable), not times or other metadata: copystat costs
    syscalls per file and the diff needs none of it. None when the source vanished or cannot be read.
    """
    try:
        src = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode | stat.S_IWUSR)
        try:
            _copy_fd(src, dst)
            st = os.fstat(dst)
        finally:
            os.close(dst)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(target)
        return None
    finally:
        os.close(src)
    return FileStat(st.st_size, st.st_mtime_ns, st.st_ino)


def _copy_fd(src: int, dst: int) -> None:
    """All of ``src`` into ``dst`` in the kernel: copy_file_range, else sendfile (across filesystems it may refuse)."""
    try:
        while os.copy_file_range(src, dst, COPY_BLOCK):
            pass
        return
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
    offset = os.lseek(dst, 0, os.SEEK_CUR)
    while sent := os.sendfile(dst, src, offset, COPY_BLOCK):
        offset += sent


def _diff_lines(text: str | None) -> list[str]:
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        return [line + "\n" for line in lines[:-1]]
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def unified_file_diff(rel: str, old: str | None, new: str | None) -> str:
    """A git-style unified diff of one file (``old`` None: added, ``new`` None: deleted)."""
    source = "/dev/null" if old is None else f"a/{rel}"
    target = "/dev/null" if new is None else f"b/{rel}"
    out = [f"diff --git a/{rel} b/{rel}\n"]
    if old is None:
        out.append("new file mode 100644\n")
    elif new is None:
        out.append("deleted file mode 100644\n")
    for line in difflib.unified_diff(_diff_lines(old), _diff_lines(new), source, target, n=3):
        out.append(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n")
    return "".join(out)
