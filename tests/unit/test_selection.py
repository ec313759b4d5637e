"""Which lines an ask is about: a cursor or a one-character selection means the enclosing line."""

from __future__ import annotations

from pygls.workspace import TextDocument

from claif_lsp.features.ask_flow import selection_lines
from claif_lsp.protocol.models import Range as RangeArg

DOC = TextDocument("file:///x.py", "a\nb\nc\nd\n")


def rng(start: tuple[int, int], end: tuple[int, int]) -> RangeArg:
    return RangeArg.model_validate(
        {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}
    )


def test_cursor_means_its_line() -> None:
    assert selection_lines(DOC, rng((2, 0), (2, 0))) == (2, 2)


def test_helix_one_character_selection_means_its_line() -> None:
    assert selection_lines(DOC, rng((1, 0), (1, 1))) == (1, 1)


def test_selection_ending_at_column_zero_excludes_that_line() -> None:
    assert selection_lines(DOC, rng((0, 0), (2, 0))) == (0, 1)


def test_range_past_the_end_is_clamped() -> None:
    assert selection_lines(DOC, rng((2, 0), (40, 3))) == (2, 3)
