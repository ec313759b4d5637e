"""The matcher finds exactly the matches a brute-force search finds, with its line index built or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claif_lsp.patches.lines import split_lines
from claif_lsp.patches.seek import PASSES, Matcher

WORDS = ["alpha", "beta", "", "}", "  alpha", "alpha  ", "x \u2013 y", "x - y", "gamma"]


def brute_force(lines: list[str], pattern: list[str], start: int) -> tuple[int, list[int]]:
    """The first pass with a match at or after start, and every match of that pass."""
    k = len(pattern)
    if not k:
        return -1, []
    for pass_no, norm in enumerate(PASSES):
        want = [norm(p) for p in pattern]
        found = [i for i in range(start, len(lines) - k + 1) if [norm(x) for x in lines[i : i + k]] == want]
        if found:
            return pass_no, found
    return -1, []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=40),
    st.lists(st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), st.integers(0, 45)), max_size=30),
)
def test_find_all_matches_brute_force_with_and_without_the_index(
    file: list[str], searches: list[tuple[list[str], int]]
) -> None:
    text = split_lines("".join(line + "\n" for line in file))
    indexed, scanning = Matcher(text, searches=len(searches) + 8), Matcher(text)
    for pattern, start in searches:
        expected = brute_force(file, pattern, start)
        assert indexed.find_all(pattern, start) == expected
        assert scanning.find_all(pattern, start) == expected


def test_many_searches_in_a_long_file_switch_to_the_index_and_keep_finding_every_match() -> None:
    file = [f"line {i % 50}" for i in range(1000)]
    matcher = Matcher(split_lines("\n".join(file) + "\n"))
    for cursor in range(0, 1000, 40):
        pattern = [f"line {(cursor + 3) % 50}", f"line {(cursor + 4) % 50}"]
        assert matcher.find_all(pattern, cursor) == brute_force(file, pattern, cursor)
    assert matcher.find_all(["line 7", "line 9"], 0) == (-1, [])
    assert matcher._last is not None  # the searches above did run on the index
