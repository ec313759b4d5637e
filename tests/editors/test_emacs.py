"""The Emacs package (editors/emacs) end to end: Emacs 28 with eglot 1.9, the real server, replay.

Each scenario under tests/editors/emacs/ drives Emacs as a user would (commands, the review buffer's keys)
and records what the user sees (buffer text, messages, the mode line) in a JSON file asserted here. Emacs
runs as `emacs -nw` on a pseudo-terminal rather than `--batch`, because batch mode renders no mode line
(`format-mode-line` answers "" there).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from claif_lsp.protocol import models
from tests.editors.neovim_harness import (
    ALL_THREE_APPLIED,
    ANSWER,
    BOTH_APPLIED,
    DESCRIBE_AND_GREET,
    EXPLANATION,
    FIRST_HUNK_APPLIED,
    SAMPLE,
    ReplayWorkspace,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "editors" / "emacs"
SCRIPTS = Path(__file__).resolve().parent / "emacs"
ELPA = Path("/usr/share/emacs/site-lisp/elpa")
RUN_TIMEOUT = 120
"""Seconds one Emacs run may take before it is killed (the slow ask alone streams for 11 s)."""

pytestmark = pytest.mark.timeout(180)


def require_emacs() -> str:
    """Emacs with eglot; skips the test when either is missing, fails when CI=true."""
    emacs = shutil.which("emacs")
    if emacs is None or not any(ELPA.glob("eglot-*")):
        message = "Emacs with eglot not found (apt-get install -y emacs-nox elpa-eglot, or .ci/setup-editors.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return emacs


@dataclass
class EmacsRun:
    """What one scenario run produced."""

    result: dict[str, Any]
    returncode: int
    screen: str
    server_log: Path
    file: Path

    def explain(self) -> str:
        """Everything useful for a failure message."""
        log = self.server_log.read_text(errors="replace")[-6000:] if self.server_log.exists() else "(no server log)"
        shown = {k: v for k, v in self.result.items() if k != "events"}
        return (
            f"rc={self.returncode}\nresult: {json.dumps(shown, indent=1)[-6000:]}\n"
            f"events: {self.result.get('events', '')[-4000:]}\nscreen: {self.screen[-3000:]!r}\nserver log:\n{log}"
        )


class EmacsScenario(ReplayWorkspace):
    """The replay workspace, run in real Emacs with eglot."""

    def __init__(
        self,
        tmp: Path,
        entries: list[dict[str, Any]],
        files: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
    ):
        super().__init__(tmp, entries, settings=settings, files=files)
        self.home.mkdir(exist_ok=True)

    def run(self, script: str, extra_env: dict[str, str] | None = None) -> EmacsRun:
        """Run ``tests/editors/emacs/<script>`` in ``emacs --batch`` and load its JSON result."""
        emacs = require_emacs()
        name = Path(script).stem
        result_path = self.tmp / f"{name}.result.json"
        server_log = self.tmp / f"{name}.server.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith("_API_KEY") and not k.startswith(("CLAIF_", "CLAIFTEST_", "XDG_", "EMACS"))
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            CLAIFTEST_EMACS_PACKAGE=str(PACKAGE),
            CLAIFTEST_EMACS_FILE=str(self.file),
            CLAIFTEST_EMACS_RESULT=str(result_path),
            CLAIFTEST_EMACS_PYTHON=sys.executable,
            CLAIFTEST_EMACS_SERVER_LOG=str(server_log),
            CLAIFTEST_EMACS_SETTINGS=json.dumps(self.settings),
        )
        env.update(TERM="xterm-256color", COLORTERM="", **(extra_env or {}))
        returncode, screen = run_on_pty(
            [emacs, "-nw", "-Q", "-L", str(SCRIPTS), "-l", str(SCRIPTS / script)], env, self.root
        )
        result = json.loads(result_path.read_text()) if result_path.exists() else {"error": "no result file"}
        return EmacsRun(result, returncode, screen, server_log, self.file)


def take_terminal() -> None:
    """In the child: a session of its own, with the pseudo-terminal on stdin as its controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_pty(command: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run ``command`` on a 50x200 pseudo-terminal, reading its output all along; its exit code and output."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    output = bytearray()

    def drain() -> None:
        # Emacs blocks once the terminal's buffer is full: keep reading until the follower side closes.
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                return
            if not data:
                return
            output.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, cwd=cwd, env=env, preexec_fn=take_terminal
    )
    os.close(follower)
    try:
        returncode = proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        returncode = proc.wait()
    reader.join(timeout=5)
    os.close(leader)
    return returncode, output.decode(errors="replace")


