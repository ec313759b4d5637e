"""An explanation streams to the editor: the throttle on its own, then through the ask with the replay provider."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from claif_lsp.core.answer_stream import AnswerStream
from claif_lsp.core.errors import RequestFailed
from claif_lsp.errors import ProviderRuntimeError
from tests.fakes.helpers import async_wait_until
from tests.unit.core.conftest import World
from tests.unit.core.editor import MemoryUser


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def stream(user: MemoryUser, clock: Clock, live: bool = True) -> AnswerStream:
    return AnswerStream(user, "r1", live=live, interval=0.1, clock=clock)


def test_pieces_within_a_line_wait_for_the_interval_and_a_line_end_goes_at_once() -> None:
    user, clock = MemoryUser(), Clock()
    answer = stream(user, clock)
    answer.add("It ")
    clock.now = 0.05
    answer.add("counts ")
    clock.now = 0.08
    answer.add("lines.\nThen")
    clock.now = 0.12
    answer.add(" more")
    clock.now = 0.30
    answer.add(" text")
    assert [text for _, text, _ in user.answers] == [
        "It ",
        "It counts lines.\nThen",
        "It counts lines.\nThen more text",
    ]
    assert not any(done for _, _, done in user.answers)


def test_a_long_answer_streamed_line_by_line_is_resent_at_a_bounded_rate() -> None:
    user, clock = MemoryUser(), Clock()
    answer = stream(user, clock)
    line = "x" * 999 + "\n"
    for _ in range(2000):  # 2 MB in 2 s of lines, each resending the whole text when it goes
        clock.now += 0.001
        answer.add(line)
    sent = sum(len(text) for _, text, _ in user.answers)
    assert len(user.answers) < 100, len(user.answers)
    assert sent < 50_000_000, sent


def test_finish_sends_done_once_with_the_final_text_or_what_came() -> None:
    user, clock = MemoryUser(), Clock()
    answer = stream(user, clock)
    answer.add("partial")
    answer.finish()
    answer.finish("ignored")
    answer.add("late")
    assert user.answers == [("r1", "partial", False), ("r1", "partial", True)]

    other = MemoryUser()
    final = stream(other, clock)
    final.finish("## Replay\n\nwhole")
    assert other.answers == [("r1", "## Replay\n\nwhole", True)]


def test_not_live_sends_only_the_final_text() -> None:
    user, clock = MemoryUser(), Clock()
    answer = stream(user, clock, live=False)
    answer.add("a\n")
    answer.add("b\n")
    answer.finish("both")
    assert user.answers == [("r1", "both", True)]


async def test_an_explanation_streams_then_ends_with_the_whole_answer(world: World) -> None:
    chunks = ["## What\n", "It counts ", "lines.\n", "That is all.\n"]
    world.answer({"action": "explain", "chunks": chunks})

    await world.ask().run(world.request("explain", request_id="e1"))

    answers = world.editor.user.answers
    assert answers[-1] == ("e1", "".join(chunks), True)
    texts = [text for _, text, _ in answers]
    assert len(texts) >= 3 and all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts))
    assert [done for _, _, done in answers].count(True) == 1


async def test_edits_send_no_answer(world: World) -> None:
    world.answer(
        {"action": "refactor", "answer": "*** Begin Patch\n*** Update File: app.py\n@@\n-line 3\n+x\n*** End Patch\n"}
    )
    await world.ask().run(world.request())
    assert world.editor.user.answers == []


async def test_a_failed_explanation_ends_done_with_what_came(world: World) -> None:
    world.answer(
        {"action": "explain", "chunks": ["It counts\n", "lines"], "error": "overloaded", "errorAfterChunks": 1}
    )

    with pytest.raises((ProviderRuntimeError, RequestFailed)):
        await world.ask().run(world.request("explain", request_id="e2"))

    assert world.editor.user.answers[-1] == ("e2", "It counts\n", True)


async def test_a_cancelled_explanation_ends_done_with_what_came(world: World) -> None:
    world.answer({"action": "explain", "chunks": ["First line\n"] + ["more\n"] * 200, "delayMs": 50})
    task = asyncio.create_task(world.ask().run(world.request("explain", request_id="e3")))
    assert await async_wait_until(lambda: bool(world.editor.user.answers)), "nothing streamed"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    last = world.editor.user.answers[-1]
    assert last[0] == "e3" and last[2] is True and last[1].startswith("First line\n")
    assert last[1].count("more") < 200


async def test_several_providers_send_their_sections_once(world: World) -> None:
    world.answer({"action": "explain", "answer": "A says.\n"})
    world.answer({"action": "explain", "answer": "B says.\n"}, provider="replay-b")

    outcome = await world.ask().run(world.request("explain", providers=["replay", "replay-b"], request_id="e4"))

    assert world.editor.user.answers == [("e4", outcome.answer, True)]  # type: ignore[union-attr]
