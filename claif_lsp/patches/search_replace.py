"""Parser for SEARCH/REPLACE blocks, the file path on the line before (possibly before a code fence)."""

from __future__ import annotations

import re

from claif_lsp.errors import PatchError
from claif_lsp.patches.model import Chunk, FilePatch, Operation, Patch

_SEARCH = re.compile(r"^\s*<{5,9} ?SEARCH\s*$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9} ?REPLACE\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def looks_search_replace(text: str) -> bool:
    """Whether the text has at least one ``<<<<<<< SEARCH`` marker."""
    return "SEARCH" in text and any(_SEARCH.match(line) for line in text.split("\n"))


def search_replace_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last + 1) line ranges from each ``<<<<<<< SEARCH`` to its ``>>>>>>> REPLACE`` (or the end)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _SEARCH.match(lines[i]):
            j = i + 1
            while j < len(lines) and not _REPLACE.match(lines[j]):
                j += 1
            spans.append((i, min(j + 1, len(lines))))
            i = j + 1
        else:
            i += 1
    return spans


def _path_before(lines: list[str], i: int) -> str | None:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and _FENCE.match(lines[j]):
        j -= 1
        while j >= 0 and not lines[j].strip():
            j -= 1
    if j < 0:
        return None
    candidate = lines[j].strip().strip("*`'\"").rstrip(":").strip().strip("*`'\"")
    for prefix in ("File:", "file:", "Path:", "path:", "#"):
        candidate = candidate.removeprefix(prefix).strip()
    if not candidate or " " in candidate or _SEARCH.match(candidate) or _REPLACE.match(candidate):
        return None
    return candidate


def parse_search_replace(text: str, *, default_path: str | None = None) -> Patch:
    """Parse every SEARCH/REPLACE block; blocks for the same file share one ``FilePatch``."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    files: dict[str, FilePatch] = {}
    order: list[str] = []
    current = default_path
    i = 0
    while i < len(lines):
        if not _SEARCH.match(lines[i]):
            i += 1
            continue
        start = i
        path = _path_before(lines, i) or current
        if path is None:
            raise PatchError(
                f"the SEARCH/REPLACE block at line {start + 1} names no file: put the file path on the line before it"
            )
        current = path
        i += 1
        search: list[str] = []
        while i < len(lines) and not _DIVIDER.match(lines[i]):
            if _SEARCH.match(lines[i]) or _REPLACE.match(lines[i]):
                raise PatchError(f"the SEARCH/REPLACE block at line {start + 1} for {path} has no '=======' line")
            search.append(lines[i])
            i += 1
        if i >= len(lines):
            raise PatchError(f"the SEARCH/REPLACE block at line {start + 1} for {path} has no '=======' line")
        i += 1
        replace: list[str] = []
        while i < len(lines) and not _REPLACE.match(lines[i]):
            if _SEARCH.match(lines[i]) or _DIVIDER.match(lines[i]):
                raise PatchError(
                    f"the SEARCH/REPLACE block at line {start + 1} for {path} has no '>>>>>>> REPLACE' line"
                )
            replace.append(lines[i])
            i += 1
        if i >= len(lines):
            raise PatchError(f"the SEARCH/REPLACE block at line {start + 1} for {path} has no '>>>>>>> REPLACE' line")
        i += 1
        if path not in files:
            files[path] = FilePatch(operation=Operation.UPDATE, path=path)
            order.append(path)
        files[path].chunks.append(Chunk(old_lines=search, new_lines=replace, line_number=start + 1))
    if not files:
        raise PatchError("no SEARCH/REPLACE block found")
    return Patch(format="search_replace", files=[files[p] for p in order])
