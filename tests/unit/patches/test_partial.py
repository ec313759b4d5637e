"""Partial placement: every hunk that places is kept as ``resolve_patch`` places it, each one that does not is
reported with the lines it expected and the lines nearest to them; on invented cases and on the real-diff corpus."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import (
    Operation,
    Patch,
    Snapshot,
    parse_answer,
    resolve_partial,
    resolve_patch,
)
from claif_lsp.patches.partial import nearest_region
from tests.corpus.forms import FORMS, derive, reference_apply
from tests.corpus.test_real_diffs import CORPORA, entries

ROOT = Path("/partial-root-never-read")

APP = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y * {i}\n\n" for i in range(1, 9))


def reader(files: dict[str, str | None]) -> Callable[[str], Snapshot]:
    def read(path: str) -> Snapshot:
        return Snapshot(path=path, text=files.get(path))

    return read


def codex(*sections: str) -> str:
    return "*** Begin Patch\n" + "".join(sections) + "*** End Patch\n"


GOOD = "@@ def f2(x):\n-    y = x + 2\n+    y = x + 20\n"
WRONG = "@@\n-    y = x * 5\n-    return y * 5\n+    return x\n"
"""f5's lines as the model misremembered them: the file has ``y = x + 5``."""


def test_a_hunk_whose_lines_are_not_found_is_reported_and_the_others_place() -> None:
    answer = codex("*** Update File: app.py\n", GOOD, WRONG)
    result = resolve_partial(parse_answer(answer), ROOT, reader({"app.py": APP}))
    [file] = result.resolved.files
    assert file.new_text == APP.replace("y = x + 2\n", "y = x + 20\n")
    assert [h.chunk for h in file.hunks] == [1]
    [miss] = result.unplaced
    assert (miss.path, miss.hunk, miss.kind) == ("app.py", 2, "not_found")
    assert miss.expected == ["    y = x * 5", "    return y * 5"]
    assert "Failed to find expected lines in app.py (hunk 2" in miss.reason
    # The nearest lines are f5's, with a line of context either side.
    assert miss.actual == ["def f5(x):", "    y = x + 5", "    return y * 5", ""]
    assert miss.actual_start == APP.splitlines().index("def f5(x):") + 1
    assert not result.complete and result.placed_hunks == 1


def test_what_places_is_what_resolve_patch_gives_without_the_failing_hunk() -> None:
    files = {"app.py": APP}
    partial = resolve_partial(parse_answer(codex("*** Update File: app.py\n", GOOD, WRONG)), ROOT, reader(files))
    alone = resolve_patch(parse_answer(codex("*** Update File: app.py\n", GOOD)), ROOT, reader(files))
    assert partial.resolved == alone


def test_resolve_patch_still_refuses_the_whole_answer() -> None:
    with pytest.raises(PatchError, match="hunk 2"):
        resolve_patch(parse_answer(codex("*** Update File: app.py\n", GOOD, WRONG)), ROOT, reader({"app.py": APP}))


def test_an_ambiguous_hunk_names_every_match() -> None:
    twice = APP + "def g(x):\n    y = x + 2\n    return y * 2\n"
    answer = codex("*** Update File: app.py\n", "@@\n-    return y * 2\n+    return y * 22\n")
    result = resolve_partial(parse_answer(answer), ROOT, reader({"app.py": twice}))
    assert result.resolved.files == []
    [miss] = result.unplaced
    assert miss.kind == "ambiguous"
    lines = twice.splitlines()
    assert miss.matches == [i + 1 for i, line in enumerate(lines) if line == "    return y * 2"]
    assert len(miss.matches) == 2
    assert "    return y * 2" in miss.actual


def test_a_missing_file_is_reported_whole_and_the_other_file_places() -> None:
    answer = codex("*** Update File: app.py\n", GOOD, "*** Update File: gone.py\n@@\n-a\n+b\n@@\n-c\n+d\n")
    result = resolve_partial(parse_answer(answer), ROOT, reader({"app.py": APP}))
    assert [f.path for f in result.resolved.files] == ["app.py"]
    assert [(u.path, u.hunk, u.kind) for u in result.unplaced] == [("gone.py", 1, "file"), ("gone.py", 2, "file")]
    assert "no such file" in result.unplaced[0].reason
    assert result.unplaced[1].expected == ["c"]
    assert result.unplaced[0].actual == []


