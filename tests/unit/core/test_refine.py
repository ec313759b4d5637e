"""Refine, fix again and retry through their ports, with the real replay provider and patch engine: the next
revision keeps what was decided and replaces the rest; the conversation's prefix is sent unchanged; a cancel or a
failure leaves the previous revision as it was."""

from __future__ import annotations

import asyncio

import pytest

from claif_lsp.context import DiagnosticView
from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.core.proposals import HunkState, ProposalState, Unplaced
from claif_lsp.core.refine import Conversation, FollowUpRequest
from claif_lsp.errors import PatchError
from claif_lsp.protocol.models import AskCancelledResult, AskEditResult
from claif_lsp.types import Role
from tests.unit.core.conftest import TEXT, World, codex_patch
from tests.unit.core.editor import BOUND, Gate, MemoryProgress


def conversation(world: World) -> Conversation:
    """A refine or retry, with progress of its own (one progress per request, as the editor shows it)."""
    world.progress = MemoryProgress()
    return Conversation(world.state, world.editor.ports(), world.registry, world.progress)


def checked(text: str, *lines: int) -> str:
    for n in lines:
        text = text.replace(f"line {n}\n", f"line {n} (checked)\n", 1)
    return text


async def test_refine_keeps_the_accepted_hunk_and_replaces_the_pending_ones(world: World) -> None:
    world.answer(
        {"answer": codex_patch(3, 15), "usage": {"input_tokens": 100, "output_tokens": 10}},
        {"match": "Only line 20 please", "answer": codex_patch(20), "usage": {"input_tokens": 120, "output_tokens": 5}},
    )
    await world.ask().run(world.request())
    await world.review().accept("p1", ["p1-h1"])

    outcome = await conversation(world).refine(FollowUpRequest("p1", feedback="Only line 20 please"))

    assert outcome == AskEditResult(proposals=["p1"], errors=[])
    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.answer == codex_patch(20)
    assert dict(proposal.hunk_states) == {"p1-h1": HunkState.ACCEPTED, "p1-h3": HunkState.PENDING}
    assert proposal.state is ProposalState.PARTIAL
    assert proposal.usage is not None and proposal.usage.input_tokens == 120
    assert world.progress.begun == ["Replay: refine p1 (revision 2)"]
    assert world.progress.ended[-1].startswith("revision 2: 1 hunk in 1 file, 125 tokens, ")
    assert world.editor.user.changes[-1] == ("p1", "partial")

    result = await world.review().accept("p1", None)

    assert result.applied and result.accepted == ["p1-h3"]
    assert world.editor.documents.buffers[world.app].text == checked(TEXT, 3, 20)


async def test_the_refine_turn_continues_the_conversation_with_a_small_message(world: World) -> None:
    world.answer({"answer": codex_patch(3, 15)}, {"match": "Not line 15", "answer": codex_patch(16)})
    await world.ask().run(world.request())
    await world.review().accept("p1", ["p1-h1"])
    world.review().reject("p1", ["p1-h2"])
    session = world.state.sessions.of_proposal("p1")
    assert session is not None
    first = session.turns[0]

    await conversation(world).refine(FollowUpRequest("p1", feedback="Not line 15", hunks=["p1-h2"]))

    ask, refine = session.turns
    assert ask is first and refine.kind == "refine" and refine.feedback == "Not line 15"
    message = refine.prompt
    assert message.startswith("## Feedback on your last answer\nNot line 15\n")
    assert "It is about these changes only:\n- app.py, the change at `line 15`: rejected" in message
    assert "- app.py, the change at `line 3`: accepted (it is in the file now)" in message
    assert "+line 3 (checked)" in message and "-line 3\n" in message, "the accepted hunk, as a diff since then"
    assert "line 25" not in message, "the file is not sent again, only what changed"
    history = session.history()
    assert [m.role for m in history] == [Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]
    assert history[0].text == first.prompt and history[1].text == codex_patch(3, 15)
    assert history[2].text == message


