"""The built-in actions, in one table: each one's id, code action title, prompt text and kind of answer.

Custom actions come from the ``actions`` setting and are named ``custom:<n>`` on the wire, ``n`` their index
in that list. This module is read at start-up (the code action titles), so it stays free of pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AnswerKind = Literal["edit", "explain"]
"""``edit``: the answer is a patch, reviewed as a proposal; ``explain``: the answer is Markdown, shown."""

CUSTOM_PREFIX = "custom:"
MENU_PREFIX = "Claif: "
"""Starts every code action title, so the light bulb tells claif's AI actions from the language server's own."""


@dataclass(frozen=True, slots=True)
class Action:
    """One built-in action."""

    id: str
    title: str
    """The code action's title; ``{provider}`` and ``{diagnostic}`` are filled in where they appear."""
    prompt: str
    """The task sent to the model (for ``ask``: only when the user gave no instruction)."""
    answer: AnswerKind
    needs_diagnostic: bool = False

    @property
    def offered_per_selection(self) -> bool:
        """True when the title needs nothing filled in: offered once for every selection."""
        return "{" not in self.title


BUILTIN: tuple[Action, ...] = (
    Action("ask", "Ask {provider}…", "Improve the selected code.", "edit"),
    Action(
        "explain",
        "Explain",
        "Explain what the selected code does, how it works, and anything surprising or risky in it.",
        "explain",
    ),
    Action(
        "refactor",
        "Refactor",
        "Refactor the selected code for readability and maintainability without changing its behaviour. "
        "Keep public names and signatures unless the instruction says otherwise.",
        "edit",
    ),
    Action(
        "docstrings",
        "Add docstrings",
        "Add or improve docstrings and necessary comments for the selected code, following the conventions "
        "already used in the file. Do not change any code.",
        "edit",
    ),
    Action(
        "tests",
        "Write tests",
        "Write unit tests for the selected code, following the test framework and conventions of the project. "
        "Extend the existing test file when there is one in the context, otherwise add a new test file.",
        "edit",
    ),
    Action(
        "fix",
        "Fix: {diagnostic}",
        "Fix the bugs in the selected code with the smallest change that solves them.",
        "edit",
        needs_diagnostic=True,
    ),
)

BY_ID: dict[str, Action] = {action.id: action for action in BUILTIN}
BUILTIN_IDS: tuple[str, ...] = tuple(BY_ID)


def provider_label(display: str, name: str) -> str:
    """The provider as titles name it: its display name, with the settings' id when that reads differently."""
    return display if display.lower().replace(" ", "-") == name.lower() else f"{display} ({name})"


def menu_title(label: str, provider: str | None = None) -> str:
    """A code action's title: ``Claif: <label>``, naming the provider that answers when given."""
    return f"{MENU_PREFIX}{label} ({provider})" if provider else f"{MENU_PREFIX}{label}"


def is_custom(action: str) -> bool:
    """True when ``action`` names an entry of the ``actions`` setting (``custom:<n>``)."""
    return action.startswith(CUSTOM_PREFIX)


def custom_index(action: str) -> int:
    """The ``n`` of ``custom:<n>``; ValueError when ``action`` is not of that form."""
    if not is_custom(action):
        raise ValueError(f"{action!r} is not a custom action")
    index = int(action[len(CUSTOM_PREFIX) :])
    if index < 0:
        raise ValueError(f"{action!r}: the index of a custom action is never negative")
    return index


def custom_id(index: int) -> str:
    """The wire name of the ``index``-th custom action."""
    return f"{CUSTOM_PREFIX}{index}"


def is_known(action: str) -> bool:
    """True when ``action`` is a built-in id or of the form ``custom:<something>`` (checked against settings later)."""
    return action in BY_ID or is_custom(action)
