"""Sessions: every proposal is a conversation, its turns, decisions and usage kept together.

An ask opens one session per provider that answered (so with several providers each answer is refined on its
own). Each turn is what was sent and what came back; the conversation a provider sees on the next turn is
built from them (:meth:`Session.history`), oldest first and unchanged, so provider-side prompt caches hit.
A retry starts the conversation afresh: the history begins at the latest ``ask`` or ``retry`` turn.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from claif_lsp.types import Message, Role, Usage

TurnKind = Literal["ask", "refine", "retry", "repair", "fix"]
"""``ask`` and ``retry`` begin the conversation; the others follow up on it."""


@dataclass
class Turn:
    """One exchange: the user message as sent, and the answer."""

    kind: TurnKind
    prompt: str
    """The user message exactly as the provider received it (for the first turn, the whole prompt)."""
    answer: str
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    """Served from the response cache, not the provider."""
    provider_session: str | None = None
    """The provider's own session id (``ClaifOptions.resume`` on the next turn)."""
    feedback: str | None = None
    """What the user said (refine), or the error (repair); None for an ask or retry."""
    at: float = field(default_factory=time.time)


@dataclass
class Decision:
    """The user's accept or reject of some hunks of one revision."""

    verdict: Literal["accepted", "rejected"]
    hunks: list[str]
    revision: int
    at: float = field(default_factory=time.time)


@dataclass
class Session:
    """One conversation about one proposal."""

    id: str
    root: str
    uri: str
    provider: str
    action: str
    title: str
    system: str
    """The system prompt, the same on every turn."""
    instruction: str | None = None
    proposal: str | None = None
    turns: list[Turn] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    agent_actions: list[dict[str, str]] = field(default_factory=list)
    """What an agent did while answering (reads, commands and their outcome), as it reported them."""
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    def add_turn(self, turn: Turn) -> None:
        """Record a turn."""
        self.turns.append(turn)
        self.updated = turn.at

    def decide(self, verdict: Literal["accepted", "rejected"], hunks: list[str], revision: int) -> None:
        """Record the user's decision on some hunks."""
        if hunks:
            self.decisions.append(Decision(verdict=verdict, hunks=list(hunks), revision=revision))
            self.updated = time.time()

    def current(self) -> list[Turn]:
        """The turns of the conversation as it stands: from the latest ask or retry on."""
        start = max((i for i, t in enumerate(self.turns) if t.kind in ("ask", "retry")), default=0)
        return self.turns[start:]

    def history(self) -> list[Message]:
        """The conversation so far as messages, oldest first, for the next turn's ``ClaifOptions.history``."""
        messages: list[Message] = []
        for turn in self.current():
            messages.append(Message(role=Role.USER, content=turn.prompt))
            messages.append(Message(role=Role.ASSISTANT, content=turn.answer))
        return messages

    def provider_session(self) -> str | None:
        """The provider's session id to resume, from the latest turn that reported one."""
        return next((t.provider_session for t in reversed(self.current()) if t.provider_session), None)

    def usage(self) -> Usage:
        """Every turn's tokens added up."""
        total = Usage()
        for turn in self.turns:
            total = total + turn.usage
        return total


class SessionStore:
    """The sessions of this server, by id (kept in memory; persisted by whoever holds the store)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._ids = itertools.count(1)

    def open(self, **fields: object) -> Session:
        """A new session with a fresh id."""
        session_id = f"s{next(self._ids)}"
        while session_id in self._sessions:
            session_id = f"s{next(self._ids)}"
        session = Session(id=session_id, **fields)  # type: ignore[arg-type]
        self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        """The session with this id, if any."""
        return self._sessions.get(session_id)

    def of_proposal(self, proposal_id: str) -> Session | None:
        """The session a proposal belongs to, if any."""
        return next((s for s in self._sessions.values() if s.proposal == proposal_id), None)

    def drop(self, session_id: str) -> Session | None:
        """Forget a session; returns it (None when there was none)."""
        return self._sessions.pop(session_id, None)

    def save(self, session: Session) -> None:
        """Keep ``session`` as it is now (in memory here; on disk once persistence is added)."""
        self._sessions[session.id] = session

    def __iter__(self) -> Iterator[Session]:
        return iter(sorted(self._sessions.values(), key=lambda s: s.updated, reverse=True))
