"""End to end: every cancel path stops the provider at once and leaves no proposal and no edit.

pygls cancels neither command tasks on `$/cancelRequest` nor anything on `window/workDoneProgress/cancel`;
these tests guard our wiring (and the private pygls attribute it relies on). Each path runs through every
backend: with the HTTP providers the loopback server must see the client hang up, so no stream is left open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from tests.fakes.helpers import FAKES_BIN, alive, async_wait_until, read_pids
from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.conftest import Backend
from tests.lsp.editor_client import EditorClient


@pytest.fixture
def lsp_settings(backend: Backend) -> dict[str, Any]:
    backend.stall()
    return backend.settings


@pytest.fixture
def lsp_env(backend: Backend) -> dict[str, str]:
    return backend.env


def start_ask(client: EditorClient, uri: str, msg_id: str, **extra: Any) -> asyncio.Future[Any]:
    arguments = {"uri": uri, "range": scenario.whole_range(), "instruction": "tidy", **extra.pop("args", {})}
    params = types.ExecuteCommandParams(command="claif.ask", arguments=[arguments], **extra)
    return asyncio.wrap_future(client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id))


async def streaming_started(client: EditorClient) -> bool:
    def reported() -> bool:
        return any(
            isinstance(v, types.WorkDoneProgressReport) for values in client.progress_reports.values() for v in values
        )

    return await async_wait_until(reported)


def progress_ends(client: EditorClient) -> list[types.WorkDoneProgressEnd]:
    """Every progress end the client has received, over all tokens."""
    return [
        v for values in client.progress_reports.values() for v in values if isinstance(v, types.WorkDoneProgressEnd)
    ]


async def assert_nothing_left(client: EditorClient, uri: str) -> None:
    # pygls answers RequestCancelled the moment $/cancelRequest arrives, before the ask has stopped its provider;
    # the progress end is sent once it has, so only after it can "no proposal" not change any more.
    assert await async_wait_until(lambda: bool(progress_ends(client))), "the ask never ended its progress"
    with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
        await scenario.command(client, "claif.proposal", {"proposal": "p1"})
    assert client.applied_edits == []
    assert client.documents[uri].text == scenario.SAMPLE
    assert [e.message for e in progress_ends(client)] == ["cancelled"]


async def test_cancel_request_stops_the_ask(client: EditorClient, workspace: Path, backend: Backend) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    pending = start_ask(client, uri, "ask-1")
    assert await streaming_started(client)
    client.cancel_request(types.CancelParams(id="ask-1"))
    with pytest.raises(JsonRpcRequestCancelled):
        await pending
    await assert_nothing_left(client, uri)
    assert backend.stream_closed(), "the HTTP stream was left open"


async def test_progress_cancel_button_stops_the_ask(client: EditorClient, workspace: Path, backend: Backend) -> None:
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
    assert backend.stream_closed(), "the HTTP stream was left open"


async def test_claif_cancel_command_stops_the_ask(client: EditorClient, workspace: Path, backend: Backend) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    pending = start_ask(client, uri, "ask-3", args={"requestId": "mine"})
    assert await streaming_started(client)
    result = await scenario.command(client, "claif.cancel", {"request": "mine"})
    assert result == {"cancelled": ["mine"]}
    assert await pending == {"proposals": [], "cancelled": True}
    await assert_nothing_left(client, uri)
    assert backend.stream_closed(), "the HTTP stream was left open"
    assert await scenario.command(client, "claif.cancel", {}) == {"cancelled": []}


async def test_parallel_asks_keep_their_own_proposals(client: EditorClient, workspace: Path, backend: Backend) -> None:
    backend.answer(scenario.PATCH)
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    results = await asyncio.gather(*(scenario.ask(client, uri, instruction="tidy") for _ in range(4)))
    ids = [p for r in results for p in r["proposals"]]
    assert len(ids) == len(set(ids)) == 4
    described = [await scenario.command(client, "claif.proposal", {"proposal": p}) for p in ids]
    assert all(
        d["provider"] == backend.name and d["files"][0]["proposedText"] == scenario.EXPECTED_BOTH for d in described
    )
    assert client.documents[uri].text == scenario.SAMPLE


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
        assert await async_wait_until(lambda: {"main", "child"} <= set(read_pids(tmp_path / "pids")))
        pids = read_pids(tmp_path / "pids")
        assert alive(pids["main"]) and alive(pids["child"])
        client.cancel_request(types.CancelParams(id="ask-4"))
        with pytest.raises(JsonRpcRequestCancelled):
            await pending
        assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]))
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


class TestProvidersStreamAtTheSameTime:
    """Both providers of one ask are mid-stream at once: each server stalls until the client hangs up, so had
    the providers run one after the other, the second request would never arrive."""

    @pytest.fixture
    def servers(self) -> Iterator[tuple[OpenAIServer, AnthropicServer]]:
        stall = Reply(chunks=scenario.pieces(scenario.PATCH), hang_after=2)
        with OpenAIServer(stall) as openai, AnthropicServer(stall) as anthropic:
            yield openai, anthropic

    @pytest.fixture
    def lsp_settings(self, workspace: Path, servers: tuple[OpenAIServer, AnthropicServer]) -> dict[str, Any]:
        scenario.make_project(workspace)
        openai, anthropic = servers
        return {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {"openai": {"baseUrl": openai.base_url}, "anthropic": {"baseUrl": anthropic.base_url}},
        }

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {"OPENAI_API_KEY": "test-key", "ANTHROPIC_API_KEY": "test-key"}

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_both_streams_are_open_together(
        self, client: EditorClient, workspace: Path, servers: tuple[OpenAIServer, AnthropicServer]
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        pending = start_ask(client, uri, "ask-both", args={"providers": ["openai", "anthropic"], "requestId": "both"})
        assert await async_wait_until(lambda: all(s.stalled.is_set() for s in servers))
        assert not pending.done()
        assert await scenario.command(client, "claif.cancel", {"request": "both"}) == {"cancelled": ["both"]}
        assert await pending == {"proposals": [], "cancelled": True}
        assert all(s.wait_for_disconnect() for s in servers), "both streams are closed by one cancel"
        assert client.applied_edits == []


class TestCancelWhileThePickerIsOpen:
    """A cancel that arrives before the provider runs (here: while the user picks an instruction) still wins."""

    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        transcript = scenario.write_transcript(workspace.parent / "t.jsonl", [{"answer": scenario.PATCH}])
        return scenario.replay_settings(transcript, approval="auto")  # a lost cancel would even edit the buffer

    @pytest.mark.parametrize("path", ["cancelRequest", "claif.cancel"])
    async def test_no_proposal_and_no_edit(self, client: EditorClient, workspace: Path, path: str) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        client.message_gate = asyncio.Event()
        pending = start_ask(client, uri, "ask-picker", args={"instruction": "", "requestId": "picker"})
        assert await async_wait_until(lambda: bool(client.message_requests))
        if path == "cancelRequest":
            client.cancel_request(types.CancelParams(id="ask-picker"))
            with pytest.raises(JsonRpcRequestCancelled):
                await pending
        else:
            assert await scenario.command(client, "claif.cancel", {"request": "picker"}) == {"cancelled": ["picker"]}
            assert await pending == {"proposals": [], "cancelled": True}
        client.message_gate.set()  # the user picks an instruction after all: too late
        # A later ask runs to the end; had the cancelled one gone on, it would have made p1 and applied it too.
        [later] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert later == "p1"
        assert not await async_wait_until(lambda: len(client.applied_edits) > 1, timeout=1)
        assert len(client.applied_edits) == 1
        assert client.progress_reports and all(
            isinstance(values[0], types.WorkDoneProgressBegin) and values[0].message.startswith("Replay: ask")
            for values in client.progress_reports.values()
        )
        assert len(client.progress_reports) == 1, "the cancelled ask never began progress"
