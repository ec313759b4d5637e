"""End to end with the real agent CLIs: claif-lsp (real server, pytest-lsp) drives Claude Code, Codex and Gemini CLI,
each pointed at a loopback fake of its model API (tests/real_clis/model_apis.py).

The CLIs come from `.ci/setup-clis.sh` (Gemini CLI and Codex from npm into .cache/clis) and the claude-agent-sdk wheel
(its bundled `claude`). Without them these tests skip, unless CI=true, where they fail. Every CLI run gets a private
HOME and a marker variable in the server's environment, so a test finds each process a CLI left behind by reading
/proc (skipping the server itself), whatever process group it moved to.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from claif_claude_code.provider import ClaudeCodeProvider
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled

from tests.conftest import ROOT
from tests.fakes.helpers import async_wait_until
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_cancel import start_ask
from tests.lsp.test_conversation_providers import FEEDBACK
from tests.real_clis.model_apis import ModelApis

AGENTS = ["claude-code", "codex", "gemini-cli"]
KEY_VAR = "LOOPBACK_KEY"
MARKER_VAR = "CLAIF_REAL_CLI_TEST_RUN"
pytestmark = pytest.mark.timeout(900)
"""Real CLIs start in seconds on an idle machine; under load (2 cores, many users) allow far more."""
TIMEOUT = 240.0
"""The providers' timeout: far longer than any answer here, so a run that waits out retries fails by its message."""


def in_ci() -> bool:
    """True under CI (`.ci/run` exports CI=true): the real CLIs must then be installed."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def installed(agent: str) -> Path | None:
    """The real CLI for ``agent`` when installed (newest version under .cache/clis), else None."""
    if agent == "claude-code":
        bundled = ClaudeCodeProvider.bundled_cli()
        return Path(bundled) if bundled else None
    name = {"codex": "codex", "gemini-cli": "gemini"}[agent]
    found = [
        path
        for path in sorted((ROOT / ".cache" / "clis").glob(f"{name}-*/node_modules/.bin/{name}"))
        if (path.parents[2] / ".installed").is_file()  # a finished install (.ci/setup-clis.sh writes it last)
    ]
    return found[-1] if found else None


def real_cli(agent: str) -> Path:
    """The CLI's path; skips the test when it is missing, fails when CI=true."""
    path = installed(agent)
    if path is None:
        why = f"the real {agent} CLI is not installed (run .ci/setup-clis.sh)"
        if in_ci():
            pytest.fail(f"CI=true but {why}")
        pytest.skip(why)
    return path


def marked_processes(marker: str) -> list[int]:
    """Live processes other than the server whose environment carries ``marker``: the CLIs and their children."""
    needle = f"{MARKER_VAR}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if b"claif_lsp" in (entry / "cmdline").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


