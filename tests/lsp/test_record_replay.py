"""End to end: record a real provider's answers (OpenAI-compatible, over loopback HTTP), then replay them offline."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.conftest import start_client
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_folders import AREA_ONLY, proposed_text


async def change_settings(client: EditorClient, workspace: Path, settings: dict[str, Any]) -> None:
    """Give the client new settings, tell the server, and wait until it uses them."""
    client.set_configuration(settings, section="claif", scope_uri=workspace.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))

    def options(s: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return s["provider"], {
            name: p.get("options") for name, p in s["providers"].items() if name in settings["providers"]
        }

    for _ in range(200):
        if options((await scenario.command(client, "claif.settings", {}))["settings"]) == options(settings):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the server never applied the new settings")


async def test_record_then_replay_the_same_ask(editor: str, workspace: Path) -> None:
    uri = scenario.make_project(workspace).as_uri()
    transcript = workspace / "transcripts" / "session.jsonl"
    half = len(scenario.PATCH) // 2
    with OpenAIServer(Reply(chunks=[scenario.PATCH[:half], scenario.PATCH[half:]])) as server:
        recording = {"provider": "openai", "cache": {"enabled": False}}
        user_only = {"providers": {"openai": {"baseUrl": server.base_url}}, "record": "transcripts/session.jsonl"}
        client, _ = await start_client(
            editor, workspace, settings=recording, initialization_options=user_only, env={"OPENAI_API_KEY": "test-key"}
        )
        try:
            client.open_document(uri, scenario.SAMPLE)
            assert await proposed_text(client, uri) == ("openai", scenario.EXPECTED_BOTH)
            assert transcript.is_file(), "a relative record path is relative to the workspace root"
            assert not (Path.cwd() / "transcripts" / "session.jsonl").exists()
            [entry] = [json.loads(line) for line in transcript.read_text().splitlines()]
            assert entry["answer"] == scenario.PATCH and entry["provider"] == "openai" and "tidy" in entry["prompt"]

            # The same ask, offline, from the transcript just written (relative to the root as well).
            replaying = scenario.replay_settings(transcript.relative_to(workspace))
            await change_settings(client, workspace, replaying)
            assert await proposed_text(client, uri) == ("replay", scenario.EXPECTED_BOTH)
            assert len(server.requests) == 1, "the replayed ask never reached the network"

            # An exact prompt beats an earlier substring match; a `match` entry answers prompts containing it.
            mixed = scenario.write_transcript(
                workspace / "transcripts" / "mixed.jsonl",
                [{"match": "tidy", "answer": AREA_ONLY}, {"match": "shorten the loop", "answer": AREA_ONLY}, entry],
            )
            await change_settings(client, workspace, {**scenario.replay_settings(mixed), "provider": "replay"})
            assert await proposed_text(client, uri) == ("replay", scenario.EXPECTED_BOTH)
            [proposal_id] = (await scenario.ask(client, uri, instruction="shorten the loop"))["proposals"]
            proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
            assert proposal["files"][0]["proposedText"] == scenario.SAMPLE.replace("r * r", "r ** 2")
        finally:
            await client.shutdown_session()
            await client.stop()
