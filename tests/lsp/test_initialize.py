"""End to end: the real server starts, initializes and lists its providers for each editor preset."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from claif_lsp import __version__
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient


async def test_server_identifies_itself(
    client_and_result: tuple[EditorClient, types.InitializeResult],
) -> None:
    _, result = client_and_result
    assert result.server_info is not None
    assert (result.server_info.name, result.server_info.version) == ("claif-lsp", __version__)
    commands = result.capabilities.execute_command_provider
    assert commands is not None and "claif.providers" in commands.commands
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions)
    assert sync.change == types.TextDocumentSyncKind.Incremental


async def test_providers_command_lists_replay(client: EditorClient) -> None:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="claif.providers", arguments=[])
    )
    names = {p["name"]: p for p in result["providers"]}
    assert names["replay"]["state"] == "needs_config", "no transcript is configured"
    assert "providers.replay.options.transcript" in names["replay"]["reason"]
    assert names["replay"]["distribution"] == "claif-replay"
    assert result["active"] == "replay", "auto falls back to the offline provider"


async def test_auto_fallback_without_a_transcript_says_what_to_set(client: EditorClient, workspace: Path) -> None:
    uri = scenario.make_project(workspace).as_uri()
    client.open_document(uri, scenario.SAMPLE)
    with pytest.raises(JsonRpcException, match=r"^replay: no transcript to replay: set providers\.replay"):
        await scenario.ask(client, uri, instruction="tidy")


async def test_our_logs_reach_the_editor_but_not_pygls_bodies(client: EditorClient) -> None:
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="claif.providers"))
    texts = [m.message for m in client.log_messages]
    assert any("claif-lsp" in t and "ready" in t for t in texts)
    assert not any("Sending data" in t or t.startswith("pygls") for t in texts)
