"""Parser for unified diffs: ``---``/``+++``/``@@`` files, ``/dev/null`` adds and deletes, git headers and renames.

Hunk line counts never end a hunk while its lines go on looking like hunk lines (models get counts wrong both ways),
and a ``---``/``+++`` pair followed by ``@@`` always starts a new file; lines between files that are not part of a
diff (prose, ``index`` lines) are skipped. Hunks are later placed by content, not by number.
"""

from __future__ import annotations

import re

from claif_lsp.errors import PatchError
from claif_lsp.patches.model import Chunk, FilePatch, Operation, Patch

_HUNK = re.compile(r"^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+")
_GIT = re.compile(r"^diff --git (?:\"?a/)?(.+?)\"? (?:\"?b/)?(.+?)\"?$")
DEV_NULL = "/dev/null"


def looks_unified(text: str) -> bool:
    """Whether the text contains a unified diff file header or hunk header."""
    return bool(re.search(r"^(--- \S.*\n\+\+\+ \S|diff --git |@@ -\d+(,\d+)? \+\d+(,\d+)? @@)", text, re.M))


def _header_path(raw: str) -> str | None:
    path = raw.split("\t")[0].strip()
    if path.startswith('"') and path.endswith('"') and len(path) > 1:
        path = path[1:-1]
    if path == DEV_NULL:
        return None
    # Timestamps after a space ("foo.py 2024-01-01 ...") are dropped only when they look like one.
    path = re.sub(r"\s+\d{4}-\d\d-\d\d[ T][\d:.]+(?: [+-]\d{4})?$", "", path)
    return path