async def test_an_unchanged_file_is_said_to_be_unchanged(world: World) -> None:
    world.answer({"answer": codex_patch(3)}, {"match": "again", "answer": codex_patch(4)})
    await world.ask().run(world.request())

    await conversation(world).refine(FollowUpRequest("p1", feedback="again"))

    session = world.state.sessions.of_proposal("p1")
    assert session is not None and "- app.py: unchanged since my first message." in session.turns[1].prompt
    assert "```diff" not in session.turns[1].prompt


async def test_a_refine_repeats_the_first_turns_prefix_for_most_of_its_input(world: World) -> None:
    big = "".join(f"value_{n} = compute({n}, factor={n % 7})\n" for n in range(1, 2001))
    world.app.write_text(big, encoding="utf-8")
    world.editor.documents.open(world.app, big)
    patch = (
        "*** Begin Patch\n*** Update File: app.py\n@@\n value_9 = compute(9, factor=2)\n"
        "-value_10 = compute(10, factor=3)\n+value_10 = compute(10, factor=4)\n value_11 = compute(11, factor=4)\n"
        "*** End Patch\n"
    )
    again = patch.replace(
        "factor=3)\n+value_10 = compute(10, factor=4)", "factor=4)\n+value_10 = compute(10, factor=5)"
    )
    world.answer({"answer": patch}, {"match": "factor 5", "answer": again})
    await world.ask().run(world.request())
    await world.review().accept("p1", None)
    session = world.state.sessions.of_proposal("p1")
    assert session is not None

    await conversation(world).refine(FollowUpRequest("p1", feedback="factor 5, not 4"))

    ask, refine = session.turns
    prefix = len(session.system) + len(ask.prompt)
    sent = prefix + len(ask.answer) + len(refine.prompt)
    assert prefix / sent >= 0.8, f"{prefix} of {sent} characters repeat the first turn"
    assert len(refine.prompt) < 2_000, "the file is sent once, in the first turn"


async def test_fix_again_tells_the_model_its_change_did_not_clear_the_diagnostic(world: World) -> None:
    world.answer({"answer": codex_patch(3)}, {"match": "did not clear", "answer": codex_patch(10)})
    await world.ask().run(world.request("fix"))
    await world.review().accept("p1", None)
    still = DiagnosticView(start_line=2, end_line=2, message="undefined name 'x'", severity="error", source="ruff")

    await conversation(world).refine(FollowUpRequest("p1", diagnostic=still))

    session = world.state.sessions.of_proposal("p1")
    assert session is not None
    turn = session.turns[-1]
    assert turn.kind == "fix" and "undefined name 'x'" in turn.prompt and turn.prompt.startswith("## The problem")
    assert world.state.proposals.get("p1").revision == 2


async def test_refine_without_feedback_asks_and_a_dismissal_changes_nothing(world: World) -> None:
    world.answer({"answer": codex_patch(3)}, {"match": "Smaller change", "answer": codex_patch(4)})
    await world.ask().run(world.request())
    world.editor.user.choice = None

    assert await conversation(world).refine(FollowUpRequest("p1")) == AskCancelledResult(proposals=[], cancelled=True)
    assert world.state.proposals.get("p1").revision == 1

    world.editor.user.choice = "Smaller change"
    await conversation(world).refine(FollowUpRequest("p1"))
    assert world.state.proposals.get("p1").pending_ids() == ["p1-h2"]


async def test_a_pasted_patch_or_an_unknown_proposal_cannot_be_refined(world: World) -> None:
    pasted = world.propose(3)
    with pytest.raises(InvalidRequest, match="has no conversation to continue"):
        await conversation(world).refine(FollowUpRequest(pasted, feedback="more"))
    with pytest.raises(InvalidRequest, match="no proposal 'p9'"):
        await conversation(world).retry(FollowUpRequest("p9"))
    with pytest.raises(InvalidRequest, match="has no hunk p1-h7"):
        world.answer({"answer": codex_patch(3)})
        await world.ask().run(world.request())
        await conversation(world).refine(FollowUpRequest("p2", feedback="x", hunks=["p1-h7"]))


