"""Repair: what a model is told when hunks of its answer do not place, and how the rest is reported.

The repair turn follows the first one in the same conversation (the first prompt and the answer are its
history), so its message only names each failure: the file, the hunk, why, the old lines the answer expected
and the lines the file actually has nearest to them. It asks for the whole answer again, corrected, so the
repaired answer can replace the first one outright.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from claif_lsp.core.proposals import Unplaced
from claif_lsp.core.views import name_hunks
from claif_lsp.errors import PatchError
from claif_lsp.patches import Chunk, PartialResolution, Patch, UnplacedHunk
from claif_lsp.patches.paths import safe_path
from claif_lsp.patches.resolve import Reader


def why(unplaced: UnplacedHunk) -> str:
    """The short reason a hunk did not place, as the proposal lists it."""
    if unplaced.kind == "not_found":
        return "its old lines were not found"
    if unplaced.kind == "ambiguous":
        where = ", ".join(str(line) for line in unplaced.matches[:5])
        return f"its old lines match at more than one place (lines {where})" if where else "its old lines match twice"
    if unplaced.kind == "overlap":
        return "it changes the same lines as another hunk"
    return unplaced.reason


def hunk_names(unplaced: Sequence[UnplacedHunk]) -> str:
    """``hunk 2 of app.py``, ``hunks 1, 3 of app.py and hunk 1 of lib.py``."""
    return name_hunks((item.path, item.hunk) for item in unplaced)


def repair_progress(unplaced: Sequence[UnplacedHunk]) -> str:
    """The progress line of a repair turn: ``repairing: hunk 2 of app.py did not apply``."""
    return f"repairing: {hunk_names(unplaced)} did not apply"


def _fenced(lines: Sequence[str]) -> str:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n" + "".join(line + "\n" for line in lines) + fence


def repair_prompt(unplaced: Sequence[UnplacedHunk], *, placed: int) -> str:
    """The repair turn's message: every failed hunk with its expected and actual lines, asking for the whole
    answer again."""
    count = len(unplaced)
    parts = [
        f"Your answer did not apply: {count} of its hunks could not be placed on the files as they are "
        f"({placed} other{'s' * (placed != 1)} did)."
        if placed
        else f"Your answer did not apply: none of its hunks could be placed on the files as they are ({count})."
    ]
    for item in unplaced:
        section = [f"Hunk {item.hunk} of {item.path}: {why(item)}."]
        if item.kind == "file":
            section = [f"Hunk {item.hunk} of {item.path}: {item.reason}."]
        if item.expected:
            section.append(f"It expects these old lines:\n{_fenced(item.expected)}")
        if item.actual and item.actual_start is not None:
            end = item.actual_start + len(item.actual) - 1
            section.append(f"The file actually has, at lines {item.actual_start}-{end}:\n{_fenced(item.actual)}")
        elif item.kind != "file":
            section.append("Nothing in the file resembles those lines.")
        parts.append("\n".join(section))
    parts.append(
        "Send the corrected complete answer: the whole patch again, every hunk (also those that applied), in the "
        "same format, each hunk's old lines copied exactly from the file as it is now, with enough context to "
        "match in one place only."
    )
    return "\n\n".join(parts) + "\n"


def as_unplaced(unplaced: UnplacedHunk) -> Unplaced:
    """The proposal's record of a hunk that did not place."""
    expected = "".join(line + "\n" for line in unplaced.expected)
    return Unplaced(path=unplaced.path, hunk=unplaced.hunk, reason=why(unplaced), expected=expected)


def nothing_placed(unplaced: Sequence[UnplacedHunk], provider: str) -> PatchError:
    """The error of an answer none of whose hunks placed: the engine's message for the first, as before repair."""
    first = unplaced[0]
    message = first.reason
    if len(unplaced) > 1:
        message += f" (and {hunk_names(unplaced[1:])} did not apply either)"
    return PatchError(message, provider=provider, details={"stage": "apply", "path": first.path, "hunk": first.hunk})


def partial_note(title: str, unplaced: Sequence[Unplaced]) -> str:
    """What the user is told about a partial answer under auto or confirm approval: it waits for review."""
    count = len(unplaced)
    names = "; ".join(f"hunk {u.hunk} of {u.path}: {u.reason}" for u in unplaced[:3])
    return (
        f"Claif: {title} is a partial answer ({count} hunk{'s' * (count != 1)} could not be placed: {names}); "
        "it is not applied by itself: review it with Accept/Reject"
    )


def without_applied(placement: PartialResolution, patch: Patch, root: Path, read: Reader) -> PartialResolution:
    """``placement`` less the unplaced hunks that are in the files already: their old lines are gone and their new
    lines stand where those were (a retried answer proposing again what the user accepted since)."""
    chunks: dict[tuple[str, int], Chunk] = {}
    for file in patch.files:
        try:
            path = safe_path(root, file.path)
        except PatchError:
            continue
        for number, chunk in enumerate(file.chunks, start=1):
            chunks.setdefault((path, number), chunk)
    texts: dict[str, list[str] | None] = {}
    still: list[UnplacedHunk] = []
    for item in placement.unplaced:
        found = chunks.get((item.path, item.hunk))
        if item.path not in texts:
            text = read(item.path).text
            texts[item.path] = None if text is None else [line.rstrip() for line in text.splitlines()]
        lines = texts[item.path]
        if item.kind == "not_found" and found is not None and lines is not None and _in_place(found, item, lines):
            continue
        still.append(item)
    return dataclasses.replace(placement, unplaced=still)


def _in_place(chunk: Chunk, item: UnplacedHunk, lines: list[str]) -> bool:
    """True when the chunk's new lines occur in ``lines`` over the region nearest to its old lines."""
    new = [line.rstrip() for line in chunk.new_lines]
    if not any(new) or new == [line.rstrip() for line in chunk.old_lines] or item.actual_start is None:
        return False
    region_start = item.actual_start - 1
    region_end = region_start + max(len(item.actual), 1)
    for start in range(max(region_start - len(new) + 1, 0), min(region_end, len(lines) - len(new) + 1)):
        if lines[start : start + len(new)] == new:
            return True
    return False


def nothing_new(provider: str) -> PatchError:
    """The error of an answer every hunk of which is in the files already."""
    return PatchError("every hunk of the answer is in the file already: it changes nothing", provider=provider)
