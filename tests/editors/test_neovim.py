"""The Neovim plugin (editors/neovim) end to end: headless Neovim 0.11, the real server, the replay provider."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.editors.neovim_harness import (
    ANSWER,
    BOTH_APPLIED,
    EXPLANATION,
    FIRST_HUNK_APPLIED,
    PLUGIN,
    SAMPLE,
    NeovimScenario,
    NvimRun,
    home_snapshot,
    require_nvim,
)

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(autouse=True)
def _real_home_untouched():
    """Nothing a run does may land in the real home directory."""
    require_nvim()
    before = home_snapshot()
    yield
    assert home_snapshot() == before, "Neovim or claif-lsp wrote into the real home directory"


def lines(text: str) -> list[str]:
    return text.splitlines()


def ok(run: NvimRun) -> dict:
    assert run.returncode == 0 and "error" not in run.result, run.explain()
    # Everything Neovim writes went to the temporary XDG directories.
    assert (run.tmp / "xdg" / "state" / "nvim").is_dir(), run.explain()
    return run.result


def test_ask_review_accept_one_hunk_then_the_rest(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}]).run("ask_accept.lua")
    r = ok(run)
    assert r["root_dir"] == str(tmp_path / "ws")
    # progress: begin, report(s) while streaming, end
    kinds = [p["kind"] for p in r["progress"]]
    assert kinds[0] == "begin" and "report" in kinds and kinds[-1] == "end", r["progress"]
    assert r["progress"][0]["cancellable"] is True
    # the diff view
    assert r["proposal_state"] == "pending"
    assert r["hunks"] == 2
    assert r["proposed"] == lines(BOTH_APPLIED)
    assert r["diff_windows"] == [True, True]
    assert r["tabs_open"] == 2
    assert r["signs"] == 2
    assert r["current_buf_is_proposal"] is True
    assert r["cursor_first_hunk"] == 5  # `result = 0` in the proposed text
    assert r["cursor_second_hunk"] == 20
    # one hunk accepted with `ga`
    assert r["after_one"] == lines(FIRST_HUNK_APPLIED)
    assert r["state_after_one"] == "partial"
    assert r["signs_after_one"] == 1
    assert r["proposed_after_one"] == lines(BOTH_APPLIED)
    # the rest with :ClaifAccept
    assert r["final"] == lines(BOTH_APPLIED)
    assert r["final_state"] == "accepted"
    assert r["tabs_after"] == 1 and r["signs_after"] == 0 and r["diff_after"] is False
    assert run.file.read_text() == SAMPLE  # edits reach the buffer, not the disk


def test_reject_leaves_the_buffer_unchanged(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}]).run("reject.lua")
    r = ok(run)
    assert r["hunks"] == 2
    assert r["layout"] == {"tabs": 1, "windows": 2}  # review.layout = "vsplit"
    assert r["after_one"] == lines(SAMPLE)
    assert r["state_after_one"] == "partial"
    assert r["final"] == lines(SAMPLE)
    assert r["final_state"] == "rejected"
    assert r["modified"] is False
    assert r["layout_after"] == {"tabs": 1, "windows": 1} and r["signs_after"] == 0


def test_cancel_mid_stream(tmp_path: Path) -> None:
    chunks = [line + "\n" for line in ANSWER.splitlines()]
    run = NeovimScenario(tmp_path, [{"action": "ask", "chunks": chunks, "delayMs": 250}]).run("cancel.lua")
    r = ok(run)
    assert r["running_before_cancel"] == 1
    assert r["status_streaming"].startswith("claif: "), r["status_streaming"]
    assert "tokens" in r["status_streaming"] and "Claif" in r["lsp_status_streaming"]
    assert r["status_after"] == ""
    assert r["cancel"].get("err") is None and len(r["cancel"]["result"]["cancelled"]) == 1, r["cancel"]
    assert r.get("ask_error") is not None or not (r.get("ask_result") or {}).get("proposals"), r
    assert r["proposals"] == [] and r["sessions"] == 0 and r["running_after"] == 0
    assert r["final"] == lines(SAMPLE) and r["modified"] is False
    # cancelled long before the 20 chunks of 250 ms would have finished
    steps = {s["name"]: s["ms"] for s in r["steps"]}
    assert steps["cancelled"] - steps["streaming"] < 2500
    assert r["progress"][-1]["kind"] == "end"


def test_explain_opens_a_markdown_buffer(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "explain", "answer": EXPLANATION}]).run("explain.lua")
    r = ok(run)
    assert "\n".join(r["answer"]).strip().endswith(EXPLANATION.strip()), r["answer"]
    assert r["answer_filetype"] == "markdown" and r["answer_buftype"] == "nofile"
    assert r["answer_is_current"] is True and r["windows"] == 2
    assert r["final"] == lines(SAMPLE) and r["modified"] is False and r["sessions"] == 0


def test_checkhealth(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, []).run("health.lua")
    r = ok(run)
    report = "\n".join(r["health"])
    assert "claif: server" in report and "claif: providers" in report and "claif: settings" in report, report
    assert "- ✅ OK version: claif-lsp" in report, report
    assert "- ✅ OK server executable:" in report, report
    assert "- ✅ OK replay" in report, report
    assert "- ✅ OK no settings problems" in report, report
    assert "❌ ERROR" not in report, report
    bad = "\n".join(r["health_bad_setting"])
    assert "⚠️ WARNING claif-lsp settings:" in bad and "budgetTokens" in bad, bad
    # :ClaifProviders
    assert "provider: replay (active: replay)" in r["providers_list"], r["providers_list"]
    assert "* replay" in r["providers_list"]
    assert r["configured_after_switch"] == "anthropic"
    # attaches to a buffer of any filetype, reusing the one client
    assert r["clients"] == 1
    # ranges: characterwise from `wörld` to the end of the line; UTF-16 vs UTF-8 columns
    assert r["charwise_range"] == {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 11}}
    assert r["utf8_range"] == {"start": {"line": 0, "character": 7}, "end": {"line": 0, "character": 13}}
    assert r["line_range"] == {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 11}}


def test_help_tags(tmp_path: Path) -> None:
    """doc/claif.txt is a valid help file: :helptags finds every command's tag, with no duplicates."""
    doc = tmp_path / "doc"
    shutil.copytree(PLUGIN / "doc", doc)
    scenario = NeovimScenario(tmp_path / "run", [])
    env = scenario.env(tmp_path / "unused.json", tmp_path / "unused.log")
    proc = subprocess.run(
        [require_nvim(), "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"helptags {doc}", "-c", "qa!"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0 and "E154" not in proc.stderr, proc.stderr
    tags = {line.split("\t")[0] for line in (doc / "tags").read_text().splitlines()}
    for command in ("Ask", "Explain", "Accept", "Reject", "AcceptHunk", "RejectHunk", "Providers", "Cancel", "Review"):
        assert f":Claif{command}" in tags
    assert {"claif-setup", "claif-no-plugin", "claif-review", "claif-health"} <= tags


def test_ask_code_action_prompts_for_the_instruction(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}]).run("code_action.lua")
    r = ok(run)
    assert r["chosen"]["command"]["command"] == "claif.ask", r["chosen"]
    assert r["prompted"] == "Ask claif: "  # vim.lsp.commands['claif.ask'] asked for the instruction
    assert r["hunks"] == 2
    assert r["final"] == lines(BOTH_APPLIED) and r["final_state"] == "accepted"


def test_edits_needing_confirmation_apply_only_when_confirmed(tmp_path: Path) -> None:
    entries = [{"action": "ask", "answer": ANSWER}, {"action": "ask", "answer": ANSWER}]
    run = NeovimScenario(tmp_path, entries, settings={"approval": "confirm"}).run("confirm.lua")
    r = ok(run)
    assert len(r["shown"]) == 2
    first = r["shown"][0]
    assert first["items"] == ["Apply", "Discard"]
    preview = "\n".join(first["floats"][0])
    assert '+    return f"Hello {name}"' in preview and "-    s = 0" in preview, preview
    assert r["after_discard"] == lines(SAMPLE)
    assert r["after_apply"] == lines(BOTH_APPLIED)
    assert sorted(r["server_states"].values()) == ["accepted", "discarded"], r["server_states"]
    assert r["states"] == r["server_states"]  # the plugin followed claif/proposalsChanged
    assert r["float_count_after"] == 0
