"""End to end: what the log says about asks and decisions. An expected failure (a missing key) is one warning line
without a traceback; each ask, accept, reject and stale hunk is one info line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import SERVER_COMMAND, server_env
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client

BOUND = 60.0


async def test_asks_and_decisions_are_logged_in_one_line_each(editor: str, workspace: Path, tmp_path: Path) -> None:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(tmp_path / "t.jsonl", [{"action": "ask", "answer": scenario.PATCH}])
    log_file = tmp_path / "server.log"
    command = [*SERVER_COMMAND, "--log-file", str(log_file)]
    config = ClientServerConfig(server_command=command, client_factory=make_editor_client, server_env=server_env())
    client = await config.start()
    assert isinstance(client, EditorClient)
    client.set_configuration(scenario.replay_settings(transcript), section="claif", scope_uri=workspace.as_uri())
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities(editor),
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
            )
        )
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        with pytest.raises(JsonRpcException, match="ANTHROPIC_API_KEY"):
            await asyncio.wait_for(scenario.ask(client, uri, instruction="tidy", provider="anthropic"), BOUND)
        [proposal_id] = (await asyncio.wait_for(scenario.ask(client, uri, instruction="tidy"), BOUND))["proposals"]
        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        first, second = (h["id"] for h in shown["files"][0]["hunks"])
        await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [first]})
        await scenario.command(client, "claif.reject", {"proposal": proposal_id, "hunks": [second]})
    finally:
        await client.shutdown_session()
        await client.stop()
    written = log_file.read_text()
    assert "Traceback" not in written, written
    lines = written.splitlines()
    [failed] = [line for line in lines if ": anthropic ask on app.py: failed:" in line]
    assert " WARNING " in failed and "ANTHROPIC_API_KEY" in failed, failed
    assert not [line for line in lines if " ERROR " in line], written
    [asked] = [line for line in lines if ": replay ask on app.py:" in line]
    assert " INFO " in asked and f"{proposal_id}: 2 hunks in 1 file" in asked and "tokens" in asked, asked
    assert asked.endswith(" s)"), asked
    assert any(f"proposal {proposal_id}: accepted hunk 1 of app.py (partial)" in line for line in lines), written
    assert any(f"proposal {proposal_id}: rejected hunk 2 of app.py (accepted)" in line for line in lines), written
