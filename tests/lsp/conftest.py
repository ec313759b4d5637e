"""Fixtures that start the real server over stdio for each editor preset."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from claif_lsp import trust
from claif_lsp.configuration import deep_merge
from tests.conftest import EDITORS, SERVER_COMMAND, server_env
from tests.fakes.helpers import EVENT_TIMEOUT
from tests.fakes.http_servers import AnthropicServer, LoopbackServer, OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient, make_editor_client


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    """The editor whose capabilities the test client presents."""
    return str(request.param)


@pytest.fixture
def lsp_settings() -> dict[str, Any]:
    """The user's ``claif`` settings, sent as the editor plugins send them (see as_plugins_send); override per test."""
    return {}


def as_plugins_send(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user's settings split as the VS Code and Neovim plugins send them.

    What only the user may set (:mod:`claif_lsp.trust`) goes in ``initializationOptions``, the second part; the
    rest answers ``workspace/configuration``, the first part.
    """
    shared = copy.deepcopy(settings)
    user_only: dict[str, Any] = {key: shared.pop(key) for key in trust.USER_ONLY_TOP_KEYS if key in shared}
    if shared.get("approval") == trust.AUTO_APPROVAL:
        user_only["approval"] = shared.pop("approval")
    for name, provider in (shared.get("providers") or {}).items():
        kept = {key: provider.pop(key) for key in trust.USER_ONLY_PROVIDER_KEYS if key in provider}
        options = provider.get("options")
        if isinstance(options, dict):
            user_options = {key: options.pop(key) for key in trust.USER_ONLY_PROVIDER_OPTIONS if key in options}
            if user_options:
                kept["options"] = user_options
        if kept:
            user_only.setdefault("providers", {})[name] = kept
    return shared, user_only


@pytest.fixture
def initialization_options() -> dict[str, Any] | None:
    """``initializationOptions``; override per test."""
    return None


@pytest.fixture
def capability_changes() -> dict[str, Any]:
    """Client capabilities to change from the editor preset, by dotted path (``window.show_document``)."""
    return {}


def change_capabilities(capabilities: types.ClientCapabilities, changes: dict[str, Any]) -> None:
    """Set each dotted attribute path of ``capabilities`` to its value (None removes the capability)."""
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        target: Any = capabilities
        for name in parents:
            target = getattr(target, name)
        setattr(target, last, value)


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
    capabilities: dict[str, Any] | None = None,
) -> tuple[EditorClient, types.InitializeResult]:
    """Start the real server and initialize it as ``editor`` would; ``settings`` answer ``workspace/configuration``."""
    config = ClientServerConfig(
        server_command=SERVER_COMMAND, client_factory=make_editor_client, server_env=server_env(**(env or {}))
    )
    client = await config.start()
    assert isinstance(client, EditorClient)
    client.set_configuration(settings or {}, section="claif", scope_uri=root.as_uri())
    preset = client_capabilities(editor)
    change_capabilities(preset, capabilities or {})
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=preset,
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
    capability_changes: dict[str, Any],
) -> AsyncIterator[tuple[EditorClient, types.InitializeResult]]:
    """A running server and its initialize result."""
    shared, user_only = as_plugins_send(lsp_settings)
    if user_only:
        initialization_options = deep_merge(user_only, initialization_options or {})
    client, result = await start_client(
        editor,
        workspace,
        settings=shared,
        initialization_options=initialization_options,
        env=lsp_env,
        capabilities=capability_changes,
    )
    yield client, result
    await client.shutdown_session()
    await client.stop()


@pytest.fixture
def client(client_and_result: tuple[EditorClient, types.InitializeResult]) -> EditorClient:
    """The editor client talking to a running server."""
    return client_and_result[0]


BACKENDS = ["replay", "openai", "anthropic"]
"""Providers the core scenarios run through: the replay transcript and the loopback HTTP servers."""


class Backend:
    """One provider for a scenario: its settings and environment, and what it answers next.

    ``replay`` answers from a transcript; ``openai`` and ``anthropic`` drive the real SDK providers against
    loopback servers speaking each API's streaming format, so cancelling closes a real HTTP stream.
    """

    def __init__(self, name: str, folder: Path, server: LoopbackServer | None = None) -> None:
        self.name = name
        self.server = server
        self.transcript = folder / f"{name}-transcript.jsonl"
        if server is None:
            entries = [
                {"action": "ask", "answer": scenario.PATCH},
                {"action": "explain", "answer": scenario.EXPLANATION},
            ]
            scenario.write_transcript(self.transcript, entries)
        else:
            self.answer(scenario.PATCH)

    @property
    def label(self) -> str:
        """The provider as the Ask action's title names it: its display name and, where that differs, its id."""
        return {"replay": "Replay", "openai": "OpenAI-compatible (openai)", "anthropic": "Claude API (anthropic)"}[
            self.name
        ]

    @property
    def display(self) -> str:
        """The provider's display name as progress and code actions show it."""
        return {"replay": "Replay", "openai": "OpenAI-compatible", "anthropic": "Claude API"}[self.name]

    @property
    def settings(self) -> dict[str, Any]:
        """Settings that select this provider (no cache, so every ask reaches it)."""
        if self.server is None:
            return scenario.replay_settings(self.transcript)
        return {
            "provider": self.name,
            "cache": {"enabled": False},
            "providers": {self.name: {"baseUrl": self.server.base_url}},
        }

    @property
    def env(self) -> dict[str, str]:
        """The API key the HTTP provider needs (a loopback server accepts any)."""
        keys = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
        return {keys[self.name]: "test-key"} if self.name in keys else {}

    def answer(self, text: str) -> None:
        """Answer every following ask with ``text``."""
        if self.server is not None:
            self.server.script(Reply(chunks=scenario.pieces(text)))
        else:
            scenario.write_transcript(self.transcript, [{"answer": text}])

    def stall(self) -> None:
        """Start streaming, then keep the stream open without finishing (until the ask is cancelled)."""
        if self.server is not None:
            self.server.script(Reply(chunks=scenario.pieces(scenario.PATCH), hang_after=3))
            return
        slow = ["*** Begin Patch\n"] + [f"# line {i}\n" for i in range(200)]
        scenario.write_transcript(self.transcript, [{"chunks": slow, "delayMs": 100}])

    def stream_closed(self, timeout: float = EVENT_TIMEOUT) -> bool:
        """True once the HTTP server saw the client hang up mid-stream (always True for replay)."""
        return self.server is None or self.server.wait_for_disconnect(timeout)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, workspace: Path) -> Iterator[Backend]:
    """Each provider the core scenarios run through, with its sample project written."""
    scenario.make_project(workspace)
    name = str(request.param)
    if name == "replay":
        yield Backend(name, workspace.parent)
        return
    server_class = OpenAIServer if name == "openai" else AnthropicServer
    with server_class() as server:
        yield Backend(name, workspace.parent, server)
