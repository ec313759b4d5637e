"""Fix again: which diagnostics an accepted fix did not clear, as its lines move with the edits, and the bound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claif_lsp.core.fix_again import FixRecord, FixTracker, SeenDiagnostic, diagnostic_key, move_regions
from claif_lsp.core.proposals import Proposal, ProposalStore
from claif_lsp.core.sessions import SessionStore, Turn, session_from_json, session_to_json
from claif_lsp.patches import Snapshot, apply_hunks, parse_answer, resolve_patch

ROOT = Path("/ws")
PATH = ROOT / "app.py"
TEXT = "import os\n\n\ndef f(x):\n    return y\n\n\ndef g():\n    return 1\n"
FIX = "*** Begin Patch\n*** Update File: app.py\n@@ def f(x):\n-    return y\n+    return x\n*** End Patch\n"
FIXED = TEXT.replace("return y", "return x")
UNDEFINED = SeenDiagnostic(message="Undefined name `y`", start_line=4, end_line=4, source="ruff", code="F821")


def fixed(text: str = TEXT) -> tuple[FixTracker, ProposalStore, Proposal]:
    """A fix of UNDEFINED proposed on ``text`` and kept, not yet accepted."""
    resolved = resolve_patch(parse_answer(FIX), ROOT, lambda p: Snapshot(path=p, text=text))
    record = FixRecord.of(resolved, ROOT, PATH, text, UNDEFINED)
    proposals = ProposalStore()
    proposal = proposals.add(resolved, provider="replay", action="fix", title="fix", root=str(ROOT))
    tracker = FixTracker()
    tracker.keep(proposal.id, record)
    return tracker, proposals, proposal


def accept_all(proposal: Proposal) -> None:
    [file] = proposal.patch.files
    proposal.advance(file, list(file.hunks), apply_hunks(file.old_text or "", file.hunks))


def at(line: int, message: str = UNDEFINED.message, code: str | int | None = "F821") -> SeenDiagnostic:
    return SeenDiagnostic(message=message, start_line=line, end_line=line, source="ruff", code=code)


def test_the_same_diagnostic_at_the_fixed_line_offers_attempt_two() -> None:
    tracker, proposals, proposal = fixed()
    accept_all(proposal)
    [offer] = tracker.offers(PATH, FIXED, [at(8, "other"), at(4)], proposals, None, 3)
    assert (offer.proposal, offer.diagnostic, offer.attempt, offer.limit) == (proposal.id, 1, 2, 3)


def test_nothing_is_offered_before_the_fix_is_accepted() -> None:
    tracker, proposals, _proposal = fixed()
    assert tracker.offers(PATH, TEXT, [at(4)], proposals, None, 3) == []


def test_a_different_diagnostic_or_another_place_is_not_the_one_fixed() -> None:
    tracker, proposals, proposal = fixed()
    accept_all(proposal)
    assert tracker.offers(PATH, FIXED, [at(4, "Undefined name `z`")], proposals, None, 3) == []
    assert tracker.offers(PATH, FIXED, [at(4, code="F999")], proposals, None, 3) == []
    assert tracker.offers(PATH, FIXED, [at(8)], proposals, None, 3) == []
    assert tracker.offers(ROOT / "other.py", FIXED, [at(4)], proposals, None, 3) == []


def test_the_code_may_be_a_number_or_text_and_whitespace_in_the_message_does_not_count() -> None:
    assert diagnostic_key("x", 12, "a  b\n c") == diagnostic_key("x", "12", "a b c")


def test_the_fixed_place_moves_with_the_users_edits_above_it() -> None:
    tracker, proposals, proposal = fixed()
    accept_all(proposal)
    edited = "# a header\n# of three\n# lines\n" + FIXED
    [offer] = tracker.offers(PATH, edited, [at(7)], proposals, None, 3)
    assert offer.attempt == 2
    assert tracker.offers(PATH, edited, [at(4)], proposals, None, 3) == []


def test_the_bound_counts_the_fix_again_turns_of_the_session() -> None:
    tracker, proposals, proposal = fixed()
    accept_all(proposal)
    sessions = SessionStore()
    session = sessions.open(root=str(ROOT), uri=PATH.as_uri(), provider="replay", action="fix", title="t", system="")
    session.proposal = proposal.id
    session.add_turn(Turn(kind="ask", prompt="p", answer=FIX))
    session.add_turn(Turn(kind="fix", prompt="again", answer=FIX))
    [offer] = tracker.offers(PATH, FIXED, [at(4)], proposals, sessions, 3)
    assert offer.attempt == 3
    assert tracker.offers(PATH, FIXED, [at(4)], proposals, sessions, 2) == []
    session.add_turn(Turn(kind="fix", prompt="again", answer=FIX))
    assert tracker.offers(PATH, FIXED, [at(4)], proposals, sessions, 3) == []


def test_regions_follow_a_line_diff() -> None:
    old = ["a", "b", "c", "d", "e"]
    # Two lines inserted above: everything below moves down by two.
    assert move_regions(old, ["x", "y", *old], [(2, 3)]) == [(4, 5)]
    # Replaced lines become their replacement.
    assert move_regions(old, ["a", "B1", "B2", "B3", "c", "d", "e"], [(1, 2)]) == [(1, 4)]
    # Deleted lines leave an empty region where they were.
    assert move_regions(old, ["a", "d", "e"], [(1, 3)]) == [(1, 1)]
    # A region after the change keeps its lines.
    assert move_regions(old, ["a", "b", "c", "d", "e", "f"], [(3, 5)]) == [(3, 5)]


def test_nothing_is_offered_once_the_conversation_was_dropped() -> None:
    tracker, proposals, proposal = fixed()
    accept_all(proposal)
    proposal.discard("its session was dropped")
    assert tracker.offers(PATH, FIXED, [at(4)], proposals, None, 3) == []


def test_a_record_read_back_from_its_session_offers_as_before() -> None:
    _tracker, proposals, proposal = fixed()
    record = FixRecord.of(
        resolve_patch(parse_answer(FIX), ROOT, lambda p: Snapshot(path=p, text=TEXT)), ROOT, PATH, TEXT, UNDEFINED
    )
    session = SessionStore().open(
        root=str(ROOT), uri=PATH.as_uri(), provider="replay", action="fix", title="fix", system=""
    )
    session.fix = record.to_json()
    kept = session_from_json(json.loads(json.dumps(session_to_json(session))))
    again = FixTracker()
    again.keep(proposal.id, FixRecord.from_json(kept.fix))
    accept_all(proposal)

    [offer] = again.offers(PATH, FIXED.replace("import os\n", "import os\nimport sys\n"), [at(5)], proposals, None, 3)

    assert (offer.proposal, offer.attempt) == (proposal.id, 2)


def test_a_broken_fix_record_is_refused_with_a_value_error() -> None:
    for broken in (None, [], {"path": "a", "key": ["s", None, 3], "base": [], "regions": []}):
        with pytest.raises((ValueError, TypeError, KeyError)):
            FixRecord.from_json(broken)
