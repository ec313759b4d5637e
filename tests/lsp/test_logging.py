"""End to end: with pygls logging every message body, none of its records reaches ``window/logMessage``; ours do."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import SERVER_COMMAND, server_env
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client


async def test_pygls_records_stay_out_of_the_editor_log(editor: str, workspace: Path, tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    command = [*SERVER_COMMAND, "--pygls-log-level", "DEBUG", "--log-file", str(log_file)]
    config = ClientServerConfig(server_command=command, client_factory=make_editor_client, server_env=server_env())
    client = await config.start()
    assert isinstance(client, EditorClient)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(editor),
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
                initialization_options={"approval": "sometimes"},  # a warning of ours, forwarded
            )
        )
        await scenario.command(client, "claif.providers")
        for _ in range(200):  # the settings warning is logged as it is shown
            if client.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        await client.shutdown_session()
        await client.stop()
    written = log_file.read_text()
    assert " INFO    pygls" in written and "Sending data" in written, "pygls did log message bodies"
    texts = [m.message for m in client.log_messages]
    assert any(t.startswith("claif_lsp.features.lifecycle: claif-lsp") and "ready" in t for t in texts)
    assert any("claif.approval" in t for t in texts)
    pygls_records = [t for t in texts if t.startswith("pygls") or "Sending data" in t or "Message received" in t]
    assert pygls_records == []


async def test_a_change_to_a_never_opened_document_is_a_warning_not_an_error(
    client: EditorClient, workspace: Path
) -> None:
    # pygls raised KeyError here, which was logged as an internal error (and popped up by pygls' default).
    uri = (workspace / "never-opened.py").as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    await scenario.command(client, "claif.providers")  # the server is still answering, after the change
    about = [m for m in client.log_messages if "never-opened.py" in m.message]
    assert [m.type for m in about] == [types.MessageType.Warning], about
    assert "never opened" in about[0].message
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]
    assert [m.message for m in client.messages] == [], "no pop-up"
