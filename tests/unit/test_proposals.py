"""Hunk and proposal states without a server: in flight, stale alone, and no outcome undoing a success."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.core.proposals import HunksInFlightError, Proposal, ProposalState, ProposalStore
from claif_lsp.errors import PatchError
from claif_lsp.patches import Snapshot, apply_hunks, parse_answer, resolve_patch

ROOT = Path("/ws")
TEXT = "".join(f"line {n}\n" for n in range(1, 31))
PATCH = (
    "*** Begin Patch\n*** Update File: app.py\n"
    + "".join(f"@@\n line {n - 1}\n-line {n}\n+line {n} (checked)\n line {n + 1}\n" for n in (3, 15, 27))
    + "*** End Patch\n"
)


def new_record(store: ProposalStore | None = None) -> tuple[ProposalStore, Proposal, list[str]]:
    store = store or ProposalStore()
    resolved = resolve_patch(parse_answer(PATCH), ROOT, lambda path: Snapshot(path=path, text=TEXT, version=1))
    record = store.add(resolved, provider="replay", action="ask", title="Check", root=str(ROOT))
    return store, record, record.pending_ids()


def land(record: Proposal, *hunk_ids: str) -> None:
    """The editor applied these hunks of app.py."""
    [file] = record.patch.files
    hunks = [record.where(h)[1] for h in hunk_ids]
    record.advance(file, hunks, apply_hunks(file.old_text or "", hunks))


def states(record: Proposal) -> list[str]:
    return [record.hunk_states[h].value for h in record.hunk_states]


def test_a_new_proposal_has_three_pending_hunks() -> None:
    _, record, ids = new_record()
    assert len(ids) == 3 and record.state is ProposalState.PENDING
    assert record.select(None) == ids


def test_hunks_in_flight_refuse_every_other_decision_naming_them() -> None:
    _, record, (h1, h2, h3) = new_record()
    record.begin_applying([h1, h2])
    assert states(record) == ["applying", "applying", "pending"] and record.state is ProposalState.PENDING
    for named in ([h1], [h2, h3], None):
        with pytest.raises(HunksInFlightError, match=r"hunk [12] of app\.py"):
            record.select(named)
    assert record.select([h3]) == [h3], "a hunk not in flight can still be decided"
    with pytest.raises(PatchError, match="no hunk p1-h9"):
        record.select(["p1-h9"])


def test_back_to_pending_touches_only_hunks_still_in_flight() -> None:
    _, record, (h1, h2, _h3) = new_record()
    record.begin_applying([h1, h2])
    land(record, h2)
    record.back_to_pending([h1, h2])
    assert states(record) == ["pending", "accepted", "pending"] and record.state is ProposalState.PARTIAL


def test_a_refusal_discards_only_while_nothing_was_accepted() -> None:
    _, record, (h1, h2, _h3) = new_record()
    record.begin_applying([h1])
    record.back_to_pending([h1])
    record.fail(ProposalState.DISCARDED, "rejected by user")
    assert record.state is ProposalState.DISCARDED

    _, record, (h1, h2, _h3) = new_record()
    land(record, h1)
    record.begin_applying([h2])
    record.back_to_pending([h2])
    record.fail(ProposalState.DISCARDED, "rejected by user")
    assert record.state is ProposalState.PARTIAL, "an earlier success is never overwritten"
    assert record.reason == "rejected by user"
    record.fail(ProposalState.FAILED, "cannot create files")
    assert record.state is ProposalState.PARTIAL


def test_a_changed_hunk_turns_stale_alone_and_the_others_move() -> None:
    _, record, (h1, h2, h3) = new_record()
    [file] = record.patch.files
    typed = TEXT.replace("line 2\nline 3\n", "line 2\nline three\n").replace("line 1\n", "line 0\nline 1\n", 1)
    stale = record.rebase(file, typed)
    assert list(stale) == [h1] and "hunk 1 of app.py no longer applies" in stale[h1]
    assert states(record) == ["stale", "pending", "pending"] and record.state is ProposalState.PARTIAL
    assert record.hunk_reasons[h1] == stale[h1]
    moved = {h.id: h.start_line for h in file.hunks}
    assert moved[h2] == 15 and moved[h3] == 27, "one line was added above them"
    assert record.select(None) == [h1, h2, h3], "a stale hunk can still be dropped"
    assert apply_hunks(typed, record.pending_hunks(file)).count("(checked)") == 2


def test_proposal_state_once_nothing_is_pending() -> None:
    _, record, (h1, h2, h3) = new_record()
    record.mark_stale({h1: "its lines changed"})
    land(record, h2, h3)
    assert record.state is ProposalState.STALE, "nothing pending, one stale hunk"
    record.reject([h1])
    assert record.state is ProposalState.ACCEPTED and h1 not in record.hunk_reasons

    _, record, ids = new_record()
    record.reject(ids)
    assert record.state is ProposalState.REJECTED


def test_the_store_lists_reviewable_hunks_and_edits_in_flight() -> None:
    store, first, (h1, h2, h3) = new_record()
    new_record(store)
    path = ROOT / "app.py"
    assert store.applying_in(path) is None
    first.begin_applying([h1])
    first.mark_stale({h2: "its lines changed"})
    assert store.applying_in(path) is first
    mine = [(hunk.id, record.hunk_states[hunk.id].value) for record, _f, hunk in store.reviewable_in(path)]
    assert mine[:2] == [(h2, "stale"), (h3, "pending")], "the hunk in flight offers no decision"
    assert len(mine) == 5
    first.back_to_pending([h1])
    assert store.applying_in(path) is None and store.applying_in(ROOT / "other.py") is None