def test_overlapping_hunks_keep_the_first() -> None:
    diff = (
        "--- a/app.py\n+++ b/app.py\n@@ -2,2 +2,2 @@\n-    y = x + 1\n-    return y * 1\n+    y = 1\n+    return y\n"
        "@@ -3,1 +3,1 @@\n-    return y * 1\n+    return 0\n"
    )
    result = resolve_partial(parse_answer(diff), ROOT, reader({"app.py": APP}))
    [file] = result.resolved.files
    assert file.new_text == APP.replace("    y = x + 1\n    return y * 1\n", "    y = 1\n    return y\n")
    [miss] = result.unplaced
    assert (miss.hunk, miss.kind) == (2, "overlap")


def test_an_empty_patch_is_still_an_error() -> None:
    with pytest.raises(PatchError, match="No files"):
        resolve_partial(Patch(format="codex"), ROOT, reader({}))


def test_nearest_region_finds_nothing_in_an_unrelated_file() -> None:
    assert nearest_region(["import os", "print(os.name)"], ["class Quux:", "    zzz = 12345"]) is None
    lines = APP.splitlines()
    assert nearest_region(lines, ["def f7(x):", "    y = x - 7"]) == lines.index("def f7(x):")


@pytest.mark.parametrize("name", CORPORA)
@pytest.mark.parametrize("form", FORMS)
def test_a_whole_real_answer_places_exactly_as_resolve_patch_places_it(name: str, form: str) -> None:
    compared = 0
    for entry in entries(name):
        post = reference_apply(entry["pre"], entry["diff"])
        text = derive(entry["pre"], post, entry["diff"], entry["subject"])[form]
        if text is None:
            continue
        read = reader(entry["pre"])
        try:
            whole = resolve_patch(parse_answer(text), ROOT, read)
        except PatchError:
            continue
        partial = resolve_partial(parse_answer(text), ROOT, read)
        assert partial.unplaced == [], entry["commit"]
        assert partial.resolved == whole, entry["commit"]
        compared += 1
    assert compared >= len(entries(name)) // 2


@pytest.mark.parametrize("name", CORPORA)
def test_a_real_diff_with_one_hunk_misremembered_keeps_the_others(name: str) -> None:
    """The last hunk of each multi-hunk file gets one of its old lines wrong, as a model's would."""
    tried = 0
    for entry in entries(name):
        patch = parse_answer(entry["diff"])
        target = next(
            (f for f in patch.files if f.operation is Operation.UPDATE and len(f.chunks) >= 2 and not f.new_path),
            None,
        )
        if target is None:
            continue
        chunk = target.chunks[-1]
        line = next((i for i, t in enumerate(chunk.old_lines) if len(t.strip()) > 3), None)
        if line is None:
            continue
        broken = copy.deepcopy(patch)
        [broken_file] = [f for f in broken.files if f.path == target.path]
        original = broken_file.chunks[-1].old_lines[line]
        broken_file.chunks[-1].old_lines[line] = original + "  # misremembered"
        without = copy.deepcopy(patch)
        [short] = [f for f in without.files if f.path == target.path]
        short.chunks.pop()
        read = reader(entry["pre"])
        result = resolve_partial(broken, ROOT, read)
        expected = resolve_patch(without, ROOT, read)
        assert {f.path: f.new_text for f in result.resolved.files} == {f.path: f.new_text for f in expected.files}, (
            entry["commit"]
        )
        [miss] = result.unplaced
        assert (miss.path, miss.hunk) == (target.path, len(target.chunks)), entry["commit"]
        assert miss.kind in ("not_found", "ambiguous"), entry["commit"]
        assert original in miss.actual, entry["commit"]
        tried += 1
    assert tried >= 10
