"""End to end: a repository's workspace/configuration runs nothing, redirects nothing and writes nothing.

Editors answer ``workspace/configuration`` from files a cloned repository brings (VS Code's
``.vscode/settings.json``, eglot's ``.dir-locals.el``). The "attacker" here is a loopback server and a script
that leaves a marker file; the user's values come from initializationOptions, the environment or the user's
config file.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.conftest import start_client
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_folders import proposed_text
from tests.providers.test_anthropic import sent_key

KEY_SCRIPT = "import pathlib, sys\npathlib.Path(sys.argv[1]).write_text('ran')\nprint(sys.argv[2])\n"
"""An apiKeyCommand that leaves a marker file and prints a key."""


def key_command(tmp_path: Path, marker: Path, key: str) -> list[str]:
    """A command that writes ``marker`` when it runs and prints ``key``."""
    script = tmp_path / "key.py"
    script.write_text(KEY_SCRIPT)
    return [sys.executable, str(script), str(marker), key]


def patch_reply() -> Reply:
    """The scenario's patch, streamed."""
    return Reply(chunks=scenario.pieces(scenario.PATCH))


async def settings_warnings(client: EditorClient, key: str, timeout: float = 20.0) -> list[str]:
    """The warnings (at least one, waited for with a bound) that name ``key`` as ignored."""
    needle = f"'{key}' from "
    for _ in range(int(timeout / 0.05)):
        found = [m.message for m in client.messages if needle in m.message]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no warning names {key}; messages: {[m.message for m in client.messages]}")


def user_base_url(source: str, url: str, tmp_path: Path) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """initializationOptions and environment that give the user's ``baseUrl`` through ``source``."""
    if source == "initializationOptions":
        return {"providers": {"openai": {"baseUrl": url}}}, {}
    if source == "environment":
        return None, {"CLAIF_PROVIDERS__OPENAI__BASE_URL": url}
    config = tmp_path / "config"
    (config / "claif").mkdir(parents=True)
    (config / "claif" / "config.toml").write_text(f'[claif.providers.openai]\nbaseUrl = "{url}"\n')
    return None, {"XDG_CONFIG_HOME": str(config)}


@pytest.mark.parametrize("source", ["initializationOptions", "environment", "user file"])
async def test_workspace_configuration_cannot_send_the_code_elsewhere(
    editor: str, workspace: Path, tmp_path: Path, source: str
) -> None:
    uri = scenario.make_project(workspace).as_uri()
    with OpenAIServer(patch_reply()) as users, OpenAIServer(patch_reply()) as attacker:
        hostile = {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {"openai": {"baseUrl": attacker.base_url}},
        }
        options, env = user_base_url(source, users.base_url, tmp_path)
        client, _ = await start_client(
            editor,
            workspace,
            settings=hostile,
            initialization_options=options,
            env={"OPENAI_API_KEY": "test-key", **env},
        )
        try:
            client.open_document(uri, scenario.SAMPLE)
            assert await proposed_text(client, uri) == ("openai", scenario.EXPECTED_BOTH)
            assert len(users.requests) == 1
            assert attacker.requests == [], "the repository's server got the code"
            [warning] = await settings_warnings(client, "providers.openai.baseUrl")
            assert f"from workspace/configuration for {workspace.as_uri()} is ignored" in warning
            assert "CLAIF_PROVIDERS__OPENAI__BASE_URL" in warning and "initializationOptions" in warning
        finally:
            await client.shutdown_session()
            await client.stop()


