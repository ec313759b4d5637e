"""The provider SDK: one public surface, the agent-CLI and HTTP bases, and the providers' use of it."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest

import claif_lsp.sdk as sdk
from claif_lsp.sdk import (
    AgentCliProvider,
    ClaifOptions,
    ConfigurationError,
    Deadline,
    HttpApiProvider,
    ProviderInitError,
    ProviderSettings,
    ProviderState,
    ProviderStatus,
    ReusedClient,
    StreamEvent,
    module_installed,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_surface_exports_exactly_its_names() -> None:
    assert sdk.__all__ == sorted(sdk.__all__, key=lambda name: (name[0].islower(), name))
    assert all(hasattr(sdk, name) for name in sdk.__all__)
    public = {name for name in vars(sdk) if not name.startswith("_")} - {"agent_cli", "conversation", "http_api"}
    assert public == set(sdk.__all__)


def test_a_conversation_prompt_keeps_earlier_turns_first_and_unchanged() -> None:
    first = sdk.Message(role=sdk.Role.USER, content="make it faster")
    answer = sdk.Message(role=sdk.Role.ASSISTANT, content="*** Begin Patch\n*** End Patch")
    assert sdk.conversation_prompt([], "make it faster") == "make it faster"
    two = sdk.conversation_prompt([first, answer], "keep the names")
    three = sdk.conversation_prompt([first, answer, sdk.Message(role=sdk.Role.USER, content="keep the names")], "x")
    assert two.endswith("keep the names") and "make it faster" in two and "*** Begin Patch" in two
    assert three.startswith(two.removesuffix("keep the names"))


def test_bundled_providers_import_claif_lsp_only_through_the_sdk() -> None:
    offenders = []
    for path in sorted((ROOT / "providers").glob("*/claif_*/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("claif_lsp"):
                if node.module != "claif_lsp.sdk":
                    offenders.append(f"{path.relative_to(ROOT)}: from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(ROOT)}: import {a.name}" for a in node.names if "claif_lsp" in a.name]
    assert not offenders


def test_importing_the_sdk_imports_no_vendor_sdk() -> None:
    code = "import sys, claif_lsp.sdk; print(sorted(m for m in ('anthropic', 'openai', 'google.genai', "
    code += "'claude_agent_sdk', 'pytest') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_module_installed_checks_without_importing() -> None:
    assert module_installed("json")
    assert not module_installed("claif_no_such_package")
    assert not module_installed("claif_no_such_package.sub")


class Closable:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False

    async def close(self) -> None:
        self.closed = True


async def test_reused_client_is_kept_per_identity_and_closed_when_it_changes() -> None:
    pool: ReusedClient[Closable] = ReusedClient()
    first = await pool.get(("https://a", "k"), lambda: Closable("a"))
    assert await pool.get(("https://a", "k"), lambda: Closable("again")) is first
    second = await pool.get(("https://a", "other"), lambda: Closable("b"))
    assert second.name == "b" and first.closed and not second.closed
    await pool.close()
    assert second.closed


class Api(HttpApiProvider):
    name = "myapi"
    default_api_key_env = "MYAPI_KEY"
    sdk_module = "claif_no_such_sdk"
    not_installed_reason = "pip install myapi"
    default_base_url = "https://api.example"
    base_url_env = "MYAPI_BASE_URL"

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError
        yield  # pragma: no cover


def api(environ: Mapping[str, str], **settings: object) -> Api:
    provider = Api()
    provider.configure(ProviderSettings.model_validate(settings), environ)
    return provider


def test_http_api_base_url_and_key_naming() -> None:
    assert api({}).base_url() == "https://api.example"
    assert api({"MYAPI_BASE_URL": "http://env"}).base_url() == "http://env"
    assert api({"MYAPI_BASE_URL": "http://env"}, base_url="http://set").base_url() == "http://set"
    assert (api({}).key_source(), api({}).key_origin()) == ("MYAPI_KEY", "MYAPI_KEY")
    command = api({}, api_key_command=["pass", "x"])
    assert (command.key_source(), command.key_origin()) == ("the key from apiKeyCommand", "apiKeyCommand")
    assert api({"MYAPI_KEY": "k"}).ready_status().reason == "https://api.example, key from MYAPI_KEY"


async def test_http_api_missing_sdk_and_key_are_actionable_errors() -> None:
    provider = api({})
    with pytest.raises(ProviderInitError, match="pip install myapi"):
        await provider.connect()
    with pytest.raises(ConfigurationError, match=r"MYAPI_KEY is not set: export it, or set providers\.myapi\."):
        await provider.require_key()
    assert "or point it elsewhere" in provider.missing_key_error("point it elsewhere").message
    assert await api({"MYAPI_KEY": "sk-1"}).require_key() == "sk-1"


class Upper(AgentCliProvider):
    """A CLI that answers its stdin in capitals: Python itself."""

    name = "upper"
    executable_name = Path(sys.executable).name
    install_hint = "install Python"

    def check_settings(self) -> None:
        if "--write" in self.settings.extra_args:
            raise ConfigurationError("--write would let it write", provider=self.name)

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        if "UPPER_TOKEN" not in environ:
            return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason="UPPER_TOKEN is not set")
        return super().login_status(exe, environ)

    def command(self, exe: str, options: ClaifOptions) -> list[str]:
        return [exe, "-c", "import sys; print(sys.stdin.read().upper())"]

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError
        yield  # pragma: no cover


def upper(**settings: object) -> Upper:
    provider = Upper()
    env = settings.pop("env", {})
    provider.configure(
        ProviderSettings.model_validate({"env": env, **settings}), {"PATH": str(Path(sys.executable).parent)}
    )
    return provider


def test_agent_cli_status_template() -> None:
    assert upper(env={"UPPER_TOKEN": "t"}).status() == ProviderStatus(
        state=ProviderState.READY, reason=f"using {Path(sys.executable).parent / Path(sys.executable).name}"
    )
    assert upper().status().state is ProviderState.NEEDS_CREDENTIAL
    bad = upper(env={"UPPER_TOKEN": "t"}, extra_args=["--write"]).status()
    assert (bad.state, bad.reason) == (ProviderState.ERROR, "--write would let it write")
    missing = upper(path="/nonexistent/upper").status()
    assert missing.state is ProviderState.NOT_INSTALLED
    assert missing.reason == "/nonexistent/upper is not an executable; install Python"


async def test_agent_cli_run_writes_the_prompt_after_the_system_prompt_and_reaps_the_process() -> None:
    provider = upper()
    async with provider.run("fix it", ClaifOptions(system_prompt="be brief")) as process:
        lines = [line async for line in process.lines()]
        assert await process.wait() == 0
    assert "\n".join(lines).strip() == "BE BRIEF\n\nFIX IT"
    assert process.returncode == 0
    with pytest.raises(ProviderInitError, match="install Python"):
        async with upper(path="/nonexistent/upper").run("x", ClaifOptions()):
            pass


async def test_deadline_bounds_the_whole_stream_not_each_wait() -> None:
    async def one_then_silence() -> AsyncIterator[str]:
        yield "first"
        await asyncio.Event().wait()  # a stream that stalls forever

    stream = one_then_silence()
    deadline = Deadline(0.2)
    assert await deadline.next(stream) == "first"
    with pytest.raises(TimeoutError):
        await deadline.next(stream)
    await stream.aclose()

    async def two() -> AsyncIterator[int]:
        yield 1
        yield 2

    unbounded, items = Deadline(None), two()
    assert [await unbounded.next(items), await unbounded.next(items), await unbounded.next(items)] == [1, 2, None]
