"""The user messages of a conversation's follow-up turns: a refine with the user's feedback, and a fix again.

The first turn's system prompt and user message (the file context and the task) are the history of every later
turn, sent byte for byte as they were, so a provider's prompt cache serves them. A follow-up message is small: the
feedback, what became of each proposed change (accepted, rejected, still pending), and the touched files' text now
as a unified diff of what changed since the first message (or the word "unchanged"), never the whole file again.
It is redacted like the first message.
"""

from __future__ import annotations

from dataclasses import dataclass

from claif_lsp.context import DiagnosticView
from claif_lsp.patches.render import text_diff
from claif_lsp.privacy.redaction import redact
from claif_lsp.prompts import fence

STATE_WORDS = {
    "accepted": "accepted (it is in the file now)",
    "rejected": "rejected",
    "pending": "pending (still proposed, not in the file)",
    "stale": "pending, but the lines it replaces were edited since",
    "applying": "pending (being applied)",
}


@dataclass(frozen=True)
class ChangeNote:
    """One proposed change as the follow-up describes it."""

    path: str
    anchor: str
    """A line that names it: the first line it replaces (or adds)."""
    state: str
    """A hunk state: ``accepted``, ``rejected``, ``pending``, ``stale``."""

    def line(self) -> str:
        """``- app.py, the change at `def area(r):`: rejected``."""
        return f"- {self.path}, the change at `{self.anchor}`: {STATE_WORDS.get(self.state, self.state)}"


@dataclass(frozen=True)
class FileNow:
    """A touched file: its text as the first message saw it, and now (None: it does not exist)."""

    path: str
    first: str | None
    now: str | None

    def describe(self) -> str:
        """ "unchanged", or a unified diff of what changed since the first message."""
        if self.first == self.now:
            return f"- {self.path}: unchanged since my first message."
        if self.now is None:
            return f"- {self.path}: deleted since my first message."
        diff = text_diff(self.first or "", self.now, f"a/{self.path}", f"b/{self.path}")
        created = " (created since)" if self.first is None else ""
        return (
            f"- {self.path}{created}: changed since my first message (your accepted changes included):\n"
            f"{fence(diff, 'diff')}"
        )


def anchor_of(old_lines: list[str], new_lines: list[str]) -> str:
    """The line that names a change: its first replaced line (or first added one), trimmed to 80 characters."""
    line = next((x for x in [*old_lines, *new_lines] if x.strip()), "")
    line = line.strip()
    return line if len(line) <= 80 else line[:77] + "..."


def _sections(changes: list[ChangeNote], narrowed: list[ChangeNote], files: list[FileNow]) -> list[str]:
    parts = []
    if narrowed:
        parts.append("It is about these changes only:\n" + "\n".join(n.line() for n in narrowed))
    if changes:
        parts.append("## What became of your changes\n" + "\n".join(n.line() for n in changes))
    if files:
        parts.append("## The files now\n" + "\n".join(f.describe() for f in files))
    return parts


CLOSING = (
    "Answer with one patch against the files as they are now. It replaces every pending change: include again "
    "the pending ones you still want, and leave out what is accepted (it is in the file already)."
)


def refine_message(feedback: str, changes: list[ChangeNote], narrowed: list[ChangeNote], files: list[FileNow]) -> str:
    """The user message of a refine turn."""
    parts = [f"## Feedback on your last answer\n{feedback.strip()}", *_sections(changes, narrowed, files), CLOSING]
    return redact("\n\n".join(parts) + "\n")


def fix_again_message(
    diagnostic: DiagnosticView, feedback: str | None, changes: list[ChangeNote], files: list[FileNow]
) -> str:
    """The user message of a fix-again turn: the accepted change did not clear ``diagnostic``."""
    head = (
        "## The problem is still there\n"
        f"Your change did not clear this diagnostic: {diagnostic.describe()}\n"
        "Fix it with the smallest change that clears it."
    )
    if feedback and feedback.strip():
        head += f"\n\nFrom the user: {feedback.strip()}"
    parts = [head, *_sections(changes, [], files), CLOSING]
    return redact("\n\n".join(parts) + "\n")
