"""Which lines an ask is about: a cursor or a one-character selection means the enclosing line."""

from __future__ import annotations

from claif_lsp.core.ask import Selection, selection_lines

TEXT = "a\nb\nc\nd\n"


def rng(start: tuple[int, int], end: tuple[int, int]) -> Selection:
    return Selection(start[0], start[1], end[0], end[1])


def test_cursor_means_its_line() -> None:
    assert selection_lines(TEXT, rng((2, 0), (2, 0))) == (2, 2)


def test_helix_one_character_selection_means_its_line() -> None:
    assert selection_lines(TEXT, rng((1, 0), (1, 1))) == (1, 1)


def test_selection_ending_at_column_zero_excludes_that_line() -> None:
    assert selection_lines(TEXT, rng((0, 0), (2, 0))) == (0, 1)


def test_range_past_the_end_is_clamped() -> None:
    assert selection_lines(TEXT, rng((2, 0), (40, 3))) == (2, 3)
