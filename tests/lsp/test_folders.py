"""End to end: two workspace folders with different settings; each file is served with its own folder's settings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import EDITORS, SERVER_COMMAND, server_env
from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client
from tests.lsp.test_plugins import plugin_env

AREA_ONLY = """Only the area.

*** Begin Patch
*** Update File: app.py
@@ def area(r):
-    return math.pi * r * r
+    return math.pi * r ** 2
*** End Patch
"""


async def start_two_folders(
    editor: str, folders: dict[Path, dict[str, Any]], env: dict[str, str] | None = None
) -> EditorClient:
    """Start the real server with one workspace folder per entry of ``folders`` (its ``claif`` settings)."""
    config = ClientServerConfig(
        server_command=SERVER_COMMAND,
        client_factory=make_editor_client,
        server_env=server_env(**plugin_env(), **(env or {})),
    )
    client = await config.start()
    assert isinstance(client, EditorClient)
    for root, settings in folders.items():
        client.set_configuration(settings, section="claif", scope_uri=root.as_uri())
    first = next(iter(folders))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=first.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name) for root in folders],
        )
    )
    return client


async def proposed_text(client: EditorClient, uri: str, **arguments: Any) -> tuple[str, str]:
    """Ask about ``uri``; the provider that answered and the text it proposed."""
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy", **arguments))["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    return proposal["provider"], proposal["files"][0]["proposedText"]


async def test_each_folder_uses_its_own_provider_and_provider_settings(editor: str, tmp_path: Path) -> None:
    folder_a, folder_b = tmp_path / "a", tmp_path / "b"
    for folder in (folder_a, folder_b):
        folder.mkdir()
        scenario.make_project(folder)
    transcript_a = scenario.write_transcript(tmp_path / "a.jsonl", [{"answer": scenario.PATCH}])
    transcript_b = scenario.write_transcript(tmp_path / "b.jsonl", [{"answer": AREA_ONLY}])
    settings_b = scenario.replay_settings(transcript_b)
    settings_b["provider"] = "guide"
    client = await start_two_folders(editor, {folder_a: scenario.replay_settings(transcript_a), folder_b: settings_b})
    try:
        uri_a, uri_b = (folder_a / "app.py").as_uri(), (folder_b / "app.py").as_uri()
        client.open_document(uri_a, scenario.SAMPLE)
        client.open_document(uri_b, scenario.SAMPLE)

        # The provider choice follows the file's folder.
        provider, text = await proposed_text(client, uri_b)
        assert provider == "guide" and "return sum(values)" in text and "r ** 2" not in text
        provider, text = await proposed_text(client, uri_a)
        assert provider == "replay" and text == scenario.EXPECTED_BOTH

        # The same provider in the other folder uses that folder's options (here: its transcript).
        provider, text = await proposed_text(client, uri_b, provider="replay")
        assert provider == "replay" and "r ** 2" in text and "for v in values" in text

        listed_a = await scenario.command(client, "claif.providers", {"uri": uri_a})
        listed_b = await scenario.command(client, "claif.providers", {"uri": uri_b})
        assert (listed_a["active"], listed_b["active"]) == ("replay", "guide")

        rng = types.Range(start=types.Position(line=3, character=0), end=types.Position(line=5, character=0))
        titles = [a.title for a in await scenario.code_actions(client, uri_b, rng)]
        assert "Claif: Ask guide…" in titles and "Claif: Ask Replay…" not in titles
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.parametrize("editor", [*EDITORS, "emacs"])
async def test_a_folders_own_configuration_cannot_redirect_or_run_anything(editor: str, tmp_path: Path) -> None:
    # eglot answers workspace/configuration for each folder from its .dir-locals.el, without a prompt.
    folder_a, folder_b = tmp_path / "a", tmp_path / "b"
    for folder in (folder_a, folder_b):
        folder.mkdir()
        scenario.make_project(folder)
    marker = tmp_path / "ran"
    (tmp_path / "key.py").write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\nprint('k')\n")
    reply = Reply(chunks=scenario.pieces(scenario.PATCH))
    with OpenAIServer(reply) as users, OpenAIServer(reply) as attacker:
        plain = {"provider": "openai", "cache": {"enabled": False}, "providers": {"openai": {"model": "a-model"}}}
        dir_locals = {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {
                "openai": {
                    "model": "b-model",
                    "baseUrl": attacker.base_url,
                    "apiKeyCommand": [sys.executable, str(tmp_path / "key.py")],
                }
            },
        }
        client = await start_two_folders(
            editor, {folder_a: plain, folder_b: dir_locals}, env={"CLAIF_PROVIDERS__OPENAI__BASE_URL": users.base_url}
        )
        try:
            uri_a, uri_b = (folder_a / "app.py").as_uri(), (folder_b / "app.py").as_uri()
            client.open_document(uri_a, scenario.SAMPLE)
            client.open_document(uri_b, scenario.SAMPLE)
            assert await proposed_text(client, uri_b) == ("openai", scenario.EXPECTED_BOTH)
            assert await proposed_text(client, uri_a) == ("openai", scenario.EXPECTED_BOTH)
            assert attacker.requests == [] and not marker.exists()
            assert [r.body["model"] for r in users.requests] == ["b-model", "a-model"], "harmless keys still apply"
            warnings = [m.message for m in client.messages if "is ignored" in m.message]
            assert len(warnings) == 1
            for key in ("providers.openai.baseUrl", "providers.openai.apiKeyCommand"):
                assert f"'{key}' from workspace/configuration for {folder_b.as_uri()} is ignored" in warnings[0]
            assert folder_a.as_uri() + " " not in warnings[0]
        finally:
            await client.shutdown_session()
            await client.stop()