async def test_a_cancelled_refine_leaves_the_previous_revision(world: World) -> None:
    world.answer({"answer": codex_patch(3, 15)})
    await world.ask().run(world.request())
    await world.review().accept("p1", ["p1-h1"])
    before = world.review().show("p1")
    world.answer({"answer": codex_patch(20)})
    refining = conversation(world)
    world.progress.gate = gate = Gate()

    task = asyncio.create_task(refining.refine(FollowUpRequest("p1", feedback="more")))
    await gate.wait_reached()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, BOUND)

    assert world.review().show("p1") == before
    session = world.state.sessions.of_proposal("p1")
    assert session is not None and [t.kind for t in session.turns] == ["ask"]
    assert world.progress.begun and world.progress.ended == [], "cancelled while progress began"


async def test_a_second_turn_on_a_proposal_is_refused_while_one_runs(world: World) -> None:
    world.answer({"answer": codex_patch(3, 15)})
    await world.ask().run(world.request())
    world.answer({"match": "more", "answer": codex_patch(20)})
    first = conversation(world)
    world.progress.gate = gate = Gate()
    task = asyncio.create_task(first.refine(FollowUpRequest("p1", feedback="more")))
    await gate.wait_reached()

    for second in (
        conversation(world).refine(FollowUpRequest("p1", feedback="other")),
        conversation(world).retry(FollowUpRequest("p1")),
    ):
        with pytest.raises(RequestFailed, match="being refined or retried already"):
            await second
    gate.opened.set()

    assert await asyncio.wait_for(task, BOUND) == AskEditResult(proposals=["p1"], errors=[])
    assert world.state.proposals.get("p1").revision == 2
    assert not world.state.turns_running, "the guard is lifted when the turn ends"


async def test_a_refine_whose_answer_does_not_place_fails_and_keeps_the_revision(world: World) -> None:
    world.answer(
        {"answer": codex_patch(3)},
        {"match": "elsewhere", "answer": codex_patch(99)},
        {"match": "Your answer did not apply", "answer": codex_patch(98, 99)},  # the repair misses too
    )
    await world.ask().run(world.request())
    before = world.review().show("p1")

    with pytest.raises(PatchError):
        await conversation(world).refine(FollowUpRequest("p1", feedback="elsewhere"))

    assert world.review().show("p1") == before
    assert world.progress.ended[-1].startswith("failed: ")
    session = world.state.sessions.of_proposal("p1")
    assert session is not None and [t.kind for t in session.turns] == ["ask"]


async def test_retry_sends_the_first_ask_again_past_the_cache(world: World) -> None:
    world.configure(cache={"enabled": True})
    world.answer({"answer": codex_patch(3)}, {"answer": codex_patch(4)})
    await world.ask().run(world.request())
    session = world.state.sessions.of_proposal("p1")
    assert session is not None

    await conversation(world).retry(FollowUpRequest("p1"))

    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.answer == codex_patch(4) and proposal.cached is False
    ask, retry = session.turns
    assert retry.kind == "retry" and retry.prompt == ask.prompt and session.history()[0].text == ask.prompt
    assert len(session.history()) == 2, "a retry starts the conversation afresh"

    world.progress = MemoryProgress()
    await world.ask().run(world.request())  # the same ask again: the cache now holds the retried answer
    again = world.state.proposals.get("p2")
    assert again.cached is True and again.answer == codex_patch(4)
    assert world.progress.ended[-1].startswith("1 hunk in 1 file, from the cache, ")


async def test_a_wholly_rejected_answer_is_not_replayed_from_the_cache(world: World) -> None:
    world.configure(cache={"enabled": True})
    world.answer({"answer": codex_patch(3)}, {"answer": codex_patch(4)})
    await world.ask().run(world.request())
    world.review().reject("p1", None)

    await world.ask().run(world.request())

    again = world.state.proposals.get("p2")
    assert again.cached is False and again.answer == codex_patch(4)


