"""The real ACP agents, driven directly with the SDK's client side against a loopback model: no claif-lsp.

What the provider relies on, checked on each agent as installed by `.ci/setup-clis.sh`: initialize, session/new
and a prompt whose model answer is a tool call that edits app.py. Gemini CLI must send the edit through the
client (``fs/write_text_file``, captured here, the disk untouched); codex-acp and claude-agent-acp must write it to
disk in their cwd. Both ask permission first in the modes configured here, refusing leaves the file as it was, and
``session/cancel`` while the agent waits on its model ends the turn ``cancelled``, after which no process of the
agent survives the connection. Without the agents these tests skip, unless CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import acp
import pytest
from acp.schema import ClientCapabilities, FileSystemCapabilities

from tests.fakes.editing_model_apis import EditingModelApis, ScriptedEdit
from tests.fakes.helpers import async_wait_until
from tests.real_acp.agents import AGENTS, AgentRun, real_agent
from tests.real_acp.client import RecordingClient
from tests.real_clis.test_real_clis import marked_processes

pytestmark = pytest.mark.timeout(600)
"""Real agents start in seconds on an idle machine; under load (2 cores, many users) allow far more."""
BOUND = 240.0
"""How long any one protocol step may take before the test fails (a bound, not a timing assertion)."""
ORIGINAL = "import math\n\n\ndef area(r):\n    return 3 * r * r\n\n\nprint(area(2))\n"
EDIT = ScriptedEdit("app.py", "    return 3 * r * r\n", "    return math.pi * r * r\n", answer="I used math.pi.")
EDITED = ORIGINAL.replace(EDIT.old, EDIT.new)
Connection = acp.ClientSideConnection


@pytest.fixture(params=AGENTS)
def agent(request: pytest.FixtureRequest) -> str:
    real_agent(str(request.param))
    return str(request.param)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "app.py").write_text(ORIGINAL, encoding="utf-8")
    return folder


@pytest.fixture
def model_options() -> dict[str, bool]:
    return {}


@pytest.fixture
def apis(model_options: dict[str, bool]) -> Iterator[EditingModelApis]:
    with EditingModelApis(EDIT, **model_options) as server:
        yield server


@pytest.fixture
def run(agent: str, apis: EditingModelApis, tmp_path: Path) -> Iterator[AgentRun]:
    made = AgentRun(agent, apis.base_url, tmp_path / "scratch")
    yield made
    leftovers = marked_processes(made.marker)
    for pid in leftovers:  # only ours: each carries this run's marker
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@contextlib.asynccontextmanager
async def session(
    run: AgentRun, client: RecordingClient, cwd: Path
) -> AsyncIterator[tuple[acp.ClientSideConnection, str]]:
    """The agent started in ``cwd`` in its own process group, initialized with fs capabilities, and one session.

    On the way out the SDK closes stdin, then terminates the agent's process; that alone leaves codex-acp's native
    binary running (its npm wrapper dies on SIGTERM without passing it on, and the binary ignores stdin's end), so
    the group is then sent SIGTERM, as the provider has to. ``setsid`` execs in place (the child is not a group
    leader), so the agent's pid is its group's id.
    """
    command = ["setsid", *run.command()]
    env = run.env()
    with (run.scratch / "stderr.log").open("wb") as stderr:  # a file: the SDK never reads a stderr pipe
        try:
            async with acp.spawn_agent_process(
                client, command[0], *command[1:], env=env, cwd=cwd, transport_kwargs={"stderr": stderr}
            ) as (conn, process):
                capabilities = ClientCapabilities(fs=FileSystemCapabilities(read_text_file=True, write_text_file=True))
                init = await asyncio.wait_for(
                    conn.initialize(protocol_version=acp.PROTOCOL_VERSION, client_capabilities=capabilities), BOUND
                )
                assert init.protocol_version == acp.PROTOCOL_VERSION
                created = await asyncio.wait_for(conn.new_session(cwd=str(cwd), mcp_servers=[]), BOUND)
                yield conn, created.session_id
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)


async def ask(conn: Connection, session_id: str) -> str:
    """One prompt; its stop reason."""
    prompt = [acp.text_block("Use math.pi in area() in app.py.")]
    response = await asyncio.wait_for(conn.prompt(session_id=session_id, prompt=prompt), BOUND)
    return str(response.stop_reason)


async def test_agent_edits_the_file_after_asking(agent: str, run: AgentRun, cwd: Path, apis: EditingModelApis) -> None:
    client = RecordingClient()
    async with session(run, client, cwd) as (conn, session_id):
        assert await ask(conn, session_id) == "end_turn"
    target = str(cwd / "app.py")
    if run.spec.client_fs:
        assert client.writes == {target: EDITED}, "gemini should write through fs/write_text_file"
        assert (cwd / "app.py").read_text(encoding="utf-8") == ORIGINAL, "a client-fs agent wrote the disk itself"
        assert target in client.reads
    else:
        assert client.writes == {}, f"{agent} is expected to write to disk itself"
        assert (cwd / "app.py").read_text(encoding="utf-8") == EDITED
    assert len(client.permissions) == 1, "the configured mode asks once, before the edit"
    assert "text" in apis.answers(), "the agent should have come back to the model with the tool's result"
    assert client.message_text().strip() == EDIT.answer, "the agent added text of its own to the answer"
    assert await async_wait_until(lambda: not marked_processes(run.marker)), (
        f"{agent} left processes after its connection closed: {marked_processes(run.marker)}"
    )


async def test_refused_edit_leaves_the_file(agent: str, run: AgentRun, cwd: Path, apis: EditingModelApis) -> None:
    client = RecordingClient(permission_kind=None)
    async with session(run, client, cwd) as (conn, session_id):
        # codex ends the turn on a refusal; gemini and claude hand the model a tool error and go on.
        assert await ask(conn, session_id) in {"end_turn", "cancelled"}
    assert client.permissions, f"{agent} edited without asking"
    assert client.writes == {}
    assert (cwd / "app.py").read_text(encoding="utf-8") == ORIGINAL


@pytest.mark.parametrize("model_options", [{"stall": True}])
async def test_cancel_while_the_model_streams(agent: str, run: AgentRun, cwd: Path, apis: EditingModelApis) -> None:
    client = RecordingClient()
    async with session(run, client, cwd) as (conn, session_id):
        pending = asyncio.ensure_future(ask(conn, session_id))
        assert await async_wait_until(apis.stalled.is_set, timeout=BOUND), f"{agent} never reached its model"
        assert marked_processes(run.marker), f"{agent} should be running while its model stalls"
        await conn.cancel(session_id=session_id)
        assert await asyncio.wait_for(pending, BOUND) == "cancelled"
    assert client.writes == {}
    assert (cwd / "app.py").read_text(encoding="utf-8") == ORIGINAL
    assert await async_wait_until(lambda: not marked_processes(run.marker)), (
        f"{agent} left processes after a cancelled turn: {marked_processes(run.marker)}"
    )
