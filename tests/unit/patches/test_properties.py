"""Property tests: random edits round-trip through every format; random garbage is refused cleanly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claif_lsp.errors import PatchError
from claif_lsp.patches import (
    Snapshot,
    apply_hunks,
    disk_reader,
    parse_answer,
    render_proposal,
    resolve_patch,
    write_proposal,
)
from tests.unit.patches import renderers

WORDS = ["alpha", "beta", "gamma", "", "    return x", "}", "x = 1", "# note", "naïve café ✅", "\tindent"]
lines = st.lists(st.sampled_from(WORDS), min_size=0, max_size=25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _text(content: list[str], eol: str, *, final_newline: bool = True, bom: bool = False) -> str:
    body = eol.join(content) + (eol if content and final_newline else "")
    return ("\ufeff" if bom else "") + body


@dataclass
class Case:
    """A random file, a random edit of it, and how the file is spelled (line ending, final newline, BOM)."""

    old: list[str]
    new: list[str]
    eol: str
    old_final: bool
    new_final: bool
    bom: bool

    def old_text(self) -> str:
        """The file before."""
        return _text(self.old, self.eol, final_newline=self.old_final, bom=self.bom)

    def new_text(self, final_newline: bool) -> str:
        """The file after, ending with a newline or not."""
        return _text(self.new, self.eol, final_newline=final_newline, bom=self.bom)


@st.composite
def edits(draw: st.DrawFn) -> Case:
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
    # A last line that is empty cannot lack its newline: the text would end one line earlier.
    old_final = draw(st.booleans()) if old and old[-1] else True
    new_final = draw(st.booleans()) if new and new[-1] else True
    # New lines take the file's first line ending; a file with no ending at all gives them "\n".
    knows_eol = len(old) >= 2 or (old and old_final)
    eol = draw(st.sampled_from(["\n", "\r\n"])) if knows_eol else "\n"
    return Case(old, new, eol, old_final, new_final, draw(st.booleans()))


def _round_trip(
    patch_text: str, case: Case, expected: str, *, default_path: str | None = None, codex_final_newline: bool = False
) -> None:
    old_text = case.old_text()
    patch = parse_answer(patch_text, default_path=default_path)
    proposal = resolve_patch(
        patch,
        Path("/nonexistent-root"),
        lambda p: Snapshot(path=p, text=old_text, version=3),
        codex_final_newline=codex_final_newline,
    )
    [file] = proposal.files
    assert file.new_text == expected
    assert file.version == 3
    assert apply_hunks(old_text, file.hunks) == expected


@SETTINGS
@given(edits())
def test_codex_round_trip(case: Case) -> None:
    if case.old == case.new:
        return
    patch = renderers.codex("src/f.txt", case.old, case.new)
    # An editor proposal keeps the file's final newline; Codex's CLI (and `claif-lsp patch`) always leaves one.
    _round_trip(patch, case, case.new_text(case.old_final))
    _round_trip(patch, case, case.new_text(True), codex_final_newline=True)


@SETTINGS
@given(edits())
def test_unified_round_trip(case: Case) -> None:
    old, new = renderers.tagged(case.old, case.old_final), renderers.tagged(case.new, case.new_final)
    if old == new:
        return
    diff = renderers.sloppy_unified("src/f.txt", old, new)
    _round_trip("Sure, here it is:\n```diff\n" + diff + "```\n", case, case.new_text(case.new_final))


@SETTINGS
@given(edits(), st.integers(-4, 60), st.integers(-3, 3), st.booleans())
def test_unified_with_wrong_line_numbers_and_counts(case: Case, shift: int, count_error: int, fenced: bool) -> None:
    old, new = renderers.tagged(case.old, case.old_final), renderers.tagged(case.new, case.new_final)
    if old == new:
        return
    diff = renderers.sloppy_unified("src/f.txt", old, new, shift=shift, count_error=count_error)
    answer = "Here is the fix:\n\n```diff\n" + diff + "```\n" if fenced else diff
    _round_trip(answer, case, case.new_text(case.new_final))


@SETTINGS
@given(edits())
def test_search_replace_round_trip(case: Case) -> None:
    if case.old == case.new:
        return
    # SEARCH/REPLACE cannot say anything about the final newline, so the file's own is kept.
    _round_trip(renderers.search_replace("src/f.txt", case.old, case.new), case, case.new_text(case.old_final))


@SETTINGS
@given(edits())
def test_whole_file_round_trip(case: Case) -> None:
    if case.old == case.new or not any(case.new):
        return
    # A code block's text ends with a newline; the file's line endings and BOM stay.
    answer = renderers.whole_file(case.new)
    _round_trip(answer, case, case.new_text(True), default_path="src/f.txt")


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


@SETTINGS
@given(edits(), edits(), edits())
def test_prose_with_several_blocks_in_several_formats(codex: Case, unified: Case, search: Case) -> None:
    if codex.old == codex.new or unified.old == unified.new or search.old == search.new:
        return
    tagged_old, tagged_new = (
        renderers.tagged(unified.old, unified.old_final),
        renderers.tagged(unified.new, unified.new_final),
    )
    if tagged_old == tagged_new:
        return
    answer = (
        "I made three changes.\n\nFirst, `c.txt`:\n\n```\n"
        + renderers.codex("c.txt", codex.old, codex.new)
        + "```\n\nThen u.txt, as a diff:\n\n```diff\n"
        + renderers.sloppy_unified("u.txt", tagged_old, tagged_new)
        + "```\n\nAnd finally:\n\n"
        + renderers.search_replace("s.txt", search.old, search.new)
        + "\nLet me know if anything else is needed.\n"
    )
    cases = {"c.txt": codex, "u.txt": unified, "s.txt": search}
    proposal = resolve_patch(
        parse_answer(answer), Path("/nonexistent-root"), lambda p: Snapshot(path=p, text=cases[p].old_text())
    )
    assert proposal.format == "mixed"
    assert {f.path: f.new_text for f in proposal.files} == {
        "c.txt": codex.new_text(codex.old_final),
        "u.txt": unified.new_text(unified.new_final),
        "s.txt": search.new_text(search.old_final),
    }


@SETTINGS
@given(edits())
def test_rendered_proposal_applies_back(case: Case) -> None:
    """The check-mode diff is itself a patch that gives the same text, final newline included."""
    old, new = renderers.tagged(case.old, case.old_final), renderers.tagged(case.new, case.new_final)
    if old == new:
        return
    old_text = case.old_text()
    proposal = resolve_patch(
        parse_answer(renderers.sloppy_unified("f.txt", old, new)),
        Path("/nonexistent-root"),
        lambda p: Snapshot(path=p, text=old_text),
    )
    rendered = render_proposal(proposal)
    again = resolve_patch(parse_answer(rendered), Path("/nonexistent-root"), lambda p: Snapshot(path=p, text=old_text))
    assert again.files[0].new_text == case.new_text(case.new_final)
