"""End to end: every cancel path stops the provider at once and leaves no proposal and no edit.

pygls cancels neither command tasks on `$/cancelRequest` nor anything on `window/workDoneProgress/cancel`;
these tests guard our wiring (and the private pygls attribute it relies on).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from tests.fakes.helpers import FAKES_BIN, alive, async_wait_until, read_pids
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

SLOW = [{"action": "ask", "chunks": ["*** Begin Patch\n"] + [f"# line {i}\n" for i in range(200)], "delayMs": 100}]


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(workspace.parent / "slow.jsonl", SLOW)
    return scenario.replay_settings(transcript)


def start_ask(client: EditorClient, uri: str, msg_id: str, **extra: Any) -> asyncio.Future[Any]:
    arguments = {"uri": uri, "range": scenario.whole_range(), "instruction": "tidy", **extra.pop("args", {})}
    params = types.ExecuteCommandParams(command="claif.ask", arguments=[arguments], **extra)
    return asyncio.wrap_future(client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id))


async def streaming_started(client: EditorClient) -> bool:
    def reported() -> bool:
        return any(
            isinstance(v, types.WorkDoneProgressReport) for values in client.progress_reports.values() for v in values
        )

    return await async_wait_until(reported, timeout=20)


async def assert_nothing_left(client: EditorClient, uri: str) -> None:
    with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
        await scenario.command(client, "claif.proposal", {"proposal": "p1"})
    assert client.applied_edits == []
    assert client.documents[uri].text == scenario.SAMPLE
    ends = [
        v for values in client.progress_reports.values() for v in values if isinstance(v, types.WorkDoneProgressEnd)
    ]
    assert [e.message for e in ends] == ["cancelled"]


async def test_cancel_request_stops_the_ask(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    pending = start_ask(client, uri, "ask-1")
    assert await streaming_started(client)
    client.cancel_request(types.CancelParams(id="ask-1"))
    with pytest.raises(JsonRpcRequestCancelled):
        await pending
    await assert_nothing_left(client, uri)


async def test_progress_cancel_button_stops_the_ask(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    client.progress_reports["tok-1"] = []
    pending = start_ask(client, uri, "ask-2", work_done_token="tok-1")
    assert await streaming_started(client)
    [begin, *_] = client.progress_reports["tok-1"]
    assert isinstance(begin, types.WorkDoneProgressBegin) and begin.cancellable
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="tok-1"))
    assert await pending == {"proposals": [], "cancelled": True}
    await assert_nothing_left(client, uri)


async def test_claif_cancel_command_stops_the_ask(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    pending = start_ask(client, uri, "ask-3", args={"requestId": "mine"})
    assert await streaming_started(client)
    result = await scenario.command(client, "claif.cancel", {"request": "mine"})
    assert result == {"cancelled": ["mine"]}
    assert await pending == {"proposals": [], "cancelled": True}
    await assert_nothing_left(client, uri)
    assert await scenario.command(client, "claif.cancel", {}) == {"cancelled": []}


class TestAgentProcessDiesWithTheAsk:
    """Cancelling an ask through an agent CLI kills its whole process group."""

    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {
            "provider": "codex",
            "cache": {"enabled": False},
            "providers": {"codex": {"path": str(FAKES_BIN / "codex")}},
        }

    @pytest.fixture
    def lsp_env(self, tmp_path: Path) -> dict[str, str]:
        return {
            "FAKE_CLI_SCENARIO": "slow",
            "FAKE_CLI_DELAY": "1",
            "FAKE_CLI_PID_FILE": str(tmp_path / "pids"),
            "OPENAI_API_KEY": "test-key",
        }

    async def test_cancel_kills_the_codex_process_group(
        self, client: EditorClient, workspace: Path, tmp_path: Path
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        pending = start_ask(client, uri, "ask-4")
        assert await async_wait_until(lambda: {"main", "child"} <= set(read_pids(tmp_path / "pids")), timeout=20)
        pids = read_pids(tmp_path / "pids")
        assert alive(pids["main"]) and alive(pids["child"])
        client.cancel_request(types.CancelParams(id="ask-4"))
        with pytest.raises(JsonRpcRequestCancelled):
            await pending
        assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]), timeout=10)
        assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE


class TestConcurrentAsks:
    """Several providers at once yield one proposal each; asks in parallel do not mix."""

    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        answer = workspace.parent / "answer.txt"
        answer.write_text(scenario.PATCH)
        transcript = scenario.write_transcript(
            workspace.parent / "t.jsonl", [{"action": "ask", "answer": scenario.PATCH, "delayMs": 20}]
        )
        settings = scenario.replay_settings(transcript)
        settings["providers"]["codex"] = {"path": str(FAKES_BIN / "codex")}
        return settings

    @pytest.fixture
    def lsp_env(self, workspace: Path) -> dict[str, str]:
        return {"FAKE_CLI_ANSWER_FILE": str(workspace.parent / "answer.txt"), "OPENAI_API_KEY": "test-key"}

    async def test_two_providers_run_concurrently(self, client: EditorClient, workspace: Path) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        result = await scenario.ask(client, uri, instruction="tidy", providers=["replay", "codex"])
        assert len(result["proposals"]) == 2 and result["errors"] == []
        described = [await scenario.command(client, "claif.proposal", {"proposal": p}) for p in result["proposals"]]
        assert sorted(d["provider"] for d in described) == ["codex", "replay"]
        assert all(d["files"][0]["proposedText"] == scenario.EXPECTED_BOTH for d in described)

    async def test_parallel_asks_keep_their_own_proposals(self, client: EditorClient, workspace: Path) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        results = await asyncio.gather(*(scenario.ask(client, uri, instruction="tidy") for _ in range(4)))
        ids = [p for r in results for p in r["proposals"]]
        assert len(ids) == len(set(ids)) == 4
