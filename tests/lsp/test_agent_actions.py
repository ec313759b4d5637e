"""End to end over the fake ACP agent: what the agent reports doing (its reads and edits) is kept in the answer's
session, on disk with it, for every turn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_acp import EDITED, UNSAVED, lsp_settings, options

__all__ = ["lsp_settings", "options"]  # the ACP set-up's fixtures, used here as they are there


@pytest.fixture
def steps() -> list[dict[str, Any]]:
    return [
        {"tool": "read", "title": "Read app.py", "path": "app.py"},
        {"read": "app.py"},
        {"tool": "edit", "title": "Edit app.py", "path": "app.py"},
        {"write": "app.py", "content": EDITED},
        {"say": "Done."},
    ]


@pytest.fixture
def lsp_env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_STATE_HOME": str(tmp_path / "state")}


def kept_session(tmp_path: Path, session_id: str) -> dict[str, Any]:
    [path] = (tmp_path / "state").rglob(f"{session_id}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["session"]


async def test_the_agents_reads_and_edits_are_kept_with_each_turn(
    client: EditorClient, workspace: Path, tmp_path: Path
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, UNSAVED)
    [proposal_id] = (await scenario.ask(client, uri, instruction="review it"))["proposals"]
    session_id = (await scenario.command(client, "claif.proposal", {"proposal": proposal_id}))["session"]

    done = [
        {"kind": "read", "title": "Read app.py", "status": "completed", "turn": "1"},
        {"kind": "edit", "title": "Edit app.py", "status": "completed", "turn": "1"},
    ]
    assert kept_session(tmp_path, session_id)["agent_actions"] == done

    await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": "look again"})

    again = [{**action, "turn": "2"} for action in done]
    assert kept_session(tmp_path, session_id)["agent_actions"] == done + again
