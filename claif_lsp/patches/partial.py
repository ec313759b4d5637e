"""Placing what places: each file and hunk of a patch on its own, with what did not place and why.

``resolve_patch`` is all or nothing, as a patch command must be. A model's answer is different: one hunk whose
old lines it got wrong should not drop the others. ``resolve_partial`` keeps every hunk that places exactly as
``resolve_patch`` would place it, and reports each one that does not (its old lines not found, found more than
once, overlapping another, or its whole file refused) with the lines it expected and the lines nearest to them
in the file, which is what a model needs to correct it.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from claif_lsp.errors import PatchError
from claif_lsp.patches.model import Chunk, FileChange, FilePatch, Operation, Patch, ResolvedPatch
from claif_lsp.patches.resolve import Reader, resolve_file

UnplacedKind = Literal["not_found", "ambiguous", "overlap", "file"]

NEAREST_CONTEXT = 1
"""Lines shown around the nearest region, so a model that miscounted sees where its lines really are."""
NEAREST_MAX_LINES = 40
MIN_SIMILARITY = 0.3
"""Below this a region is not "nearest" to anything: the file has nothing like the expected lines."""
_MAX_VOTERS = 50
"""Occurrences of one line that may vote for a position (a ``}`` or ``return`` line occurs everywhere)."""


@dataclass(slots=True)
class UnplacedHunk:
    """A hunk of a patch that did not place, why, and what the file holds where it should have."""

    path: str
    hunk: int
    """1-based number of the hunk among its file section's hunks, in the patch's order."""
    kind: UnplacedKind
    reason: str
    """The engine's message (``Failed to find expected lines in app.py (hunk 2)...``)."""
    expected: list[str] = field(default_factory=list)
    """The old lines the patch expected."""
    actual: list[str] = field(default_factory=list)
    """The file's lines nearest to ``expected`` (at each match, for an ambiguous hunk: the first); empty when
    nothing in the file resembles them or the file is missing."""
    actual_start: int | None = None
    """1-based line of ``actual[0]`` in the file."""
    matches: list[int] = field(default_factory=list)
    """For an ambiguous hunk, the 1-based lines where its old lines match."""


@dataclass(slots=True)
class PartialResolution:
    """What placed (a ``ResolvedPatch`` of those hunks only) and what did not."""

    resolved: ResolvedPatch
    unplaced: list[UnplacedHunk] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every hunk placed."""
        return not self.unplaced

    @property
    def placed_hunks(self) -> int:
        """How many hunks placed, in every file."""
        return sum(len(f.hunks) for f in self.resolved.files)


def resolve_partial(patch: Patch, root: Path, read: Reader) -> PartialResolution:
    """Place each file and hunk of ``patch`` on its own; PatchError only for a patch with no files at all."""
    if not patch.files:
        raise PatchError("No files were modified.", details={"stage": "apply"})
    placed: list[FileChange] = []
    unplaced: list[UnplacedHunk] = []
    touched: dict[str, int] = {}
    for number, file in enumerate(patch.files, start=1):
        fmt = file.format or patch.format
        failures: list[tuple[int, Chunk, PatchError]] = []
        try:
            change = resolve_file(file, fmt, root, read, final_newline=False, failed=failures.append)
        except PatchError as exc:
            unplaced.extend(_file_refused(file, exc))
            continue
        twice = [touched[p] for p in {change.path, change.target_path} if p in touched]
        if twice:
            error = PatchError(f"the patch changes {change.path} twice (file sections {twice[0]} and {number})")
            unplaced.extend(_file_refused(file, error))
            continue
        if failures:
            lines = change.old_lines().lines
            unplaced.extend(_unplaced(change.path, lines, n, chunk, exc) for n, chunk, exc in failures)
            if not change.hunks:
                continue
        for path in {change.path, change.target_path}:
            touched[path] = number
        placed.append(change)
    return PartialResolution(ResolvedPatch(format=patch.format, files=placed), unplaced)


def _file_refused(file: FilePatch, error: PatchError) -> list[UnplacedHunk]:
    """Every hunk of a file section refused as a whole (a missing file, one that exists already, a bad path)."""
    path = str(error.details.get("path") or file.path)
    if file.operation in (Operation.ADD, Operation.REPLACE) or not file.chunks:
        return [UnplacedHunk(path=path, hunk=1, kind="file", reason=error.message)]
    return [
        UnplacedHunk(path=path, hunk=number, kind="file", reason=error.message, expected=list(chunk.old_lines))
        for number, chunk in enumerate(file.chunks, start=1)
    ]


def _unplaced(path: str, lines: list[str], number: int, chunk: Chunk, error: PatchError) -> UnplacedHunk:
    kind: UnplacedKind = error.details.get("kind", "not_found")
    expected = list(chunk.old_lines)
    found = UnplacedHunk(path=path, hunk=number, kind=kind, reason=error.message, expected=expected)
    at: list[int] = list(error.details.get("at") or [])
    start = at[0] if kind == "ambiguous" and at else nearest_region(lines, expected or chunk.contexts)
    if kind == "ambiguous":
        found.matches = [p + 1 for p in at]
    if start is not None:
        size = max(len(expected), 1)
        first = max(start - NEAREST_CONTEXT, 0)
        last = min(start + size + NEAREST_CONTEXT, len(lines), first + NEAREST_MAX_LINES)
        found.actual, found.actual_start = lines[first:last], first + 1
    return found


def nearest_region(lines: Sequence[str], expected: Sequence[str]) -> int | None:
    """0-based start of the run of ``len(expected)`` lines most like ``expected``; None when none resembles it.

    Candidates are the starts that lines equal to an expected line (stripped) vote for, each weighted by its
    length, so a matching statement counts and a matching ``}`` barely does; with no votes at all every start is
    a candidate. The most similar candidate text wins, the first of equals.
    """
    size = min(len(expected), len(lines))
    if not size:
        return None
    where: defaultdict[str, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        where[line.strip()].append(index)
    votes: Counter[int] = Counter()
    for offset, line in enumerate(expected):
        key = line.strip()
        if not key:
            continue
        for index in where.get(key, [])[:_MAX_VOTERS]:
            start = min(max(index - offset, 0), len(lines) - size)
            votes[start] += len(key)
    starts = len(lines) - size + 1
    # Without a vote, every start is tried, evenly thinned on a long file: this only runs for a hunk that failed.
    candidates = [start for start, _ in votes.most_common(20)] or list(range(0, starts, max(1, starts // 2000)))
    want = "\n".join(expected)
    best: tuple[float, int] | None = None
    for start in sorted(candidates):
        matcher = difflib.SequenceMatcher(None, "\n".join(lines[start : start + size]), want, autojunk=False)
        if best is not None and matcher.quick_ratio() <= best[0]:
            continue
        ratio = matcher.ratio()
        if best is None or ratio > best[0]:
            best = (ratio, start)
    if best is None or best[0] < MIN_SIMILARITY:
        return None
    return best[1]
