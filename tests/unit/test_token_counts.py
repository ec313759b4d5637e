"""Token counts: the estimate every budget uses and how a count is printed (progress and cut notes alike)."""

from __future__ import annotations

import pytest

from claif_lsp.token_counts import CHARS_PER_TOKEN, estimate_tokens, format_tokens


def test_the_estimate_is_a_token_per_four_characters_rounded_up() -> None:
    assert CHARS_PER_TOKEN == 4
    assert [estimate_tokens("x" * n) for n in (0, 1, 4, 5, 8, 4001)] == [0, 1, 1, 2, 2, 1001]


@pytest.mark.parametrize(
    ("tokens", "printed"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1.0k"),
        (1234, "1.2k"),
        (9_949, "9.9k"),
        (12_345, "12k"),
        (12_500, "12k"),
        (250_700, "251k"),
    ],
)
def test_a_count_is_printed_with_three_figures_at_most(tokens: int, printed: str) -> None:
    assert format_tokens(tokens) == printed