class Setup:
    """One agent's setup: its private HOME, the server's environment and claif's settings for it."""

    def __init__(self, agent: str, apis: ModelApis, tmp_path: Path, workspace: Path, style: str) -> None:
        self.agent = agent
        self.apis = apis
        self.workspace = workspace
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)
        self.marker = uuid.uuid4().hex
        self.style = style
        """``claif``: baseUrl and apiKeyEnv in claif's settings; ``cli``: the gateway in the CLI's own config."""
        self.trust = True

    def env(self) -> dict[str, str]:
        tmp = self.home.parent / "tmp"  # Gemini CLI writes an error report there for every failed request
        tmp.mkdir(exist_ok=True)
        env = {"HOME": str(self.home), "TMPDIR": str(tmp), KEY_VAR: "loopback-key", "NO_BROWSER": "1"}
        env[MARKER_VAR] = self.marker
        if self.agent == "claude-code":
            # As root, Claude Code refuses to run without IS_SANDBOX; its side traffic has no fake.
            env.update(IS_SANDBOX="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")
        if self.style == "cli" and self.agent == "gemini-cli":
            env.update(GOOGLE_GEMINI_BASE_URL=self.apis.base_url, GEMINI_API_KEY="loopback-key")
        return env

    def write_cli_config(self, auth_type: bool = True) -> None:
        """The CLI's own files: what a user (or a company's setup script) would have written."""
        if self.agent == "gemini-cli":
            folder = self.home / ".gemini"
            folder.mkdir(exist_ok=True)
            if auth_type:
                (folder / "settings.json").write_text(
                    json.dumps({"security": {"auth": {"selectedType": "gemini-api-key"}}})
                )
            if self.style == "cli" and self.trust:
                (folder / "trustedFolders.json").write_text(json.dumps({str(self.workspace): "TRUST_FOLDER"}))
        elif self.style == "cli" and self.agent == "claude-code":
            folder = self.home / ".claude"
            folder.mkdir(exist_ok=True)
            env = {"ANTHROPIC_BASE_URL": self.apis.base_url, "ANTHROPIC_API_KEY": "loopback-key"}
            (folder / "settings.json").write_text(json.dumps({"env": env}))
        elif self.style == "cli" and self.agent == "codex":
            folder = self.home / ".codex"
            folder.mkdir(exist_ok=True)
            (folder / "config.toml").write_text(
                'model_provider = "company"\nmodel = "gpt-test"\n\n[model_providers.company]\nname = "Company"\n'
                f'base_url = "{self.apis.base_url}/v1"\nwire_api = "responses"\nenv_key = "{KEY_VAR}"\n'
            )

    def settings(self) -> dict[str, Any]:
        provider: dict[str, Any] = {"path": str(real_cli(self.agent)), "timeout": TIMEOUT}
        if self.style == "claif":
            base = f"{self.apis.base_url}/v1" if self.agent == "codex" else self.apis.base_url
            provider.update(baseUrl=base, apiKeyEnv=KEY_VAR)
            if self.agent == "codex":
                provider["model"] = "gpt-test"
            if self.agent == "gemini-cli" and self.trust:
                provider["options"] = {"trustWorkspace": True}
        return {"provider": self.agent, "cache": {"enabled": False}, "providers": {self.agent: provider}}


@pytest.fixture(params=AGENTS)
def agent(request: pytest.FixtureRequest) -> str:
    real_cli(str(request.param))
    return str(request.param)


