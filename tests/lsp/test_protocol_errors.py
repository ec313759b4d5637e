"""End to end: every request gets an answer, and expected failures are one log line, never a traceback.

pygls answered nothing to a request whose params did not fit the LSP schema, and logged a traceback (plus a
``window/logMessage`` of type Error) for each request of a method the server does not serve.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import SERVER_COMMAND, server_env
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client
from tests.lsp.raw_client import RawServer

WAIT = 60.0


class Logged:
    """A running server whose log goes to a file, and its client."""

    def __init__(self, client: EditorClient, log_file: Path, uri: str) -> None:
        self.client = client
        self.log_file = log_file
        self.uri = uri

    def lines(self) -> list[str]:
        """The log file's lines so far."""
        return self.log_file.read_text().splitlines() if self.log_file.exists() else []

    def error_log_messages(self) -> list[str]:
        """``window/logMessage`` texts of type Error."""
        return [m.message for m in self.client.log_messages if m.type == types.MessageType.Error]

    async def request(self, method: str, params: Any) -> Any:
        """Send a request with raw params and await its answer (bounded).

        pygls' client would build the typed request and fail to serialise params that do not fit it, so the
        message is written as JSON and its future registered as ``send_request`` does (pygls internals).
        """
        protocol = self.client.protocol
        msg_id = str(uuid.uuid4())
        future: Future[Any] = Future()
        protocol._request_futures[msg_id] = future
        protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return await asyncio.wait_for(asyncio.wrap_future(future), WAIT)


@pytest_asyncio.fixture
async def logged(editor: str, workspace: Path, tmp_path: Path) -> AsyncIterator[Logged]:
    """The real server at DEBUG with its log in a file, the sample project open."""
    log_file = tmp_path / "server.log"
    command = [*SERVER_COMMAND, "--log-file", str(log_file)]
    config = ClientServerConfig(server_command=command, client_factory=make_editor_client, server_env=server_env())
    client = await config.start()
    assert isinstance(client, EditorClient)
    transcript = scenario.write_transcript(tmp_path / "t.jsonl", [{"answer": scenario.PATCH}])
    client.set_configuration(scenario.replay_settings(transcript), section="claif", scope_uri=workspace.as_uri())
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    uri = scenario.make_project(workspace).as_uri()
    client.open_document(uri, scenario.SAMPLE)
    try:
        yield Logged(client, log_file, uri)
    finally:
        await client.shutdown_session()
        await client.stop()


def code_action_params(uri: str, **change: Any) -> dict[str, Any]:
    """Raw codeAction params for ``uri``, with keys changed (None removes one)."""
    params: dict[str, Any] = {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}},
        "context": {"diagnostics": []},
    }
    params.update(change)
    return {k: v for k, v in params.items() if v is not None}


@pytest.mark.parametrize(("change", "field"), [({"range": None}, "range"), ({"range": "all"}, "range.start")])
async def test_params_that_do_not_fit_the_schema_get_invalid_params_naming_the_field(
    logged: Logged, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(JsonRpcInvalidParams, match=rf"params\.{field}\b"):
        await logged.request(types.TEXT_DOCUMENT_CODE_ACTION, code_action_params(logged.uri, **change))
    actions = await scenario.code_actions(logged.client, logged.uri, scenario_range())
    assert actions, "the server still answers a good request"
    assert not [line for line in logged.lines() if "Traceback" in line or " ERROR " in line], logged.lines()
    assert logged.error_log_messages() == []


def scenario_range() -> types.Range:
    return types.Range(start=types.Position(line=3, character=0), end=types.Position(line=5, character=0))


async def test_an_unknown_method_is_method_not_found_and_one_debug_line(logged: Logged) -> None:
    for method in ("claif/noSuchThing", "textDocument/semanticTokens/full", "$/probe"):
        with pytest.raises(JsonRpcMethodNotFound):
            await logged.request(method, {"textDocument": {"uri": logged.uri}})
    logged.client.protocol.notify("claif/noSuchNotification", {})
    await scenario.command(logged.client, "claif.providers")  # after the notification was read
    lines = logged.lines()
    about = [line for line in lines if "noSuch" in line or "semanticTokens" in line or "$/probe" in line]
    assert len(about) == 4 and all(" DEBUG " in line for line in about), about
    assert not [line for line in lines if "Traceback" in line or "internal error" in line]
    assert logged.error_log_messages() == []


async def test_expected_failures_are_one_line_each_never_a_traceback(logged: Logged, workspace: Path) -> None:
    with pytest.raises(JsonRpcInvalidParams):  # bad command arguments
        await scenario.command(logged.client, "claif.ask", {"uri": logged.uri, "range": "everything"})
    with pytest.raises(JsonRpcException) as failed:  # a provider that is not configured: RequestFailed
        await scenario.ask(logged.client, logged.uri, instruction="tidy", provider="openai")
    assert failed.value.code == -32803
    with pytest.raises(JsonRpcException) as mismatch:  # a proposal that does not exist
        await scenario.command(logged.client, "claif.accept", {"proposal": "p404"})
    assert mismatch.value.code in (-32602, -32803)
    lines = logged.lines()
    assert not [line for line in lines if "Traceback" in line or " ERROR " in line], "\n".join(lines)
    assert logged.error_log_messages() == []


async def test_a_patch_path_longer_than_the_os_allows_is_a_clear_error(logged: Logged, tmp_path: Path) -> None:
    long_name = "d" * 300 + "/" + "f" * 5000 + ".py"
    answer = f"*** Begin Patch\n*** Update File: {long_name}\n@@\n-x\n+y\n*** End Patch\n"
    scenario.write_transcript(tmp_path / "t.jsonl", [{"answer": answer}])
    with pytest.raises(JsonRpcException) as failure:
        await scenario.ask(logged.client, logged.uri, instruction="tidy")
    assert failure.value.code == -32803, failure.value
    assert "cannot read" in str(failure.value) and "too long" in str(failure.value).lower()
    assert not [line for line in logged.lines() if "Traceback" in line or " ERROR " in line]


async def test_a_change_to_a_never_opened_document_is_one_warning(logged: Logged, workspace: Path) -> None:
    uri = (workspace / "never-opened.py").as_uri()
    logged.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    await scenario.command(logged.client, "claif.providers")  # read after the change
    lines = logged.lines()
    about = [line for line in lines if "never-opened.py" in line]
    assert len(about) == 1 and " WARNING " in about[0] and "never opened" in about[0], about
    assert not [line for line in lines if "Traceback" in line or "KeyError" in line]
    assert logged.error_log_messages() == [] and logged.client.messages == []


def test_stderr_carries_no_info_lines_by_default_and_the_editor_gets_ready_as_info(
    tmp_path: Path, workspace: Path
) -> None:
    # Neovim's :LspLog and VS Code's output channel show every stderr line as an error.
    server = RawServer(tmp_path / "stderr.txt")
    try:
        server.initialize(workspace)
        server.call(5, "workspace/executeCommand", {"command": "claif.providers", "arguments": []})
        infos = [
            n["params"]
            for n in server.notifications
            if n["method"] == "window/logMessage" and "ready" in n["params"]["message"]
        ]
        assert [p["type"] for p in infos] == [3], "the ready line reaches the editor once, as Info"
    finally:
        server.close()
    stderr = server.stderr()
    assert "ready" not in stderr and " INFO " not in stderr and " DEBUG " not in stderr, stderr
