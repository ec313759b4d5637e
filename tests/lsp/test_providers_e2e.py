"""End to end: an ask through every real provider, each talking to a faithful fake at the wire.

HTTP providers drive their official SDKs against loopback servers speaking the documented SSE streams; agent
providers run the real subprocess code against fake executables speaking each CLI's JSONL stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tests.fakes.gemini_server import GeminiReply, GeminiServer
from tests.fakes.helpers import FAKES_BIN
from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

PIECES = [scenario.PATCH[i : i + 40] for i in range(0, len(scenario.PATCH), 40)]


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


@pytest.fixture
def project(workspace: Path) -> Path:
    scenario.make_project(workspace)
    answer = workspace.parent / "answer.txt"
    answer.write_text(scenario.PATCH)
    return answer


class TestHttpProviders:
    @pytest.fixture(params=["anthropic", "openai", "gemini"])
    def http(self, request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
        name = request.param
        server: Any
        if name == "anthropic":
            server = AnthropicServer(Reply(chunks=PIECES, input_tokens=600, output_tokens=120))
        elif name == "openai":
            server = OpenAIServer(Reply(chunks=PIECES, input_tokens=600, output_tokens=120))
        else:
            server = GeminiServer([GeminiReply(chunks=PIECES)])
        with server:
            yield name, server

    @pytest.fixture
    def lsp_settings(self, http: tuple[str, Any], project: Path) -> dict[str, Any]:
        name, server = http
        return {"provider": name, "cache": {"enabled": False}, "providers": {name: {"baseUrl": server.base_url}}}

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {"ANTHROPIC_API_KEY": "test-key", "OPENAI_API_KEY": "test-key", "GEMINI_API_KEY": "test-key"}

    @pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
    async def test_ask_yields_a_reviewable_proposal(
        self, client: EditorClient, workspace: Path, http: tuple[str, Any]
    ) -> None:
        name, server = http
        uri = open_sample(client, workspace)
        result = await scenario.ask(client, uri, instruction="tidy up")
        [proposal_id] = result["proposals"]
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["provider"] == name
        assert proposal["files"][0]["proposedText"] == scenario.EXPECTED_BOTH
        assert "tidy up" in str(server.requests[-1].body)
        ends = [v for values in client.progress_reports.values() for v in values if type(v).__name__.endswith("End")]
        assert ends and "2 hunks in 1 file" in (ends[-1].message or "")

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_stream_cut_midway_gives_no_proposal(
        self, client: EditorClient, workspace: Path, http: tuple[str, Any]
    ) -> None:
        name, server = http
        if name == "gemini":
            server.replies = [GeminiReply(chunks=PIECES, cut_after=3)]
        else:
            server.script(Reply(chunks=PIECES, cut_after=3))
        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException, match=name):
            await scenario.ask(client, uri, instruction="tidy up")
        assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE


class TestAgentProviders:
    @pytest.fixture(params=["claude-code", "codex", "gemini-cli"])
    def agent(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def lsp_settings(self, agent: str, project: Path) -> dict[str, Any]:
        executable = {"claude-code": "claude", "codex": "codex", "gemini-cli": "gemini"}[agent]
        return {
            "provider": agent,
            "cache": {"enabled": False},
            "providers": {agent: {"path": str(FAKES_BIN / executable)}},
        }

    @pytest.fixture
    def lsp_env(self, project: Path, tmp_path: Path) -> dict[str, str]:
        return {
            "FAKE_CLI_ANSWER_FILE": str(project),
            "FAKE_CLI_RECORD_FILE": str(tmp_path / "record.json"),
            "ANTHROPIC_API_KEY": "test-key",
            "OPENAI_API_KEY": "test-key",
            "GEMINI_API_KEY": "test-key",
        }

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_ask_yields_a_reviewable_proposal(
        self, client: EditorClient, workspace: Path, agent: str, tmp_path: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
        accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert accepted["applied"] is True
        assert client.documents[uri].text == scenario.EXPECTED_BOTH
        assert (workspace / "app.py").read_text() == scenario.SAMPLE, "the agent itself never writes"
        assert str(workspace) in (tmp_path / "record.json").read_text(), "the agent runs in the workspace root"


class TestAgentFailures:
    @pytest.fixture(
        params=[("codex", "codex", "auth"), ("gemini-cli", "gemini", "exit:41"), ("claude-code", "claude", "crash")]
    )
    def failing(self, request: pytest.FixtureRequest) -> tuple[str, str, str]:
        return request.param  # type: ignore[no-any-return]

    @pytest.fixture
    def lsp_settings(self, failing: tuple[str, str, str], project: Path) -> dict[str, Any]:
        name, executable, _ = failing
        return {
            "provider": name,
            "cache": {"enabled": False},
            "providers": {name: {"path": str(FAKES_BIN / executable)}},
        }

    @pytest.fixture
    def lsp_env(self, failing: tuple[str, str, str]) -> dict[str, str]:
        return {"FAKE_CLI_SCENARIO": failing[2], "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}

    @pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
    async def test_failure_shows_its_message_and_edits_nothing(
        self, client: EditorClient, workspace: Path, failing: tuple[str, str, str]
    ) -> None:
        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException) as caught:
            await scenario.ask(client, uri, instruction="tidy up")
        message = str(caught.value)
        assert message.startswith(f"{failing[0]}:"), message
        assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE
        ends = [v for values in client.progress_reports.values() for v in values if type(v).__name__.endswith("End")]
        assert ends and (ends[-1].message or "").startswith("failed:")
