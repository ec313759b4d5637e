"""End to end: every `claif.*` command answers bad arguments with InvalidParams naming what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

PASTED = (
    "*** Begin Patch\n*** Update File: app.py\n@@ def total(values):\n-    s = 0\n+    s = 0  # sum\n*** End Patch\n"
)


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(workspace.parent / "t.jsonl", [{"answer": scenario.PATCH}])
    return scenario.replay_settings(transcript)


async def run(client: EditorClient, command: str, *arguments: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


BAD = [
    ("claif.ask", [{"uri": "file:///x.py"}], "range: Field required"),
    ("claif.ask", [{"uri": 5, "range": scenario.whole_range()}], "uri: Input should be a valid string"),
    ("claif.ask", [{"uri": "file:///x.py", "range": scenario.whole_range(), "action": "summon"}], "action must be"),
    ("claif.ask", [{"uri": "file:///x.py", "range": scenario.whole_range(), "action": "fix"}], "needs a diagnostic"),
    ("claif.ask", [{"uri": "file:///x.py", "range": scenario.whole_range(), "providers": []}], "at least one"),
    ("claif.ask", ["not an object"], "expected one object argument"),
    ("claif.proposal", [{}], "proposal: Field required"),
    ("claif.proposal", [{"proposal": "p404"}], "no proposal"),
    ("claif.accept", [{"proposal": ["p1"]}], "proposal: Input should be a valid string"),
    ("claif.accept", [{"proposal": "p1", "hunks": "h1"}], "hunks: Input should be a valid list"),
    ("claif.reject", [{"proposal": 7}], "proposal: Input should be a valid string"),
    ("claif.reject", [], "expected one object argument, got 0"),
    ("claif.applyPatch", [{"patch": ""}], "patch: String should have at least 1 character"),
    ("claif.applyPatch", [{"patch": PASTED, "root": "relative/dir"}], "root must be an absolute path or a file URI"),
    ("claif.applyPatch", [{"patch": PASTED, "root": "/"}], "not inside a workspace folder"),
    ("claif.applyPatch", [{"patch": PASTED, "root": "file:///etc"}], "not inside a workspace folder"),
    ("claif.providers", [{"uri": 5}], "uri: Input should be a valid string"),
    ("claif.providers", [{}, {}], "expected one object argument, got 2"),
    ("claif.cancel", [{"request": [1]}], "request"),
    ("claif.cancel", [{"request": True}], "request"),
    ("claif.settings", [{"uri": 5}], "uri: Input should be a valid string"),
    ("claif.settings", ["file:///x.py"], "expected one object argument"),
]


@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_bad_arguments_of_every_command(client: EditorClient) -> None:
    for command, arguments, message in BAD:
        with pytest.raises(JsonRpcInvalidParams, match=message):
            await run(client, command, *arguments)


@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_apply_patch_root_as_path_or_uri_inside_the_workspace(client: EditorClient, workspace: Path) -> None:
    for root in (str(workspace), workspace.as_uri()):
        [proposal] = (await run(client, "claif.applyPatch", {"patch": PASTED, "root": root}))["proposals"]
        described = await run(client, "claif.proposal", {"proposal": proposal})
        assert described["files"][0]["uri"] == (workspace / "app.py").as_uri()
    assert (await run(client, "claif.providers", {"uri": (workspace / "app.py").as_uri()}))["active"] == "replay"
    assert (await run(client, "claif.settings", {}))["settings"]["provider"] == "replay"
    assert await run(client, "claif.cancel") == {"cancelled": []}
