"""End to end: cancelling an ask mid-stream through each agent CLI kills its whole process group, and nothing follows.

Each test waits until a progress report has arrived (the fake CLI is streaming its answer), cancels through one of
the three paths an editor has ($/cancelRequest, the progress notification's cancel button, the claif.cancel
command), then checks that the fake and the child it started are gone, that no proposal exists and that the
document and the file on disk are unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from tests.fakes.helpers import FAKES_BIN, alive, async_wait_until, read_pids
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_cancel import assert_nothing_left, start_ask, streaming_started

EXECUTABLES = {"claude-code": "claude", "codex": "codex", "gemini-cli": "gemini"}

CASES = [
    ("claude-code", "slow", "cancel-request"),
    ("codex", "slow", "cancel-request"),
    ("gemini-cli", "slow", "cancel-request"),
    ("claude-code", "slow", "progress-cancel"),
    ("codex", "stubborn", "progress-cancel"),
    ("gemini-cli", "slow", "claif-cancel"),
    ("claude-code", "stubborn", "claif-cancel"),
]
"""(agent, fake scenario, cancel path); ``stubborn`` fakes and their children ignore SIGTERM."""


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def lsp_settings(case: tuple[str, str, str], workspace: Path) -> dict[str, Any]:
    agent = case[0]
    scenario.make_project(workspace)
    return {
        "provider": agent,
        "cache": {"enabled": False},
        "providers": {agent: {"path": str(FAKES_BIN / EXECUTABLES[agent])}},
    }


@pytest.fixture
def lsp_env(case: tuple[str, str, str], tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "FAKE_CLI_SCENARIO": case[1],
        "FAKE_CLI_DELAY": "60",  # the first piece at once, the next one long after the test is over
        "FAKE_CLI_PID_FILE": str(tmp_path / "pids"),
        "HOME": str(home),
        "ANTHROPIC_API_KEY": "test-key",
        "OPENAI_API_KEY": "test-key",
        "GEMINI_API_KEY": "test-key",
    }


@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_cancel_mid_stream_leaves_no_process_no_proposal_and_no_edit(
    client: EditorClient, workspace: Path, tmp_path: Path, case: tuple[str, str, str]
) -> None:
    agent, _, path = case
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    client.progress_reports["tok"] = []
    pending = start_ask(client, uri, "ask", work_done_token="tok", args={"requestId": "mine"})
    assert await streaming_started(client), f"{agent} never reported progress"
    pid_lines = (tmp_path / "pids").read_text().splitlines()
    assert sorted(line.split()[0] for line in pid_lines) == ["child", "main"], "one CLI run, one child"
    pids = read_pids(tmp_path / "pids")
    assert alive(pids["main"]) and alive(pids["child"]), "the fake should still be streaming"

    if path == "cancel-request":
        client.cancel_request(types.CancelParams(id="ask"))
        with pytest.raises(JsonRpcRequestCancelled):
            await pending
    elif path == "progress-cancel":
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="tok"))
        assert await pending == {"proposals": [], "cancelled": True}
    else:
        assert await scenario.command(client, "claif.cancel", {"request": "mine"}) == {"cancelled": ["mine"]}
        assert await pending == {"proposals": [], "cancelled": True}

    assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"])), (
        f"{agent}: a process outlived its cancelled request"
    )
    await assert_nothing_left(client, uri)
    assert (workspace / "app.py").read_text() == scenario.SAMPLE
    assert len((tmp_path / "pids").read_text().splitlines()) == 2, "the CLI was not started again"
