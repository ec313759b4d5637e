"""The repair turn's message, its progress line, and how unplaced hunks are recorded and reported."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.core.proposals import Unplaced
from claif_lsp.core.repair import (
    as_unplaced,
    nothing_placed,
    partial_note,
    repair_progress,
    repair_prompt,
    without_applied,
)
from claif_lsp.patches import Snapshot, UnplacedHunk, parse_answer, resolve_partial

APP = "import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef total(values):\n    s = 0\n    return s\n"
ANSWER = (
    "*** Begin Patch\n*** Update File: app.py\n"
    "@@ def area(r):\n-    return math.pi * r * r\n+    return math.pi * r**2\n"
    "@@ def total(values):\n-    s = 1\n-    return s\n+    return sum(values)\n*** End Patch\n"
)


def unplaced_of(answer: str, text: str = APP) -> tuple[list[UnplacedHunk], int]:
    files = {"app.py": text}
    result = resolve_partial(parse_answer(answer), Path("/r"), lambda p: Snapshot(path=p, text=files.get(p)))
    return result.unplaced, result.placed_hunks


def test_the_prompt_names_the_hunk_its_expected_lines_and_the_lines_actually_there() -> None:
    unplaced, placed = unplaced_of(ANSWER)
    prompt = repair_prompt(unplaced, placed=placed)
    assert "1 of its hunks could not be placed" in prompt and "(1 other did)" in prompt
    assert "Hunk 2 of app.py: its old lines were not found." in prompt
    assert "It expects these old lines:\n```\n    s = 1\n    return s\n```" in prompt
    # The nearest lines, with a line of context either side, and where they are.
    assert "The file actually has, at lines 8-10:\n```\ndef total(values):\n    s = 0\n    return s\n```" in prompt
    assert "the whole patch again, every hunk (also those that applied)" in prompt


def test_an_ambiguous_hunk_says_where_it_matches() -> None:
    twice = APP + "\n\ndef again(r):\n    return math.pi * r * r\n"
    answer = "*** Begin Patch\n*** Update File: app.py\n@@\n-    return math.pi * r * r\n+    return 0\n*** End Patch\n"
    unplaced, placed = unplaced_of(answer, twice)
    prompt = repair_prompt(unplaced, placed=placed)
    assert "none of its hunks could be placed" in prompt
    assert "Hunk 1 of app.py: its old lines match at more than one place (lines 5, 14)." in prompt


def test_lines_holding_backticks_get_a_longer_fence() -> None:
    item = UnplacedHunk(path="README.md", hunk=1, kind="not_found", reason="x", expected=["```python", "x"])
    prompt = repair_prompt([item], placed=0)
    assert "````\n```python\nx\n````" in prompt
    assert "Nothing in the file resembles those lines." in prompt


def test_a_refused_file_gives_the_engine_reason() -> None:
    answer = "*** Begin Patch\n*** Update File: gone.py\n@@\n-a\n+b\n*** End Patch\n"
    unplaced, _ = unplaced_of(answer)
    assert "Hunk 1 of gone.py: Failed to read file to update gone.py: no such file." in repair_prompt(
        unplaced, placed=0
    )


def test_progress_names_every_failed_hunk_by_file() -> None:
    items = [
        UnplacedHunk(path="app.py", hunk=2, kind="not_found", reason=""),
        UnplacedHunk(path="app.py", hunk=4, kind="ambiguous", reason=""),
        UnplacedHunk(path="lib.py", hunk=1, kind="overlap", reason=""),
    ]
    assert repair_progress(items[:1]) == "repairing: hunk 2 of app.py did not apply"
    assert repair_progress(items) == "repairing: hunks 2, 4 of app.py and hunk 1 of lib.py did not apply"


def test_the_proposal_records_why_and_the_expected_text() -> None:
    unplaced, _ = unplaced_of(ANSWER)
    assert as_unplaced(unplaced[0]) == Unplaced(
        path="app.py", hunk=2, reason="its old lines were not found", expected="    s = 1\n    return s\n"
    )


def test_nothing_placed_is_the_engine_error_of_the_first_hunk() -> None:
    answer = ANSWER.replace("return math.pi * r * r", "return math.tau")
    unplaced, placed = unplaced_of(answer)
    assert placed == 0
    error = nothing_placed(unplaced, "replay")
    assert str(error).startswith("replay: Failed to find expected lines in app.py (hunk 1")
    assert "(and hunk 2 of app.py did not apply either)" in str(error)


def test_the_partial_note_says_it_waits_for_review() -> None:
    note = partial_note(
        "Replay: tidy", [Unplaced(path="app.py", hunk=2, reason="its old lines were not found", expected="")]
    )
    assert note.startswith("Claif: Replay: tidy is a partial answer (1 hunk could not be placed: hunk 2 of app.py")
    assert "not applied by itself" in note


def test_a_hunk_whose_new_lines_stand_where_its_old_lines_were_is_already_applied() -> None:
    done = APP.replace("    return math.pi * r * r\n", "    return math.pi * r**2\n")
    files = {"app.py": done}
    read = lambda p: Snapshot(path=p, text=files.get(p))  # noqa: E731
    patch = parse_answer(ANSWER)
    placement = resolve_partial(patch, Path("/r"), read)
    assert [(u.hunk, u.kind) for u in placement.unplaced] == [(1, "not_found"), (2, "not_found")]

    left = without_applied(placement, patch, Path("/r"), read)

    assert [u.hunk for u in left.unplaced] == [2], "hunk 2's new lines are not in the file: it still did not place"


def test_new_lines_elsewhere_in_the_file_are_not_this_hunk_applied() -> None:
    text = "value = 1\n" + "".join(f"filler {n}\n" for n in range(40)) + "done = True\n"
    files = {"app.py": text}
    read = lambda p: Snapshot(path=p, text=files.get(p))  # noqa: E731
    patch = parse_answer("*** Begin Patch\n*** Update File: app.py\n@@\n-value = 2\n+done = True\n*** End Patch\n")
    placement = resolve_partial(patch, Path("/r"), read)
    assert [u.actual_start for u in placement.unplaced] == [1], "nearest to line 1, where the new line is not"

    assert without_applied(placement, patch, Path("/r"), read).unplaced == placement.unplaced
