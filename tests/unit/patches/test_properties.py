"""Property tests: random edits round-trip through every format; random garbage is refused cleanly."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claif_lsp.errors import PatchError
from claif_lsp.patches import Snapshot, apply_hunks, disk_reader, parse_answer, resolve_patch, write_proposal
from tests.unit.patches import renderers

WORDS = ["alpha", "beta", "gamma", "", "    return x", "}", "x = 1", "# note", "naïve café ✅", "\tindent"]
lines = st.lists(st.sampled_from(WORDS), min_size=0, max_size=25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _text(content: list[str], eol: str) -> str:
    return "".join(line + eol for line in content)


@st.composite
def edits(draw: st.DrawFn) -> tuple[list[str], list[str], str]:
    old = draw(lines)
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(new)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert":
            new[at:at] = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        elif new:
            at = min(at, len(new) - 1)
            span = draw(st.integers(1, 3))
            new[at : at + span] = [] if kind == "delete" else draw(st.lists(st.sampled_from(WORDS), max_size=3))
    # An empty file has no line ending to keep, so new lines get "\n" there.
    return old, new, draw(st.sampled_from(["\n", "\r\n"])) if old else "\n"


def _round_trip(patch_text: str, old: list[str], new: list[str], eol: str) -> None:
    old_text, new_text = _text(old, eol), _text(new, eol)
    patch = parse_answer(patch_text)
    proposal = resolve_patch(patch, Path("/nonexistent-root"), lambda p: Snapshot(path=p, text=old_text, version=3))
    [file] = proposal.files
    assert file.new_text == new_text
    assert file.version == 3
    assert apply_hunks(old_text, file.hunks) == new_text


@SETTINGS
@given(edits())
def test_codex_round_trip(edit: tuple[list[str], list[str], str]) -> None:
    old, new, eol = edit
    if old == new:
        return
    _round_trip(renderers.codex("src/f.txt", old, new), old, new, eol)


@SETTINGS
@given(edits())
def test_unified_round_trip(edit: tuple[list[str], list[str], str]) -> None:
    old, new, eol = edit
    if old == new:
        return
    _round_trip("Sure, here it is:\n```diff\n" + renderers.unified("src/f.txt", old, new) + "```\n", old, new, eol)


@SETTINGS
@given(edits())
def test_search_replace_round_trip(edit: tuple[list[str], list[str], str]) -> None:
    old, new, eol = edit
    if old == new:
        return
    _round_trip(renderers.search_replace("src/f.txt", old, new), old, new, eol)


FRAGMENTS = [
    "*** Begin Patch",
    "*** End Patch",
    "*** Update File: a.txt",
    "*** Add File: ../x",
    "*** Delete File: a.txt",
    "*** Move to: /etc/passwd",
    "*** End of File",
    "@@",
    "@@ def f():",
    "@@ -1,2 +1,3 @@",
    "--- a/a.txt",
    "+++ b/a.txt",
    "diff --git a/a.txt b/.git/config",
    "<<<<<<< SEARCH",
    "=======",
    ">>>>>>> REPLACE",
    "```diff",
    "```",
    "-missing",
    "+added",
    " context",
    "",
    "\\ No newline at end of file",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_text_is_refused(tmp_path: Path, garbage: str) -> None:
    (tmp_path / "a.txt").write_text("keep\n")
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    try:
        write_proposal(resolve_patch(parse_answer(garbage), tmp_path, disk_reader(tmp_path)), tmp_path)
    except PatchError as error:
        assert str(error)
    else:
        raise AssertionError(f"garbage accepted: {garbage!r}")
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=14))
def test_patch_like_garbage_never_crashes(tmp_path: Path, parts: list[str]) -> None:
    (tmp_path / "a.txt").write_text("context\nmissing\n")
    text = "\n".join(parts)
    try:
        proposal = resolve_patch(parse_answer(text, default_path="a.txt"), tmp_path, disk_reader(tmp_path))
    except PatchError as error:
        assert str(error)
        assert (tmp_path / "a.txt").read_text() == "context\nmissing\n"
        return
    for file in proposal.files:
        assert not file.path.startswith(("/", "..", ".git"))
        assert apply_hunks(file.old_text or "", file.hunks) == (file.new_text or "") or file.operation == "delete"
