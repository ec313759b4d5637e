"""Fixtures that start the real server over stdio for each editor preset."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import EDITORS, SERVER_COMMAND, server_env
from tests.lsp.editor_client import EditorClient, make_editor_client


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    """The editor whose capabilities the test client presents."""
    return str(request.param)


@pytest.fixture
def lsp_settings() -> dict[str, Any]:
    """What the client answers to ``workspace/configuration`` for section ``claif``; override per test."""
    return {}


@pytest.fixture
def initialization_options() -> dict[str, Any] | None:
    """``initializationOptions``; override per test."""
    return None


@pytest.fixture
def lsp_env() -> dict[str, str]:
    """Extra environment variables for the server process; override per test."""
    return {}


async def start_client(
    editor: str,
    root: Path,
    *,
    settings: dict[str, Any] | None = None,
    initialization_options: Any = None,
    env: dict[str, str] | None = None,
) -> tuple[EditorClient, types.InitializeResult]:
    """Start the real server and initialize it as ``editor`` would."""
    config = ClientServerConfig(
        server_command=SERVER_COMMAND, client_factory=make_editor_client, server_env=server_env(**(env or {}))
    )
    client = await config.start()
    assert isinstance(client, EditorClient)
    client.set_configuration(settings or {}, section="claif", scope_uri=root.as_uri())
    capabilities = client_capabilities(editor)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=initialization_options,
        )
    )
    encoding = result.capabilities.position_encoding or types.PositionEncodingKind.Utf16
    client.encoding = str(encoding.value if hasattr(encoding, "value") else encoding)
    return client, result


@pytest_asyncio.fixture
async def client_and_result(
    editor: str,
    workspace: Path,
    lsp_settings: dict[str, Any],
    initialization_options: dict[str, Any] | None,
    lsp_env: dict[str, str],
) -> AsyncIterator[tuple[EditorClient, types.InitializeResult]]:
    """A running server and its initialize result."""
    client, result = await start_client(
        editor, workspace, settings=lsp_settings, initialization_options=initialization_options, env=lsp_env
    )
    yield client, result
    await client.shutdown_session()
    await client.stop()


@pytest.fixture
def client(client_and_result: tuple[EditorClient, types.InitializeResult]) -> EditorClient:
    """The editor client talking to a running server."""
    return client_and_result[0]
