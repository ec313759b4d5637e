"""The `claif-lsp` command line: version, providers, schema, and the server over TCP."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from claif_lsp import __version__
from tests.conftest import server_env

CLI = [sys.executable, "-m", "claif_lsp"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=server_env())


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"claif-lsp {__version__}"


def test_providers_table_names_distribution_status_and_reason() -> None:
    result = run("providers")
    assert result.returncode == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["NAME", "DISTRIBUTION", "STATUS"]
    replay = next(row for row in rows if row.startswith("replay "))
    assert "claif-replay 0.1.0" in replay and " ready " in replay
    anthropic = next(row for row in rows if row.startswith("anthropic "))
    assert "needs_credential" in anthropic and "ANTHROPIC_API_KEY is not set" in anthropic


def test_providers_json_matches_the_command_shape() -> None:
    payload = json.loads(run("providers", "--json").stdout)
    assert payload["active"] == "replay"
    assert {"name", "displayName", "distribution", "version", "state", "reason"} <= set(payload["providers"][0])


def test_schema_formats() -> None:
    vscode = json.loads(run("schema", "--format", "vscode").stdout)
    assert vscode["properties"]["claif.approval"]["enum"] == ["review", "confirm", "auto"]
    assert "| `claif.provider` |" in run("schema", "--format", "markdown").stdout


def test_bad_usage_exits_2() -> None:
    assert run("--log-level", "LOUD").returncode == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_server_over_tcp() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        *CLI, "--tcp", "--port", str(port), env=server_env(), stderr=asyncio.subprocess.DEVNULL
    )
    try:
        client = LanguageClient("tcp-test", "1")
        for _ in range(200):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        result = await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        assert result.server_info is not None and result.server_info.name == "claif-lsp"
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        proc.kill()
        await proc.wait()
