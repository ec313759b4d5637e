"""Each answer of an ask opens its own session: the first turn as sent and answered, the decisions after it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from claif_lsp.core.proposals import ProposalState
from claif_lsp.core.sessions import (
    Session,
    SessionStore,
    Turn,
    reported_actions,
    session_from_json,
    session_to_json,
)
from claif_lsp.streaming import collect_answer
from claif_lsp.types import Message, Role, StreamEvent, TextDelta
from tests.unit.core.conftest import World, codex_patch


async def test_an_ask_opens_a_session_per_answer_with_its_first_turn(world: World) -> None:
    usage = {"input_tokens": 7, "output_tokens": 5, "cache_read_tokens": 3}
    world.answer({"answer": codex_patch(3), "usage": usage})
    world.answer({"answer": codex_patch(15)}, provider="replay-b")

    outcome = await world.ask().run(world.request(providers=["replay", "replay-b"]))

    first, second = (world.state.proposals.get(p) for p in outcome.proposals)  # type: ignore[union-attr]
    assert first.session != second.session and first.session and second.session
    session = world.state.sessions.get(first.session)
    assert session is not None and session.proposal == first.id and session.provider == "replay"
    [turn] = session.turns
    assert turn.kind == "ask" and turn.answer == codex_patch(3) and "## Task" in turn.prompt
    assert session.system.startswith("You are a careful senior software engineer")
    assert first.answer == codex_patch(3) and first.revision == 1 and first.cached is False
    assert first.usage is not None and (first.usage.input_tokens, first.usage.cache_read_tokens) == (7, 3)
    assert second.usage is None, "replay-b reported no tokens"
    history = session.history()
    assert [m.role for m in history] == [Role.USER, Role.ASSISTANT]
    assert history[0].text == turn.prompt and history[1].text == codex_patch(3)
    assert world.progress.ended[0].startswith("2 hunks in 2 files, 12 tokens (3 from the prompt cache), ")


async def test_decisions_are_recorded_in_the_session(world: World) -> None:
    world.answer({"answer": codex_patch(3, 15)})
    await world.ask().run(world.request())
    review = world.review()

    await review.accept("p1", ["p1-h1"])
    review.reject("p1", ["p1-h2"])

    session = world.state.sessions.of_proposal("p1")
    assert session is not None
    assert [(d.verdict, d.hunks, d.revision) for d in session.decisions] == [
        ("accepted", ["p1-h1"], 1),
        ("rejected", ["p1-h2"], 1),
    ]
    assert world.state.proposals.get("p1").state is ProposalState.ACCEPTED


async def test_the_providers_own_session_id_comes_from_its_final_message() -> None:
    async def events() -> AsyncIterator[StreamEvent]:
        yield TextDelta(text="hi")
        yield Message(role=Role.ASSISTANT, content="hi", metadata={"session_id": "abc-1", "model": "m"})

    answer = await collect_answer("agent", events())

    assert answer.session_id == "abc-1" and answer.text == "hi"
    session = Session(id="s1", root="/", uri="file:///a", provider="agent", action="ask", title="t", system="s")
    session.add_turn(Turn(kind="ask", prompt="p", answer="a", provider_session=answer.session_id))
    session.add_turn(Turn(kind="refine", prompt="q", answer="b"))
    assert session.provider_session() == "abc-1", "the latest turn that reported one"
    session.add_turn(Turn(kind="retry", prompt="p", answer="c"))
    assert session.provider_session() is None and len(session.history()) == 2, "a retry starts afresh"


def test_an_agents_actions_are_kept_per_turn_and_read_back() -> None:
    final = Message(
        role=Role.RESULT,
        content="done",
        metadata={"actions": [{"kind": "read", "title": "Read app.py", "status": "completed"}, "noise"]},
    )
    actions = reported_actions([Message(role=Role.ASSISTANT, content="working"), final])
    assert actions == [{"kind": "read", "title": "Read app.py", "status": "completed"}]
    session = SessionStore().open(root="/ws", uri="file:///ws/a.py", provider="acp", action="ask", title="t", system="")
    session.add_turn(Turn(kind="ask", prompt="p", answer="a"), actions)
    session.add_turn(Turn(kind="refine", prompt="q", answer="b"), [{"kind": "edit", "title": "Edit", "status": "x"}])

    kept = session_from_json(json.loads(json.dumps(session_to_json(session))))

    assert [(a["kind"], a["turn"]) for a in kept.agent_actions] == [("read", "1"), ("edit", "2")]
    assert reported_actions([Message(role=Role.RESULT, content="no actions")]) == []