def _strip_prefix(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    def strip(p: str | None, prefix: str) -> str | None:
        return p[2:] if p is not None and p.startswith(prefix) else p

    if (old is None or old.startswith("a/")) and (new is None or new.startswith("b/")):
        return strip(old, "a/"), strip(new, "b/")
    return old, new


def _git_line_agrees(git_line: str, old: str | None, new: str | None) -> bool:
    """Whether ``diff --git <git_line>`` names the header paths (``/dev/null`` on one side takes the other's name).

    Compared as text rather than through the parsed ``diff --git`` names: an unquoted path with spaces cannot be
    split there, but it can be recognised."""
    old_name = old if old is not None else new
    new_name = new if new is not None else old
    if old_name is None or new_name is None:
        return True
    pattern = rf"(?:[a-z]/)?{re.escape(old_name)} (?:[a-z]/)?{re.escape(new_name)}"
    return re.fullmatch(pattern, git_line.replace('"', "")) is not None


class _FileState:
    def __init__(self) -> None:
        self.old: str | None = None
        self.new: str | None = None
        self.git_old: str | None = None
        self.git_new: str | None = None
        self.git_line: str | None = None
        """The text after ``diff --git ``, to check the ``---``/``+++`` paths against."""
        self.rename_from: str | None = None
        self.rename_to: str | None = None
        self.new_file = False
        self.deleted = False
        self.has_headers = False
        self.chunks: list[Chunk] = []


def parse_unified(text: str, *, default_path: str | None = None) -> Patch:
    """Parse one or more files of unified diff."""
    raw = text.split("\n")
    lines = [line.removesuffix("\r") for line in raw] if "\r" in text else raw
    if text.count("\r\n") == text.count("\n"):
        # Every line ends with CRLF: the diff came through a CRLF channel, the CRs are not the files'.
        raw = lines
    # Otherwise a CR before a hunk line's LF is the file's own (git's diff of a CRLF file): kept in ``raw``.
    if lines and lines[-1] == "":
        lines.pop()
    files: list[FilePatch] = []
    state: _FileState | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        git = _GIT.match(line)
        if git:
            _finish(state, files, default_path)
            state = _FileState()
            state.git_old, state.git_new = git.group(1), git.group(2)
            state.git_line = line[len("diff --git ") :]
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            fresh_git = state is not None and state.git_line is not None and not state.has_headers and not state.chunks
            if not fresh_git:
                _finish(state, files, default_path)
                state = _FileState()
            assert state is not None
            state.old, state.new = _strip_prefix(_header_path(line[4:]), _header_path(lines[i + 1][4:]))
            if state.git_line is not None and not _git_line_agrees(state.git_line, state.old, state.new):
                raise PatchError(
                    f"the unified diff's 'diff --git {state.git_line}' line is followed by headers for other paths "
                    f"at lines {i + 1}-{i + 2} ({line.strip()!r}, {lines[i + 1].strip()!r}); each file needs its "
                    "own 'diff --git' line (or none), naming the same paths as its '---'/'+++' lines",
                    details={"stage": "parse"},
                )
            state.new_file = state.new_file or state.old is None
            state.deleted = state.deleted or state.new is None
            state.has_headers = True
            i += 2
            continue
        if state is not None and not state.chunks:
            if line.startswith("new file mode"):
                state.new_file = True
            elif line.startswith("deleted file mode"):
                state.deleted = True
            elif line.startswith("rename from "):
                state.rename_from = line[len("rename from ") :].strip()
            elif line.startswith("rename to "):
                state.rename_to = line[len("rename to ") :].strip()
            elif line.startswith(("Binary files ", "GIT binary patch")):
                raise PatchError(f"binary patches are not supported (line {i + 1})")
        if line.startswith("@@"):
            if state is None:
                state = _FileState()
            chunk, i = _parse_hunk(lines, raw, i)
            state.chunks.append(chunk)
            continue
        i += 1
    _finish(state, files, default_path)
    if not files:
        raise PatchError("no unified diff found: expected '--- a/path', '+++ b/path' and '@@ -l,n +l,n @@' lines")
    return Patch(format="unified", files=_merge(files))


def _parse_hunk(lines: list[str], raw: list[str], i: int) -> tuple[Chunk, int]:
    """One ``@@`` hunk. Its line counts never end it early: models get them wrong, so the hunk goes on while lines
    look like hunk lines; only a new ``@@``, a ``diff --git`` line or a ``---``/``+++`` file header ends it."""
    header = lines[i]
    match = _HUNK.match(header)
    chunk = Chunk(line_number=i + 1, old_start=int(match.group(1)) if match else None)
    old_lines, new_lines, context_lines = chunk.old_lines, chunk.new_lines, chunk.context_lines
    old_left = new_left = None
    if match:
        old_left = int(match.group(2)) if match.group(2) is not None else 1
        new_left = int(match.group(4)) if match.group(4) is not None else 1
    insertion = old_left == 0
    i += 1
    count = len(lines)
    while i < count:
        line = lines[i]
        head = line[:1]
        # The common heads first; "@@", "diff --git " and "\\" lines cannot start with " ", "+" or "-".
        if head == "-" and line.startswith("--- ") and _file_header_at(lines, i):
            exhausted = old_left is None or new_left is None or (old_left <= 0 and new_left <= 0)
            # A header pair followed by a hunk is a new file whatever the counts say; one that the counts do not
            # leave room for is one too (a removed "-- x" line followed by an added "++ y" line is the other way).
            if exhausted or i + 2 >= count or lines[i + 2].startswith("@@"):
                break
        if head == " " or (head == "" and _blank_is_context(lines, i, old_left, new_left)):
            context_lines.append(len(old_lines))
            context_lines.append(len(new_lines))
            text = raw[i][1:]
            old_lines.append(text)
            new_lines.append(text)
            if old_left is not None:
                old_left -= 1
            if new_left is not None:
                new_left -= 1
        elif head == "+":
            new_lines.append(raw[i][1:])
            if new_left is not None:
                new_left -= 1
        elif head == "-":
            old_lines.append(raw[i][1:])
            if old_left is not None:
                old_left -= 1
        elif head == "\\":
            if new_lines and lines[i - 1][:1] in ("+", " "):
                chunk.final_newline = False
            elif chunk.final_newline is None:
                chunk.final_newline = True
        else:
            break  # "@@", "diff --git " or anything else ends the hunk
        i += 1
    if len(chunk.context_lines) // 2 == len(chunk.old_lines) == len(chunk.new_lines):
        raise PatchError(
            f"the unified diff hunk at patch line {chunk.line_number} ({header.strip()!r}) changes nothing: "
            "it has no '-' or '+' lines"
        )
    if insertion and not chunk.old_lines and chunk.old_start is not None:
        # "-5,0" means "insert after line 5": point at the line the insertion goes before.
        chunk.old_start += 1
    return chunk, i


def _file_header_at(lines: list[str], i: int) -> bool:
    return lines[i].startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _blank_is_context(lines: list[str], i: int, old_left: int | None, new_left: int | None) -> bool:
    """An empty line is an empty context line (a model dropped its space) when the counts still expect lines or
    the hunk clearly goes on after it; otherwise it ends the hunk."""
    if old_left is not None and new_left is not None and old_left > 0 and new_left > 0:
        return True
    j = i + 1
    while j < len(lines) and lines[j] == "":
        j += 1
    nxt = lines[j] if j < len(lines) else ""
    return nxt[:1] in (" ", "+", "-", "\\") and not _file_header_at(lines, j)


def _finish(state: _FileState | None, files: list[FilePatch], default_path: str | None) -> None:
    if state is None:
        return
    old = state.old if state.has_headers else state.git_old
    new = state.new if state.has_headers else state.git_new
    if state.has_headers:
        state.new_file = state.new_file or state.old is None
        state.deleted = state.deleted or state.new is None
    if state.rename_from:
        old = state.rename_from
    if state.rename_to:
        new = state.rename_to
    if not state.has_headers and state.git_old is None:
        old = new = default_path
    if state.new_file:
        if new is None:
            raise PatchError("a unified diff adds a file without naming it (+++ line)")
        contents = "".join(f"{line}\n" for c in state.chunks for line in c.new_lines)
        if contents and state.chunks[-1].final_newline is False:
            contents = contents[:-1]
        files.append(FilePatch(operation=Operation.ADD, path=new, contents=contents))
        return
    for chunk in state.chunks:
        # A file's lines are matched and rebuilt without their endings: only an added file keeps the diff's CRs.
        chunk.old_lines[:] = [line.removesuffix("\r") for line in chunk.old_lines]
        chunk.new_lines[:] = [line.removesuffix("\r") for line in chunk.new_lines]
    if state.deleted:
        if old is None:
            raise PatchError("a unified diff deletes a file without naming it (--- line)")
        # The "-" lines are kept so the delete can be checked against the file's content.
        files.append(FilePatch(operation=Operation.DELETE, path=old, chunks=state.chunks))
        return
    path = old or new
    if path is None:
        raise PatchError("a unified diff hunk has no file header; add '--- a/path' and '+++ b/path' lines")
    if not state.chunks and not (new and old and new != old):
        return
    files.append(
        FilePatch(
            operation=Operation.UPDATE,
            path=path,
            new_path=new if new and new != path else None,
            chunks=state.chunks,
        )
    )


def _merge(files: list[FilePatch]) -> list[FilePatch]:
    """Several sections for the same file become one, so every hunk is placed against the same text."""
    merged: list[FilePatch] = []
    by_path: dict[str, FilePatch] = {}
    for file in files:
        prior = by_path.get(file.path)
        if prior is not None and prior.operation == file.operation == Operation.UPDATE and not file.new_path:
            prior.chunks.extend(file.chunks)
            continue
        by_path[file.path] = file
        merged.append(file)
    return merged
