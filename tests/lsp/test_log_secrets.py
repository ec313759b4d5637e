"""End to end: at TRACE, with libraries logging at DEBUG, an API key reaches no log sink.

The OpenAI SDK's HTTP library (httpcore2) logs response headers at DEBUG, and a server may echo the key in
one; logs.py used to quiet a fixed list of logger names. Here a loopback server echoes the key in a header,
and a ``sitecustomize`` in the server process logs the key through a logger named like httpcore2's and
through one no list could know, both set to DEBUG on their own, as libraries do when asked to.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import SERVER_COMMAND, server_env
from tests.fakes.helpers import async_wait_until
from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.conftest import as_plugins_send
from tests.lsp.editor_client import EditorClient, make_editor_client

KEY = "claif-test-KEY-7c1e5b2a9d4f"
"""Not shaped like any known key, so only the rules (not a token pattern) keep it out."""
CHATTER = """
import logging, os, threading, time

def chatter():
    library = logging.getLogger("httpcore2.something")
    library.setLevel(logging.DEBUG)
    unknown = logging.getLogger("brand_new_sdk.transport")
    unknown.setLevel(logging.DEBUG)
    while True:
        time.sleep(0.05)
        key = os.environ.get("OPENAI_API_KEY", "")
        library.debug("receive_response_headers.complete [(b'x-api-key', b'%s')]", key)
        unknown.debug("using key %s", key)
        unknown.warning("retrying; key %s", key)
        open(os.environ["CHATTER_MARK"], "w").close()

threading.Thread(target=chatter, daemon=True).start()
"""


async def test_the_key_reaches_no_sink_whatever_library_logs_it(editor: str, workspace: Path, tmp_path: Path) -> None:
    uri = scenario.make_project(workspace).as_uri()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(CHATTER)
    mark = tmp_path / "chatter-ran"
    log_file = tmp_path / "server.log"
    echo = {"x-request-key": KEY, "openai-organization": KEY}
    with OpenAIServer(Reply(chunks=scenario.pieces(scenario.PATCH), headers=echo)) as openai:
        settings = {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {"openai": {"baseUrl": openai.base_url}},
        }
        command = [*SERVER_COMMAND, "--log-level", "TRACE", "--pygls-log-level", "DEBUG", "--log-file", str(log_file)]
        env = server_env(OPENAI_API_KEY=KEY, PYTHONPATH=str(site), CHATTER_MARK=str(mark), OPENAI_LOG="debug")
        config = ClientServerConfig(server_command=command, client_factory=make_editor_client, server_env=env)
        client = await config.start()
        assert isinstance(client, EditorClient)
        try:
            shared, user_only = as_plugins_send(settings)
            client.set_configuration(shared, section="claif", scope_uri=workspace.as_uri())
            await client.initialize_session(
                types.InitializeParams(
                    capabilities=client_capabilities(editor),
                    initialization_options=user_only,
                    root_uri=workspace.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
                )
            )
            client.open_document(uri, scenario.SAMPLE)
            assert (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
            assert await async_wait_until(lambda: "retrying; key" in log_file.read_text(), timeout=30)
        finally:
            await client.shutdown_session()
            await client.stop()
    assert mark.exists(), "the chatter thread logged while the server ran"
    assert any(KEY in value for value in openai.requests[0].headers.values()), "the key was really sent"
    written = log_file.read_text()
    assert " TRACE " in written or " DEBUG " in written, "the log was written at a verbose level"
    places = {
        "log file": written,
        "window/logMessage": "\n".join(m.message for m in client.log_messages),
        "window/showMessage": "\n".join(m.message for m in client.messages),
    }
    for place, text in places.items():
        assert "7c1e5b2a" not in text, f"the API key leaked into the {place}"
    assert "brand_new_sdk.transport: retrying; key [REDACTED]" in written, "warnings of any library still show"
