"""With no provider ready and no offline replay installed, an ask says what to set (each provider's own reason).

The server runs from a scratch virtual environment holding claif-lsp and claif-anthropic only (built offline from
this checkout, as a user who left claif-replay out of the install command has), with no key in its environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from tests.conftest import ROOT, server_env
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def anthropic_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with claif-lsp and claif-anthropic, and no other provider."""
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the scratch environment"
    venv = tmp_path_factory.mktemp("anthropic-only") / "venv"
    python = str(venv / "bin" / "python")
    for argv in (
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--python",
            python,
            str(ROOT),
            str(ROOT / "providers/claif-anthropic"),
        ],
    ):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    return venv


@pytest_asyncio.fixture
async def bare_client(anthropic_only: Path, workspace: Path) -> AsyncIterator[EditorClient]:
    config = ClientServerConfig(
        server_command=[str(anthropic_only / "bin" / "python"), "-m", "claif_lsp", "--log-level", "DEBUG"],
        client_factory=make_editor_client,
        server_env=server_env(),
    )
    client = await config.start()
    assert isinstance(client, EditorClient)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)],
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_an_ask_with_nothing_ready_says_what_to_set(bare_client: EditorClient, workspace: Path) -> None:
    listed = await scenario.command(bare_client, "claif.providers")
    assert [p["name"] for p in listed["providers"]] == ["anthropic"]
    assert listed["active"] == "none"
    uri = scenario.make_project(workspace).as_uri()
    bare_client.open_document(uri, scenario.SAMPLE)
    with pytest.raises(JsonRpcException) as raised:
        await scenario.ask(bare_client, uri, instruction="tidy")
    message = str(raised.value)
    assert "no provider is ready: anthropic: ANTHROPIC_API_KEY is not set" in message, message
    assert "'replay'" not in message
