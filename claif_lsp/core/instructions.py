"""An instruction written in the code itself: a comment line ``claif: <instruction>`` inside the selection.

LSP has no free-text prompt, so a client without claif's plugin can only offer canned instructions; writing the
instruction in a comment (any comment syntax) and running "Claif: Ask …" on a selection that holds it passes the
user's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMMENT_INSTRUCTION = re.compile(
    r"^\s*(?:#+|//+|--+|;+|%+|\"|/\*+|\*|<!--|\(\*|\{-|REM\b|')\s*claif:\s*(?P<text>.*?)\s*(?:\*+/|-->|\*\)|-\})?\s*$",
    re.IGNORECASE,
)
"""``claif: …`` after a comment opener of a common syntax, with the closer of a block comment allowed at the end."""


@dataclass(frozen=True)
class CommentInstruction:
    """The instruction and the line (0-based) that holds it."""

    text: str
    line: int
    source: str
    """The whole comment line, as written."""


def find_comment_instruction(text: str, start_line: int, end_line: int) -> CommentInstruction | None:
    """The first ``claif: <instruction>`` comment on lines ``start_line``..``end_line`` (inclusive) of ``text``."""
    lines = text.splitlines()
    for number in range(max(start_line, 0), min(end_line, len(lines) - 1) + 1):
        match = COMMENT_INSTRUCTION.match(lines[number])
        if match and match.group("text"):
            return CommentInstruction(text=match.group("text"), line=number, source=lines[number].strip())
    return None


def with_comment_removed(instruction: CommentInstruction) -> str:
    """The instruction as the model gets it: the user's words, and the comment that carried them to delete."""
    return (
        f"{instruction.text}\n\nAlso delete the comment line `{instruction.source}`: it only carried this instruction."
    )
