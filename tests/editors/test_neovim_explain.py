"""Real Neovim: an explanation streams into its window from `claif/answer`, growing as the model writes, then
ends with the whole answer (Markdown, not modifiable, the focus left in the source window)."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.editors.neovim_harness import NeovimScenario, require_nvim

EXPLAINED = (
    "`total` adds up the `price` of every item.\n\n"
    "- `s` starts at 0\n"
    "- the loop adds each price in turn\n"
    "- the sum is returned\n\n"
    "`sum(item.price for item in items)` says the same in one line.\n"
)
HEADING = ["# Replay: explain", "", "_claif: the answer is streaming…_", ""]


def test_explain_streams_from_claif_answer_and_ends_whole(tmp_path: Path) -> None:
    require_nvim()
    # Chunks cut across lines: progress reports alone (the last line, every 250 ms) could not show each prefix.
    chunks = [EXPLAINED[i : i + 6] for i in range(0, len(EXPLAINED), 6)]
    run = NeovimScenario(tmp_path, [{"action": "explain", "chunks": chunks, "delayMs": 40}]).run("explain_answer.lua")
    r = run.result
    assert run.returncode == 0 and "error" not in r, run.explain()

    bodies = ["\n".join(v[len(HEADING) :]) for v in r["versions"] if v[: len(HEADING)] == HEADING]
    assert len(set(bodies)) >= 5, r["versions"]
    assert all(EXPLAINED.startswith(body) for body in bodies), bodies
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(bodies)), "the streamed text only grows"
    assert any("\n" not in body.strip() and body.strip() for body in bodies), "a line was shown before it ended"
    assert "\n".join(r["answer"]) == EXPLAINED, r["answer"]
    assert r["versions"][-1] == r["answer"]
    assert r["filetype"] == "markdown" and r["modifiable"] is False
    assert r["focus_stayed"] is True and r["windows"] == 2