@pytest.fixture(params=["claif", "cli"])
def style(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def apis_options() -> dict[str, Any]:
    return {}


@pytest.fixture
def apis(apis_options: dict[str, Any]) -> Iterator[ModelApis]:
    with ModelApis(scenario.PATCH, **apis_options) as server:
        yield server


@pytest.fixture
def setup(agent: str, style: str, apis: ModelApis, tmp_path: Path, workspace: Path) -> Setup:
    scenario.make_project(workspace)
    made = Setup(agent, apis, tmp_path, workspace, style)
    made.write_cli_config()
    return made


@pytest.fixture
def lsp_settings(setup: Setup) -> dict[str, Any]:
    return setup.settings()


@pytest.fixture
def lsp_env(setup: Setup) -> dict[str, str]:
    return setup.env()


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


async def provider_entry(client: EditorClient, agent: str) -> dict[str, Any]:
    listed = {p["name"]: p for p in (await scenario.command(client, "claif.providers"))["providers"]}
    return listed[agent]  # type: ignore[no-any-return]


@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_a_gateway_setup_is_ready_and_an_ask_yields_the_proposal_with_nothing_written(
    client: EditorClient, setup: Setup, workspace: Path, apis: ModelApis
) -> None:
    entry = await provider_entry(client, setup.agent)
    assert entry["state"] == "ready", entry["reason"]
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    assert (workspace / "app.py").read_text() == scenario.SAMPLE, "nothing is written before accept"
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["files"][0]["proposedText"] == scenario.EXPECTED_BOTH
    assert any("tidy up" in json.dumps(r.body) for r in apis.model_requests()), "the ask reached the model API"
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True and client.documents[uri].text == scenario.EXPECTED_BOTH
    assert (workspace / "app.py").read_text() == scenario.SAMPLE, "the editor applies the edit, the CLI never writes"
    assert await async_wait_until(lambda: not marked_processes(setup.marker), timeout=60), (
        "a CLI process outlived its ask"
    )


@pytest.mark.parametrize("style", ["claif"], indirect=True)
@pytest.mark.parametrize("apis_options", [{"status": 401}])
@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_a_refused_key_ends_the_ask_with_a_clear_message(
    client: EditorClient, setup: Setup, workspace: Path, apis: ModelApis
) -> None:
    uri = open_sample(client, workspace)
    with pytest.raises(JsonRpcException) as caught:
        await scenario.ask(client, uri, instruction="tidy up")
    message = str(caught.value)
    assert "did not finish" not in message, "the ask waited out the CLI's retries"
    assert "401" in message or "API key not valid" in message, message
    assert apis.model_requests(), "the CLI reached the model API"
    assert (workspace / "app.py").read_text() == scenario.SAMPLE
    assert await async_wait_until(lambda: not marked_processes(setup.marker), timeout=60)


@pytest.mark.parametrize("style", ["claif"], indirect=True)
@pytest.mark.parametrize("apis_options", [{"stall": True}])
@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_cancel_mid_answer_leaves_no_process(
    client: EditorClient, setup: Setup, workspace: Path, apis: ModelApis
) -> None:
    uri = open_sample(client, workspace)
    pending = start_ask(client, uri, "ask")
    assert await async_wait_until(apis.stalled.is_set, timeout=180), "the CLI never reached its main model request"
    assert marked_processes(setup.marker), "the CLI should still be waiting for the model"
    client.cancel_request(types.CancelParams(id="ask"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, timeout=60)
    assert await async_wait_until(lambda: not marked_processes(setup.marker), timeout=60), (
        f"{setup.agent}: processes outlived the cancelled ask: {marked_processes(setup.marker)}"
    )
    assert (workspace / "app.py").read_text() == scenario.SAMPLE
    assert client.applied_edits == []


@pytest.mark.parametrize("style", ["claif"], indirect=True)
@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_a_refine_resumes_the_clis_own_session(
    client: EditorClient, setup: Setup, workspace: Path, apis: ModelApis
) -> None:
    """Claude Code --resume, codex exec resume and Gemini CLI --resume send the model the conversation from the
    CLI's own session, not a rebuilt prompt."""
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    first = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    hunk_one, hunk_two = (h["id"] for h in first["files"][0]["hunks"])
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [hunk_one]})
    asked = len(apis.model_requests())
    apis.answer = scenario.REFINED

    await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": FEEDBACK, "hunks": [hunk_two]})

    second = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert second["revision"] == 2 and second["files"][0]["proposedText"] == scenario.EXPECTED_REFINED
    assert [h["state"] for h in second["files"][0]["hunks"]] == ["accepted", "pending"]
    [refine] = [r for r in apis.model_requests()[asked:] if FEEDBACK in json.dumps(r.body)][-1:]
    sent = json.dumps(refine.body)
    assert "tidy up" in sent, "the CLI sent the model the earlier turn from its session"
    assert "earlier_request" not in sent, "the session was resumed, not rebuilt into one prompt"
    if setup.agent == "codex":
        assert "read-only" in sent and "workspace-write" not in sent, "the resumed thread is still read-only"
    assert (workspace / "app.py").read_text() == scenario.SAMPLE


class TestFreshGeminiFolder:
    @pytest.fixture
    def agent(self) -> str:
        real_cli("gemini-cli")
        return "gemini-cli"

    @pytest.fixture(params=["untrusted", "no-auth-type"])
    def fresh(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def setup(self, agent: str, apis: ModelApis, tmp_path: Path, workspace: Path, fresh: str) -> Setup:
        scenario.make_project(workspace)
        made = Setup(agent, apis, tmp_path, workspace, "claif")
        made.trust = fresh != "untrusted"
        made.write_cli_config(auth_type=fresh != "no-auth-type")
        return made

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_says_exactly_what_to_do(
        self, client: EditorClient, setup: Setup, workspace: Path, fresh: str
    ) -> None:
        entry = await provider_entry(client, "gemini-cli")
        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException) as caught:
            await scenario.ask(client, uri, instruction="tidy up")
        message = str(caught.value)
        assert "\x1b" not in message
        if fresh == "untrusted":
            assert entry["state"] == "ready" and "runs only in folders it trusts" in entry["reason"]
            assert "does not trust the workspace folder" in message and "options.trustWorkspace" in message
        else:
            assert entry["state"] == "needs_config" and '"selectedType": "gemini-api-key"' in entry["reason"]
            assert '"security": {"auth": {"selectedType": "gemini-api-key"}}' in message
            assert "~/.gemini/settings.json" in message
        assert await async_wait_until(lambda: not marked_processes(setup.marker), timeout=60)
