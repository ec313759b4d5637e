"""End to end: an answer longer than ``maxAnswerChars`` is stopped where it crosses the bound, and proposes nothing.

Both kinds of provider are covered: over HTTP the loopback server keeps the stream open after the bound, so
only a client that stops reading and hangs up lets the ask end; an agent CLI must be killed, not waited for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from tests.fakes.helpers import FAKES_BIN, alive, async_wait_until, read_pids
from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

BOUND = 15_000


def long_patch(size: int) -> str:
    """A valid answer of about ``size`` characters: a Codex patch adding one file."""
    line = "+" + "x" * 78 + "\n"
    return "*** Begin Patch\n*** Add File: big.txt\n" + line * (size // len(line)) + "*** End Patch\n"


async def assert_refused_without_proposal(client: EditorClient, uri: str, pending: Any) -> None:
    with pytest.raises(JsonRpcException, match=r"answer grew past maxAnswerChars \(15,000 characters\)"):
        await asyncio.wait_for(pending, 30)
    with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
        await scenario.command(client, "claif.proposal", {"proposal": "p1"})
    assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE


class TestHttpStream:
    @pytest.fixture
    def openai(self) -> Iterator[OpenAIServer]:
        chunks = scenario.pieces(long_patch(3 * BOUND), size=1000)
        # Past the bound the server goes quiet but keeps the connection: only hanging up ends this ask.
        with OpenAIServer(Reply(chunks=chunks, hang_after=2 * BOUND // 1000)) as server:
            yield server

    @pytest.fixture
    def initialization_options(self, workspace: Path, openai: OpenAIServer) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {
            "provider": "openai",
            "maxAnswerChars": BOUND,
            "cache": {"enabled": False},
            "providers": {"openai": {"baseUrl": openai.base_url}},
        }

    async def test_the_stream_is_closed_at_the_bound(
        self, client: EditorClient, workspace: Path, openai: OpenAIServer
    ) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        await assert_refused_without_proposal(client, uri, scenario.ask(client, uri, instruction="add big.txt"))
        assert openai.wait_for_disconnect(), "the HTTP stream was left open past the bound"


class TestAgentProcess:
    @pytest.fixture
    def initialization_options(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {
            "provider": "codex",
            "maxAnswerChars": BOUND,
            "cache": {"enabled": False},
            "providers": {"codex": {"path": str(FAKES_BIN / "codex")}},
        }

    @pytest.fixture
    def lsp_env(self, tmp_path: Path) -> dict[str, str]:
        answer = tmp_path / "answer.txt"
        answer.write_text(long_patch(4 * BOUND))  # four pieces of about 15,000 characters, 600 s apart
        return {
            "FAKE_CLI_SCENARIO": "slow",
            "FAKE_CLI_DELAY": "600",
            "FAKE_CLI_ANSWER_FILE": str(answer),
            "FAKE_CLI_PID_FILE": str(tmp_path / "pids"),
            "OPENAI_API_KEY": "test-key",
        }

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_the_process_is_killed_at_the_bound(
        self, client: EditorClient, workspace: Path, tmp_path: Path
    ) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        await assert_refused_without_proposal(client, uri, scenario.ask(client, uri, instruction="add big.txt"))
        pids = read_pids(tmp_path / "pids")
        assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]), timeout=10)
