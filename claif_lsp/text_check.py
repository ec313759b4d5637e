"""Text that cannot leave the machine as UTF-8: lone surrogates, which JSON lets an editor send.

JSON may escape a UTF-16 surrogate that pairs with nothing (``"\\ud800"``); Python decodes it into a string
that no UTF-8 encoder accepts, so a provider's SDK would fail deep inside with ``UnicodeEncodeError``. Asks look
for them before anything is built or sent and say which file and line hold one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""Any surrogate code point left in a str is unpaired: decoders join valid pairs into one character."""


@dataclass(frozen=True)
class BrokenText:
    """Where a text holds a lone surrogate (1-based line and column in code points)."""

    line: int
    column: int
    code_point: str


def find_lone_surrogate(text: str) -> BrokenText | None:
    """The first lone surrogate in ``text``, or None when the text encodes as UTF-8."""
    match = _LONE_SURROGATE.search(text)
    if match is None:
        return None
    offset = match.start()
    line_start = text.rfind("\n", 0, offset) + 1
    return BrokenText(
        line=text.count("\n", 0, offset) + 1, column=offset - line_start + 1, code_point=f"U+{ord(match.group()):04X}"
    )


def broken_text_message(name: str, broken: BrokenText) -> str:
    """What is wrong with ``name``'s text, for the user."""
    return (
        f"{name} line {broken.line}, column {broken.column} holds a lone surrogate ({broken.code_point}), "
        "which is not valid Unicode and cannot be sent; the editor sent broken text there: delete or retype "
        "that character"
    )
