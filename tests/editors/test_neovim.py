"""The Neovim plugin (editors/neovim) end to end: headless Neovim 0.11, the real server, the replay provider."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.editors.neovim_harness import (
    ALL_THREE_APPLIED,
    ANSWER,
    BOTH_APPLIED,
    DESCRIBE_AND_GREET,
    EXPLANATION,
    FIRST_HUNK_APPLIED,
    GREET_APPLIED,
    HELPERS,
    HELPERS_APPLIED,
    PLUGIN,
    SAMPLE,
    SHORTER_THREE,
    THREE_HUNKS,
    TWO_FILES,
    NeovimScenario,
    NvimRun,
    require_nvim,
)

pytestmark = pytest.mark.timeout(90)


def lines(text: str) -> list[str]:
    return text.splitlines()


def assert_isolated(run: NvimRun) -> None:
    """This run's own processes kept their files in its directories, never in a real home.

    Checked on the processes themselves (Neovim's stdpath()s and LSP log, the HOME and XDG variables of
    Neovim and of the server it started), not on the machine's home directory, where other work writes.
    """
    isolation = run.result["isolation"]
    nvim, servers = isolation["nvim"], isolation["servers"]
    assert len(servers) == 1, isolation  # the one claif-lsp process Neovim started
    for process in (nvim, servers[0]):
        for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            assert Path(process[key]).is_relative_to(run.tmp), (key, process)
    for key, value in nvim.items():
        assert Path(value).is_relative_to(run.tmp), (key, value)
    # Neovim did write there: its state directory exists.
    assert (run.tmp / "xdg" / "state" / "nvim").is_dir(), run.explain()


def ok(run: NvimRun) -> dict:
    assert run.returncode == 0 and "error" not in run.result, run.explain()
    assert_isolated(run)
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
    # :ClaifCancel cancelled the one running ask
    assert r["cancel_notice"] == "claif: cancelled 1 ask", r["notifications"]
    assert r.get("ask_error") is not None or not (r.get("ask_result") or {}).get("proposals"), r
    assert r["proposals"] == [] and r["sessions"] == 0 and r["running_after"] == 0
    assert r["final"] == lines(SAMPLE) and r["modified"] is False
    # cancelled long before the 20 chunks of 250 ms would have finished
    steps = {s["name"]: s["ms"] for s in r["steps"]}
    assert steps["cancelled"] - steps["cancel sent"] < 2500
    assert r["progress"][-1]["kind"] == "end"
    # the stream stopped: no progress report after the cancel was answered, and few chunks reported at all
    reports = [p for p in r["progress"] if p["kind"] == "report"]
    assert all(p["ms"] <= steps["cancelled"] for p in reports), (reports, steps)
    assert len(reports) < len(chunks), reports


def test_explain_opens_a_markdown_buffer(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "explain", "answer": EXPLANATION}]).run("explain.lua")
    r = ok(run)
    assert "\n".join(r["answer"]).strip().endswith(EXPLANATION.strip()), r["answer"]
    assert r["answer_filetype"] == "markdown" and r["answer_buftype"] == "nofile"
    # It opened beside the source window without taking the focus, and said so.
    assert r["answer_is_current"] is False and r["current_is_source"] is True and r["windows"] == 2
    assert r["answer_win_shows_answer"] is True
    notices = [n["msg"] for n in r["notifications"]]
    assert notices == ["claif: answer ready in the window on the right (q there closes it)"], notices
    assert r["final"] == lines(SAMPLE) and r["modified"] is False and r["sessions"] == 0


def test_progress_shows_without_any_user_configuration(tmp_path: Path) -> None:
    chunks = [line + "\n" for line in ANSWER.splitlines()]
    entry = {"action": "ask", "chunks": chunks, "delayMs": 80}
    run = NeovimScenario(tmp_path, [entry] * 4).run("progress.lua")
    r = ok(run)
    # Stock Neovim: a spinner line in the command line with the provider, the instruction and a short status.
    shown = [m for m in r["default"]["echoed"] if m.startswith("claif ")]
    assert any("Replay: make it faster …" in m for m in shown), r["default"]
    streaming = [m for m in shown if "Replay: make it faster · ≈" in m and " tokens · " in m]
    assert streaming, r["default"]
    assert all(m.endswith(" s") for m in streaming), streaming  # never the raw patch lines that streamed
    assert not any("@@" in m or "***" in m for m in shown), shown
    # A statusline showing claif's status shows it instead; `progress = false` shows nothing.
    for case in ("statusline", "off"):
        assert not [m for m in r[case]["echoed"] if m.startswith("claif ")], (case, r[case])
    status = r["statusline"]["status"]
    assert any(s.startswith("claif: Replay: shorter names · ≈") and s.endswith(" s") for s in status), status
    # `progress = "notify"`: notifications (replacing each other in nvim-notify or snacks), the last one the outcome.
    notified = [n for n in r["notify"]["notified"] if "tell me in a notification" in n]
    assert notified[0] == "claif: Replay: tell me in a notification …", r["notify"]
    assert any(" tokens · " in n for n in notified), notified
    assert notified[-1].startswith("claif: Replay: tell me in a notification: 2 hunks in 1 file"), notified


def test_explain_streams_into_its_window(tmp_path: Path) -> None:
    chunks = [line + "\n" for line in EXPLANATION.splitlines()]
    run = NeovimScenario(tmp_path, [{"action": "explain", "chunks": chunks, "delayMs": 300}]).run("explain_stream.lua")
    r = ok(run)
    streaming = r["streaming"]
    assert streaming["done"] is False, streaming  # the window showed text before the answer was complete
    assert streaming["lines"][0] == "# Replay: explain", streaming
    assert "`total` adds up the `price` of every item." in streaming["lines"], streaming
    assert r["current_is_source_while_streaming"] is True
    assert r["same_buffer"] is True and r["windows"] == 2
    assert "\n".join(r["answer"]).strip() == EXPLANATION.strip(), r["answer"]


def test_the_review_tab_reads_well(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": f"Shorter.\n\n{SHORTER_THREE}"}]).run("review_view.lua")
    r = ok(run)
    # The tab is labelled by the file, with no path for the tabline to shorten.
    label = r["tab_labels"][1]
    assert label == "claif: app.py" and "/" not in label, r["tab_labels"]
    # Both sides have a winbar: the file as it is, and the proposal's title with its file.
    assert r["winbars"] == ["app.py · as it is now", "claif: Replay: make it shorter · app.py"], r["winbars"]
    # ... so the same lines sit on the same screen rows on both sides.
    for text, left, right in r["rows"]:
        assert left == right, (text, r["rows"])
    # The key hint under the proposal, whole in a half of 80 columns (the long form is for wider windows).
    assert r["key_hint"] == "ga/gr hunk  gA/gR all  ]h next  q close", r["key_hint"]
    assert len(r["key_hint"]) <= r["prop_width"]
    # No internal id in the source buffer's virtual text; each pending hunk says which it is.
    assert r["source_virt_text"] == [f"claif: hunk {i} of 3" for i in (1, 2, 3)], r["source_virt_text"]
    assert not any(r["proposal_id"] in t for t in r["source_virt_text"])
    # The removed rows are drawn as removals (as the proposal side's filler rows), not as additions.
    assert r["removed"]["text"] in ("    s = 0", "    for item in items:", "        s += item.price"), r["removed"]
    assert "DiffAdd:ClaifDiffRemoved" in r["src_winhighlight"], r["src_winhighlight"]
    assert r["removed"]["cell"]["attr"] == r["filler_cell"]["attr"], (r["removed"], r["filler_cell"])
    # Accept and reject say what happened, in claif's words, once; never Neovim's "Workspace edit".
    assert r["said_ga"] == ["claif: accepted hunk 1 of 3 in app.py"], r["said_ga"]
    assert r["said_gR"] == ["claif: rejected 2 hunks in app.py"], r["said_gR"]
    assert r["workspace_edit_messages"] == [], r["workspace_edit_messages"]


def test_undo_after_accept_shows_the_hunk_pending_again(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}]).run("undo.lua")
    r = ok(run)
    assert r["after_accept"] == lines(FIRST_HUNK_APPLIED) and r["after_undo"] == lines(SAMPLE)
    assert r["server_states"] == ["pending", "pending"], r["server_states"]
    assert r["followed"] is True and r["pending_after_undo"] == 2 and r["signs_after_undo"] == 2, r


def test_checkhealth(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, []).run("health.lua")
    r = ok(run)
    report = "\n".join(r["health"])
    assert "claif: server" in report and "claif: providers" in report and "claif: settings" in report, report
    health = r["health"]
    # the OK lines themselves: Neovim, the executable with its command, the version it answered
    assert "- ✅ OK Neovim 0.11." in report, report
    assert f"- ✅ OK server executable: {sys.executable} -m claif_lsp --log-level DEBUG" in report, report
    assert f"- ✅ OK version: claif-lsp {version('claif-lsp')}" in health, report
    # the provider in use is ready, replaying the scenario's transcript
    transcript = tmp_path / "transcript.jsonl"
    assert f"- ✅ OK replay (claif-replay {version('claif-replay')}): ready — replaying {transcript}" in health, report
    assert "- provider setting: replay; active: replay (from the running server)" in health, report
    assert "- ✅ OK no settings problems" in health, report
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
    for command in ("Refine", "Retry", "Answer"):
        assert f":Claif{command}" in tags
    assert {"claif-setup", "claif-no-plugin", "claif-review", "claif-health"} <= tags
    assert {"claif-refine", "claif-partial", "claif-restored", "claif.refine()", "claif.retry()"} <= tags
    # the plugin ships these tags, so :help works without running :helptags
    assert (PLUGIN / "doc" / "tags").read_text() == (doc / "tags").read_text(), "run :helptags editors/neovim/doc"


HELP_PROBE = """
local seen = {}
for _, topic in ipairs({ 'claif', ':ClaifReview', 'claif-review', 'claif.ask()' }) do
  local ok, err = pcall(vim.cmd.help, topic)
  seen[topic] = { ok = ok, error = ok and vim.NIL or tostring(err), file = vim.fn.expand('%:t'),
    line = vim.api.nvim_get_current_line() }
  pcall(vim.cmd.helpclose)
