"""Proposals follow the buffer: pending hunks move with the lines typed above them, an accepted hunk the user
undid is pending again, and a hunk whose lines are being edited is left for its accept to judge."""

from __future__ import annotations

from claif_lsp.core.proposals import HunkState
from tests.unit.core.conftest import TEXT, World


def checked(*lines: int, text: str = TEXT) -> str:
    for n in lines:
        text = text.replace(f"line {n}\n", f"line {n} (checked)\n", 1)
    return text


def states(world: World, proposal_id: str) -> list[str]:
    return [s.value for s in world.state.proposals.get(proposal_id).hunk_states.values()]


def starts(world: World, proposal_id: str) -> list[int]:
    return [h.start_line for f in world.state.proposals.get(proposal_id).patch.files for h in f.hunks]


async def test_an_undone_accept_is_pending_again_and_the_proposal_is_told(world: World) -> None:
    proposal_id = world.propose(3, 15)
    review = world.review()
    await review.accept(proposal_id, ["p1-h1"])
    assert states(world, proposal_id) == ["accepted", "pending"]
    world.editor.user.changes.clear()

    world.editor.documents.edit(world.app, TEXT)  # the editor's undo

    assert review.follow(world.uri) == ["p1-h1"]
    assert states(world, proposal_id) == ["pending", "pending"]
    assert world.editor.user.changes == [(proposal_id, "pending")]
    answer = await review.accept(proposal_id, None)
    assert answer.applied is True and world.editor.documents.buffers[world.app].text == checked(3, 15)


async def test_an_undone_accept_of_the_whole_proposal_reopens_it(world: World) -> None:
    proposal_id = world.propose(3, 15)
    review = world.review()
    await review.accept(proposal_id, None)
    assert world.state.proposals.get(proposal_id).state.value == "accepted"

    world.editor.documents.edit(world.app, checked(3))  # hunk 2 undone, hunk 1 kept

    assert review.follow(world.uri) == ["p1-h2"]
    assert states(world, proposal_id) == ["accepted", "pending"]
    assert world.state.proposals.get(proposal_id).state.value == "partial"


async def test_typing_elsewhere_keeps_accepted_hunks_and_moves_pending_ones(world: World) -> None:
    proposal_id = world.propose(3, 15)
    review = world.review()
    await review.accept(proposal_id, ["p1-h1"])
    world.editor.user.changes.clear()

    world.editor.documents.edit(world.app, "# note\n" + checked(3))

    assert review.follow(world.uri) == []
    assert states(world, proposal_id) == ["accepted", "pending"] and starts(world, proposal_id)[1] == 15
    assert world.editor.user.changes == [], "no state changed"


def test_a_hunk_whose_lines_are_being_edited_is_left_where_it_was(world: World) -> None:
    proposal_id = world.propose(3, 15)
    review = world.review()
    world.editor.documents.edit(world.app, "# note\n" + TEXT.replace("line 3\n", "line thr\n"))

    assert review.follow(world.uri) == []
    proposal = world.state.proposals.get(proposal_id)
    assert list(proposal.hunk_states.values()) == [HunkState.PENDING, HunkState.PENDING], "never stale while typing"
    assert starts(world, proposal_id) == [2, 14], "nothing moves until every hunk places again"

    world.editor.documents.edit(world.app, "# note\n" + TEXT)
    review.follow(world.uri)
    assert starts(world, proposal_id) == [3, 15]
