"""claif_lsp.process.AgentProcess with real child processes: streaming, stderr, env, timeout, group kill."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from loguru import logger

from claif_lsp.errors import ProviderInitError, ProviderTimeoutError
from claif_lsp.process import AgentProcess, find_executable, parse_json_line
from claif_lsp.registry import ProviderRegistry
from claif_lsp.settings import ProviderSettings, Settings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions
from tests.fakes.helpers import EVENT_TIMEOUT, alive, async_wait_until, fake_environ, read_pids

SPAWN_CHILD = """
import os, signal, subprocess, sys, time
ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if "stubborn" in sys.argv else ""
if "stubborn" in sys.argv:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
code = "import signal, time; " + ignore + "print(flush=True); time.sleep(3600)"
child = subprocess.Popen([sys.executable, "-c", code],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
child.stdout.readline()  # the child runs (and ignores SIGTERM if stubborn) before anyone may signal it
with open(sys.argv[1], "a") as fh:
    fh.write(f"main {os.getpid()}\\nchild {child.pid}\\n")
print("started", flush=True)
if "exit" in sys.argv:
    sys.exit(0)
time.sleep(3600)
"""


def script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


async def test_lines_arrive_while_the_child_still_runs(tmp_path: Path) -> None:
    # The child prints its second line only after reading ours: buffering until exit would deadlock.
    body = "import sys\nprint('first', flush=True)\nline = sys.stdin.readline()\nprint('echo ' + line.strip())\n"
    async with AgentProcess(
        [sys.executable, str(script(tmp_path, "echo.py", body))], provider="t", environ=os.environ, timeout=30
    ) as proc:
        lines = proc.lines()
        assert await lines.__anext__() == "first"
        await proc.write("ping\n")
        assert await lines.__anext__() == "echo ping"
        assert await proc.wait() == 0


async def test_chatty_stderr_cannot_block_the_child_and_its_tail_is_bounded(tmp_path: Path) -> None:
    body = (
        "import sys\nfor i in range(20000):\n    sys.stderr.write(f'noise {i:05d}\\n')\n"
        "sys.stderr.flush()\nprint('done')\n"
    )
    async with AgentProcess(
        [sys.executable, str(script(tmp_path, "noisy.py", body))],
        provider="t",
        environ=os.environ,
        timeout=30,
        stderr_tail_bytes=100,
    ) as proc:
        assert [line async for line in proc.lines()] == ["done"]
        assert await proc.wait() == 0
    assert len(proc.stderr_tail) <= 100
    assert proc.stderr_tail.endswith("noise 19999")


async def test_environment_is_a_copy_plus_overrides_and_cwd_is_the_workspace(tmp_path: Path) -> None:
    body = (
        "import json, os\nprint(json.dumps({'cwd': os.getcwd(), 'A': os.environ.get('A'), 'B': os.environ.get('B')}))\n"
    )
    environ = {"PATH": os.environ.get("PATH", ""), "A": "from-environ", "B": "old"}
    root = tmp_path / "ws"
    root.mkdir()
    before = dict(os.environ)
    async with AgentProcess(
        [sys.executable, str(script(tmp_path, "env.py", body))],
        provider="t",
        environ=environ,
        env={"B": "override"},
        cwd=root,
        timeout=30,
    ) as proc:
        (line,) = [line async for line in proc.lines()]
    assert parse_json_line(line, "t") == {"cwd": str(root), "A": "from-environ", "B": "override"}
    assert environ["B"] == "old"
    assert dict(os.environ) == before


@pytest.mark.parametrize("agent", ["claude-code", "codex", "gemini-cli"])
async def test_a_query_through_each_agent_provider_leaves_os_environ_alone(
    tmp_path: Path, agent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server's own environment selects a crash: a provider that read os.environ instead of its own
    # environment would fail here, and one that wrote to it would change the snapshot.
    monkeypatch.setenv("FAKE_CLI_SCENARIO", "crash")
    monkeypatch.delenv("FAKE_CLI_RECORD_FILE", raising=False)
    before = dict(os.environ)
    keys = {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"}
    registry = ProviderRegistry(environ=fake_environ(tmp_path, **keys))
    registry.update_settings(Settings(providers={agent: ProviderSettings(timeout=60)}))
    provider = await registry.connected(agent)
    root = tmp_path / "ws"
    root.mkdir()
    answer = await collect_answer(agent, provider.query("fix it", ClaifOptions(workspace_root=root)))
    assert answer.text.startswith("Hello from the fake")
    assert dict(os.environ) == before
    seen = json.loads((tmp_path / "record.json").read_text())
    assert seen["env"]["FAKE_CLI_SCENARIO"] == "normal"


async def test_timeout_raises_and_kills_the_whole_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    with pytest.raises(ProviderTimeoutError, match="did not finish within 1s"):
        async with AgentProcess(
            [sys.executable, str(script(tmp_path, "hang.py", SPAWN_CHILD)), str(pid_file)],
            provider="t",
            environ=os.environ,
            timeout=1,
        ) as proc:
            async for _ in proc.lines():
                pass
    pids = read_pids(pid_file)
    assert not alive(pids["main"])
    assert await async_wait_until(lambda: not alive(pids["child"]))


@pytest.mark.parametrize("mode", ["plain", "stubborn"])
async def test_cancellation_kills_the_group_even_when_it_ignores_sigterm(tmp_path: Path, mode: str) -> None:
    pid_file = tmp_path / "pids"
    started = asyncio.Event()

    async def consume() -> None:
        async with AgentProcess(
            [sys.executable, str(script(tmp_path, "slow.py", SPAWN_CHILD)), str(pid_file), mode],
            provider="t",
            environ=os.environ,
            timeout=300,
            kill_grace=0.5,
        ) as proc:
            async for _ in proc.lines():
                started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), EVENT_TIMEOUT)
    pids = read_pids(pid_file)
    assert alive(pids["main"]) and alive(pids["child"])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(pids["main"])
    assert await async_wait_until(lambda: not alive(pids["child"]))


async def test_leaving_the_block_kills_children_the_cli_left_behind(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    async with AgentProcess(
        [sys.executable, str(script(tmp_path, "leaves.py", SPAWN_CHILD)), str(pid_file), "exit"],
        provider="t",
        environ=os.environ,
        timeout=30,
    ) as proc:
        assert [line async for line in proc.lines()] == ["started"]
        assert await proc.wait() == 0
        child = read_pids(pid_file)["child"]
        assert alive(child)  # the CLI exited but its child still runs ...
    assert await async_wait_until(lambda: not alive(child))  # ... until the request is over


async def test_failure_message_names_exit_code_and_stderr_tail(tmp_path: Path) -> None:
    body = "import sys\nsys.stderr.write('boom: disk on fire\\n')\nsys.exit(7)\n"
    async with AgentProcess(
        [sys.executable, str(script(tmp_path, "fail.py", body))], provider="t", environ=os.environ, timeout=30
    ) as proc:
        assert [line async for line in proc.lines()] == []
        assert await proc.wait() == 7
    assert proc.failure_message() == f"{Path(sys.executable).name} exited with code 7: boom: disk on fire"


async def test_missing_executable_is_an_init_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderInitError, match="not found"):
        async with AgentProcess([str(tmp_path / "no-such-cli")], provider="t", environ=os.environ):
            pass


def test_find_executable_reads_path_from_the_given_environment(tmp_path: Path) -> None:
    exe = tmp_path / "bin" / "agent"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert find_executable("agent", {"PATH": str(exe.parent)}) == str(exe)
    assert find_executable("agent", {"PATH": "/nonexistent"}) is None
    assert find_executable("agent", {"PATH": ""}, configured=str(exe)) == str(exe)
    assert find_executable("agent", {"PATH": "", "HOME": str(tmp_path)}, configured="~/bin/agent") == str(exe)
    assert find_executable("agent", {"PATH": ""}, configured=str(tmp_path / "missing")) is None


def test_parse_json_line_skips_noise() -> None:
    assert parse_json_line('{"type": "x"}', "t") == {"type": "x"}
    assert parse_json_line("not json", "t") is None
    assert parse_json_line('{"type": "trunc', "t") is None
    assert parse_json_line("[1, 2]", "t") is None
    assert parse_json_line("   ", "t") is None


async def test_a_failure_logs_the_stderr_tail_as_a_warning(tmp_path: Path) -> None:
    body = "import sys\nsys.stderr.write('quota exhausted for project x\\n')\nsys.exit(3)\n"
    warnings: list[str] = []
    sink = logger.add(lambda message: warnings.append(str(message)), level="WARNING", format="{message}")
    try:
        async with AgentProcess(
            [sys.executable, str(script(tmp_path, "fail.py", body))], provider="t", environ=os.environ, timeout=30
        ) as proc:
            assert [line async for line in proc.lines()] == []
            assert await proc.wait() == 3
        async with AgentProcess(
            [sys.executable, "-c", "import sys; sys.stderr.write('all fine\\n')"],
            provider="t",
            environ=os.environ,
            timeout=30,
        ) as ok:
            assert await ok.wait() == 0
    finally:
        logger.remove(sink)
    assert [w.strip() for w in warnings] == [
        f"t: {Path(sys.executable).name} exited with code 3: quota exhausted for project x"
    ]
