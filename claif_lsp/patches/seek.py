"""Finding a run of lines in a file the way Codex's ``seek_sequence`` does, plus finding every match.

Four passes, the first that matches anywhere wins: exact, trailing whitespace ignored, surrounding whitespace
ignored, and surrounding whitespace ignored with typographic punctuation and exotic spaces normalised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from claif_lsp.patches.lines import Lines

_PUNCTUATION = str.maketrans(
    {
        **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
        **{c: "'" for c in "\u2018\u2019\u201a\u201b"},
        **{c: '"' for c in "\u201c\u201d\u201e\u201f"},
        **{c: " " for c in "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"},
    }
)


def normalise(line: str) -> str:
    """Trim and map Unicode dashes, quotes and spaces to ASCII, as Codex's last pass does."""
    return line.strip().translate(_PUNCTUATION)


def _exact(line: str) -> str:
    return line


_SCANS_BEFORE_INDEX = 4
"""Whole-file scans (list.index, in C) before building the line index: hashing every line costs about five."""
_SEARCHES_FOR_INDEX = 8
"""Patterns sought in one file from which the index is built at once (each one scans half the file on average)."""

PASSES: tuple[Callable[[str], str], ...] = (_exact, str.rstrip, str.strip, normalise)


def seek_sequence(lines: Sequence[str], pattern: Sequence[str], start: int, eof: bool) -> int | None:
    """Codex's matcher: first index >= start (the tail first when ``eof``) where pattern matches, or None."""
    if not pattern:
        return start
    if len(pattern) > len(lines):
        return None
    search_start = len(lines) - len(pattern) if eof else start
    for norm in PASSES:
        want = [norm(p) for p in pattern]
        for i in range(search_start, len(lines) - len(pattern) + 1):
            if all(norm(lines[i + j]) == want[j] for j in range(len(pattern))):
                return i
    return None


class Matcher:
    """Finds every position of a pattern in one file, using a line index for the exact pass."""

    def __init__(self, text: Lines, *, searches: int = 0) -> None:
        """``searches``: how many patterns will be sought, when known; many build the line index at once."""
        self.text = text
        self._normalised: dict[int, list[str]] = {}
        self._last: dict[str, int] | None = None
        """Each line's last index, built once scans have covered the file several times."""
        self._scanned = _SCANS_BEFORE_INDEX * len(text.lines) + 1 if searches >= _SEARCHES_FOR_INDEX else 0

    def _exact(self, want: list[str], start: int, last: int) -> list[int]:
        """Every i in [start, last] where the lines from i equal ``want`` (pass 0)."""
        lines = self.text.lines
        if self._last is None and self._scanned > _SCANS_BEFORE_INDEX * len(lines):
            self._last = dict(zip(lines, range(len(lines)), strict=True))
        if self._last is None:
            # Anchor on the longest line: blank lines and braces would give hundreds of candidates.
            j = max(range(len(want)), key=lambda x: len(want[x]))
        else:
            # Anchor on the line whose last occurrence comes soonest: the scan stops there, so chunks sought in
            # order scan the file about once in all.
            j, stop = 0, last
            for x, line in enumerate(want):
                at = self._last.get(line, -1) - x
                if at < start:
                    return []  # this pattern line occurs nowhere a match from ``start`` on would need it
                if at < stop:
                    j, stop = x, at
            last = stop
        self._scanned += last - start + 1
        k = len(want)
        found: list[int] = []
        anchor = want[j]
        i = start + j - 1
        try:
            while True:
                i = lines.index(anchor, i + 1, last + j + 1)
                if lines[i - j : i - j + k] == want:
                    found.append(i - j)
        except ValueError:
            return found

    def _lines(self, pass_no: int) -> list[str]:
        if pass_no not in self._normalised:
            norm = PASSES[pass_no]
            self._normalised[pass_no] = [norm(line) for line in self.text.lines]
        return self._normalised[pass_no]

    def find_all(self, pattern: Sequence[str], start: int = 0, end: int | None = None) -> tuple[int, list[int]]:
        """The first pass (0-3) with a match in [start, end) and every match start of that pass; (-1, []) when none."""
        lines = self.text.lines
        n, k = len(lines), len(pattern)
        last = (n if end is None else min(end, n)) - k
        if k == 0 or last < start:
            return -1, []
        found = self._exact(list(pattern), start, last)
        if found:
            return 0, found
        for pass_no in range(1, len(PASSES)):
            norm = PASSES[pass_no]
            want = [norm(p) for p in pattern]
            have = self._lines(pass_no)
            head = want[0]
            found = [i for i in range(start, last + 1) if have[i] == head and have[i : i + k] == want]
            if found:
                return pass_no, found
        return -1, []

    def matches_at(self, pattern: Sequence[str], at: int) -> bool:
        """Whether pattern matches at this position under any pass."""
        k = len(pattern)
        if at < 0 or at + k > len(self.text.lines):
            return False
        for pass_no, norm in enumerate(PASSES):
            have = self._lines(pass_no) if pass_no else self.text.lines
            if all(have[at + j] == norm(pattern[j]) for j in range(k)):
                return True
        return False
