"""Re-placing pending hunks on a buffer that changed since the proposal was made, by content."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from claif_lsp.errors import PatchError
from claif_lsp.patches.lines import Lines, split_lines
from claif_lsp.patches.model import FileChange, Hunk
from claif_lsp.patches.resolve import CONTEXT
from claif_lsp.patches.seek import Matcher


def _context_score(lines: Lines, hunk: Hunk, start: int, end: int) -> int:
    """How many of the hunk's context lines, nearest first, still surround this position."""
    score = 0
    for k, line in enumerate(reversed(hunk.context_before), start=1):
        if start - k < 0 or lines.lines[start - k].strip() != line.strip():
            break
        score += 1
    for k, line in enumerate(hunk.context_after):
        if end + k >= len(lines.lines) or lines.lines[end + k].strip() != line.strip():
            break
        score += 1
    return score


def reanchor(file: FileChange, hunk_ids: Iterable[str], current_text: str) -> list[Hunk]:
    """The given hunks placed on ``current_text``; PatchError (stale) when one is gone or could be in two places.

    Old lines are found by content (any matching pass); among several places the one whose surrounding context
    lines still match best wins, so hunks next to already accepted ones stay placeable.
    """
    wanted = set(hunk_ids)
    lines = split_lines(current_text)
    matcher = Matcher(lines, searches=len(wanted))
    n = len(lines.lines)
    placed: list[Hunk] = []
    for hunk in file.hunks:
        if hunk.id not in wanted:
            continue
        k = len(hunk.old_lines)
        if k:
            _, found = matcher.find_all(hunk.old_lines, 0)
        else:
            found = list(range(n + 1))
        if not found:
            raise PatchError(
                f"stale: hunk {hunk.index} of {file.path} no longer applies, its lines changed:\n"
                + "\n".join(hunk.old_lines),
                details={"stale": True, "path": file.path, "hunk": hunk.id},
            )
        scores = {p: _context_score(lines, hunk, p, p + k) for p in found}
        best = max(scores.values())
        winners = [p for p, s in scores.items() if s == best]
        has_context = bool(hunk.context_before or hunk.context_after)
        if len(winners) > 1 or (not k and has_context and best == 0):
            raise PatchError(
                f"stale: hunk {hunk.index} of {file.path} could go at more than one place after the file changed",
                details={"stale": True, "path": file.path, "hunk": hunk.id},
            )
        start = winners[0]
        placed.append(
            hunk.model_copy(
                update={
                    "start_line": start,
                    "end_line": start + k,
                    "old_lines": lines.lines[start : start + k],
                    "context_before": lines.lines[max(0, start - CONTEXT) : start],
                    "context_after": lines.lines[start + k : start + k + CONTEXT],
                }
            )
        )
    missing = wanted - {h.id for h in placed}
    if missing:
        raise PatchError(f"no hunk {sorted(missing)[0]} in {file.path}")
    ordered = sorted(placed, key=lambda h: (h.start_line, h.end_line))
    for before, after in itertools.pairwise(ordered):
        if after.start_line < before.end_line:
            raise PatchError(
                f"stale: hunks {before.index} and {after.index} of {file.path} now overlap",
                details={"stale": True, "path": file.path},
            )
    return placed
