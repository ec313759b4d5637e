"""Showing part of a file: its lines, a window around the selection that fits a size, and the marked gaps."""

from __future__ import annotations

from collections.abc import Iterable

HEAD_LINES = 20
"""Lines from the top of the file (imports, module docstring) shown before a window that does not reach them."""


def line_texts(text: str) -> list[str]:
    """The lines as LSP counts them (``\\n``, ``\\r\\n`` or ``\\r``), endings dropped; "" is one empty line.

    Not :func:`claif_lsp.patches.lines.split_lines`: that one keeps every ending, sets a BOM aside and makes ""
    no line at all, to rebuild a file byte for byte; here only the line numbers the editor shows matter, and a
    plain ``split`` keeps a 10,000-line file cheap on every ask.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def omitted_marker(count: int) -> str:
    """The line standing in for ``count`` lines left out of a section."""
    return f"… {count} line{'s' if count != 1 else ''} omitted …"


def shown_lines(ranges: Iterable[tuple[int, int]]) -> int:
    """How many lines 0-based inclusive ``ranges`` show."""
    return sum(end - start + 1 for start, end in ranges)


def window_ranges(
    lines: list[str], start: int, end: int, max_chars: int, surrounding: int
) -> tuple[tuple[int, int], ...] | None:
    """Line ranges (0-based, inclusive) of a window around the selection fitting ``max_chars``, plus the file head.

    The selection is always inside; the window grows one line at a time on alternating sides, the
    surrounding lines first, so its cost is linear in the lines it shows. None when not even the selection fits.
    """
    marker = len(omitted_marker(len(lines))) + 1
    chars = sum(len(lines[i]) + 1 for i in range(start, end + 1)) + 2 * marker
    if chars > max_chars:
        return None
    last = len(lines) - 1
    surrounded = (max(0, start - surrounding), min(last, end + surrounding))
    low, high, chars = _grow(lines, start, end, chars, max_chars, 0, surrounded)
    # Past the surrounding lines, the top of the file (imports) is worth more than more of the middle.
    head_end = min(HEAD_LINES, low) - 1
    ranges: list[tuple[int, int]] = []
    if head_end >= 0 and low - head_end > 1:
        head_chars = sum(len(lines[i]) + 1 for i in range(head_end + 1)) + marker
        if chars + head_chars <= max_chars:
            ranges.append((0, head_end))
            chars += head_chars
    floor = ranges[0][1] + 1 if ranges else 0
    low, high, chars = _grow(lines, low, high, chars, max_chars, floor, (floor, last))
    if ranges and low == ranges[0][1] + 1:
        return ((0, high),)
    ranges.append((low, high))
    return tuple(ranges)


def _grow(
    lines: list[str], low: int, high: int, chars: int, max_chars: int, floor: int, until: tuple[int, int]
) -> tuple[int, int, int]:
    """Widen ``low..high`` a line a side at a time while lines fit in ``max_chars``, no lower than ``floor``,
    until it spans ``until``; returns the new bounds and character count."""
    last = len(lines) - 1
    grow_up = grow_down = True
    while grow_up or grow_down:
        if grow_up:
            if low > floor and chars + len(lines[low - 1]) + 1 <= max_chars:
                low -= 1
                chars += len(lines[low]) + 1
            else:
                grow_up = False
        if grow_down:
            if high < last and chars + len(lines[high + 1]) + 1 <= max_chars:
                high += 1
                chars += len(lines[high]) + 1
            else:
                grow_down = False
        if low <= until[0] and high >= until[1]:
            break
    return low, high, chars


def render_ranges(lines: list[str], ranges: Iterable[tuple[int, int]]) -> str:
    """The lines of ``ranges`` joined, with an omission marker for every gap (and the ends)."""
    out: list[str] = []
    position = 0
    for low, high in ranges:
        if low > position:
            out.append(omitted_marker(low - position))
        out.extend(lines[low : high + 1])
        position = high + 1
    if position < len(lines):
        out.append(omitted_marker(len(lines) - position))
    return "\n".join(out)
