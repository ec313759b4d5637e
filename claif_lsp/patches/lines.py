"""Splitting text into lines while remembering each line's ending, a BOM and the final newline."""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = "\ufeff"
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


@dataclass
class Lines:
    """A text as lines without endings, plus what is needed to rebuild it byte for byte."""

    lines: list[str]
    endings: list[str]
    """One per line; the last one is "" when the text has no final newline."""
    eol: str = "\n"
    """The ending new lines get: the first ending found in the text."""
    bom: bool = False

    @property
    def final_newline(self) -> bool:
        """Whether the text ends with a line ending (True for an empty text)."""
        return not self.endings or self.endings[-1] != ""


def split_lines(text: str) -> Lines:
    """Split on CRLF, CR or LF; a final newline does not start an extra empty line."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    if not text:
        return Lines([], [], "\n", bom)
    if "\r" not in text:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
            endings = ["\n"] * len(lines)
        else:
            endings = ["\n"] * (len(lines) - 1) + [""]
        return Lines(lines, endings, "\n", bom)
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
