"""Reading snapshots from disk and writing a proposal to disk atomically: every file or none."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from claif_lsp.errors import PatchError
from claif_lsp.patches.model import ResolvedPatch, Snapshot
from claif_lsp.patches.paths import safe_path


def read_text(path: Path) -> str | None:
    """A file's text as UTF-8 with its line endings untouched; None when it is not a regular file."""
    try:
        if not path.is_file():
            return None
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PatchError(f"{path.name} is not UTF-8 text; binary files cannot be patched") from error
    except OSError as error:  # a name longer than the OS allows, no permission, ...
        shown = path.name if len(path.name) <= 80 else path.name[:60] + "..."
        raise PatchError(f"cannot read {shown}: {error.strerror or error}") from None


def disk_reader(root: Path) -> Callable[[str], Snapshot]:
    """A reader for ``resolve_patch`` that takes every file from disk under ``root``."""

    def read(path: str) -> Snapshot:
        return Snapshot(path=path, text=read_text(root / path), version=None)

    return read


def write_proposal(proposal: ResolvedPatch, root: Path) -> list[str]:
    """Write every change under ``root`` (temp files, then renames, rolled back on failure); the summary lines."""
    writes: dict[str, str] = {}
    deletes: list[str] = []
    for file in proposal.files:
        path = safe_path(root, file.path)
        current = read_text(root / path)
        if file.operation in ("update", "move", "delete") and current != file.old_text:
            what = "is gone" if current is None else "changed"
            raise PatchError(f"{path} {what} on disk since the patch was checked; nothing was written")
        if file.operation == "delete":
            deletes.append(path)
            continue
        target = safe_path(root, file.target_path)
        # What the check saw at the destination (nothing, or the file an add or a move overwrites) must still be there.
        expected = (
            file.old_text if file.operation == "add" else file.replaced_text if file.operation == "move" else None
        )
        if file.operation in ("add", "move") and read_text(root / target) != expected:
            raise PatchError(f"{target} changed on disk since the patch was checked; nothing was written")
        writes[target] = file.new_text or ""
        if file.operation == "move":
            deletes.append(path)
    for path in deletes:
        if not (root / path).is_file():
            raise PatchError(f"Failed to delete file {path}: not a regular file; nothing was written")
    _commit(root, writes, [p for p in deletes if p not in writes])
    return proposal.summary()


def _commit(root: Path, writes: dict[str, str], deletes: list[str]) -> None:
    created_dirs: list[Path] = []
    temps: dict[str, Path] = {}
    backups: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for rel, text in writes.items():
            target = root / rel
            missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            created_dirs.extend(sorted(missing, key=lambda p: len(p.parts), reverse=True))
            fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".claif-tmp", dir=target.parent)
            temps[rel] = temp_path = Path(temp_name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
            if target.is_file():
                os.chmod(temp_path, target.stat().st_mode & 0o7777)
        for rel in [*writes, *deletes]:
            target = root / rel
            if target.exists():
                backup = target.with_name(f".{target.name}.claif-backup")
                os.replace(target, backup)
                backups.append((target, backup))
        for rel, temp in temps.items():
            os.replace(temp, root / rel)
            placed.append(root / rel)
    except OSError as error:
        from loguru import logger  # here only: loguru's import is a third of `claif-lsp patch`'s start-up

        logger.warning("patch write failed, rolling back: {}", error)
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        for target, backup in reversed(backups):
            with contextlib.suppress(OSError):
                os.replace(backup, target)
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        for directory in created_dirs:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise PatchError(f"writing the patch failed ({error}); nothing was changed") from error
    for _, backup in backups:
        with contextlib.suppress(OSError):
            backup.unlink()
