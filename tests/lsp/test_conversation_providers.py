"""End to end, for each editor preset: ask, accept one hunk, refine, through real providers talking to fakes at
the wire. The refine's request carries the conversation (messages, with ``cache_control`` for Anthropic; the
CLIs' resume arguments; the ACP agent's loaded session), and the new revision keeps the accepted hunk."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.helpers import FAKES_BIN
from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "acp_agent.py"
FEEDBACK = "use sum with a start"
EPHEMERAL = {"type": "ephemeral"}


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


async def ask_accept_one_refine(client: EditorClient, workspace: Path, before_refine: Any = None) -> str:
    """Ask, accept the first hunk, refine the second; check the revision keeps the first and replaces the second."""
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    first = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    hunk_one, hunk_two = (h["id"] for h in first["files"][0]["hunks"])
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [hunk_one]})
    if before_refine is not None:
        before_refine()

    refined = await scenario.command(
        client, "claif.refine", {"proposal": proposal_id, "feedback": FEEDBACK, "hunks": [hunk_two]}
    )

    assert refined == {"proposals": [proposal_id], "errors": []}
    second = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert second["revision"] == 2
    hunks = second["files"][0]["hunks"]
    assert [h["state"] for h in hunks] == ["accepted", "pending"] and hunks[0]["id"] == hunk_one
    assert second["files"][0]["proposedText"] == scenario.EXPECTED_REFINED
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True and client.documents[uri].text == scenario.EXPECTED_REFINED
    return proposal_id


def text_of(content: Any) -> str:
    """A message's text, whether the content is a string or a list of blocks."""
    return content if isinstance(content, str) else "".join(block.get("text", "") for block in content)


