"""Proposals as conversations in the Neovim plugin, end to end: refine from the diff view (a failed turn keeps the
feedback, the next revision is shown with the accepted hunk kept), a partial answer (what did not place, the raw
answer), and proposals restored after a restart. Headless Neovim 0.11, the real server, the replay provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editors.neovim_harness import (
    ALL_THREE_APPLIED,
    ANSWER,
    BOTH_APPLIED,
    DESCRIBE_AND_GREET,
    FIRST_HUNK_APPLIED,
    GREET_APPLIED,
    HELPERS,
    HELPERS_APPLIED,
    PATCH,
    SAMPLE,
    THREE_HUNKS,
    TWO_FILES,
    NeovimScenario,
    NvimRun,
)

pytestmark = pytest.mark.timeout(120)

FEEDBACK = "Also use an f-string in describe"

GREET_ONLY = """\
*** Begin Patch
*** Update File: app.py
@@ def greet(name):
-    return "Hello " + name
+    return f"Hello {name}"
*** End Patch
"""
"""One hunk: the greeting as an f-string."""

MISREMEMBERED = PATCH.replace('-    return "Hello " + name', '-    return "Hi there, " + name')
"""PATCH whose second hunk (greet) expects a line app.py does not have: it cannot be placed."""


def lines(text: str) -> list[str]:
    return text.splitlines()


def ok(run: NvimRun) -> dict:
    assert run.returncode == 0 and "error" not in run.result, run.explain()
    return run.result


def test_refine_from_the_diff_view_keeps_the_accepted_hunk_and_the_feedback(tmp_path: Path) -> None:
    entries = [
        {"action": "ask", "answer": ANSWER},
        {"match": FEEDBACK, "error": "the model is overloaded"},
        {"match": FEEDBACK, "answer": f"Both now use f-strings.\n\n{DESCRIBE_AND_GREET}"},
    ]
    r = ok(NeovimScenario(tmp_path, entries).run("refine.lua"))
    assert len(r["first_pending"]) == 2
    assert r["after_accept"] == lines(FIRST_HUNK_APPLIED)
    assert r["greet_line"] == '    return f"Hello {name}"', r["greet_line"]
    # The failed turn: said once, with why, that nothing changed, and that the feedback is kept.
    (failure,) = r["failure_messages"]
    assert failure.startswith("claif: refine of p1 failed"), failure
    assert "overloaded" in failure and "p1 stays as it was" in failure, failure
    assert "your feedback is kept: :ClaifRefine offers it again" in failure, failure
    assert r["revision_after_failure"] == 1 and len(r["pending_after_failure"]) == 1
    # `gf` prompted with the same feedback, narrowed to the greet hunk under the cursor.
    assert r["prompts"] == [{"prompt": "Refine p1 (1 hunk): ", "default": FEEDBACK}], r["prompts"]
    first, second = r["sent"]
    assert first["feedback"] == second["feedback"] == FEEDBACK
    assert first["hunks"] == second["hunks"] == r["pending_after_failure"], r["sent"]
    # The refine ran like an ask: its own progress, begin to end.
    assert r["refine_progress"][0] == "begin" and r["refine_progress"][-1] == "end", r["refine_progress"]
    # Revision 2 in the open view: the accepted hunk kept, the new answer's hunks pending.
    assert r["announced"] == ["claif: p1 revision 2 ready, 2 hunks in app.py"], r["announced"]
    assert r["view_open"] is True
    assert "revision 2 · 1 hunk accepted" in r["winbar"], r["winbar"]
    assert r["source_r2"] == lines(FIRST_HUNK_APPLIED)
    assert r["proposed_r2"] == lines(ALL_THREE_APPLIED)
    assert r["pending_r2"] == 2
    states = [h["state"] for h in r["hunk_states_r2"]]
    assert states == ["accepted", "pending", "pending"], r["hunk_states_r2"]
    # The accepted hunk is marked where its lines are (line 5, `result = 0`), on both sides.
    kept = {"row": 4, "text": "claif: hunk 1 of 3 accepted"}
    assert kept in r["source_marks_r2"], r["source_marks_r2"]
    assert r["proposal_marks_r2"] == [kept], r["proposal_marks_r2"]
    # Accepting revision 2 leaves all three changes in the buffer (not on disk).
    assert r["final"] == lines(ALL_THREE_APPLIED)
    assert r["final_state"] == "accepted" and r["final_revision"] == 2
    assert r["modified"] is True and (tmp_path / "ws" / "app.py").read_text() == SAMPLE


def test_a_partial_answer_shows_what_did_not_place_and_the_raw_answer(tmp_path: Path) -> None:
    answer = f"I renamed the accumulator and used an f-string.\n\n{MISREMEMBERED}"
    entries = [{"action": "ask", "answer": answer}]
    r = ok(NeovimScenario(tmp_path, entries, settings={"repairAttempts": 0}).run("partial.lua"))
    (unplaced,) = r["partial"]["unplaced"]
    assert unplaced["path"] == "app.py" and unplaced["hunk"] == 2, unplaced
    assert r["answer"] == answer
    # Announced and shown with what did not place; the proposal holds the hunk that did.
    (announced,) = r["announced"]
    assert announced == "claif: p1 ready, 1 hunk in app.py: :ClaifReview; hunk 2 of app.py did not place (:ClaifAnswer)"
    assert r["winbar"].endswith("· hunk 2 of app.py did not place (gp: why)"), r["winbar"]
    assert r["pending"] == 1 and r["proposed"] == lines(FIRST_HUNK_APPLIED)
    # `gp`: the raw answer, headed by why the hunk did not place and the lines it expected.
    assert r["answer_lines"][:6] == [
        "Replay: Rename s to result and use f-strings, revision 1: the answer as the model wrote it",
        "",
        "Not placed (1 of the answer's hunks; the rest is in the proposal):",
        "- hunk 2 of app.py: its old lines were not found",
        "  expected:",
        '        return "Hi there, " + name',
    ], r["answer_lines"]
    assert "\n".join(r["answer_lines"]).endswith("-" * 40 + "\n" + answer.rstrip("\n")), r["answer_lines"]
    assert r["answer_filetype"] == "markdown" and r["answer_in_review_tab"] is True
    assert r["back_in_proposal"] is True
    # Accepting it applies the hunk that placed, and only that.
    assert r["final"] == lines(FIRST_HUNK_APPLIED) and r["final_state"] == "accepted"


def test_a_pending_proposal_is_shown_again_after_a_restart_and_accepted(tmp_path: Path) -> None:
    scenario = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}])
    first = ok(scenario.run("restore_first.lua"))
    assert first["pending"] == 2
    second = ok(scenario.run("restore_second.lua"))
    assert second["proposal"] == first["proposal"] and second["restored"] is True
    assert second["announced"] == [f"claif: {first['proposal']} restored, 2 hunks in app.py: :ClaifReview"]
    assert second["signs"] == 2
    assert "restored" in second["winbar"], second["winbar"]
    assert second["final"] == lines(BOTH_APPLIED) and second["final_state"] == "accepted"


def test_an_answer_from_the_cache_says_so_and_retry_asks_again(tmp_path: Path) -> None:
    entries = [
        {"action": "ask", "answer": ANSWER},
        {"answer": f"Only the greeting.\n\n{GREET_ONLY}"},
    ]
    r = ok(NeovimScenario(tmp_path, entries, settings={"cache": {"enabled": True}}).run("cache_retry.lua"))
    first, second = r["ids"]
    assert r["cached"] == [False, True]
    assert r["announced"] == [
        f"claif: {first} ready, 2 hunks in app.py: :ClaifReview",
        f"claif: {second} ready, 2 hunks in app.py: :ClaifReview; from the cache: :ClaifRetry asks again",
    ], r["announced"]
    assert r["reviewed"] == second
    assert r["winbar_cached"].endswith("· from the cache (:ClaifRetry asks again)"), r["winbar_cached"]
    # The retry went past the cache: the transcript's other answer, as revision 2 of the same proposal.
    assert r["cached_after_retry"] is False
    assert "from the cache" not in r["winbar_retried"] and "revision 2" in r["winbar_retried"], r["winbar_retried"]
    assert r["proposed_retried"] == lines(GREET_APPLIED)
    assert r["announced_retry"] == [f"claif: {second} revision 2 ready, 1 hunk in app.py"], r["announced_retry"]
    assert r["first_revision"] == 1


def test_a_cancelled_refine_leaves_the_revision_and_keeps_the_feedback(tmp_path: Path) -> None:
    slow = [line + "\n" for line in f"Both now use f-strings.\n\n{DESCRIBE_AND_GREET}".splitlines()]
    entries = [
        {"action": "ask", "answer": ANSWER},
        {"match": FEEDBACK, "chunks": slow, "delayMs": 300},
        {"match": FEEDBACK, "answer": f"Both now use f-strings.\n\n{THREE_HUNKS}"},
    ]
    r = ok(NeovimScenario(tmp_path, entries).run("refine_cancel.lua"))
    assert r["refine_running"] is True
    assert r["cancel_messages"] == [
        "claif: refine of p1 cancelled; it stays as it was; your feedback is kept: :ClaifRefine offers it again"
    ], r["notifications"]
    assert r["running_after_cancel"] == 0
    assert r["revision_after_cancel"] == 1 and r["pending_after_cancel"] == 2
    assert r["proposed_after_cancel"] == lines(BOTH_APPLIED) and r["view_open_after_cancel"] is True
    assert r["final"] == lines(SAMPLE)
    # The next :ClaifRefine offers the same feedback (whole proposal: no hunk under the cursor).
    assert r["prompts"] == [{"prompt": "Refine p1: ", "default": FEEDBACK}], r["prompts"]
    assert r["proposed_r2"] == lines(ALL_THREE_APPLIED)


def test_a_restored_proposal_marks_its_other_files_when_they_are_opened(tmp_path: Path) -> None:
    scenario = NeovimScenario(tmp_path, [{"action": "ask", "answer": TWO_FILES}], files={"helpers.py": HELPERS})
    ok(scenario.run("restore_first.lua"))
    r = ok(scenario.run("restore_lazy.lua"))
    assert r["signs_app"] == 1 and r["helpers_loaded_before"] is False
    assert r["signs_helpers"] == 2
    assert r["shown_file"] == "helpers.py" and r["proposed"] == lines(HELPERS_APPLIED)
    assert r["helpers_final"] == lines(HELPERS_APPLIED) and r["final"] == lines(GREET_APPLIED)
    assert r["final_state"] == "accepted"
