"""End to end through the real server: an ACP agent's edits become a proposal, the workspace untouched until accept.

The agent is the fake written with the SDK's agent side (tests/fakes/acp_agent.py), started by the server as a
real subprocess and scripted per test; it reads the unsaved buffer through ``fs/read_text_file`` and writes
through ``fs/write_text_file`` or to disk itself, which lands in the shadow copy only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from tests.fakes.helpers import Pid, alive, async_wait_until
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_cancel import assert_nothing_left, start_ask, streaming_started

FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "acp_agent.py"
UNSAVED = scenario.SAMPLE.replace("\n", "\n# unsaved edit\n", 1)
"""The buffer differs from the disk, so a proposal built from the disk would not apply to it."""
EDITED = UNSAVED.replace("# unsaved edit", "# unsaved edit, reviewed by the agent")


@pytest.fixture
def steps() -> list[dict[str, Any]]:
    return [
        {"say": "Looking at app.py. "},
        {"read": "app.py"},
        {"tool": "edit", "title": "Edit app.py", "path": "app.py"},
        {"write": "app.py", "content": EDITED},
        {"say": "Done."},
        {"usage": [10, 20]},
    ]


@pytest.fixture
def options() -> dict[str, Any]:
    return {}


@pytest.fixture
def lsp_settings(
    workspace: Path, tmp_path: Path, steps: list[dict[str, Any]], options: dict[str, Any]
) -> dict[str, Any]:
    scenario.make_project(workspace)
    (workspace / "lib").mkdir()
    (workspace / "lib" / "util.py").write_bytes(b"def util():\r\n    return 1\r\n")
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"report": str(tmp_path / "report.json"), "steps": steps}))
    return {
        "provider": "acp",
        "cache": {"enabled": False},
        "providers": {
            "acp": {
                "path": sys.executable,
                "extraArgs": [str(FAKE_AGENT)],
                "env": {"FAKE_ACP_SCRIPT": str(script)},
                "options": options,
            }
        },
    }


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def report(tmp_path: Path) -> dict[str, Any]:
    try:
        return json.loads((tmp_path / "report.json").read_text())
    except (OSError, ValueError):
        return {}


def nothing_of_the_agent_left(tmp_path: Path) -> bool:
    data = report(tmp_path)
    pid = Pid(data["pid"])
    pid.start = data["start"]
    return not alive(pid) and not Path(data["home"]).parent.exists()


async def test_an_agent_edit_is_a_proposal_and_the_tree_is_untouched_until_accept(
    client: EditorClient, workspace: Path, tmp_path: Path
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, UNSAVED)
    before = tree(workspace)
    result = await scenario.ask(client, uri, instruction="review it")
    assert tree(workspace) == before, "the agent wrote the user's files"
    [proposal_id] = result["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    [file] = proposal["files"]
    assert file["path"] == "app.py" and file["proposedText"] == EDITED
    assert client.documents[uri].text == UNSAVED
    assert await async_wait_until(lambda: nothing_of_the_agent_left(tmp_path))
    messages = [
        v.message or ""
        for values in client.progress_reports.values()
        for v in values
        if isinstance(v, types.WorkDoneProgressReport)
    ]
    assert any("Editing app.py" in m or "Done." in m or "Looking" in m for m in messages), messages

    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True
    assert client.documents[uri].text == EDITED
    assert tree(workspace) == before, "the editor owns the buffer; the disk is untouched"


@pytest.mark.parametrize("steps", [[{"write": "/etc/claif-acp-test", "content": "x\n"}, {"say": "tried"}]])
async def test_a_write_outside_the_root_is_refused_and_nothing_is_proposed(
    client: EditorClient, workspace: Path
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    before = tree(workspace)
    with pytest.raises(Exception, match=r"ACP agent changed no file; it said: \[write /etc/claif-acp-test failed"):
        await scenario.ask(client, uri, instruction="escape")
    assert not Path("/etc/claif-acp-test").exists()
    assert tree(workspace) == before


@pytest.mark.parametrize(
    "steps", [[{"permission": "execute", "title": "Run pytest"}, {"disk": "app.py", "content": "x = 1\n"}]]
)
@pytest.mark.parametrize("options", [{"commands": "ask"}])
async def test_with_commands_ask_the_user_is_asked_naming_the_command(
    client: EditorClient, workspace: Path, tmp_path: Path
) -> None:
    client.message_choice = "Refuse"
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    result = await scenario.ask(client, uri, instruction="test it")
    assert len(result["proposals"]) == 1
    assert any("Run pytest" in r.message for r in client.message_requests), client.message_requests
    assert report(tmp_path)["permission_0"] == "no"
    assert (workspace / "app.py").read_text() == scenario.SAMPLE


@pytest.mark.parametrize("steps", [[{"permission": "execute", "title": "Run rm -rf /"}, {"say": "refused"}]])
async def test_commands_are_refused_by_default_without_asking(
    client: EditorClient, workspace: Path, tmp_path: Path
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    await scenario.ask(client, uri, action="explain")
    assert report(tmp_path)["permission_0"] == "no"
    assert not any("rm -rf" in r.message for r in client.message_requests)


@pytest.mark.parametrize("steps", [[{"say": "working "}, {"wait_cancel": True}]])
@pytest.mark.parametrize("path", ["cancel-request", "progress-cancel", "claif-cancel"])
async def test_cancel_stops_the_agent_and_leaves_no_process_copy_or_home(
    client: EditorClient, workspace: Path, tmp_path: Path, path: str
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    before = tree(workspace)
    client.progress_reports["tok"] = []
    pending = start_ask(client, uri, "ask", work_done_token="tok", args={"requestId": "mine"})
    assert await streaming_started(client)
    assert report(tmp_path).get("pid"), "the agent never started"
    if path == "cancel-request":
        client.cancel_request(types.CancelParams(id="ask"))
        with pytest.raises(JsonRpcRequestCancelled):
            await pending
    elif path == "progress-cancel":
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="tok"))
        assert await pending == {"proposals": [], "cancelled": True}
    else:
        assert await scenario.command(client, "claif.cancel", {"request": "mine"}) == {"cancelled": ["mine"]}
        assert await pending == {"proposals": [], "cancelled": True}
    assert await async_wait_until(lambda: nothing_of_the_agent_left(tmp_path)), report(tmp_path)
    assert report(tmp_path).get("cancelled") is True, "session/cancel never reached the agent"
    await assert_nothing_left(client, uri)
    assert tree(workspace) == before
