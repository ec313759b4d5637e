"""Sessions: every proposal is a conversation, its turns, decisions and usage kept together.

An ask opens one session per provider that answered (so with several providers each answer is refined on its
own). Each turn is what was sent and what came back; the conversation a provider sees on the next turn is
built from them (:meth:`Session.history`), oldest first and unchanged, so provider-side prompt caches hit.
A retry starts the conversation afresh: the history begins at the latest ``ask`` or ``retry`` turn.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from claif_lsp.settings import SessionSettings
from claif_lsp.types import Message, Role, Usage

if TYPE_CHECKING:
    from claif_lsp.core.session_files import SessionFiles
    from claif_lsp.streaming import Answer

TurnKind = Literal["ask", "refine", "retry", "repair", "fix"]
"""``ask`` and ``retry`` begin the conversation; the others follow up on it."""
TURN_KINDS = frozenset(get_args(TurnKind))


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
    """What an agent did while answering (reads, edits, commands and their outcome), as it reported them:
    ``{"kind", "title", "status", "turn"}``, ``turn`` the 1-based number of the turn it answered."""
    cache_key: str | None = None
    """The first turn's response-cache key: dropped when the user rejects the whole proposal."""
    sent: dict[str, str | None] = field(default_factory=dict)
    fix: dict[str, Any] | None = None
    """A fix's record (:class:`~claif_lsp.core.fix_again.FixRecord` as JSON), so "fix again" outlives a restart."""
    """Each touched file's text as the conversation's first turn saw it (by path), for the diffs later turns send."""
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    def add_turn(self, turn: Turn, actions: Sequence[Mapping[str, str]] = ()) -> None:
        """Record a turn, and what the agent reported doing for it (each action tagged with the turn's number)."""
        self.turns.append(turn)
        self.agent_actions += [{**action, "turn": str(len(self.turns))} for action in actions]
        self.updated = turn.at

    def add_answer(self, kind: TurnKind, prompt: str, answer: Answer, *, feedback: str | None = None) -> None:
        """Record a turn from the provider's answer (text, usage, cache, its own session) and what it reported doing."""
        turn = Turn(
            kind=kind,
            prompt=prompt,
            answer=answer.text,
            usage=answer.usage,
            cached=answer.cached,
            provider_session=answer.session_id,
            feedback=feedback,
        )
        self.add_turn(turn, reported_actions(answer.messages))

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


def reported_actions(messages: Sequence[Message]) -> list[dict[str, str]]:
    """What an agent said it did, from the last message whose ``metadata["actions"]`` lists it (``{"kind",
    "title", "status"}`` each); anything else in that list is left out."""
    for message in reversed(messages):
        raw = message.metadata.get("actions")
        if isinstance(raw, list):
            return [
                {key: str(item.get(key) or "") for key in ("kind", "title", "status")}
                for item in raw
                if isinstance(item, Mapping)
            ]
    return []


def session_to_json(session: Session) -> dict[str, Any]:
    """The session as plain JSON values."""
    data = dataclasses.asdict(session)
    data["turns"] = [{**dataclasses.asdict(t), "usage": t.usage.model_dump()} for t in session.turns]
    return data


def session_from_json(data: Any) -> Session:
    """A session from :func:`session_to_json`'s output; ValueError (or TypeError) when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("a session is a JSON object")
    fields = dict(data)
    turns = [Turn(**{**t, "usage": Usage.model_validate(t.get("usage") or {})}) for t in fields.pop("turns", [])]
    decisions = [Decision(**d) for d in fields.pop("decisions", [])]
    session = Session(**fields, turns=turns, decisions=decisions)
    for turn in session.turns:
        if turn.kind not in TURN_KINDS or not isinstance(turn.prompt, str) or not isinstance(turn.answer, str):
            raise ValueError(f"session {session.id}: a turn is not one")
    if not all(isinstance(v, str) for v in (session.id, session.root, session.uri, session.provider, session.system)):
        raise ValueError("a session's id, root, uri, provider and system prompt are strings")
    return session


class SessionStore:
    """The sessions of this server, by id; with ``files`` each one is also kept on disk as it changes."""

    def __init__(self, files: SessionFiles | None = None) -> None:
        self._sessions: dict[str, Session] = {}
        self._next = 1
        self.files = files

    def open(self, **fields: object) -> Session:
        """A new session with a fresh id."""
        session_id = self._fresh_id()
        session = Session(id=session_id, **fields)  # type: ignore[arg-type]
        self._sessions[session_id] = session
        return session

    def _fresh_id(self) -> str:
        while f"s{self._next}" in self._sessions:
            self._next += 1
        session_id = f"s{self._next}"
        self._next += 1
        return session_id

    def restore(self, session: Session) -> bool:
        """Take back a session kept by an earlier server; False when its id is taken (by another workspace's)."""
        if session.id in self._sessions:
            return False
        self._sessions[session.id] = session
        number = session.id.removeprefix("s")
        if number.isdigit():
            self._next = max(self._next, int(number) + 1)
        return True

    def get(self, session_id: str) -> Session | None:
        """The session with this id, if any."""
        return self._sessions.get(session_id)

    def of_proposal(self, proposal_id: str) -> Session | None:
        """The session a proposal belongs to, if any."""
        return next((s for s in self._sessions.values() if s.proposal == proposal_id), None)

    def drop(self, session_id: str) -> Session | None:
        """Forget a session, on disk too; returns it (None when there was none)."""
        session = self._sessions.pop(session_id, None)
        if session is not None and self.files is not None:
            self.files.remove(session)
        return session

    def save(
        self, session: Session, proposal: dict[str, Any] | None = None, limits: SessionSettings | None = None
    ) -> None:
        """Keep ``session`` as it is now, with its proposal's state (on disk when the store has ``files``)."""
        self._sessions[session.id] = session
        if self.files is not None:
            self.files.write(session, proposal, limits or SessionSettings())

    def __iter__(self) -> Iterator[Session]:
        return iter(sorted(self._sessions.values(), key=lambda s: s.updated, reverse=True))