async def test_revise_keeps_decided_hunks_and_numbers_the_new_ones_on(world: World) -> None:
    proposal = world.state.proposals.get(world.propose(3, 15, 25))
    await world.review().accept(proposal.id, ["p1-h1"])
    proposal.reject(["p1-h2"])
    proposal.mark_stale({"p1-h3": "edited"})

    new_ids = proposal.revise(world.resolved(20, 27), answer="a", usage=None)

    assert new_ids == ["p1-h4", "p1-h5"]
    assert dict(proposal.hunk_states) == {
        "p1-h1": HunkState.ACCEPTED,
        "p1-h2": HunkState.REJECTED,
        "p1-h4": HunkState.PENDING,
        "p1-h5": HunkState.PENDING,
    }
    assert proposal.hunk_reasons == {} and proposal.revision == 2 and proposal.state is ProposalState.PARTIAL
    [file] = proposal.patch.files
    assert [h.index for h in file.hunks] == [1, 2, 3, 4]
    assert proposal.proposed_text(file) == checked(TEXT, 3, 20, 27)


async def test_a_retry_after_an_accepted_hunk_leaves_it_out_and_proposes_the_rest(world: World) -> None:
    # The retried ask is the first prompt again: its answer proposes the accepted hunk once more.
    world.answer({"answer": codex_patch(3, 15)}, {"answer": codex_patch(3, 15)})
    await world.ask().run(world.request())
    await world.review().accept("p1", ["p1-h1"])

    outcome = await conversation(world).retry(FollowUpRequest("p1"))

    assert outcome == AskEditResult(proposals=["p1"], errors=[])
    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.unplaced == []
    assert dict(proposal.hunk_states) == {"p1-h1": HunkState.ACCEPTED, "p1-h3": HunkState.PENDING}
    session = world.state.sessions.of_proposal("p1")
    assert session is not None and [t.kind for t in session.turns] == ["ask", "retry"], "no repair turn"

    result = await world.review().accept("p1", None)

    assert result.applied and result.accepted == ["p1-h3"]
    assert world.editor.documents.buffers[world.app].text == checked(TEXT, 3, 15)


async def test_a_refine_whose_answer_misses_a_hunk_is_repaired(world: World) -> None:
    world.answer(
        {"answer": codex_patch(3)},
        {"match": "Lines 20 and 25", "answer": codex_patch(20, 99), "usage": {"input_tokens": 50, "output_tokens": 5}},
        {"match": "Your answer did not apply", "answer": codex_patch(20, 25), "usage": {"input_tokens": 70}},
    )
    await world.ask().run(world.request())

    await conversation(world).refine(FollowUpRequest("p1", feedback="Lines 20 and 25"))

    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.unplaced == [] and proposal.answer == codex_patch(20, 25)
    assert proposal.pending_ids() == ["p1-h2", "p1-h3"]
    assert proposal.usage is not None and proposal.usage.input_tokens == 120, "the refine's and the repair's"
    session = world.state.sessions.of_proposal("p1")
    assert session is not None
    ask, refine, repair = session.turns
    assert ask.kind == "ask"
    assert refine.kind == "refine" and refine.answer == codex_patch(20, 99)
    assert repair.kind == "repair" and "Hunk 2 of app.py: its old lines were not found." in repair.prompt
    assert "repairing: hunk 2 of app.py did not apply" in world.progress.reports
    assert world.progress.ended[-1].startswith("revision 2: 2 hunks in 1 file, ")

    await world.review().accept("p1", None)
    assert world.editor.documents.buffers[world.app].text == checked(TEXT, 20, 25)


async def test_a_refine_still_missing_a_hunk_after_the_repair_is_a_partial_revision(world: World) -> None:
    world.configure(approval="auto")
    world.answer(
        {"answer": codex_patch(3)},
        {"match": "Line 20", "answer": codex_patch(20, 99)},
        {"match": "Your answer did not apply", "answer": codex_patch(20, 25, 99)},
    )
    await world.ask().run(world.request())
    assert world.editor.documents.buffers[world.app].text == checked(TEXT, 3), "applied by itself"

    await conversation(world).refine(FollowUpRequest("p1", feedback="Line 20"))

    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.pending_ids() == ["p1-h2", "p1-h3"]
    assert proposal.unplaced == [
        Unplaced(path="app.py", hunk=3, reason="its old lines were not found", expected="line 98\nline 99\nline 100\n")
    ]
    assert world.progress.ended[-1].startswith("revision 2: 2 hunks in 1 file (partial: 1 not placed), ")
    assert world.editor.documents.buffers[world.app].text == checked(TEXT, 3), "a partial revision waits for review"