end
local f = assert(io.open(vim.env.CLAIFTEST_HELP_RESULT, 'w'))
f:write(vim.json.encode(seen))
f:close()
"""


def test_help_works_with_the_plugin_on_a_plain_runtimepath(tmp_path: Path) -> None:
    """`:help claif` and its topics open from the shipped doc/tags, with only the plugin added to 'runtimepath'."""
    scenario = NeovimScenario(tmp_path / "run", [])
    env = scenario.env(tmp_path / "unused.json", tmp_path / "unused.log")
    env["CLAIFTEST_HELP_RESULT"] = str(tmp_path / "help.json")
    probe = tmp_path / "probe.lua"
    probe.write_text(HELP_PROBE)
    plugin = str(PLUGIN).replace(",", "\\,")
    plain = ["--headless", "-u", "NONE", "-i", "NONE", "-n", "--cmd", f"set runtimepath^={plugin}"]
    proc = subprocess.run(
        [require_nvim(), *plain, "-c", f"luafile {probe}", "-c", "qa!"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads((tmp_path / "help.json").read_text())
    for topic, opened in seen.items():
        assert opened["ok"] is True and opened["file"] == "claif.txt", (topic, opened)
        assert f"*{topic}*" in opened["line"], (topic, opened)


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


def recorded_prompts(path: Path) -> list[str]:
    """The user prompts the server sent to the provider (the `record` setting's transcript)."""
    return [json.loads(line)["prompt"] for line in path.read_text().splitlines() if line.strip()]


def selection_of(prompt: str) -> tuple[str, str]:
    """The `## Selection (...)` header's lines and its fenced text, from a user prompt."""
    match = re.search(r"^## Selection \((.+?)\)\n```\w*\n(.*?)^```$", prompt, re.MULTILINE | re.DOTALL)
    assert match, prompt
    return match.group(1), match.group(2)


def test_ask_without_instruction_prompts_and_visual_range_is_sent(tmp_path: Path) -> None:
    record = tmp_path / "recorded.jsonl"
    entries = [{"action": "ask", "answer": ANSWER}, {"action": "ask", "answer": ANSWER}]
    run = NeovimScenario(tmp_path, entries, settings={"record": str(record)}).run("ask_prompt.lua")
    r = ok(run)
    # :ClaifAsk with no instruction asked vim.ui.input once, at once, and the ask produced a proposal.
    assert [p["prompt"] for p in r["prompts"]] == ["Ask claif: "], r["prompts"]
    assert r["prompts_right_after"] == 1
    assert r["first_hunks"] == 2 and r["first_proposed"] == lines(BOTH_APPLIED)
    assert r["first_state"] == "rejected" and r["after_first"] == lines(SAMPLE)
    # :'<,'>ClaifAsk over the visual lines 4-8
    assert r["marks"] == [4, 8]
    assert r["second_id"] != r["first_id"] and r["second_hunks"] == 2
    assert r["second_state"] == "accepted" and r["final"] == lines(BOTH_APPLIED)
    first, second = recorded_prompts(record)
    assert "Use an f-string in greet" in first and selection_of(first) == ("line 20", '    return "Hello " + name\n')
    lines_4_8 = "".join(line + "\n" for line in SAMPLE.splitlines()[3:8])
    assert "Rename s to result" in second and selection_of(second) == ("lines 4-8", lines_4_8), second


def test_hunk_commands_and_keys(tmp_path: Path) -> None:
    entries = [
        {"action": "ask", "answer": f"Three changes.\n\n{THREE_HUNKS}"},
        {"action": "ask", "answer": f"Two more.\n\n{DESCRIBE_AND_GREET}"},
    ]
    run = NeovimScenario(tmp_path, entries).run("hunk_keys.lua")
    r = ok(run)
    assert r["first_hunks"] == 3
    # :ClaifAcceptHunk on the cursor line took only the hunk under it
    assert r["after_accept_hunk"] == lines(FIRST_HUNK_APPLIED)
    assert len(r["pending_after_accept_hunk"]) == 2
    # `gr` on the `describe` hunk of the proposal buffer rejected it; the buffer did not change
    assert r["gr_cursor_line"] == '    return f"Item: {item.name}"'
    assert r["after_gr"] == lines(FIRST_HUNK_APPLIED)
    assert r["pending_after_gr"] == r["pending_after_accept_hunk"][1:]
    assert r["proposed_after_gr"] == lines(BOTH_APPLIED)  # only greet is still proposed
    # `gR` rejected the rest and closed the view
    assert r["after_gR"] == lines(FIRST_HUNK_APPLIED)
    assert r["first_hunk_states"] == ["accepted", "rejected", "rejected"]
    assert r["first_state"] == "accepted" and r["tabs_after_first"] == 1
    # :'<,'>ClaifAcceptHunk over two hunks accepted both
    assert r["second_hunks"] == 2
    assert r["second_hunk_states"] == ["accepted", "accepted"] and r["second_state"] == "accepted"
    assert r["final"] == lines(ALL_THREE_APPLIED) and r["modified"] is True


def test_proposal_changing_two_files_is_reviewed_file_by_file(tmp_path: Path) -> None:
    entries = [{"action": "ask", "answer": f"Both files.\n\n{TWO_FILES}"}]
    run = NeovimScenario(tmp_path, entries, files={"helpers.py": HELPERS}).run("multi_file.lua")
    r = ok(run)
    assert r["files"] == ["app.py", "helpers.py"]
    notices = [n["msg"] for n in r["notifications"]]
    assert notices[0] == f"claif: {r['id']} ready, 3 hunks in app.py, helpers.py: :ClaifReview", notices
    first = r["view_first"]
    assert first["src_name"] == "app.py" and first["proposed"] == lines(GREET_APPLIED)
    assert "app.py [file 1/2]" in first["winbar"] and first["diff"] == [True, True], first
    # `]f`: the same view now shows helpers.py against its proposed text, cursor on its first hunk
    nxt = r["view_after_next_file"]
    assert nxt["src_name"] == "helpers.py" and nxt["proposed"] == lines(HELPERS_APPLIED), nxt
    assert "helpers.py [file 2/2]" in nxt["winbar"] and nxt["diff"] == [True, True], nxt
    assert nxt["current_is_proposal"] and nxt["cursor_line"] == "    return 2 * x" and nxt["pending"] == 2
    assert r["helpers_buf_loaded"] is True and r["tabs"] == 2
    assert r["wander"] == ["app.py", "app.py", "helpers.py"]
    # `ga` there accepted helpers.py's first hunk, in the helpers.py buffer
    half_pending = HELPERS.replace("return x * 2", "return 2 * x")
    assert r["helpers_after_ga"] == lines(half_pending)
    assert r["view_after_ga"]["src_name"] == "helpers.py" and r["view_after_ga"]["pending"] == 1
    assert r["view_after_ga"]["proposed"] == lines(HELPERS_APPLIED)
    assert r["helpers_signs"] == 1
    # :ClaifReview app.py went back to the first file
    back = r["view_after_review_cmd"]
    assert back["src_name"] == "app.py" and back["proposed"] == lines(GREET_APPLIED) and "[file 1/2]" in back["winbar"]
    assert back["cursor_line"] == '    return f"Hello {name}"' and r["app_signs"] == 1
    # app.py done: the view moved on to helpers.py, the one file with a pending hunk
    assert r["app_after_ga"] == lines(GREET_APPLIED)
    moved = r["view_after_app_done"]
    assert moved["src_name"] == "helpers.py" and moved["pending"] == 1 and "[file 2/2]" in moved["winbar"]
    assert moved["cursor_line"] == "    return x * 0.5"
    # `gr` rejected the last hunk; the review finished
    assert r["hunk_states"] == [["accepted"], ["accepted", "rejected"]] and r["final_state"] == "accepted"
    assert r["helpers_final"] == lines(half_pending) and r["final"] == lines(GREET_APPLIED)
    assert r["tabs_after"] == 1 and r["app_modified"] is True and r["helpers_modified"] is True
    # edits reach the buffers, not the disk
    assert run.file.read_text() == SAMPLE and (run.file.parent / "helpers.py").read_text() == HELPERS


def test_two_file_review_in_a_vsplit_gives_the_window_back(tmp_path: Path) -> None:
    entries = [{"action": "ask", "answer": f"Both files.\n\n{TWO_FILES}"}]
    run = NeovimScenario(tmp_path, entries, files={"helpers.py": HELPERS}).run("multi_file_vsplit.lua")
    r = ok(run)
    assert r["src_win_is_home"] is True
    assert r["shown_after_next_file"] == "helpers.py"
    # `q` closed the view, the user's window shows app.py again, the proposal is still pending
    assert r["shown_after_close"] == "app.py" and r["windows_after_close"] == 1
    # The view dressed the user's window (a winbar, removals drawn as such) and gave its own options back.
    assert r["home_during"] == {
        "winbar": "app.py · as it is now",
        "winhighlight": "Normal:Comment,DiffAdd:ClaifDiffRemoved",
    }
    assert r["home_after_close"] == {"winbar": "", "winhighlight": "Normal:Comment"}, r["home_after_close"]
    assert r["state_after_close"] == "pending"
    assert r["reopened_at"] == ["app.py", "claif: app.py"]
    assert r["completion"] == ["app.py", "helpers.py"] and r["completion_h"] == ["helpers.py"]
    assert r["shown_after_review"] == "helpers.py" and r["proposal_name"] == "claif: helpers.py"
    assert "helpers.py [file 2/2]" in r["winbar"], r["winbar"]
    errors = [n["msg"] for n in r["notifications"] if n["level"] == 4]
    assert errors == [f'claif: proposal {r["id"]} has no file "nope.py"; its files: app.py, helpers.py'], errors
    # `gA` accepted both files
    assert r["final_state"] == "accepted"
    assert r["final"] == lines(GREET_APPLIED) and r["helpers_final"] == lines(HELPERS_APPLIED)
    assert r["shown_after_accept"] == "app.py" and r["windows_after_accept"] == 1


SLOW_ANSWER = [{"action": "ask", "chunks": [line + "\n" for line in ANSWER.splitlines()], "delayMs": 200}]
"""The two-hunk answer streamed line by line, slowly enough for the user to type while it arrives."""


def assert_typing_undisturbed(r: dict) -> None:
    """The answer arrived while the user typed; they stayed in insert mode in app.py and lost no key."""
    seen = r["seen"]
    assert seen["gave_up"] is False, r  # the answer did arrive while typing
    assert seen["mode"] == "i" and seen["current_is_source"] is True, seen
    assert len(r["typed"]) > 10 and r["line2"] == r["typed"], (r["line2"], r["typed"])


def test_typing_while_a_proposal_arrives_keeps_every_key_in_the_file(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, SLOW_ANSWER).run("typing.lua", keyboard=True)
    r = ok(run)
    assert_typing_undisturbed(r)
    # Nothing opened: the same windows and tab pages as before the answer.
    before = r["layout_before"]
    assert (r["seen"]["tabs"], r["seen"]["windows"]) == (before["tabs"], before["windows"]), r["seen"]
    # It was announced, once, and waits for :ClaifReview.
    notices = [n["msg"] for n in r["notifications"]]
    assert len(notices) == 1, notices
    assert re.fullmatch(r"claif: p\d+ ready, 2 hunks in app\.py: :ClaifReview", notices[0]), notices
    assert r["sessions"] == 1 and r["after"]["current_is_source"] is True


def test_typing_while_an_explanation_arrives_keeps_every_key_in_the_file(tmp_path: Path) -> None:
    chunks = [line + "\n" for line in EXPLANATION.splitlines()] * 4
    run = NeovimScenario(tmp_path, [{"action": "explain", "chunks": chunks, "delayMs": 200}]).run(
        "typing_explain.lua", keyboard=True
    )
    r = ok(run)
    assert_typing_undisturbed(r)
    assert r["answer_shown"] is True and r["seen"]["windows"] == 2, r


def test_typing_while_an_edit_to_confirm_arrives_defers_the_question(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, SLOW_ANSWER, settings={"approval": "confirm"}).run(
        "typing_confirm.lua", keyboard=True
    )
    r = ok(run)
    assert_typing_undisturbed(r)
    # No prompt while typing (it would have taken the next key as its answer); asked once idle, in Normal mode.
    assert r["asked_while_typing"] == [], r["asked_while_typing"]
    assert len(r["asked"]) == 1 and r["asked"][0]["where"]["mode"] == "n", r["asked"]
    # "Apply" came after the typing changed app.py: refused as outdated, never skipped yet reported applied.
    assert r["final"][4] == "    s = 0", r["final"]
    assert r["server_state"] != "accepted", r["server_state"]
    notices = [n["msg"] for n in r["notifications"]]
    refused = "not applied: app.py changed while the edit waited for your confirmation"
    assert any(n.endswith(refused) for n in notices), notices


def test_auto_open_waits_until_the_user_stops_typing(tmp_path: Path) -> None:
    run = NeovimScenario(tmp_path, SLOW_ANSWER).run("auto_open.lua", keyboard=True)
    r = ok(run)
    assert_typing_undisturbed(r)
    assert r["opened_while_typing"] is False and r["seen"]["tabs"] == 1, r["seen"]
    # Opened by itself afterwards, from Normal mode, and the proposal buffer has the focus then.
    assert r["opened_at"]["mode"] == "n" and r["current_is_proposal"] is True, r["opened_at"]


def test_a_stale_hunk_affects_only_itself_in_the_review(tmp_path: Path) -> None:
    """Needs the server's per-hunk staleness (the review-safety branch, README "Commands")."""
    entries = [{"action": "ask", "answer": f"Three changes.\n\n{THREE_HUNKS}"}]
    run = NeovimScenario(tmp_path, entries).run("stale.lua")
    r = ok(run)
    first, second, third = r["ids"]
    user_edit = SAMPLE.replace("    s = 0\n", "    s = 1\n")
    describe_applied = user_edit.replace('return "Item: " + item.name', 'return f"Item: {item.name}"')
    # `ga` on the second hunk applied it to the file text; the user's edit stays; the first is stale.
    assert r["after_ga2"] == lines(describe_applied), r["after_ga2"]
    assert r["states_after_ga2"] == ["stale", "accepted", "pending"], r["states_after_ga2"]
    assert r["session_after_ga2"] is True and r["pending_rows_after_ga2"] == 1
    # Marked in the diff view, on the lines it was about: `stale: <reason>`, in claif's words, once.
    # (named as the user knows it, `hunk 1 of 3`, never by its internal id)
    marks = [m for m in r["stale_marks"] if m["text"].startswith("claif: hunk 1 of 3 stale: ")]
    assert not any(first in m["text"] for m in r["stale_marks"]), r["stale_marks"]
    assert len(marks) == 1, r["stale_marks"]
    assert r["proposed_after_ga2"][marks[0]["row"]] == "    s = 1", (marks, r["proposed_after_ga2"])
    assert r["stale_rows"] == [{"id": first, "row": marks[0]["row"]}]
    # Why the first hunk went stale, once and in claif's words, then what `ga` did.
    assert len(r["messages_ga2"]) == 2 and r["messages_ga2"][0].startswith("claif: "), r["messages_ga2"]
    assert "Claif:" not in r["messages_ga2"][0], r["messages_ga2"]
    assert r["messages_ga2"][1] == "claif: accepted hunk 2 of 3 in app.py", r["messages_ga2"]
    # The third hunk is still acceptable.
    greet_applied = describe_applied.replace('return "Hello " + name', 'return f"Hello {name}"')
    assert r["after_ga3"] == lines(greet_applied), r["after_ga3"]
    assert r["states_after_ga3"] == ["stale", "accepted", "accepted"], r["states_after_ga3"]
    # `gr` dropped the stale one: the review is over, the text is the user's edit plus the two hunks.
    assert r["states_after_gr"] == ["rejected", "accepted", "accepted"], r["states_after_gr"]
    assert r["final_state"] == "accepted" and r["session_after_gr"] is False and r["tabs_after"] == 1
    assert r["final"] == lines(greet_applied)
    assert r["messages_ga3"] == ["claif: accepted hunk 3 of 3 in app.py"], r["messages_ga3"]
    (said,) = r["messages_ga_stale"]
    assert said.startswith("claif: hunk 1 of 3 in app.py is stale: ") and said.endswith("; gr drops it"), said
    assert r["messages_gr"] == ["claif: rejected hunk 1 of 3 in app.py"], r["messages_gr"]
    assert (second, third) != (first, first)


TRUSTED_KEYS = {"apiKeyCommand", "apiKeyEnv", "baseUrl", "path", "extraArgs", "env", "record", "approval"}
"""Keys the server honours only from initializationOptions, the environment and the user's config file."""


def keys_in(value: object) -> set[str]:
    """Every object key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_settings_that_run_programs_or_redirect_traffic_go_in_initialization_options(tmp_path: Path) -> None:
    record = tmp_path / "recorded.jsonl"
    transcript = {"options": {"transcript": str(tmp_path / "transcript.jsonl")}}
    providers = {
        "replay": transcript,
        "gemini-cli": {"options": {"trustWorkspace": True, "approvalMode": "plan"}},
        "openai": {"model": "gpt-test", "baseUrl": "http://127.0.0.1:9/v1", "apiKeyEnv": "CLAIFTEST_KEY"},
        "codex": {"path": "/usr/bin/false", "extraArgs": ["--quiet"], "apiKeyCommand": ["/usr/bin/false"]},
    }
    settings = {"record": str(record), "approval": "review", "providers": providers}
    run = NeovimScenario(tmp_path, [{"action": "ask", "answer": ANSWER}], settings=settings).run("trust.lua")
    r = ok(run)
    # Sent with `initialize`, as setup() had them (everything given to setup() is the user's own).
    assert r["initialization_options"] == {
        "record": str(record),
        "approval": "review",
        "providers": {
            "openai": {"baseUrl": "http://127.0.0.1:9/v1", "apiKeyEnv": "CLAIFTEST_KEY"},
            "codex": {"path": "/usr/bin/false", "extraArgs": ["--quiet"], "apiKeyCommand": ["/usr/bin/false"]},
            "gemini-cli": {"options": {"trustWorkspace": True}},
        },
    }, r["initialization_options"]
    # workspace/configuration answers carry the rest, and none of them.
    assert r["configuration"], r
    for answer in r["configuration"]:
        assert not keys_in(answer) & TRUSTED_KEYS, answer
    claif = r["configuration"][0][0]
    assert claif["provider"] == "replay" and claif["providers"]["replay"] == transcript, claif
    assert claif["providers"]["openai"] == {"model": "gpt-test"} and "codex" not in claif["providers"], claif
    assert claif["providers"]["gemini-cli"] == {"options": {"approvalMode": "plan"}}, claif
    # The server honoured them from there: `record` wrote the ask's prompt.
    assert "Rename s to result" in recorded_prompts(record)[0]


def test_the_plugin_keeps_every_key_the_server_guards_out_of_workspace_configuration(tmp_path: Path) -> None:
    """The plugin's trusted keys (from Neovim) cover the server's keys a workspace may not set."""
    from claif_lsp.trust import USER_ONLY_PROVIDER_KEYS, USER_ONLY_TOP_KEYS

    lua = (
        f"vim.opt.rtp:prepend({json.dumps(str(PLUGIN))}) local c = require('claif.config') "
        "io.stdout:write(vim.json.encode({ c.TRUSTED_PROVIDER_KEYS, c.TRUSTED_TOP_KEYS }))"
    )
    env = NeovimScenario(tmp_path, []).env(tmp_path / "unused.json", tmp_path / "unused.log")
    proc = subprocess.run(
        [require_nvim(), "--headless", "-u", "NONE", "-i", "NONE", "-n", "-l", "-"],
        input=lua,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    provider_keys, top_keys = json.loads(proc.stdout)
    assert set(provider_keys) | set(top_keys) == TRUSTED_KEYS
    assert set(USER_ONLY_PROVIDER_KEYS) <= set(provider_keys) and set(USER_ONLY_TOP_KEYS) <= set(top_keys)


def test_typing_while_the_server_shows_its_diff_document_keeps_every_key_in_the_file(tmp_path: Path) -> None:
    """With `preview = "document"` the server asks Neovim to show its .diff with the focus (window/showDocument)."""
    run = NeovimScenario(tmp_path, SLOW_ANSWER, settings={"preview": "document"}).run("typing.lua", keyboard=True)
    r = ok(run)
    assert_typing_undisturbed(r)
    # The diff document opened in a window of its own, beside app.py.
    assert r["seen"]["windows"] == r["layout_before"]["windows"] + 1, r["seen"]
    assert r["seen"]["tabs"] == r["layout_before"]["tabs"], r["seen"]


def test_an_acp_agent_edit_is_reviewed_and_accepted_into_the_unsaved_buffer(tmp_path: Path) -> None:
    """The generic `acp` provider runs the fake ACP agent; its edit of the unsaved buffer is a proposal, not a write."""
    unsaved = SAMPLE.replace('"""Inventory helpers."""', '"""Inventory helpers (edited, not saved)."""')
    edited = unsaved.replace('return "Hello " + name', 'return f"Hello {name}"')
    agent_report = tmp_path / "agent.json"
    steps = [
        {"tool": "read", "title": "Read app.py", "path": "app.py"},
        {"read": "app.py"},
        {"tool": "edit", "title": "Edit app.py", "path": "app.py"},
        {"write": "app.py", "content": edited},
        {"say": "Used an f-string in greet."},
    ]
    script = tmp_path / "agent-script.json"
    script.write_text(json.dumps({"report": str(agent_report), "steps": steps}))
    fake_agent = Path(__file__).resolve().parents[1] / "fakes" / "acp_agent.py"
    acp = {"path": sys.executable, "extraArgs": [str(fake_agent), str(script)]}
    settings = {"provider": "acp", "providers": {"acp": acp}}
    run = NeovimScenario(tmp_path, [], settings=settings).run("acp_ask_accept.lua")
    r = ok(run)
    assert r["unsaved"] == lines(unsaved) and r["modified_before"] is True
    # The agent read the editor's buffer, not the disk.
    assert json.loads(agent_report.read_text())["read_1"] == unsaved
    assert r["hunks"] == 1 and r["proposed"] == lines(edited), r
    assert r["disk_in_review"] == SAMPLE, "the agent wrote the user's file"
    # `ga` accepted the one hunk into the buffer; the disk changed only with :w.
    assert r["final_state"] == "accepted" and r["final"] == lines(edited), r
    assert r["modified"] is True and r["disk_after_accept"] == SAMPLE
    assert r["disk_after_write"] == edited
    # The agent's tool call showed in the progress line a statusline shows (vim.lsp.status()).
    assert any("Reading app.py" in s["lsp"] for s in r["shown"]), r["shown"]
