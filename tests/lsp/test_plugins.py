"""End to end: third-party plugins found through entry points, a guide-style one and a broken one.

The plugins are installed by metadata only (a .dist-info folder on PYTHONPATH), exactly as pip would leave them.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from claif_lsp.settings import DEFAULT_AUTO_ORDER
from tests.conftest import server_env
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

PLUGINS = Path(__file__).resolve().parents[1] / "fakes" / "plugins"


def plugin_env() -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture
def lsp_env() -> dict[str, str]:
    return plugin_env()


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    return {"provider": "guide", "cache": {"enabled": False}}


async def test_guide_style_provider_works_unchanged(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    [proposal_id] = (await scenario.ask(client, uri, instruction="simplify"))["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["provider"] == "guide"
    assert "return sum(values)" in proposal["files"][0]["proposedText"]
    # The plugin printed to stdout mid-request; the session is still healthy.
    providers = await scenario.command(client, "claif.providers")
    assert providers["configured"] == "guide"


async def test_guide_style_errors_reach_the_user(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    with pytest.raises(JsonRpcException, match=r"^guide: MyProvider query failed: scripted"):
        await scenario.ask(client, uri, instruction="please fail")


async def test_broken_plugin_is_reported_and_the_server_stays_up(client: EditorClient) -> None:
    providers = {p["name"]: p for p in (await scenario.command(client, "claif.providers"))["providers"]}
    assert providers["broken"]["state"] == "error"
    assert "ImportError" in providers["broken"]["reason"] and "scripted" in providers["broken"]["reason"]
    assert providers["guide"]["state"] == "ready"
    assert providers["guide"]["distribution"] == "claif-guide-provider"


def frame(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_stdout_carries_only_json_rpc_even_when_a_provider_prints(workspace: Path) -> None:
    """Read the raw stdout: every byte must belong to a Content-Length frame (VS Code's reader is that strict)."""
    scenario.make_project(workspace)
    uri = (workspace / "app.py").as_uri()
    rng = scenario.whole_range()
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "capabilities": {},
                "rootUri": workspace.as_uri(),
                "initializationOptions": {"provider": "guide"},
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": scenario.SAMPLE}},
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "workspace/executeCommand",
            "params": {"command": "claif.ask", "arguments": [{"uri": uri, "range": rng, "instruction": "simplify"}]},
        },
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "claif_lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=server_env(**plugin_env()),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"".join(frame(m) for m in messages))
    proc.stdin.flush()
    answers: dict[int, Any] = {}
    while 2 not in answers:
        headers: dict[bytes, bytes] = {}
        while (line := proc.stdout.readline()) != b"\r\n":
            name, sep, value = line.partition(b": ")
            assert sep and name in (b"Content-Length", b"Content-Type"), f"stray bytes on stdout: {line!r}"
            headers[name] = value.strip()
        length = int(headers[b"Content-Length"])
        message = json.loads(proc.stdout.read(length))
        if "id" in message and "method" not in message:
            answers[message["id"]] = message
    shutdown = frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"})
    _, stderr = proc.communicate(shutdown, timeout=30)
    assert answers[2]["result"]["proposals"] == ["p1"]
    assert b"stray output from an SDK" in stderr


class TestConnectFailure:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {"provider": "auto", "autoOrder": ["unreachable", "guide"], "cache": {"enabled": False}}

    async def test_a_failed_connect_is_reported_skipped_by_auto_and_retried_after_a_settings_change(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        before = await scenario.command(client, "claif.providers")
        assert before["active"] == "unreachable"

        with pytest.raises(JsonRpcException, match=r"unreachable: connect failed: .*refused the connection"):
            await scenario.ask(client, uri, instruction="simplify")

        after = await scenario.command(client, "claif.providers")
        listed = {p["name"]: p for p in after["providers"]}
        assert listed["unreachable"]["state"] == "error"
        assert "connect failed" in listed["unreachable"]["reason"] and "refused" in listed["unreachable"]["reason"]
        assert after["active"] == "guide", "auto skips a provider that failed to connect"
        [proposal_id] = (await scenario.ask(client, uri, instruction="simplify"))["proposals"]
        assert (await scenario.command(client, "claif.proposal", {"proposal": proposal_id}))["provider"] == "guide"

        fixed = {
            "provider": "auto",
            "autoOrder": ["unreachable", "guide"],
            "providers": {"unreachable": {"options": {"reachable": True}}},
        }
        client.set_configuration(fixed, section="claif", scope_uri=workspace.as_uri())
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        for _ in range(100):
            if (await scenario.command(client, "claif.providers"))["active"] == "unreachable":
                break
            await asyncio.sleep(0.05)
        result = await scenario.ask(client, uri, action="explain")
        assert result["answer"] == "Reached.\n" and result["errors"] == []


class TestAutoFindsAThirdPartyProvider:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {"provider": "auto", "cache": {"enabled": False}}

    async def test_auto_answers_through_the_only_ready_provider_though_auto_order_does_not_name_it(
        self, client: EditorClient, workspace: Path
    ) -> None:
        assert "guide" not in DEFAULT_AUTO_ORDER
        providers = await scenario.command(client, "claif.providers")
        ready = [p["name"] for p in providers["providers"] if p["state"] == "ready"]
        assert "guide" in ready and not set(ready) & set(DEFAULT_AUTO_ORDER), ready
        assert providers["active"] == "guide", "after autoOrder, auto tries the other ready providers by name"
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        [proposal_id] = (await scenario.ask(client, uri, instruction="simplify"))["proposals"]
        assert (await scenario.command(client, "claif.proposal", {"proposal": proposal_id}))["provider"] == "guide"