class TestHttpProviders:
    @pytest.fixture(params=["openai", "anthropic"])
    def http(self, request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
        replies = (Reply(chunks=scenario.pieces(scenario.PATCH)), Reply(chunks=scenario.pieces(scenario.REFINED)))
        server = OpenAIServer(*replies) if request.param == "openai" else AnthropicServer(*replies)
        with server:
            yield str(request.param), server

    @pytest.fixture
    def lsp_settings(self, http: tuple[str, Any], workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        name, server = http
        return {"provider": name, "cache": {"enabled": False}, "providers": {name: {"baseUrl": server.base_url}}}

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {"ANTHROPIC_API_KEY": "test-key", "OPENAI_API_KEY": "test-key"}

    async def test_the_refine_sends_the_conversation_as_messages(
        self, client: EditorClient, workspace: Path, http: tuple[str, Any]
    ) -> None:
        name, server = http

        await ask_accept_one_refine(client, workspace)

        first, second = (request.body for request in server.requests)
        conversation = [m for m in second["messages"] if m["role"] != "system"]
        asked = [m for m in first["messages"] if m["role"] != "system"]
        assert [m["role"] for m in conversation] == ["user", "assistant", "user"]
        assert conversation[0] == asked[0], "the first turn's message goes again byte for byte"
        assert text_of(conversation[1]["content"]) == scenario.PATCH
        assert FEEDBACK in text_of(conversation[2]["content"])
        if name == "anthropic":
            assert second["system"] == first["system"] and second["system"][0]["cache_control"] == EPHEMERAL
            assert [m["content"][0].get("cache_control") for m in conversation] == [EPHEMERAL] * 3
        else:
            assert second["messages"][0] == first["messages"][0] and first["messages"][0]["role"] == "system"


RESUMED = {
    "claude-code": ["--resume=fake-session-0001"],
    "codex": ["resume", "0199a213-81c0-7800-8aa1-bbab2a035a53", "-"],
    "gemini-cli": ["--resume=c0ffee00-0000-4000-8000-000000000001"],
}
"""How each fake CLI is told to continue the session its first run reported."""


class TestAgentCliProviders:
    @pytest.fixture(params=["claude-code", "codex", "gemini-cli"])
    def agent(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def answer_file(self, workspace: Path) -> Path:
        scenario.make_project(workspace)
        answer = workspace.parent / "answer.txt"
        answer.write_text(scenario.PATCH)
        return answer

    @pytest.fixture
    def lsp_settings(self, agent: str, answer_file: Path) -> dict[str, Any]:
        executable = {"claude-code": "claude", "codex": "codex", "gemini-cli": "gemini"}[agent]
        return {
            "provider": agent,
            "cache": {"enabled": False},
            "providers": {agent: {"path": str(FAKES_BIN / executable)}},
        }

    @pytest.fixture
    def lsp_env(self, answer_file: Path, tmp_path: Path) -> dict[str, str]:
        home = tmp_path / "home"
        home.mkdir()
        return {
            "HOME": str(home),
            "FAKE_CLI_ANSWER_FILE": str(answer_file),
            "FAKE_CLI_RECORD_FILE": str(tmp_path / "record.json"),
            "ANTHROPIC_API_KEY": "test-key",
            "OPENAI_API_KEY": "test-key",
            "GEMINI_API_KEY": "test-key",
        }

    async def test_the_refine_resumes_the_clis_session_with_only_the_new_prompt(
        self, client: EditorClient, workspace: Path, agent: str, answer_file: Path, tmp_path: Path
    ) -> None:
        await ask_accept_one_refine(client, workspace, lambda: answer_file.write_text(scenario.REFINED))

        ran = json.loads((tmp_path / "record.json").read_text())  # the refine's run
        argv = ran["argv"]
        resumed = RESUMED[agent]
        assert any(argv[i : i + len(resumed)] == resumed for i in range(len(argv))), argv
        assert FEEDBACK in ran["stdin"]
        assert "def area(r):" not in ran["stdin"].split(FEEDBACK)[0], "the first turn is in the session, not resent"


class TestAcpAgent:
    @pytest.fixture
    def script_file(self, workspace: Path, tmp_path: Path) -> Path:
        scenario.make_project(workspace)
        script = tmp_path / "script.json"
        self.write_script(script, tmp_path, scenario.EXPECTED_BOTH)
        return script

    @staticmethod
    def write_script(script: Path, tmp_path: Path, content: str) -> None:
        steps = [{"read": "app.py"}, {"write": "app.py", "content": content}, {"say": "Done."}]
        sessions = str(tmp_path / "agent-sessions")
        script.write_text(json.dumps({"report": str(tmp_path / "report.json"), "sessions": sessions, "steps": steps}))

    @pytest.fixture
    def lsp_settings(self, script_file: Path) -> dict[str, Any]:
        return {
            "provider": "acp",
            "cache": {"enabled": False},
            "providers": {
                "acp": {
                    "path": sys.executable,
                    "extraArgs": [str(FAKE_AGENT)],
                    "env": {"FAKE_ACP_SCRIPT": str(script_file)},
                }
            },
        }

    async def test_the_refine_continues_the_agents_session(
        self, client: EditorClient, workspace: Path, script_file: Path, tmp_path: Path
    ) -> None:
        def refine_script() -> None:
            self.write_script(script_file, tmp_path, scenario.EXPECTED_REFINED)

        await ask_accept_one_refine(client, workspace, refine_script)

        report = json.loads((tmp_path / "report.json").read_text())  # the refine's turn
        assert report["loaded"] == report["session"]
        assert FEEDBACK in report["prompt"] and "tidy up" not in report["prompt"]
        assert report["read_0"] == scenario.EXPECTED_FIRST, "the agent's copy holds the accepted hunk"


class TestAnthropicPromptCache:
    @pytest.fixture
    def server(self) -> Iterator[AnthropicServer]:
        replies = (Reply(chunks=scenario.pieces(scenario.PATCH)), Reply(chunks=scenario.pieces(scenario.REFINED)))
        with AnthropicServer(*replies) as server:
            server.prompt_cache.min_tokens = 1  # the sample is far below the API's minimum; cache it anyway
            yield server

    @pytest.fixture
    def lsp_settings(self, server: AnthropicServer, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {
            "provider": "anthropic",
            "cache": {"enabled": False},
            "providers": {"anthropic": {"baseUrl": server.base_url}},
        }

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {"ANTHROPIC_API_KEY": "test-key"}

    async def test_the_refine_reads_the_first_turn_from_the_prompt_cache(
        self, client: EditorClient, workspace: Path, server: AnthropicServer
    ) -> None:
        proposal_id = await ask_accept_one_refine(client, workspace)

        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        first, second = (request.usage or {} for request in server.requests)
        assert first["cache_read_input_tokens"] == 0 and first["cache_creation_input_tokens"] > 0
        assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
        usage = shown["usage"]
        assert usage["cacheReadTokens"] == second["cache_read_input_tokens"]
        assert usage["inputTokens"] == (
            second["input_tokens"] + second["cache_read_input_tokens"] + second["cache_creation_input_tokens"]
        )
        ends = [
            v.message or ""
            for values in client.progress_reports.values()
            for v in values
            if type(v).__name__.endswith("End")
        ]
        assert any("from the prompt cache" in end for end in ends), ends
