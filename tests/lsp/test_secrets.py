"""End to end: API keys never reach logs, the editor's log, pop-ups or error answers, even at TRACE and on a 401."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import SERVER_COMMAND, server_env
from tests.fakes.http_servers import AnthropicServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client

SENTINEL = "sk-claif-SENTINEL-4f1d9c0b7e2a"
MARK = "SENTINEL-4f1d"
"""Part of the key a log line would show even if it cut the key short."""


async def test_keys_stay_out_of_every_log_and_message(editor: str, workspace: Path, tmp_path: Path) -> None:
    uri = scenario.make_project(workspace).as_uri()
    log_file = tmp_path / "server.log"
    # Real APIs echo the rejected key in their 401 body; these servers do the same.
    rejected = f"Incorrect API key provided: {SENTINEL}. You can find your API key at https://example.invalid"
    with (
        OpenAIServer(Reply(status=401, error_message=rejected), Reply(chunks=[scenario.PATCH])) as openai,
        AnthropicServer(Reply(status=401, error_message=f"invalid x-api-key {SENTINEL}")) as anthropic,
    ):
        settings = {"provider": "openai", "cache": {"enabled": False}}
        user_only = {
            "providers": {"openai": {"baseUrl": openai.base_url}, "anthropic": {"baseUrl": anthropic.base_url}}
        }
        command = [*SERVER_COMMAND, "--log-level", "TRACE", "--pygls-log-level", "DEBUG", "--log-file", str(log_file)]
        env = server_env(OPENAI_API_KEY=SENTINEL, ANTHROPIC_API_KEY=SENTINEL)
        config = ClientServerConfig(server_command=command, client_factory=make_editor_client, server_env=env)
        client = await config.start()
        assert isinstance(client, EditorClient)
        errors: list[str] = []
        try:
            client.set_configuration(settings, section="claif", scope_uri=workspace.as_uri())
            await client.initialize_session(
                types.InitializeParams(
                    capabilities=client_capabilities(editor),
                    root_uri=workspace.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
                    initialization_options=user_only,
                )
            )
            client.open_document(uri, scenario.SAMPLE)
            for provider in ("openai", "anthropic"):
                with pytest.raises(JsonRpcException) as failure:
                    await scenario.ask(client, uri, instruction="tidy", provider=provider)
                errors.append(str(failure.value))
            assert (await scenario.ask(client, uri, instruction="tidy", provider="openai"))["proposals"]
        finally:
            await client.shutdown_session()
            await client.stop()
    # The keys were really used, and the failures really were the 401s.
    for server in (openai, anthropic):
        assert any(SENTINEL in value for value in server.requests[0].headers.values())
    assert all("401" in e or "key" in e.lower() for e in errors), errors
    written = log_file.read_text()
    assert " TRACE " in written or " DEBUG " in written, "the log was written at a verbose level"
    places = {
        "log file": written,
        "window/logMessage": "\n".join(m.message for m in client.log_messages),
        "window/showMessage": "\n".join(m.message for m in client.messages),
        "error answers": "\n".join(errors),
    }
    for place, text in places.items():
        assert MARK not in text, f"the API key leaked into the {place}"
