"""End to end with the real ACP agents: claif-lsp (real server, pytest-lsp) asks Gemini CLI (``--acp``), codex-acp
and claude-agent-acp through the claif-acp provider's presets, each agent pointed at a loopback model
(tests/fakes/editing_model_apis.py) whose scripted tool call makes it edit app.py in the shadow workspace.

The agent's edit must come back as a proposal, made on the editor's unsaved text when there is some, while the
workspace stays byte for byte as it was; accepting the proposal applies it in the editor. Cancelling the ask while
the agent waits on its model must leave no process of the agent, no shadow copy and no private HOME. Settings go
where a user would put them (the agents' keys and base URLs in ``providers.<name>.env``, which only user sources
may set). Without the agents these tests skip, unless CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from tests.fakes.editing_model_apis import EditingModelApis, ScriptedEdit
from tests.fakes.helpers import async_wait_until
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_cancel import start_ask
from tests.real_acp.agents import AGENTS, KEY, NODE24_BIN, AgentRun, real_agent
from tests.real_clis.test_real_clis import MARKER_VAR, marked_processes

pytestmark = pytest.mark.timeout(900)
"""Real agents start in seconds on an idle machine; under load (2 cores, many users) allow far more."""
TIMEOUT = 240.0
"""The provider's timeout: far longer than any turn here."""
PROVIDERS = {"gemini": "gemini-agent", "codex-acp": "codex-agent", "claude-agent-acp": "claude-agent"}
"""The claif-acp preset that starts each agent."""
EDIT = ScriptedEdit(
    "app.py",
    "    return math.pi * r * r\n",
    '    """Area of a circle of radius r."""\n    return math.pi * r ** 2\n',
    answer="I documented area() and used r ** 2.",
)


@pytest.fixture(params=AGENTS)
def agent(request: pytest.FixtureRequest) -> str:
    real_agent(str(request.param))
    return str(request.param)


@pytest.fixture
def model_options() -> dict[str, bool]:
    return {}


@pytest.fixture
def apis(model_options: dict[str, bool]) -> Iterator[EditingModelApis]:
    with EditingModelApis(EDIT, **model_options) as server:
        yield server


@pytest.fixture
def run(agent: str, apis: EditingModelApis, tmp_path: Path, workspace: Path) -> AgentRun:
    scenario.make_project(workspace)
    assert EDIT.old in scenario.SAMPLE
    return AgentRun(agent, apis.base_url, tmp_path / "scratch")


@pytest.fixture
def server_tmp(tmp_path: Path) -> Path:
    """The server's TMPDIR, where the provider makes each shadow copy and HOME (and the agents their temp files)."""
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    return folder


