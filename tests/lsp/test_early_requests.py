"""Requests that arrive right after ``initialized``, before the client's settings were pulled, are answered from
those settings, not from the defaults: the code action and code lens handlers wait for them (bounded)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.conftest import start_client


async def test_a_code_action_sent_right_after_initialized_sees_the_clients_settings(
    editor: str, workspace: Path
) -> None:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(workspace.parent / "t.jsonl", [{"answer": scenario.PATCH}])
    uri = (workspace / "app.py").as_uri()
    # The replay provider is ready only with the transcript, which the client sends when the server asks.
    client, _ = await start_client(editor, workspace, settings=scenario.replay_settings(transcript))
    try:
        # Nothing yields between `initialized` (sent by start_client) and these: they are on the wire before
        # the server's workspace/configuration request can be answered.
        client.open_document(uri, scenario.SAMPLE)
        everywhere = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=3, character=0))
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=everywhere,
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        titles = [a.title for a in actions or []]
        assert not [t for t in titles if "set up" in t], titles
        assert any(t.startswith("Claif: Ask") and "Replay" in t for t in titles), titles
    finally:
        await client.shutdown_session()
        await client.stop()