def ok(run: EmacsRun) -> dict[str, Any]:
    assert run.returncode == 0 and "error" not in run.result, run.explain()
    return run.result


def chunks(text: str, count: int) -> list[str]:
    """``text`` cut into ``count`` pieces of whole lines."""
    lines = text.splitlines(keepends=True)
    size = -(-len(lines) // count)
    return ["".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def test_package_byte_compiles_and_passes_checkdoc() -> None:
    emacs = require_emacs()
    proc = subprocess.run(
        [emacs, "--batch", "-Q", "-l", str(SCRIPTS / "lint.el"), *map(str, sorted(PACKAGE.glob("*.el")))],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "checkdoc:" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr


def test_slow_ask_with_own_instruction_review_accept_and_reject(tmp_path: Path) -> None:
    pieces = ANSWER.splitlines(keepends=True)
    # Streamed over about 12 s: past eglot's 10 s request timeout.
    entry = {"action": "ask", "match": "rename the accumulator", "chunks": pieces, "delayMs": -(-12000 // len(pieces))}
    run = EmacsScenario(tmp_path, [entry]).run("ask_review.el")
    r = ok(run)
    # The answer took longer than eglot's 10 s request timeout, and still arrived.
    assert r["ask_seconds"] > 10, r["ask_seconds"]
    assert r["running_after_send"] == 1
    # Progress in the mode line while it streamed, gone once it ended.
    streaming = [line for line in r["modelines"] if "≈" in line]
    assert streaming, r["modelines"]
    assert all("claif: Replay: rename the accumulator · ≈" in line for line in streaming), streaming
    assert not any("*** " in line or "+    " in line for line in r["modelines"]), r["modelines"]
    assert "claif:" not in r["modeline_after"], r["modeline_after"]
    # The review buffer: a diff-mode buffer with one @@ per hunk and a key hint.
    assert r["review_mode"] == "claif-review-mode" and r["review_is_diff"]
    assert r["review_shown"] is True
    assert "a accept hunk" in r["review_header"] and "R reject all" in r["review_header"], r["review_header"]
    review = r["review"]
    assert review.startswith("claif proposal p1: Replay: rename the accumulator (pending)\n"), review
    assert "--- a/app.py\n+++ b/app.py\n" in review
    assert "@@ -5,4 +5,4 @@\n-    s = 0\n-    for item in items:\n" in review, review
    assert '@@ -20,1 +20,1 @@\n-    return "Hello " + name\n+    return f"Hello {name}"\n' in review, review
    # Hunk navigation with n and p.
    assert r["point_hunk"] == "p1-h1" and r["after_n"] == "p1-h2" and r["after_p"] == "p1-h1"
    assert r["after_n_line"].startswith("@@ -20,1"), r["after_n_line"]
    assert r["key n"] == "claif-review-next-hunk" and r["key a"] == "claif-review-accept-hunk"
    # Overlays mark both pending hunks in the source, each with a label line above it.
    assert [o[0] for o in r["overlays"]] == [5, 20], r["overlays"]
    assert r["overlays"][0][1] == "claif: Replay: rename the accumulator · hunk 1 of 2 pending · M-x claif-review\n"
    # `a` accepted the first hunk into the buffer (not the disk), with no second question from eglot.
    assert r["after_accept"] == FIRST_HUNK_APPLIED
    assert r["modified_after_accept"] is True and run.file.read_text() == SAMPLE
    assert r["questions"] == [], r["questions"]
    assert r["accept_messages"][-1] == "claif: accepted 1 hunk", r["accept_messages"]
    assert "@@ -5,4" not in r["review_after_accept"] and "@@ -20,1" in r["review_after_accept"]
    assert [o[0] for o in r["overlays_after_accept"]] == [20], r["overlays_after_accept"]
    # `r` rejected the second: the buffer keeps the first hunk only.
    assert r["reject_messages"][-1] == "claif: rejected 1 hunk", r["reject_messages"]
    assert r["final"] == FIRST_HUNK_APPLIED
    assert r["overlays_final"] == []
    assert r["state_final"] == "accepted"
    assert r["review_final"].endswith("Nothing left to review (accepted).\n"), r["review_final"]


def test_ask_review_accept_and_reject_through_lsp_mode(tmp_path: Path) -> None:
    if not any(ELPA.glob("lsp-mode-*")):
        message = "lsp-mode not found (apt-get install -y elpa-lsp-mode, or .ci/setup-editors.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    block = readme_emacs_block(1)
    assert "(claif-lsp-mode-register)" in block and '"/path/to/claif-lsp/editors/emacs"' in block
    init = tmp_path / "init.el"
    init.write_text(block.replace("/path/to/claif-lsp", str(ROOT)))
    entry = {"action": "ask", "match": "rename the accumulator", "chunks": chunks(ANSWER, 3), "delayMs": 300}
    run = EmacsScenario(tmp_path, [entry]).run("lsp_mode.el", {"CLAIFTEST_EMACS_INIT": str(init)})
    r = ok(run)
    # The README's block set claif up; claif-lsp ran under lsp-mode as its add-on client, and eglot had no part.
    assert r["readme_provider"] == "anthropic" and r["key_ask"] == "claif-ask"
    assert r["server_class"] == "claif-lsp-mode-server" and r["eglot_server"] is False
    assert "claif-lsp" in r["workspaces"], r["workspaces"]
    assert r["running_after_send"] == 1
    assert any("claif: Replay: rename the accumulator" in line for line in r["modelines"]), r["modelines"]
    # The same review as with eglot: both hunks in the diff and marked in the source.
    assert "@@ -5,4 +5,4 @@\n-    s = 0\n" in r["review"], r["review"]
    assert '@@ -20,1 +20,1 @@\n-    return "Hello " + name\n' in r["review"], r["review"]
    assert [o[0] for o in r["overlays"]] == [5, 20], r["overlays"]
    # `a` applied the first hunk into the buffer; lsp-mode's own code action rejected the second, through the
    # package (claif's message); nothing asked a question.
    assert r["accept_messages"][-1] == "claif: accepted 1 hunk", r["accept_messages"]
    assert r["after_accept"] == FIRST_HUNK_APPLIED
    assert "Reject" in r["reject_title"], r["reject_title"]
    assert r["reject_messages"][-1] == "claif: rejected 1 hunk", r["reject_messages"]
    assert r["final"] == FIRST_HUNK_APPLIED and run.file.read_text() == SAMPLE
    assert r["overlays_final"] == [] and r["state_final"] == "accepted"
    assert r["questions"] == [], r["questions"]


STALE_REASON = "hunk 1 of app.py no longer applies, its lines changed: drop it with Reject"


def test_stale_hunk_is_refused_then_accept_all_takes_the_rest(tmp_path: Path) -> None:
    run = EmacsScenario(tmp_path, [{"action": "ask", "answer": ANSWER}]).run("stale.el")
    r = ok(run)
    edited = SAMPLE.replace("    s = 0\n", "    s = 1\n")
    assert r["edited"] == edited
    # Accepting the hunk whose lines the user changed applies nothing and says why.
    refusal = next(m for m in r["stale_messages"] if m.startswith("claif: nothing accepted"))
    assert refusal == f"claif: nothing accepted, 1 hunk stale: {STALE_REASON}", r["stale_messages"]
    assert r["stale_messages"][-1] == refusal, r["stale_messages"]
    assert r["after_stale"] == edited
    stale_hunk = "@@ -0,4 +0,4 @@ stale: hunk 1 of app.py no longer applies, its lines changed\n-    s = 0\n"
    assert stale_hunk in r["review_stale"], r["review_stale"]
    assert '@@ -20,1 +20,1 @@\n-    return "Hello " + name' in r["review_stale"]
    assert [o[0] for o in r["overlays_stale"]] == [20], r["overlays_stale"]
    # `A` applies the hunk that still fits; `R` then drops the stale one.
    assert r["accept_all_messages"][-1] == f"claif: accepted 1 hunk, 1 hunk stale: {STALE_REASON}", r[
        "accept_all_messages"
    ]
    assert r["after_accept_all"] == edited.replace('return "Hello " + name', 'return f"Hello {name}"')
    assert r["state_after_accept_all"] == "stale"
    assert r["reject_all_messages"][-1] == "claif: rejected the proposal", r["reject_all_messages"]
    assert r["final"] == r["after_accept_all"]
    assert "Nothing left to review" in r["review_final"], r["review_final"]


def test_explain_opens_the_claif_buffer_beside_the_source(tmp_path: Path) -> None:
    run = EmacsScenario(tmp_path, [{"action": "explain", "answer": EXPLANATION}]).run("explain.el")
    r = ok(run)
    assert r["answer"] == f"# claif: Replay: explain (app.py)\n\n{EXPLANATION}", r["answer"]
    # markdown-mode when installed (Debian's elpa-markdown-mode), else text with outline headings; read-only,
    # shown but not selected.
    assert r["answer_mode"] == "markdown-mode" or (r["answer_mode"] == "text-mode" and r["answer_outline"] is True)
    assert r["answer_read_only"] is True
    assert r["answer_window"] is True and r["selected_is_source"] is True
    assert r["last_message"] == "claif: answer in the *claif* buffer", r["messages"]
    assert r["source"] == SAMPLE and r["modified"] is False and r["proposals"] == 0


def test_explain_streams_into_the_claif_buffer(tmp_path: Path) -> None:
    # Cut across lines, slowly: the buffer shows each text so far, not only whole lines.
    pieces = [EXPLANATION[i : i + 8] for i in range(0, len(EXPLANATION), 8)]
    run = EmacsScenario(tmp_path, [{"action": "explain", "chunks": pieces, "delayMs": 150}]).run("explain_stream.el")
    r = ok(run)
    heading = "# claif: Replay: explain (app.py)\n\n"
    versions, headers = r["versions"], r["headers"]
    assert all(v.startswith(heading) for v in versions), versions
    bodies = [v.removeprefix(heading) for v in versions]
    assert len(bodies) >= 3, bodies
    assert all(EXPLANATION.startswith(b.rstrip("\n")) for b in bodies), bodies
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(bodies)), bodies
    # While it streams a header line says so; the whole answer ends it, unchanged by the ask's own result.
    assert headers[0].startswith("claif: the answer is streaming"), headers
    assert r["answer"] == heading + EXPLANATION and r["header_after"] == "", r
    assert r["answer_read_only"] is True and r["answer_window"] is True and r["focus_kept"] is True
    assert r["source"] == SAMPLE
    assert r["last_message"] == "claif: answer in the *claif* buffer", r["messages"]


REFINED_GREET = textwrap.dedent(
    """\
    *** Begin Patch
    *** Update File: app.py
    @@ def greet(name):
    -    return "Hello " + name
    +    return "Hello, " + name
    *** End Patch
    """
)


def test_refine_with_feedback_then_retry_follow_the_revisions(tmp_path: Path) -> None:
    entries = [
        # The refine's message carries the feedback; the retry sends the first ask again, so its entry comes next.
        {"match": "keep the plain concatenation, add a comma", "answer": f"A comma.\n\n{REFINED_GREET}"},
        {"action": "ask", "match": "rename the accumulator", "answer": ANSWER},
        {"action": "ask", "match": "rename the accumulator", "answer": DESCRIBE_AND_GREET},
    ]
    r = ok(EmacsScenario(tmp_path, entries).run("refine.el"))
    # `f` read the feedback in the minibuffer and sent it asynchronously, its progress in the mode line.
    assert r["prompts"] == ["claif refine Replay: rename the accumulator: "], r["prompts"]
    assert r["running_after_refine"] == 1
    assert any("refine: Replay: rename the accumulator" in line for line in r["modelines"]), r["modelines"]
    # Revision 2: the accepted hunk stays in the buffer, the pending one is replaced by the refined answer.
    assert r["source_refined"] == FIRST_HUNK_APPLIED
    review = r["review_refined"]
    assert review.startswith("claif proposal p1: Replay: rename the accumulator (partial, revision 2)\n"), review
    assert '-    return "Hello " + name\n+    return "Hello, " + name\n' in review, review
    assert "f-string" not in review and 'f"Hello' not in review, review
    assert [o[0] for o in r["overlays_refined"]] == [20], r["overlays_refined"]
    assert r["review_shown"] is True
    # Revision 3 (retry): the first ask again, its two hunks placed on the text as it is now, then accepted.
    retried = r["review_retried"]
    assert "revision 3)" in retried.splitlines()[0], retried
    assert '+    return f"Item: {item.name}"' in retried and '+    return f"Hello {name}"' in retried, retried
    assert r["final"] == ALL_THREE_APPLIED, r["final"]
    assert r["questions"] == [], r["questions"]


def partial_proposal(file: Path) -> dict[str, Any]:
    """`claif.proposal`'s answer for a partial answer: the greet hunk placed, the total hunk not."""
    greet = {
        "id": "p1-h1",
        "uri": file.as_uri(),
        "state": "pending",
        "range": {"start": {"line": 19, "character": 0}, "end": {"line": 20, "character": 0}},
        "reason": None,
        "oldText": '    return "Hello " + name\n',
        "newText": '    return f"Hello {name}"\n',
    }
    proposal = {
        "id": "p1",
        "state": "pending",
        "reason": "a partial answer: 1 hunk could not be placed",
        "provider": "replay",
        "action": "ask",
        "title": "Replay: rename the accumulator",
        "session": "s1",
        "revision": 1,
        "cached": False,
        "restored": False,
        "partial": {
            "unplaced": [
                {
                    "path": "app.py",
                    "hunk": 1,
                    "reason": "its old lines were not found",
                    "expected": "    s = 0\n    for it in items:\n",
                }
            ]
        },
        "answer": ANSWER,
        "usage": None,
        "diff": "",
        "previewUri": None,
        "files": [
            {
                "uri": file.as_uri(),
                "path": "app.py",
                "operation": "update",
                "newUri": None,
                "version": 1,
                "proposedText": SAMPLE.replace('return "Hello " + name', 'return f"Hello {name}"'),
                "hunks": [greet],
            }
        ],
    }
    assert models.Proposal.model_validate(proposal).wire() == proposal, "not what claif.proposal sends"
    return proposal


def test_a_partial_answer_shows_what_was_not_placed_and_the_raw_answer(tmp_path: Path) -> None:
    scenario = EmacsScenario(tmp_path, [])
    proposal = partial_proposal(scenario.file)
    r = ok(scenario.run("partial.el", {"CLAIFTEST_EMACS_PROPOSAL": json.dumps(proposal)}))
    review = r["review"]
    # What could not be placed and why, each expected line behind "| " (never read as a diff line).
    assert review.startswith(
        "claif proposal p1: Replay: rename the accumulator (pending)\n"
        "A partial answer: 1 hunk could not be placed (w shows the raw answer):\n"
        "  app.py, hunk 1: its old lines were not found\n"
        "    |     s = 0\n"
        "    |     for it in items:\n\n"
        "--- a/app.py\n"
    ), review
    assert '@@ -20,1 +20,1 @@\n-    return "Hello " + name\n+    return f"Hello {name}"\n' in review, review
    assert r["hunk_ids"] == ["p1-h1"], "only the placed hunk is a hunk of the review"
    shown = r["messages_shown"][-1]
    assert shown == (
        "claif: 1 hunk in app.py: review it in *claif review* "
        "(a partial answer: 1 more hunk could not be placed; w there shows the raw answer)"
    ), r["messages_shown"]
    assert r["key_w"] == "claif-review-raw-answer"
    assert r["raw"] == ANSWER and r["raw_shown"] is True and r["raw_read_only"] is True


def test_cancel_stops_a_streaming_ask(tmp_path: Path) -> None:
    pieces = ANSWER.splitlines(keepends=True)
    entry = {"action": "ask", "chunks": pieces, "delayMs": 1500}
    run = EmacsScenario(tmp_path, [entry]).run("cancel.el")
    r = ok(run)
    assert "claif: Replay: rename the accumulator · ≈" in r["modeline_streaming"], r["modeline_streaming"]
    assert r["cancel_messages"][0] == "claif: cancelling 1 ask", r["cancel_messages"]
    assert r["cancel_messages"][-1] == "claif: ask cancelled", r["cancel_messages"]
    assert "claif:" not in r["modeline_after"], r["modeline_after"]
    assert r["proposals"] == 0 and not r["review"]
    assert r["source"] == SAMPLE and r["modified"] is False
    assert "cancelled" in run.server_log.read_text(), run.explain()


def test_dir_locals_cannot_set_user_only_settings(tmp_path: Path) -> None:
    stolen = tmp_path / "stolen.jsonl"
    marker = tmp_path / "PWNED"
    dir_locals = (
        f'((nil . ((claif-record . "{stolen}")\n'
        '          (claif-providers . (:openai (:baseUrl "http://127.0.0.1:9/v1")))\n'
        f'          (claif-server-command . ("sh" "-c" "touch {marker}; exec claif-lsp")))))\n'
    )
    scenario = EmacsScenario(tmp_path, [], files={".dir-locals.el": dir_locals})
    run = scenario.run("dir_locals.el")
    r = ok(run)
    # Emacs applied the values (the user allowed every local variable), and claif still refused them.
    assert r["buffer_local_record"] == str(stolen)
    ignored = [m for m in r["messages"] if m.startswith("claif: ignored ")]
    for name, why in [
        ("claif-server-command", "it runs a program"),
        ("claif-providers", "it can run programs and choose the server your code and keys go to"),
        ("claif-record", "it writes a file wherever it points"),
    ]:
        expected = (
            f"claif: ignored {name} from the local variables of this directory (.dir-locals.el): {why}; "
            "set it in your init file"
        )
        assert expected in ignored, ignored
    assert r["server_command"][:3] == [sys.executable, "-m", "claif_lsp"], r["server_command"]
    assert not marker.exists()
    assert r["record"] is None and not stolen.exists()
    assert (r["openai"] or {}).get("baseUrl") != "http://127.0.0.1:9/v1", r["openai"]
    # Emacs itself treats them as risky: never offered as "safe", shown in the local-variables prompt.
    assert r["risky"] == [
        [name, True, False]
        for name in ("claif-server-command", "claif-providers", "claif-record", "claif-approval", "claif-settings")
    ]


def readme_emacs_block(index: int = 0) -> str:
    """The elisp block number ``index`` of the README's Emacs section (0: eglot, 1: lsp-mode)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Emacs") :]
    section = section[: section.index("\n### ", 1)]
    return section.split("```elisp\n")[1 + index].split("```", 1)[0]


def test_readme_setup_works_as_written(tmp_path: Path) -> None:
    block = readme_emacs_block()
    assert '"/path/to/claif-lsp/editors/emacs"' in block
    init = tmp_path / "init.el"
    init.write_text(block.replace("/path/to/claif-lsp", str(ROOT)))
    entries = [
        {"action": "explain", "answer": EXPLANATION},
        {"action": "ask", "match": "rename the accumulator", "answer": ANSWER},
    ]
    bin_dir = str(Path(sys.executable).parent)  # where `claif-lsp` is installed, as a user's PATH would have it
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    run = EmacsScenario(tmp_path, entries).run("readme.el", {"CLAIFTEST_EMACS_INIT": str(init), "PATH": path})
    r = ok(run)
    assert r["readme_provider"] == "anthropic"
    assert r["server_class"] == "claif-eglot-server"
    assert Path(r["server_command"][0]).name == "claif-lsp", r["server_command"]
    assert dict(r["keys"]) == {
        "C-c a a": "claif-ask",
        "C-c a e": "claif-explain",
        "C-c a x": "claif-action",
        "C-c a f": "claif-fix",
        "C-c a c": "claif-cancel",
        "C-c a r": "claif-review",
        "C-c a y": "claif-accept-hunk",
        "C-c a n": "claif-reject-hunk",
        "C-c a R": "claif-refine",
        "C-c a g": "claif-retry",
    }
    assert r["after_one"] == FIRST_HUNK_APPLIED
    assert r["answer"].endswith(EXPLANATION), r["answer"]
    assert r["final"] == BOTH_APPLIED


def test_claif_action_lists_the_servers_actions_and_eglots_accept_refreshes_the_review(tmp_path: Path) -> None:
    custom = {"title": "Translate comments", "prompt": "Translate the comments in {selection}.", "kind": "edit"}
    entries = [
        {"action": "docstrings", "answer": ANSWER},
        {"action": "ask", "match": "make it faster", "answer": DESCRIBE_AND_GREET},
    ]
    scenario = EmacsScenario(tmp_path, entries, settings={"actions": [custom]})
    r = ok(scenario.run("action.el"))
    prompt, offered = r["offered"][0]
    assert prompt == "claif action: "
    # Every ask-type action the server lists here, the user's own included; no review actions yet.
    # (ask, 4 built-ins, the custom one)
    assert len(offered) == 6 and "Claif: Translate comments (Replay)" in offered, offered
    assert r["review"].startswith("claif proposal p1: Replay: docstrings (pending)\n"), r["review"]
    assert [o[0] for o in r["overlays"]] == [5, 20], r["overlays"]
    # Accepted through eglot's own code-action menu: no second question, and the overlays and the review followed.
    assert r["offered"][1][0].startswith("[eglot] Pick an action"), r["offered"]
    assert r["questions"] == [], r["questions"]
    assert r["after"] == FIRST_HUNK_APPLIED
    assert [o[0] for o in r["overlays_after"]] == [20], r["overlays_after"]
    assert "@@ -5,4" not in r["review_after"] and "@@ -20,1" in r["review_after"], r["review_after"]
    # eglot's "Ask…": claif's own prompt for a free instruction (not the server's five canned ones), run async.
    assert [p for p, _ in r["offered"][2:]] == [
        "[eglot] Pick an action (default Claif: Ask Replay…): ",
        "claif ask: ",
    ], r["offered"]
    assert r["running_after_menu_ask"] == 1
    assert r["second_title"] == "Replay: make it faster"


def test_fix_sends_the_diagnostic_at_point(tmp_path: Path) -> None:
    entry = {"action": "fix", "match": "accumulator shadows nothing: call it total", "answer": ANSWER}
    r = ok(EmacsScenario(tmp_path, [entry]).run("fix.el"))
    assert r["action"] == "fix"
    assert r["review"].startswith("claif proposal p1: Replay: fix (pending)\n"), r["review"]
    assert "claif: 2 hunks in app.py: review it in *claif review*" in r["messages"], r["messages"]