def agent_env(run: AgentRun) -> dict[str, str]:
    """What the user puts in ``providers.<name>.env`` for the agent: its model's URL and key, and our marker.

    The provider gives each ask a fresh private HOME, so nothing can be configured in the agent's own files
    there: codex reads its model provider from a CODEX_HOME kept beside it instead.
    """
    env = {MARKER_VAR: run.marker}
    if run.name == "gemini":
        env.update(GOOGLE_GEMINI_BASE_URL=run.base_url, GEMINI_API_KEY=KEY)
    elif run.name == "codex-acp":
        run.write_config()
        env.update(CODEX_HOME=str(run.home / ".codex"), FAKE_KEY=KEY)
    else:
        env.update(ANTHROPIC_BASE_URL=run.base_url, ANTHROPIC_API_KEY=KEY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")
    return env


@pytest.fixture
def lsp_settings(run: AgentRun) -> dict[str, Any]:
    provider = {"path": str(real_agent(run.name)), "timeout": TIMEOUT, "env": agent_env(run)}
    name = PROVIDERS[run.name]
    return {"provider": name, "cache": {"enabled": False}, "providers": {name: provider}}


@pytest.fixture
def lsp_env(run: AgentRun, server_tmp: Path) -> dict[str, str]:
    env = {"TMPDIR": str(server_tmp)}
    if run.name == "claude-agent-acp":  # its `#!/usr/bin/env node` needs Node >= 22, found on the PATH it is given
        env["PATH"] = f"{NODE24_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return env


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def leftovers(server_tmp: Path) -> list[str]:
    """Shadow copies and private HOMEs the provider left in the server's TMPDIR."""
    return sorted(p.name for p in server_tmp.glob("claif-acp-*"))


@pytest.mark.parametrize("unsaved", ["", "# an unsaved line the agent must see\n"])
@pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
async def test_the_agents_edit_is_a_proposal_until_accepted(
    client: EditorClient, run: AgentRun, workspace: Path, apis: EditingModelApis, server_tmp: Path, unsaved: str
) -> None:
    entry = {p["name"]: p for p in (await scenario.command(client, "claif.providers"))["providers"]}
    assert entry[PROVIDERS[run.name]]["state"] == "ready", entry[PROVIDERS[run.name]]["reason"]
    before = tree(workspace)
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, unsaved + scenario.SAMPLE)
    answer = await scenario.ask(client, uri, instruction="document area()")
    [proposal_id] = answer["proposals"]
    assert tree(workspace) == before, f"{run.name} changed the workspace before accept"
    assert leftovers(server_tmp) == [], "the shadow copy outlived the ask"
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    [changed] = proposal["files"]
    assert changed["uri"] == uri
    assert changed["proposedText"] == unsaved + scenario.EXPECTED_FIRST, "the edit, made on the buffer's text"
    assert [a for a in apis.answers() if a not in ("text", "router")], f"{run.name} never called an edit tool"
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True
    assert client.documents[uri].text == unsaved + scenario.EXPECTED_FIRST
    assert tree(workspace) == before, "the editor applies the edit; nothing else writes the workspace"
    assert await async_wait_until(lambda: not marked_processes(run.marker)), (
        f"{run.name} left processes after its ask: {marked_processes(run.marker)}"
    )


@pytest.mark.parametrize("model_options", [{"stall": True}])
@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_cancel_stops_the_agent(
    client: EditorClient, run: AgentRun, workspace: Path, apis: EditingModelApis, server_tmp: Path
) -> None:
    before = tree(workspace)
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    pending = start_ask(client, uri, "ask")
    assert await async_wait_until(apis.stalled.is_set, timeout=TIMEOUT), f"{run.name} never reached its model"
    assert marked_processes(run.marker), f"{run.name} should be running while its model stalls"
    client.cancel_request(types.CancelParams(id="ask"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, timeout=120)
    assert await async_wait_until(lambda: not marked_processes(run.marker)), (
        f"{run.name}: processes outlived the cancelled ask: {marked_processes(run.marker)}"
    )
    assert await async_wait_until(lambda: leftovers(server_tmp) == []), f"left behind: {leftovers(server_tmp)}"
    assert tree(workspace) == before
    assert client.applied_edits == []


@pytest.mark.parametrize("model_options", [{"per_turn": True}])
@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_a_refine_continues_the_conversation(
    client: EditorClient, run: AgentRun, workspace: Path, apis: EditingModelApis, server_tmp: Path
) -> None:
    """Gemini CLI and Claude Code keep their sessions in the private HOME, gone after the ask, so the refine's new
    session gets the earlier turns in its prompt; codex-acp keeps its threads in CODEX_HOME, kept here beside the
    HOME, so session/load continues the thread. Either way the agent's edit is the next revision."""
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    [proposal_id] = (await scenario.ask(client, uri, instruction="document area()"))["proposals"]
    asked = len(apis.requests)

    await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": "keep the docstring short"})

    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["revision"] == 2 and proposal["files"][0]["proposedText"] == scenario.EXPECTED_FIRST
    refine_requests = [json.dumps(r.body) for r in apis.requests[asked:]]
    [sent] = [sent for sent in refine_requests if "keep the docstring short" in sent][:1]
    assert "document area()" in sent, f"{run.name}'s model did not see the first turn"
    if run.name == "codex-acp":
        assert "earlier_request" not in sent and "call_patch" in sent, "the thread was loaded with its tool call"
    else:
        assert "earlier_request" in sent, "a new session got the conversation in its prompt"
    assert await async_wait_until(lambda: not marked_processes(run.marker)), (
        f"{run.name} left processes after the refine: {marked_processes(run.marker)}"
    )
    assert leftovers(server_tmp) == []
