"""The review use case through its ports: stale hunks, concurrent decisions, refused and unanswered edits."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.protocol.models import AcceptResult, RejectResult
from tests.unit.core.conftest import TEXT, World
from tests.unit.core.editor import BOUND, Gate


def hunk_states(answer: AcceptResult | RejectResult) -> list[str]:
    return [hunk.state for file in answer.proposal.files for hunk in file.hunks]


async def test_a_stale_hunk_stays_behind_and_the_others_are_applied(world: World) -> None:
    proposal = world.propose(3, 15, 27)
    world.editor.documents.edit(world.app, TEXT.replace("line 3\n", "line three\n"))

    answer = await world.review().accept(proposal, None)

    assert answer.applied is True
    assert answer.accepted == ["p1-h2", "p1-h3"] and answer.stale == ["p1-h1"]
    assert hunk_states(answer) == ["stale", "accepted", "accepted"]
    text = world.editor.documents.buffers[world.app].text
    assert "line three\n" in text and "line 15 (checked)\n" in text and "line 27 (checked)\n" in text
    assert "hunk 1 of app.py no longer applies" in str(answer.reason)
    assert [kind for kind, _ in world.editor.user.messages] == ["warning"], "one warning names the stale hunk"
    [edit] = world.editor.edits.sent
    assert edit.changes is not None and len(edit.changes[world.uri]) == 2, "the stale hunk is never sent"


async def test_hunks_follow_the_lines_the_user_added_above_them(world: World) -> None:
    proposal = world.propose(15)
    world.editor.documents.edit(world.app, "# new first line\n" + TEXT)

    answer = await world.review().accept(proposal, None)

    assert answer.applied is True and answer.stale == []
    assert world.editor.documents.buffers[world.app].text == "# new first line\n" + TEXT.replace(
        "line 15\n", "line 15 (checked)\n"
    )


async def test_a_second_decision_on_hunks_in_flight_is_refused(world: World) -> None:
    proposal = world.propose(3, 15)
    review = world.review()
    world.editor.edits.gate = gate = Gate()
    first = asyncio.create_task(review.accept(proposal, ["p1-h1"]))
    await gate.wait_reached()

    for decide in (lambda: review.accept(proposal, ["p1-h1"]), lambda: review.accept(proposal, None)):
        with pytest.raises(RequestFailed, match=r"hunk 1 of app\.py \(Check\) is being applied"):
            await decide()
    with pytest.raises(RequestFailed, match="being applied"):
        review.reject(proposal, ["p1-h1"])
    with pytest.raises(RequestFailed, match=r"an edit to app\.py \(Check\) is being applied"):
        await review.accept(proposal, ["p1-h2"])  # another hunk, but the same file is changing
    assert review.show(proposal).state == "pending"

    gate.opened.set()
    answer = await asyncio.wait_for(first, BOUND)
    assert answer.applied is True and hunk_states(answer) == ["accepted", "pending"]
    assert len(world.editor.edits.sent) == 1, "nothing was sent twice"


async def test_an_edit_the_editor_refuses_discards_the_proposal(world: World) -> None:
    proposal = world.propose(3, 15)
    world.editor.edits.answers = ["refuse"]

    answer = await world.review().accept(proposal, None)

    assert answer.applied is False and answer.accepted == []
    assert answer.reason == "the user declined the edit"
    assert answer.proposal.state == "discarded"
    assert hunk_states(answer) == ["pending", "pending"], "the hunks can be accepted again"
    assert world.editor.documents.buffers[world.app].text == TEXT


async def test_an_unanswered_edit_marks_nothing_and_a_late_answer_is_recorded(world: World) -> None:
    proposal = world.propose(3)
    world.editor.edits.answers = ["silent"]
    review = world.review()

    answer = await review.accept(proposal, None)

    assert answer.applied is False and hunk_states(answer) == ["pending"]
    assert "did not answer the edit" in str(answer.reason)
    assert "nothing was marked accepted" in str(answer.reason)
    assert ("warning", f"Claif: Check: {answer.reason}") in world.editor.user.messages

    world.editor.edits.answer_late()
    shown = review.show(proposal)
    assert shown.state == "accepted" and shown.reason is None
    assert ("info", "Claif: Check: the editor applied the edit after all") in world.editor.user.messages
    assert (await review.accept(proposal, None)).reason == "nothing pending to accept", "never sent again"


async def test_reject_drops_a_stale_hunk_and_unknown_ids_are_invalid(world: World) -> None:
    proposal = world.propose(3, 15)
    review = world.review()
    world.editor.documents.edit(world.app, TEXT.replace("line 3\n", "line three\n"))
    refused = await review.accept(proposal, ["p1-h1"])
    assert refused.applied is False and refused.stale == ["p1-h1"] and world.editor.edits.sent == []
    assert hunk_states(refused) == ["stale", "pending"]

    answer = review.reject(proposal, ["p1-h1"])
    assert hunk_states(answer) == ["rejected", "pending"] and answer.proposal.state == "partial"
    with pytest.raises(InvalidRequest, match="has no hunk p1-h9"):
        review.reject(proposal, ["p1-h9"])
    with pytest.raises(InvalidRequest, match="no proposal 'p7'"):
        review.show("p7")


async def test_auto_approval_applies_at_once(world: World) -> None:
    world.configure(approval="auto")
    world.with_capabilities(document_changes=True, change_annotations=True)
    answer = await world.review().apply_patch(
        "*** Begin Patch\n*** Update File: app.py\n@@\n line 2\n-line 3\n+line 3 (checked)\n line 4\n*** End Patch\n",
        None,
    )

    [proposal] = answer.proposals
    assert world.review().show(proposal).state == "accepted"
    [edit] = world.editor.edits.sent
    assert edit.change_annotations is None, "auto applies without asking, even where the editor could"
    assert "line 3 (checked)\n" in world.editor.documents.buffers[world.app].text


async def test_confirm_approval_sends_annotated_edits_to_an_editor_that_confirms(world: World) -> None:
    world.configure(approval="confirm")
    world.with_capabilities(document_changes=True, change_annotations=True)
    proposal = await world.review().publish(
        world.resolved(3), provider="user", action="applyPatch", title="Check", root=world.root
    )

    [edit] = world.editor.edits.sent
    assert edit.change_annotations and all(a.needs_confirmation for a in edit.change_annotations.values())
    [change] = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    assert all(isinstance(e, types.AnnotatedTextEdit) for e in change.edits)
    assert proposal.state.value == "accepted"


async def test_confirm_approval_falls_back_to_review_without_change_annotations(world: World) -> None:
    world.configure(approval="confirm")
    proposal = await world.review().publish(
        world.resolved(3), provider="user", action="applyPatch", title="Check", root=world.root
    )

    assert world.editor.edits.sent == [], "nothing is applied unconfirmed"
    assert proposal.state.value == "pending"
    [(kind, message)] = world.editor.user.messages
    assert kind == "info" and "cannot confirm each change" in message
    assert world.editor.user.changes == [(proposal.id, "pending")]


async def test_review_approval_writes_and_shows_the_diff(world: World) -> None:
    world.configure(preview="document")
    world.with_capabilities(show_document=True)
    proposal = await world.review().publish(
        world.resolved(3), provider="user", action="applyPatch", title="Check", root=world.root
    )

    assert proposal.preview_uri is not None and world.editor.user.shown == [proposal.preview_uri]
    preview = world.editor.documents.path_for(proposal.preview_uri)
    assert preview is not None and "+line 3 (checked)" in preview.read_text(encoding="utf-8")
    assert world.editor.edits.sent == []
