"""Splitting text into lines while remembering each line's ending, a BOM and the final newline."""

from __future__ import annotations

import re

BOM = "\ufeff"
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


class Lines:
    """A text as lines without endings, plus what is needed to rebuild it byte for byte."""

    __slots__ = ("_endings", "bom", "eol", "final_newline", "lines")

    def __init__(
        self,
        lines: list[str],
        endings: list[str] | None = None,
        eol: str = "\n",
        bom: bool = False,
        *,
        final_newline: bool = True,
    ) -> None:
        """``endings``: one per line, the last one "" when the text has no final newline; None when every line
        ends with ``eol`` (the last one only when ``final_newline``), which spares a list as long as the text."""
        self.lines = lines
        self._endings = endings
        self.eol = eol
        """The ending new lines get: the first ending found in the text."""
        self.bom = bom
        self.final_newline = final_newline if endings is None else not endings or endings[-1] != ""
        """Whether the text ends with a line ending (True for an empty text)."""

    @property
    def uniform_endings(self) -> bool:
        """Whether every line ends with ``eol`` but perhaps the last (which then has no ending)."""
        return self._endings is None

    @property
    def endings(self) -> list[str]:
        """One ending per line; the last one is "" when the text has no final newline."""
        return self.endings_between(0, len(self.lines))

    def endings_between(self, start: int, end: int) -> list[str]:
        """``endings[start:end]`` (0 <= start), without building the whole list."""
        if self._endings is not None:
            return self._endings[start:end]
        n = len(self.lines)
        end = min(end, n)
        if start >= end:
            return []
        endings = [self.eol] * (end - start)
        if end == n and not self.final_newline:
            endings[-1] = ""
        return endings

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lines):
            return NotImplemented
        return (self.lines, self.endings, self.eol, self.bom) == (other.lines, other.endings, other.eol, other.bom)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Lines({self.lines!r}, {self.endings!r}, {self.eol!r}, {self.bom!r})"


def split_lines(text: str) -> Lines:
    """Split on CRLF, CR or LF; a final newline does not start an extra empty line."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    if not text:
        return Lines([], None, "\n", bom)
    if "\r" not in text:
        lines = text.split("\n")
        final_newline = lines[-1] == ""
        if final_newline:
            lines.pop()
        return Lines(lines, None, "\n", bom, final_newline=final_newline)
    lines, endings = [], []
    for match in _LINE.finditer(text):
        content, ending = match.group(1), match.group(2)
        if not ending and not content:
            if match.start() == len(text):
                break
            continue
        lines.append(content)
        endings.append(ending)
    eol = next((e for e in endings if e), "\n")
    return Lines(lines, endings, eol, bom)


def join_lines(lines: list[str], endings: list[str], *, bom: bool, eol: str, final_newline: bool | None) -> str:
    """Rebuild text; lines without an ending get ``eol`` unless last, and the last follows ``final_newline``."""
    prefix = BOM if bom else ""
    if not lines:
        return prefix
    last = len(lines) - 1
    if endings.count(eol) >= last and (last == 0 or endings[last - 1] == eol) and endings[:last].count(eol) == last:
        # Fast path: every line but the last already ends with ``eol``.
        ending = endings[last]
        if final_newline is True and not ending:
            ending = eol
        elif final_newline is False:
            ending = ""
        return prefix + eol.join(lines) + ending
    parts = [prefix]
    for i, (line, ending) in enumerate(zip(lines, endings, strict=True)):
        if i == last:
            if final_newline is True and not ending:
                ending = eol
            elif final_newline is False:
                ending = ""
        elif not ending:
            ending = eol
        parts.append(line)
        parts.append(ending)
    return "".join(parts)
