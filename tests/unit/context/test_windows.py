"""Part of a file: its lines, the window around a selection, the omission markers."""

from __future__ import annotations

import pytest

from claif_lsp.context.windows import HEAD_LINES, line_texts, omitted_marker, render_ranges, shown_lines, window_ranges


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb", ["a", "b"]),
        ("a\rb\r\n", ["a", "b"]),
        ("a\n\n", ["a", ""]),
        ("", [""]),
        ("\n", [""]),
        ("\ufeffx\n", ["\ufeffx"]),
    ],
)
def test_line_texts_numbers_lines_as_the_editor_does(text: str, lines: list[str]) -> None:
    assert line_texts(text) == lines


def test_the_marker_says_how_many_lines_are_left_out() -> None:
    assert omitted_marker(1) == "… 1 line omitted …"
    assert omitted_marker(12) == "… 12 lines omitted …"


def test_shown_lines_counts_inclusive_ranges() -> None:
    assert shown_lines(()) == 0
    assert shown_lines(((0, 0), (5, 9))) == 6


def test_render_marks_every_gap_and_both_ends() -> None:
    lines = [f"l{i}" for i in range(10)]
    assert render_ranges(lines, ((0, 1), (5, 5))) == "\n".join(["l0", "l1", omitted_marker(3), "l5", omitted_marker(4)])
    assert render_ranges(lines, ((2, 9),)) == "\n".join([omitted_marker(2), *lines[2:]])
    assert render_ranges(lines, ((0, 9),)) == "\n".join(lines)


def test_a_selection_too_large_for_the_window_gets_none() -> None:
    lines = ["x" * 50] * 10
    assert window_ranges(lines, 2, 5, 150, 3) is None


def test_the_window_holds_the_selection_and_grows_on_both_sides_within_the_size() -> None:
    lines = [f"line {i:04d}" for i in range(1000)]
    max_chars = 2000
    ranges = window_ranges(lines, 500, 502, max_chars, 10)
    assert ranges is not None
    (head_start, head_end), (low, high) = ranges
    assert (head_start, head_end) == (0, HEAD_LINES - 1)
    assert low <= 490 and high >= 512
    # Past the head, the window grows evenly around the selection.
    assert abs((500 - low) - (high - 502)) <= 1
    assert len(render_ranges(lines, ranges)) <= max_chars


def test_a_window_reaching_the_head_is_one_range() -> None:
    lines = [f"line {i}" for i in range(40)]
    assert window_ranges(lines, 22, 22, 10_000, 2) == ((0, 39),)


def test_the_head_is_left_out_when_only_the_surrounding_lines_fit() -> None:
    lines = ["y" * 40 for _ in range(500)]
    ranges = window_ranges(lines, 250, 250, 41 * 11 + 2 * (len(omitted_marker(500)) + 1), 5)
    assert ranges == ((245, 255),)