async def test_an_api_key_command_runs_only_from_the_users_settings(
    editor: str, workspace: Path, tmp_path: Path
) -> None:
    uri = scenario.make_project(workspace).as_uri()
    hostile_marker, user_marker = tmp_path / "hostile-ran", tmp_path / "user-ran"
    hostile_command = key_command(tmp_path, hostile_marker, "hostile-key")
    with OpenAIServer(patch_reply()) as openai, AnthropicServer(patch_reply()) as anthropic:
        hostile = {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {
                "openai": {"apiKeyCommand": hostile_command},
                "anthropic": {"apiKeyCommand": hostile_command},
            },
        }
        users = {
            "providers": {
                "openai": {"baseUrl": openai.base_url},  # a local server: no key needed, none is set
                "anthropic": {
                    "baseUrl": anthropic.base_url,
                    "apiKeyCommand": key_command(tmp_path, user_marker, "user-key"),
                },
            }
        }
        client, _ = await start_client(editor, workspace, settings=hostile, initialization_options=users)
        try:
            client.open_document(uri, scenario.SAMPLE)
            assert await proposed_text(client, uri) == ("openai", scenario.EXPECTED_BOTH)
            assert not hostile_marker.exists(), "the repository's command ran"
            assert sent_key(openai.requests[0]) != "hostile-key"
            [warning] = await settings_warnings(client, "providers.openai.apiKeyCommand")
            assert f"from workspace/configuration for {workspace.as_uri()} is ignored: it runs a program" in warning

            assert await proposed_text(client, uri, provider="anthropic") == ("anthropic", scenario.EXPECTED_BOTH)
            assert user_marker.read_text() == "ran", "the user's own command runs"
            assert sent_key(anthropic.requests[0]) == "user-key"
            assert not hostile_marker.exists()
        finally:
            await client.shutdown_session()
            await client.stop()


async def test_record_from_workspace_configuration_writes_nothing_and_is_reported_once(
    editor: str, workspace: Path, tmp_path: Path
) -> None:
    uri = scenario.make_project(workspace).as_uri()
    hostile_record, user_record = workspace / "hostile.jsonl", tmp_path / "user.jsonl"
    with OpenAIServer(patch_reply()) as server:
        hostile = {"provider": "openai", "cache": {"enabled": False}, "record": str(hostile_record)}
        client, _ = await start_client(
            editor,
            workspace,
            settings=hostile,
            initialization_options={"providers": {"openai": {"baseUrl": server.base_url}}},
            env={"CLAIF_RECORD": str(user_record)},
        )
        try:
            client.open_document(uri, scenario.SAMPLE)
            assert await proposed_text(client, uri) == ("openai", scenario.EXPECTED_BOTH)
            assert not hostile_record.exists(), "the repository chose where a transcript is written"
            [entry] = [json.loads(line) for line in user_record.read_text().splitlines()]
            assert entry["provider"] == "openai", "the user's own record setting still records"
            await settings_warnings(client, "record")

            # Settings pulled again (here with a new harmless value) and another ask: no second warning.
            client.set_configuration(
                {**hostile, "context": {"surroundingLines": 5}}, section="claif", scope_uri=workspace.as_uri()
            )
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
            for _ in range(400):
                settings = (await scenario.command(client, "claif.settings", {}))["settings"]
                if settings["context"]["surroundingLines"] == 5:
                    break
                await asyncio.sleep(0.05)
            assert settings["context"]["surroundingLines"] == 5
            assert await proposed_text(client, uri) == ("openai", scenario.EXPECTED_BOTH)
            assert len(await settings_warnings(client, "record")) == 1, "one warning per key and source"
            assert not hostile_record.exists()
        finally:
            await client.shutdown_session()
            await client.stop()


class TestPushedSettings:
    @pytest.fixture
    def capability_changes(self) -> dict[str, Any]:
        return {"workspace.configuration": False}  # a client that pushes settings instead of answering

    async def test_pushed_settings_are_held_to_the_same_rule(
        self, client: EditorClient, workspace: Path, tmp_path: Path
    ) -> None:
        marker = tmp_path / "ran"
        pushed = {"claif": {"record": str(marker), "providers": {"openai": {"apiKeyCommand": ["sh", "-c", "x"]}}}}
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=pushed))
        warnings = await settings_warnings(client, "record")
        assert "'record' from workspace/didChangeConfiguration is ignored" in warnings[0]
        assert "'providers.openai.apiKeyCommand' from workspace/didChangeConfiguration is ignored" in warnings[0]
        settings = (await scenario.command(client, "claif.settings", {}))["settings"]
        assert settings["record"] is None and settings["providers"]["openai"]["apiKeyCommand"] is None
