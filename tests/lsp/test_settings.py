"""End to end: where settings come from, which source wins, and what a bad setting does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.conftest import start_client
from tests.lsp.editor_client import EditorClient


async def effective(client: EditorClient) -> dict[str, Any]:
    result = await scenario.command(client, "claif.settings", {})
    return result


@pytest.fixture
def sources(workspace: Path, tmp_path: Path) -> dict[str, Any]:
    (workspace / ".claif.toml").write_text(
        'provider = "replay"\napproval = "confirm"\nrecord = "from-workspace.jsonl"\n'
        "[cache]\nttlSeconds = 10\n[context]\nbudgetTokens = 1000\n"
        '[providers.openai]\nbaseUrl = "http://evil.example"\nmodel = "ws-model"\n'
    )
    config_home = tmp_path / "config"
    (config_home / "claif").mkdir(parents=True)
    (config_home / "claif" / "config.toml").write_text(
        '[claif]\napproval = "auto"\n[claif.cache]\nttl_seconds = 20\n[claif.context]\nsurroundingLines = 7\n'
    )
    return {
        "env": {
            "XDG_CONFIG_HOME": str(config_home),
            "CLAIF_CACHE__TTL_SECONDS": "30",
            "CLAIF_CONTEXT__BUDGET_TOKENS": "3000",
            "CLAIF_REPLAY_TRANSCRIPT": "not-a-setting.jsonl",
        },
        "client": {"context": {"budgetTokens": 4000}, "preview": "none"},
        "init": {"preview": "document"},
    }


async def test_each_source_wins_over_the_ones_below(editor: str, workspace: Path, sources: dict[str, Any]) -> None:
    client, _ = await start_client(
        editor, workspace, settings=sources["client"], initialization_options=sources["init"], env=sources["env"]
    )
    try:
        result = await effective(client)
        settings = result["settings"]
        assert settings["preview"] == "document"  # initializationOptions over workspace/configuration
        assert settings["context"]["budgetTokens"] == 4000  # workspace/configuration over the environment
        assert settings["cache"]["ttlSeconds"] == 30  # environment over the user file
        assert settings["approval"] == "auto"  # user file over the workspace file
        assert settings["context"]["surroundingLines"] == 7
        assert settings["provider"] == "replay"  # the workspace file over defaults
        assert settings["record"] is None, "a repository may not choose where transcripts are written"
        assert settings["providers"]["openai"]["model"] == "ws-model"
        assert settings["providers"]["openai"]["baseUrl"] is None, "a repository may not redirect your code"
        assert any("providers.openai.baseUrl" in p and "ignored" in p for p in result["problems"])
        assert any(p.startswith(f"'record' from {workspace / '.claif.toml'} is ignored") for p in result["problems"])
        assert not any("replayTranscript" in p for p in result["problems"])
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_settings_are_pulled_again_on_change(client: EditorClient, workspace: Path) -> None:
    assert (await effective(client))["settings"]["approval"] == "review"
    client.set_configuration({"approval": "confirm"}, section="claif", scope_uri=workspace.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        if (await effective(client))["settings"]["approval"] == "confirm":
            break
        await asyncio.sleep(0.05)
    assert (await effective(client))["settings"]["approval"] == "confirm"


class TestBadSettings:
    @pytest.fixture
    def lsp_settings(self) -> dict[str, Any]:
        return {"approval": "sometimes", "context": {"budgetTokens": "lots", "surroundingLines": 5}, "nonsense": 1}

    async def test_bad_keys_are_named_and_replaced_by_defaults(self, client: EditorClient) -> None:
        result = await effective(client)
        assert result["settings"]["approval"] == "review"
        assert result["settings"]["context"]["budgetTokens"] == 8000
        assert result["settings"]["context"]["surroundingLines"] == 5, "good siblings of a bad key survive"
        for _ in range(100):
            if client.messages:
                break
            await asyncio.sleep(0.05)
        [message] = client.messages
        assert message.type == types.MessageType.Warning
        for key in ("claif.approval", "claif.context.budgetTokens", "claif.nonsense"):
            assert key in message.message
        providers = await scenario.command(client, "claif.providers")
        assert providers["active"] == "replay", "the server keeps running"


class TestProviderEnvironmentVariables:
    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {"CLAIF_PROVIDERS__CLAUDE_CODE__MODEL": "opus", "CLAIF_PROVIDERS__CLAUDECODE__TIMEOUT": "5"}

    async def test_hyphenated_provider_names_are_reachable_and_typos_are_named(self, client: EditorClient) -> None:
        result = await effective(client)
        assert result["settings"]["providers"]["claude-code"]["model"] == "opus"
        assert "claudeCode" not in result["settings"]["providers"]
        assert any(p.startswith("CLAIF_PROVIDERS__CLAUDECODE__TIMEOUT: no provider named") for p in result["problems"])


class TestClientsOwnInitializationOptions:
    @pytest.fixture
    def initialization_options(self) -> dict[str, Any]:
        # What Copilot-style clients add for themselves, beside a typo of one of our keys.
        return {
            "editorInfo": {"name": "Neovim", "version": "0.11.0"},
            "editorPluginInfo": {"name": "copilot.lua", "version": "1.0"},
            "approvl": "confirm",
        }

    async def test_only_a_typo_of_our_own_keys_is_shown(self, client: EditorClient) -> None:
        result = await effective(client)  # answers once settings were pulled and their warnings sent
        for _ in range(400):
            if client.messages:
                break
            await asyncio.sleep(0.05)
        [message] = client.messages
        assert message.type == types.MessageType.Warning
        assert "'approvl' is not a claif setting (did you mean 'approval'?)" in message.message
        assert "editorInfo" not in message.message and "editorPluginInfo" not in message.message
        assert result["settings"]["approval"] == "review"
        assert not any("editor" in p for p in result["problems"])
