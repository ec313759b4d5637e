"""Parser for Codex's ``apply_patch`` format, with Codex's leniency and a few more for what models write.

Codex rules kept: markers compared after trimming, heredoc wrapper unwrapped, the first chunk may omit ``@@``,
an empty line inside a chunk is an empty context line, ``*** End of File`` pins a chunk to the tail.
Additions (lenient mode only): consecutive ``@@ class X`` / ``@@ def f():`` headers nest (each is sought in
turn), and a unified-diff header ``@@ -12,3 +12,4 @@ ctx`` gives a line hint plus its optional context.
"""

from __future__ import annotations

import re
from typing import Literal

from claif_lsp.errors import PatchError
from claif_lsp.patches.model import Chunk, FilePatch, Operation, Patch

BEGIN, END = "*** Begin Patch", "*** End Patch"
ADD, DELETE, UPDATE, MOVE = "*** Add File: ", "*** Delete File: ", "*** Update File: ", "*** Move to: "
EOF_MARKER = "*** End of File"
HEREDOC_OPENERS = ("<<EOF", "<<'EOF'", '<<"EOF"')
_UNIFIED_HEADER = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$")

Mode = Literal["strict", "lenient", "streaming"]


def invalid_patch(message: str) -> PatchError:
    """A whole-patch error, rendered as Codex does."""
    return PatchError(f"invalid patch: {message}", details={"stage": "parse"})


def invalid_hunk(message: str, line_number: int) -> PatchError:
    """An error in one hunk, rendered as Codex does (line numbers count from 1)."""
    return PatchError(f"invalid hunk at line {line_number}, {message}", details={"stage": "parse", "line": line_number})


def parse_codex(text: str, *, mode: Mode = "lenient") -> Patch:
    """Parse a ``*** Begin Patch`` ... ``*** End Patch`` text into a ``Patch``."""
    text = text.strip()
    lines = [line.removesuffix("\r") for line in text.split("\n")] if "\r" in text else text.split("\n")
    body = _body(lines, mode)
    files: list[FilePatch] = []
    i, line_number = 0, 2
    while i < len(body):
        file, used = _parse_one(body, i, line_number, lenient=mode != "strict")
        files.append(file)
        i += used
        line_number += used
    return Patch(format="codex", files=files)


def _boundary_error(lines: list[str]) -> str | None:
    if lines[0].strip() != BEGIN:
        return "The first line of the patch must be '*** Begin Patch'"
    if len(lines) < 2 or lines[-1].strip() != END:
        return "The last line of the patch must be '*** End Patch'"
    return None


def _body(lines: list[str], mode: Mode) -> list[str]:
    error = _boundary_error(lines)
    if error is None:
        return lines[1:-1]
    if mode == "streaming" and lines[0].strip() == BEGIN:
        return lines[1:]
    if mode != "strict" and len(lines) >= 4 and lines[0] in HEREDOC_OPENERS and lines[-1].endswith("EOF"):
        inner = lines[1:-1]
        inner_error = _boundary_error(inner)
        if inner_error is None:
            return inner[1:-1]
        raise invalid_patch(inner_error)
    raise invalid_patch(error)


def _parse_one(lines: list[str], at: int, line_number: int, *, lenient: bool) -> tuple[FilePatch, int]:
    first = lines[at].strip()
    if first.startswith(ADD):
        contents, used = [], 1
        for index in range(at + 1, len(lines)):
            line = lines[index]
            if not line.startswith("+"):
                break
            contents.append(line[1:] + "\n")
            used += 1
        return FilePatch(operation=Operation.ADD, path=first[len(ADD) :], contents="".join(contents)), used
    if first.startswith(DELETE):
        return FilePatch(operation=Operation.DELETE, path=first[len(DELETE) :]), 1
    if first.startswith(UPDATE):
        path = first[len(UPDATE) :]
        used, new_path = 1, None
        if at + 1 < len(lines) and lines[at + 1].startswith(MOVE):
            new_path = lines[at + 1][len(MOVE) :].strip()
            used += 1
        chunks: list[Chunk] = []
        while at + used < len(lines):
            line = lines[at + used]
            if not line.strip():
                used += 1
                continue
            if line.startswith("*"):
                break
            chunk, n = _parse_chunk_at(
                lines, at + used, line_number + used, allow_missing_context=not chunks, lenient=lenient
            )
            chunks.append(chunk)
            used += n
        if not chunks:
            raise invalid_hunk(f"Update file hunk for path '{path}' is empty", line_number)
        return FilePatch(operation=Operation.UPDATE, path=path, new_path=new_path, chunks=chunks), used
    raise invalid_hunk(
        f"'{first}' is not a valid hunk header. Valid hunk headers: '*** Add File: {{path}}', "
        "'*** Delete File: {path}', '*** Update File: {path}'",
        line_number,
    )


def parse_chunk(
    lines: list[str], line_number: int, *, allow_missing_context: bool, lenient: bool = True
) -> tuple[Chunk, int]:
    """Parse one ``@@`` chunk; returns it and the number of lines it used."""
    return _parse_chunk_at(lines, 0, line_number, allow_missing_context=allow_missing_context, lenient=lenient)


def _parse_chunk_at(
    lines: list[str], at: int, line_number: int, *, allow_missing_context: bool, lenient: bool
) -> tuple[Chunk, int]:
    chunk = Chunk(line_number=line_number)
    start = at
    while start < len(lines) and _is_header(lines[start], lenient):
        _add_header(chunk, lines[start], lenient)
        start += 1
        if not lenient:
            break
    if start == at and not allow_missing_context:
        raise invalid_hunk(f"Expected update hunk to start with a @@ context marker, got: '{lines[at]}'", line_number)
    if start >= len(lines):
        raise invalid_hunk("Update hunk does not contain any lines", line_number + 1)
    parsed = 0
    old_lines, new_lines, context_lines = chunk.old_lines, chunk.new_lines, chunk.context_lines
    # Indexing, not itertools.islice: islice walks from the list's start, which is quadratic over many chunks.
    for index in range(start, len(lines)):
        line = lines[index]
        if line == EOF_MARKER or (lenient and EOF_MARKER in line and line.strip() == EOF_MARKER):
            if parsed == 0:
                raise invalid_hunk("Update hunk does not contain any lines", line_number + 1)
            chunk.is_end_of_file = True
            parsed += 1
            break
        head = line[:1]
        if head in ("", " "):
            context_lines.append(len(old_lines))
            context_lines.append(len(new_lines))
            text = line[1:]
            old_lines.append(text)
            new_lines.append(text)
        elif head == "+":
            new_lines.append(line[1:])
        elif head == "-":
            old_lines.append(line[1:])
        else:
            if parsed == 0:
                raise invalid_hunk(
                    f"Unexpected line found in update hunk: '{line}'. Every line should start with ' ' (context line), "
                    "'+' (added line), or '-' (removed line)",
                    line_number + 1,
                )
            break
        parsed += 1
    return chunk, parsed + start - at


def _is_header(line: str, lenient: bool) -> bool:
    if line == "@@" or line.startswith("@@ "):
        return True
    return lenient and line.rstrip() == "@@"


def _add_header(chunk: Chunk, line: str, lenient: bool) -> None:
    if line.rstrip() == "@@":
        return
    unified = _UNIFIED_HEADER.match(line) if lenient else None
    if unified:
        chunk.old_start = int(unified.group(1))
        context = unified.group(2).strip()
        if context:
            chunk.contexts.append(context)
        return
    chunk.contexts.append(line[3:])
