"""End to end: ``apiKeyCommand`` runs without blocking, dies with its cancelled ask, and reports failures clearly.

The command is a real script: a slow one writes its pid and its child's (a ``sleep`` holding the output pipe),
so the tests see that the whole process group is gone, not just the shell. The settings come through
``initializationOptions``, a source the user controls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from tests.fakes.gemini_server import GeminiReply, GeminiServer
from tests.fakes.helpers import alive, async_wait_until, read_pids
from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

SLOW_KEY = """#!/bin/sh
sleep 600 &
echo "child $!" >> "$1"
echo "main $$" >> "$1"
wait
"""
GOOD_KEY = "#!/bin/sh\necho ' key-from-command '\n"
FAILING_KEY = "#!/bin/sh\necho 'Error: openai is not in the password store.' >&2\nexit 3\n"
SILENT_KEY = "#!/bin/sh\nexit 0\n"
ANSWER_BOUND = 30.0
"""Generous bound on how long a cancelled ask may take to answer (a blocked one would take 600 s)."""


def script(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture(params=["openai"])
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def http(provider: str) -> Iterator[Any]:
    server: Any
    if provider == "gemini":
        server = GeminiServer([GeminiReply(chunks=scenario.pieces(scenario.PATCH))])
    elif provider == "anthropic":
        server = AnthropicServer(Reply(chunks=scenario.pieces(scenario.PATCH)))
    else:
        server = OpenAIServer(Reply(chunks=scenario.pieces(scenario.PATCH)))
    with server:
        yield server


@pytest.fixture
def key_command(tmp_path: Path) -> list[str]:
    return [str(script(tmp_path, "slow-key", SLOW_KEY)), str(tmp_path / "pids")]


@pytest.fixture
def initialization_options(workspace: Path, provider: str, http: Any, key_command: list[str]) -> dict[str, Any]:
    scenario.make_project(workspace)
    settings = {"baseUrl": http.base_url, "apiKeyCommand": key_command}
    return {"provider": provider, "cache": {"enabled": False}, "providers": {provider: settings}}


def start_ask(client: EditorClient, uri: str, msg_id: str, **extra: Any) -> asyncio.Future[Any]:
    arguments = {"uri": uri, "range": scenario.whole_range(), "instruction": "tidy", **extra.pop("args", {})}
    params = types.ExecuteCommandParams(command="claif.ask", arguments=[arguments], **extra)
    return asyncio.wrap_future(client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id))


async def key_command_running(pid_file: Path) -> dict[str, int]:
    assert await async_wait_until(lambda: {"main", "child"} <= set(read_pids(pid_file)), timeout=20)
    pids = read_pids(pid_file)
    assert alive(pids["main"]) and alive(pids["child"])
    return pids


async def assert_gone_and_nothing_sent(client: EditorClient, pids: dict[str, int], http: Any, uri: str) -> None:
    assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]), timeout=10), (
        "the apiKeyCommand (or its child) outlived the cancelled ask"
    )
    assert http.requests == [], "nothing may be sent for a cancelled ask"
    assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE

    def ends() -> list[str | None]:
        reports = [v for vs in client.progress_reports.values() for v in vs]
        return [v.message for v in reports if isinstance(v, types.WorkDoneProgressEnd)]

    # pygls answers a $/cancelRequest itself at once; our progress end may follow it.
    assert await async_wait_until(lambda: bool(ends()), timeout=10)
    assert ends() == ["cancelled"]


class TestCancelKillsTheKeyCommand:
    @pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"], indirect=True)
    async def test_cancel_request(self, client: EditorClient, workspace: Path, tmp_path: Path, http: Any) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        pending = start_ask(client, uri, "ask-key-1")
        pids = await key_command_running(tmp_path / "pids")
        client.cancel_request(types.CancelParams(id="ask-key-1"))
        with pytest.raises(JsonRpcRequestCancelled):
            await asyncio.wait_for(pending, ANSWER_BOUND)
        await assert_gone_and_nothing_sent(client, pids, http, uri)

    async def test_claif_cancel(self, client: EditorClient, workspace: Path, tmp_path: Path, http: Any) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        pending = start_ask(client, uri, "ask-key-2", args={"requestId": "mine"})
        pids = await key_command_running(tmp_path / "pids")
        assert await scenario.command(client, "claif.cancel", {"request": "mine"}) == {"cancelled": ["mine"]}
        assert await asyncio.wait_for(pending, ANSWER_BOUND) == {"proposals": [], "cancelled": True}
        await assert_gone_and_nothing_sent(client, pids, http, uri)

    async def test_progress_cancel(self, client: EditorClient, workspace: Path, tmp_path: Path, http: Any) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        client.progress_reports["tok-key"] = []
        pending = start_ask(client, uri, "ask-key-3", work_done_token="tok-key")
        pids = await key_command_running(tmp_path / "pids")
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="tok-key"))
        assert await asyncio.wait_for(pending, ANSWER_BOUND) == {"proposals": [], "cancelled": True}
        await assert_gone_and_nothing_sent(client, pids, http, uri)


class TestKeyCommandOutcomes:
    @pytest.fixture
    def key_command(self, tmp_path: Path, request: pytest.FixtureRequest) -> list[str]:
        text = getattr(request, "param", GOOD_KEY)
        return [str(script(tmp_path, "key", text))] if text else [str(tmp_path / "no-such-command")]

    async def test_its_output_is_the_key(self, client: EditorClient, workspace: Path, http: Any) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        assert len((await scenario.ask(client, uri, instruction="tidy"))["proposals"]) == 1
        assert http.last_request.headers["authorization"] == "Bearer key-from-command"

    @pytest.mark.parametrize(
        ("key_command", "expected"),
        [
            (FAILING_KEY, r"apiKeyCommand '.*/key' exited with code 3: Error: openai is not in the password store\."),
            (SILENT_KEY, r"apiKeyCommand '.*/key' printed nothing; it must print the key on its standard output"),
            ("", r"apiKeyCommand '.*/no-such-command' not found"),
        ],
        indirect=["key_command"],
    )
    async def test_a_failing_command_is_named(
        self, client: EditorClient, workspace: Path, http: Any, expected: str
    ) -> None:
        uri = scenario.make_project(workspace).as_uri()
        client.open_document(uri, scenario.SAMPLE)
        with pytest.raises(JsonRpcException, match=f"^openai: {expected}$"):
            await scenario.ask(client, uri, instruction="tidy")
        assert http.requests == []
