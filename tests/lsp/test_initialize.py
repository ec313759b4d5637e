"""End to end: the real server starts, initializes and lists its providers for each editor preset."""

from __future__ import annotations

from lsprotocol import types

from claif_lsp import __version__
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
    assert names["replay"]["state"] == "ready"
    assert names["replay"]["distribution"] == "claif-replay"
    assert result["active"] == "replay"


async def test_our_logs_reach_the_editor_but_not_pygls_bodies(client: EditorClient) -> None:
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="claif.providers"))
    texts = [m.message for m in client.log_messages]
    assert any("claif-lsp" in t and "ready" in t for t in texts)
    assert not any("Sending data" in t or t.startswith("pygls") for t in texts)
