"""The context's data: diagnostics as prompt lines, partial sections, the notes on what was cut."""

from __future__ import annotations

from claif_lsp.context import Context, ContextSection, DiagnosticView, Omission


def test_a_diagnostic_is_one_prompt_line_with_1_based_lines() -> None:
    assert DiagnosticView(11, 11, "unused  import\n`os`", "error", "ruff", "F401").describe() == (
        "line 12 error [ruff F401]: unused import `os`"
    )
    assert DiagnosticView(0, 2, "too long").describe() == "lines 1-3: too long"
    assert DiagnosticView(4, 4, "m", source="mypy").describe() == "line 5 [mypy]: m"


def test_a_section_is_partial_only_when_it_shows_fewer_lines_than_its_source() -> None:
    assert not ContextSection("file", "a.py", "python", "x", 1, ((0, 9),), 10).partial
    assert ContextSection("file", "a.py", "python", "x", 1, ((0, 1), (5, 9)), 10).partial
    assert not ContextSection("open_buffer", "b.py", None, "x", 1).partial


def test_omissions_read_as_notes_with_their_token_counts() -> None:
    assert str(Omission("related_file", "a.py", 1234, "budget")) == "related file a.py (1.2k tokens) left out: budget"
    assert str(Omission("file", "big.py", 25_400, "budget, 40 of 900 lines shown", shortened=True)) == (
        "file big.py (25k tokens) shortened: budget, 40 of 900 lines shown"
    )
    assert str(Omission("diagnostics", "line 3", 7, "budget")) == "diagnostic line 3 (7 tokens) left out: budget"


def _context(*omissions: Omission) -> Context:
    selection = ContextSection("selection", "a.py", "python", "x = 1", 2, ((0, 0),), 1)
    buffer = ContextSection("open_buffer", "b.py", "python", "y = 2", 2)
    return Context("file:///a.py", "a.py", "python", 0, 0, None, 100, [selection, buffer], list(omissions))


def test_the_summary_counts_what_was_left_out_and_shortened() -> None:
    assert _context().cut_summary == ""
    context = _context(
        Omission("related_file", "c.py", 10, "budget"),
        Omission("related_file", "d.py", 10, "budget"),
        Omission("open_buffer", "e.py", 10, "budget"),
        Omission("file", "a.py", 10, "budget", shortened=True),
        Omission("diagnostics", "line 1", 1, "budget"),
    )
    assert context.cut_summary == "left out: 2 related files, 1 open buffer, 1 diagnostic; shortened: file"
    assert context.cut[0] == "related file c.py (10 tokens) left out: budget"


def test_sections_are_found_by_kind_and_tokens_add_up() -> None:
    context = _context()
    assert context.selection.text == "x = 1"
    assert [s.path for s in context.of_kind("open_buffer")] == ["b.py"]
    assert context.of_kind("related_file") == []
    assert context.total_tokens == 4
