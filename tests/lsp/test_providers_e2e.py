"""End to end: an ask through every real provider, each talking to a faithful fake at the wire.

HTTP providers drive their official SDKs against loopback servers speaking the documented SSE streams; agent
providers run the real subprocess code against fake executables speaking each CLI's JSONL stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.fakes.gemini_server import GeminiReply, GeminiServer
from tests.fakes.helpers import FAKES_BIN, alive, async_wait_until, read_pids
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


EXECUTABLES = {"claude-code": "claude", "codex": "codex", "gemini-cli": "gemini"}

Failure = tuple[str, str, list[str | tuple[str, ...]]]
FAILURES: list[Failure] = [
    # (agent, fake scenario, texts the message must contain, a tuple: one of them); "missing" points the path
    # setting nowhere.
    ("codex", "auth", ["401 Unauthorized", "codex login"]),
    ("codex", "hang", ["did not finish within 2s (timeout setting)"]),
    ("codex", "crash", ["exited with code 101", "thread 'main' panicked", "fake codex crashed mid-stream"]),
    ("codex", "missing", ["is not an executable", "npm i -g @openai/codex"]),
    ("claude-code", "auth", ["Invalid API key", "/login"]),
    # The server imports claude-agent-sdk before the CLI (and its 2 s timer) starts; beside a CPU hog that import
    # took 6.9 s, longer than the server's 5 s grace, so its own deadline (2 + 5 s) can come first.
    ("claude-code", "hang", [("did not finish within 2s (timeout setting)", "no complete answer within 7 s")]),
    ("claude-code", "crash", ["exited with code 3", "fake claude crashed: API connection reset mid-stream"]),
    ("claude-code", "missing", ["is not an executable", "npm i -g @anthropic-ai/claude-code"]),
    ("gemini-cli", "auth", ["not authenticated (exit 41)", "GEMINI_API_KEY", "Please set an Auth method"]),
    ("gemini-cli", "hang", ["did not finish within 2s (timeout setting)"]),
    ("gemini-cli", "crash", ["exited with code 1", "FATAL ERROR: fake gemini crashed mid-stream"]),
    ("gemini-cli", "missing", ["is not an executable", "npm i -g @google/gemini-cli"]),
    ("gemini-cli", "exit:42", ["rejected the input (exit 42)", "fake gemini failed with exit code 42"]),
    ("gemini-cli", "exit:52", ["configuration error", "(exit 52)", "fake gemini failed with exit code 52"]),
    ("gemini-cli", "exit:53", ["reached its turn limit (exit 53)", "fake gemini failed with exit code 53"]),
    ("gemini-cli", "exit:130", ["was cancelled (exit 130)", "fake gemini failed with exit code 130"]),
]


class TestAgentFailures:
    @pytest.fixture(params=FAILURES, ids=[f"{agent}-{name}" for agent, name, _ in FAILURES])
    def failing(self, request: pytest.FixtureRequest) -> Failure:
        return request.param  # type: ignore[no-any-return]

    @pytest.fixture
    def lsp_settings(self, failing: Failure, project: Path, tmp_path: Path) -> dict[str, Any]:
        name, fake, _ = failing
        path = tmp_path / "not-installed" / EXECUTABLES[name] if fake == "missing" else FAKES_BIN / EXECUTABLES[name]
        return {
            "provider": name,
            "cache": {"enabled": False},
            "providers": {name: {"path": str(path), "timeout": 2}},
        }

    @pytest.fixture
    def lsp_env(self, failing: Failure, project: Path, tmp_path: Path) -> dict[str, str]:
        return {
            "FAKE_CLI_SCENARIO": failing[1],
            "FAKE_CLI_ANSWER_FILE": str(project),
            "FAKE_CLI_PID_FILE": str(tmp_path / "pids"),
            "OPENAI_API_KEY": "k",
            "GEMINI_API_KEY": "k",
            "ANTHROPIC_API_KEY": "k",
        }

    @pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
    async def test_failure_shows_its_message_and_edits_nothing(
        self, client: EditorClient, workspace: Path, failing: Failure, tmp_path: Path
    ) -> None:
        name, _, texts = failing
        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException) as caught:
            await scenario.ask(client, uri, instruction="tidy up")
        message = str(caught.value)
        assert message.startswith(f"{name}:"), message
        for text in texts:
            alternatives = text if isinstance(text, tuple) else (text,)
            assert any(t in message for t in alternatives), f"{text!r} missing from {message!r}"
        with pytest.raises(JsonRpcException, match="no proposal"):
            await scenario.command(client, "claif.proposal", {"proposal": "p1"})
        assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE
        assert (workspace / "app.py").read_text() == scenario.SAMPLE
        ends = [v for values in client.progress_reports.values() for v in values if type(v).__name__.endswith("End")]
        assert ends and (ends[-1].message or "").startswith("failed:")
        for pid in read_pids(tmp_path / "pids").values():
            assert await async_wait_until(lambda pid=pid: not alive(pid)), "a process outlived the ask"


AGENT_TITLES = {
    "claude-code": "Claif: Ask Claude Code…",
    "codex": "Claif: Ask Codex…",
    "gemini-cli": "Claif: Ask Gemini CLI…",
}


class TestAskActionsPerProvider:
    """Each agent (and the Gemini API) has its own "Ask …" code action exactly when it is ready."""

    @pytest.fixture(params=["ready", "no-credentials", "not-installed"])
    def readiness(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def lsp_settings(self, readiness: str, project: Path, tmp_path: Path) -> dict[str, Any]:
        transcript = scenario.write_transcript(tmp_path / "t.jsonl", [{"action": "ask", "answer": scenario.PATCH}])
        settings = scenario.replay_settings(transcript)
        folder = FAKES_BIN if readiness != "not-installed" else tmp_path / "not-installed"
        for agent, executable in EXECUTABLES.items():
            settings["providers"][agent] = {"path": str(folder / executable)}
        settings["providers"]["gemini"] = {"baseUrl": "http://127.0.0.1:9"}
        return settings

    @pytest.fixture
    def lsp_env(self, readiness: str, tmp_path: Path) -> dict[str, str]:
        home = tmp_path / "home"
        home.mkdir()
        env = {"HOME": str(home), "FAKE_CLI_PID_FILE": str(tmp_path / "pids")}
        if readiness != "no-credentials":
            env.update({"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"})
        return env

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_ask_actions_appear_only_for_ready_providers(
        self, client: EditorClient, workspace: Path, readiness: str, tmp_path: Path
    ) -> None:
        uri = open_sample(client, workspace)
        await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
        actions = await scenario.code_actions(
            client, uri, types.Range(start=types.Position(line=4, character=0), end=types.Position(line=6, character=0))
        )
        asks = {a.title: a for a in actions if a.title.startswith("Claif: Ask ")}
        assert "Claif: Ask Replay…" in asks, "the default provider always has its action"
        wanted = {**AGENT_TITLES, "gemini": "Claif: Ask Gemini…"}
        if readiness == "ready":
            for name, title in wanted.items():
                command = asks[title].command
                assert command is not None and command.arguments is not None
                assert command.arguments[0]["provider"] == name
            titles = [a.title for a in actions]
            assert all(titles.count(title) == 1 for title in wanted.values()), titles
        elif readiness == "not-installed":
            assert not set(AGENT_TITLES.values()) & set(asks), sorted(asks)
            assert "Claif: Ask Gemini…" in asks, "the API provider needs no CLI"
        else:
            assert not set(wanted.values()) & set(asks), sorted(asks)
        assert not (tmp_path / "pids").exists(), "listing actions (and checking status) never runs an agent CLI"
