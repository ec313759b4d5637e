"""The ask use case through its ports, with the real registry and replay provider: outcomes, several
providers, refusals, and a cancel at each of its awaits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.errors import ProviderRuntimeError
from claif_lsp.protocol.models import AskCancelledResult, AskEditResult, AskExplainResult
from claif_lsp.provider import BaseProvider
from tests.unit.core.conftest import World, codex_patch
from tests.unit.core.editor import BOUND, Gate


async def test_an_answer_becomes_a_proposal(world: World) -> None:
    world.answer({"action": "refactor", "answer": codex_patch(3, 15), "usage": {"input_tokens": 7, "output_tokens": 5}})

    outcome = await world.ask().run(world.request())

    assert outcome == AskEditResult(proposals=["p1"], errors=[])
    proposal = world.state.proposals.get("p1")
    assert proposal.title == "Replay: refactor" and proposal.pending_ids() == ["p1-h1", "p1-h2"]
    assert world.progress.begun == ["Replay: refactor"]
    assert world.progress.ended == ["2 hunks in 1 file, 12 tokens, 0.0 s"]
    assert world.editor.user.changes == [("p1", "pending")]


async def test_an_explanation_is_answered_and_shown(world: World) -> None:
    world.configure(preview="document")
    world.with_capabilities(show_document=True)
    world.answer({"action": "explain", "answer": "It counts lines."})

    outcome = await world.ask().run(world.request("explain"))

    assert isinstance(outcome, AskExplainResult) and outcome.answer == "It counts lines." and outcome.errors == []
    assert outcome.document is not None and world.editor.user.shown == [outcome.document]
    assert world.state.proposals.reviewable_in(world.app) == []


async def test_one_provider_fails_and_the_other_answers(world: World) -> None:
    world.answer({"answer": codex_patch(3)})
    world.answer({"answer": "", "error": "overloaded"}, provider="replay-b")

    outcome = await world.ask().run(world.request(providers=["replay", "replay-b"]))

    assert isinstance(outcome, AskEditResult) and outcome.proposals == ["p1"]
    assert outcome.errors == ["replay: overloaded"], "replay-b's error (the provider names itself replay)"
    assert world.state.proposals.get("p1").provider == "replay"
    assert world.progress.begun == ["Replay, Replay: refactor"]


async def test_every_provider_failing_fails_the_ask_naming_each(world: World) -> None:
    world.answer({"answer": "", "error": "no key"})
    world.answer({"answer": "", "error": "overloaded"}, provider="replay-b")

    with pytest.raises(RequestFailed, match=r"^replay: no key; replay: overloaded$"):
        await world.ask().run(world.request(providers=["replay", "replay-b"]))
    assert world.progress.ended == ["failed: replay: no key; replay: overloaded"]


async def test_a_single_failure_keeps_its_own_error(world: World) -> None:
    world.answer({"answer": "", "error": "no key"})

    with pytest.raises(ProviderRuntimeError, match="no key"):
        await world.ask().run(world.request())


async def test_unknown_providers_and_secret_files_are_refused_before_anything_is_sent(world: World) -> None:
    with pytest.raises(InvalidRequest, match=r"no provider named 'nope' is installed \(installed: replay, replay-b\)"):
        await world.ask().run(world.request(provider="nope"))

    secret = world.root / ".env"
    secret.write_text("TOKEN=abc\n", encoding="utf-8")
    request = world.request()
    request.uri = world.editor.documents.open(secret, "TOKEN=abc\n")
    with pytest.raises(InvalidRequest, match=r"\.env"):
        await world.ask().run(request)
    assert [kind for kind, _ in world.editor.user.messages] == ["warning"]
    assert world.progress.begun == [], "no provider was asked"


async def test_a_file_outside_the_workspace_is_not_read(world: World, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "notes.py"
    outside.write_text("secret = 1\n", encoding="utf-8")
    request = world.request()
    request.uri = outside.as_uri()
    with pytest.raises(InvalidRequest, match="neither open in the editor nor inside a workspace folder"):
        await world.ask().run(request)


async def test_dismissing_the_instruction_picker_cancels_quietly(world: World) -> None:
    world.editor.user.choice = None
    assert await world.ask().run(world.request("ask")) == AskCancelledResult(proposals=[], cancelled=True)
    assert world.progress.begun == []


async def _wait_for(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - the provider has no event to wait on
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), BOUND)


def _replay_started(world: World) -> Callable[[], bool]:
    """True once the replay provider picked the entry it streams (its sleep before the first piece follows)."""

    def started() -> bool:
        provider: BaseProvider = world.registry.get("replay", world.state.settings_for(world.uri))
        return any(getattr(provider, "_served", {}).values())

    return started


def _hold_settings(world: World) -> Callable[[], Awaitable[None]]:
    world.state.settings_ready.clear()

    async def reached() -> None:
        await asyncio.sleep(0)  # the ask is waiting on the event as soon as it ran once

    return reached


def _hold_picker(world: World) -> Callable[[], Awaitable[None]]:
    world.editor.user.picker = gate = Gate()
    return gate.wait_reached


def _hold_progress(world: World) -> Callable[[], Awaitable[None]]:
    world.progress.gate = gate = Gate()
    return gate.wait_reached


def _hold_stream(world: World) -> Callable[[], Awaitable[None]]:
    world.answer({"answer": codex_patch(3), "delayMs": 600_000})
    return lambda: _wait_for(_replay_started(world))


def _hold_preview(world: World) -> Callable[[], Awaitable[None]]:
    world.configure(preview="document")
    world.with_capabilities(show_document=True)
    world.editor.user.show_gate = gate = Gate()
    return gate.wait_reached


def _hold_auto_apply(world: World) -> Callable[[], Awaitable[None]]:
    world.configure(approval="auto")
    world.editor.edits.gate = gate = Gate()
    return gate.wait_reached


@pytest.mark.parametrize(
    ("hold", "action", "begun", "published"),
    [
        (_hold_settings, "refactor", False, False),
        (_hold_picker, "ask", False, False),
        (_hold_progress, "refactor", False, False),
        (_hold_stream, "refactor", True, False),
        (_hold_preview, "refactor", True, True),
        (_hold_auto_apply, "refactor", True, True),
    ],
    ids=["settings", "picker", "progress", "stream", "preview", "auto-apply"],
)
async def test_a_cancel_stops_the_ask_at_each_await(
    world: World, hold: Callable[[World], Callable[[], Awaitable[None]]], action: str, begun: bool, published: bool
) -> None:
    world.answer({"answer": codex_patch(3)})
    reached = hold(world)
    task = asyncio.create_task(world.ask().run(world.request(action)))
    await reached()
    assert not task.done()

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, BOUND)

    assert world.progress.ended == (["cancelled"] if begun else [])
    if not published:
        assert world.editor.user.changes == [] and world.state.proposals.reviewable_in(world.app) == []
    assert world.editor.documents.buffers[world.app].version == 1, "nothing was applied"
    if hold is _hold_auto_apply:
        proposal = world.state.proposals.get("p1")
        assert proposal.pending_ids() == ["p1-h1"], "a cancelled apply leaves nothing in flight"
