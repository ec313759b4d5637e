"""The ACP providers against a fake agent written with the SDK's agent side, run as a real subprocess.

Each test scripts the fake (tests/fakes/acp_agent.py) with a JSON file and checks what reaches the provider's
stream, what the agent saw (its report file), and that no process, shadow copy or private HOME is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from claif_acp.provider import (
    AcpProvider,
    ClaudeAgentProvider,
    CodexAgentProvider,
    GeminiAgentProvider,
    OpencodeAgentProvider,
)

from claif_lsp.sdk import (
    AuthenticationError,
    ClaifError,
    ClaifOptions,
    Message,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderSettings,
    ProviderState,
    ProviderTimeoutError,
    TextDelta,
)
from claif_lsp.streaming import collect_answer
from claif_lsp.testing.conformance import ProviderConformance, Wire, configured
from claif_lsp.testing.waiting import EVENT_TIMEOUT, async_wait_until
from tests.fakes.helpers import Pid, alive

FAKE_AGENT = Path(__file__).resolve().parents[1] / "fakes" / "acp_agent.py"
ORIGINAL = "def greet():\n    return 'hi'\n"


@dataclass
class Run:
    """A workspace, a scripted fake agent and a provider configured to start it."""

    root: Path
    report_file: Path
    provider: AcpProvider

    def report(self) -> dict[str, Any]:
        """What the fake agent wrote about itself (empty before it started)."""
        try:
            return json.loads(self.report_file.read_text())
        except (OSError, ValueError):
            return {}

    def options(self, **fields: Any) -> ClaifOptions:
        """Options for an ask in this workspace."""
        return ClaifOptions(workspace_root=self.root, **fields)

    def leftovers(self) -> list[str]:
        """The agent's process if it still runs, its shadow folder if it still exists."""
        report = self.report()
        left = []
        if report.get("pid"):
            pid = Pid(report["pid"])
            pid.start = report.get("start")
            if alive(pid):
                left.append(f"process {pid}")
        if report.get("home") and Path(report["home"]).parent.exists():
            left.append(f"shadow folder {Path(report['home']).parent}")
        return left


@contextlib.contextmanager
def scripted(
    tmp_path: Path, steps: list[dict[str, Any]], *, cls: type[AcpProvider] = AcpProvider, **script: Any
) -> Iterator[Run]:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    (root / "app.py").write_text(ORIGINAL)
    report = tmp_path / "report.json"
    script_file = tmp_path / "script.json"
    settings = {
        "path": sys.executable,
        "extra_args": [str(FAKE_AGENT)],
        "env": {"FAKE_ACP_SCRIPT": str(script_file)},
        **script.pop("settings", {}),
    }
    script_file.write_text(json.dumps({"report": str(report), "steps": steps, **script}))
    provider = configured(cls, {"PATH": "/usr/bin:/bin", "SECRET_TOKEN": "must-not-leak"}, **settings)
    yield Run(root, report, provider)


async def ask(run: Run, **options: Any) -> tuple[list[str], Message]:
    events = [event async for event in run.provider.query("Rename greet to hello.", run.options(**options))]
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    final = events[-1]
    assert isinstance(final, Message)
    return deltas, final


async def test_streams_chunks_and_tool_calls_then_the_diff_of_its_writes(tmp_path: Path) -> None:
    steps = [
        {"say": "Renaming. "},
        {"tool": "read", "title": "Read app.py", "path": "app.py"},
        {"write": "app.py", "content": ORIGINAL.replace("greet", "hello")},
        {"say": "Done."},
        {"usage": [12, 34]},
    ]
    with scripted(tmp_path, steps) as run:
        deltas, final = await ask(run)
        assert "Renaming. " in deltas and "Done." in deltas
        assert "\n> Reading app.py\n" in deltas
        assert "-def greet():\n+def hello():\n" in final.text
        assert final.usage is not None and (final.usage.input_tokens, final.usage.output_tokens) == (12, 34)
        assert "wrote app.py (held as a proposal)" in final.text
        assert (run.root / "app.py").read_text() == ORIGINAL
        assert run.leftovers() == []


async def test_reads_come_from_the_unsaved_buffer_and_the_diff_is_against_it(tmp_path: Path) -> None:
    unsaved = "def greet():\n    return 'unsaved'\n"
    steps = [{"read": "app.py"}, {"write": "app.py", "content": unsaved.replace("greet", "hello")}]
    with scripted(tmp_path, steps) as run:
        _, final = await ask(run, open_documents={str(run.root / "app.py"): unsaved})
        assert "[read app.py: def greet():\n    return 'unsaved'\n]" in final.text
        assert "-def greet():\n+def hello():\n     return 'unsaved'\n" in final.text
        assert (run.root / "app.py").read_text() == ORIGINAL


async def test_an_agent_writing_to_disk_itself_writes_the_copy_and_its_edits_become_the_diff(tmp_path: Path) -> None:
    steps = [{"disk": "app.py", "content": "x = 1\n"}, {"disk": "pkg/new.py", "content": "y = 2\n"}]
    with scripted(tmp_path, steps) as run:
        before = {p: p.read_bytes() for p in run.root.rglob("*") if p.is_file()}
        _, final = await ask(run)
        assert "--- /dev/null\n+++ b/pkg/new.py\n" in final.text
        assert "+x = 1\n" in final.text
        assert {p: p.read_bytes() for p in run.root.rglob("*") if p.is_file()} == before
        report = run.report()
        assert report["cwd"] != str(run.root) and Path(report["cwd"]).name == "workspace"
        assert report["session_cwd"] == report["cwd"]


async def test_a_write_outside_the_root_is_refused_and_never_proposed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    steps = [{"write": str(outside), "content": "pwned\n"}, {"write": "../escape.txt", "content": "x\n"}, {"say": "ok"}]
    with scripted(tmp_path, steps) as run:
        _, final = await ask(run)
        assert f"[write {outside} failed:" in final.text
        assert "[write ../escape.txt failed:" in final.text
        assert "```diff" not in final.text
        assert not outside.exists() and not (tmp_path / "escape.txt").exists()


async def test_secrets_are_not_in_the_copy_and_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / ".env").write_text("TOKEN=hunter2\n")
    with scripted(tmp_path, [{"read": ".env"}]) as run:
        _, final = await ask(run)
        assert "hunter2" not in final.text
        assert "[read .env failed:" in final.text


async def test_the_agent_gets_a_bare_environment_a_private_home_and_the_configured_mode(tmp_path: Path) -> None:
    servers = [{"name": "docs", "command": "/usr/bin/docs-mcp", "args": ["--stdio"], "env": {"A": "1"}}]
    settings = {"options": {"sessionMode": "ask", "mcpServers": servers}}
    with scripted(tmp_path, [{"say": "hi"}], modes=["auto", "ask"], settings=settings) as run:
        await ask(run)
        report = run.report()
        assert "SECRET_TOKEN" not in report["env"]
        assert report["env"]["FAKE_ACP_SCRIPT"] and report["home"] != str(Path.home())
        assert report["mode"] == "ask"
        assert report["client_fs"] is True
        assert report["mcp_servers"][0]["command"] == "/usr/bin/docs-mcp"
        assert report["mcp_servers"][0]["env"] == [{"name": "A", "value": "1"}]


async def test_a_preset_passes_its_key_variable_and_the_key_of_api_key_env(tmp_path: Path) -> None:
    gemini = tmp_path / "gemini"  # the preset adds --acp, which the fake ignores
    gemini.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_AGENT}"\n')
    gemini.chmod(0o755)
    with scripted(tmp_path, [{"say": "hi"}], cls=GeminiAgentProvider, settings={"path": str(gemini)}) as run:
        assert run.provider.command_line(str(gemini))[1:] == ["--acp", str(FAKE_AGENT)]
        run.provider.configure(run.provider.settings, {"PATH": "/usr/bin", "GEMINI_API_KEY": "k1", "OTHER": "x"})
        await ask(run)
        assert run.report()["env"]["GEMINI_API_KEY"] == "k1" and "OTHER" not in run.report()["env"]
        settings = run.provider.settings.model_copy(update={"api_key_env": "MY_KEY"})
        run.provider.configure(settings, {"PATH": "/usr/bin", "MY_KEY": "k2"})
        await ask(run)
        assert run.report()["env"]["GEMINI_API_KEY"] == "k2" and "MY_KEY" not in run.report()["env"]


async def test_an_edit_prompt_asks_the_agent_to_edit_and_an_explain_keeps_the_system_prompt(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "hi"}]) as run:
        with pytest.raises(ProviderRuntimeError, match="changed no file"):
            await ask(run, system_prompt="Answer with exactly one patch", action="ask")
        assert "Answer with exactly one patch" not in run.report()["prompt"]
        assert "editing the files" in run.report()["prompt"]
        await ask(run, system_prompt="Answer in concise Markdown", action="explain")
        assert run.report()["prompt"].startswith("Answer in concise Markdown")


async def test_an_edit_action_the_agent_answered_without_editing_says_so_and_quotes_the_agent(
    tmp_path: Path,
) -> None:
    steps = [{"tool": "read", "title": "Read app.py", "path": "app.py"}, {"say": "The code is fine.\nNo change."}]
    with scripted(tmp_path, steps, settings={"options": {"displayName": "Gemini agent"}}) as run:
        with pytest.raises(ProviderRuntimeError) as raised:
            await ask(run, action="ask")
        assert raised.value.message == "Gemini agent changed no file; it said: The code is fine."
        assert "patch" not in str(raised.value)
        # An explanation needs no edit: the same turn is its answer.
        _, final = await ask(run, action="explain")
        assert final.text.startswith("\n> Reading app.py\n") and "The code is fine." in final.text
        assert run.leftovers() == []


async def test_an_unknown_configured_mode_is_a_clear_error(tmp_path: Path) -> None:
    with scripted(tmp_path, [], modes=["auto"], settings={"options": {"sessionMode": "nope"}}) as run:
        with pytest.raises(ClaifError, match="no session mode 'nope'"):
            await ask(run)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT)


@pytest.mark.parametrize(
    ("kind", "path", "expected"),
    [("edit", "app.py", "yes"), ("read", "app.py", "yes"), ("execute", None, "no"), ("fetch", None, "no")],
)
async def test_permissions_by_default_allow_work_in_the_copy_and_refuse_the_rest(
    tmp_path: Path, kind: str, path: str | None, expected: str
) -> None:
    step: dict[str, Any] = {"permission": kind, "title": f"{kind} something"}
    if path:
        step["path"] = path
    with scripted(tmp_path, [step]) as run:
        await ask(run)
        assert run.report()["permission_0"] == expected


async def test_an_edit_outside_the_copy_is_refused(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"permission": "edit", "title": "Edit", "path": "/etc/passwd"}]) as run:
        await ask(run)
        assert run.report()["permission_0"] == "no"


@pytest.mark.parametrize(("answer", "expected"), [("Allow once", "yes"), ("Refuse", "no"), (None, "no")])
async def test_with_commands_ask_the_user_is_asked_naming_the_command(
    tmp_path: Path, answer: str | None, expected: str
) -> None:
    asked: list[tuple[str, list[str]]] = []

    async def ask_user(message: str, choices: list[str]) -> str | None:
        asked.append((message, choices))
        return answer

    step = {"permission": "execute", "title": "Run pytest -q"}
    with scripted(tmp_path, [step], settings={"options": {"commands": "ask"}}) as run:
        _, final = await ask(run, ask_user=ask_user)
        assert asked and "run a command: Run pytest -q" in asked[0][0]
        assert run.report()["permission_0"] == expected
        assert "asked the user about execute: Run pytest -q" in final.text


async def _cancel_after_first_delta(run: Run, **options: Any) -> None:
    first = asyncio.Event()

    async def consume() -> None:
        async for event in run.provider.query("go", run.options(**options)):
            if isinstance(event, TextDelta):
                first.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(first.wait(), EVENT_TIMEOUT)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_cancel_sends_session_cancel_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "working"}, {"wait_cancel": True}]) as run:
        await _cancel_after_first_delta(run)
        assert run.report().get("cancelled") is True
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_cancel_while_the_user_is_asked_answers_the_request_cancelled(tmp_path: Path) -> None:
    never = asyncio.Event()

    async def ask_user(message: str, choices: list[str]) -> str | None:
        await never.wait()
        return None

    steps = [{"say": "about to ask"}, {"permission": "execute", "title": "Run make"}, {"hang": True}]
    with scripted(tmp_path, steps, settings={"options": {"commands": "ask"}}) as run:
        await _cancel_after_first_delta(run, ask_user=ask_user)
        assert await async_wait_until(lambda: run.report().get("permission_1") == "cancelled", EVENT_TIMEOUT)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_cancel_of_an_agent_ignoring_session_cancel_kills_its_group(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "stuck"}, {"hang": True}]) as run:
        await _cancel_after_first_delta(run)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_closing_the_stream_early_leaves_nothing_behind(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "one"}, {"wait_cancel": True}]) as run:
        events = run.provider.query("go", run.options())
        async for event in events:
            assert isinstance(event, TextDelta)
            break
        await events.aclose()  # type: ignore[attr-defined]
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_a_crashed_agent_is_a_clear_error_with_its_stderr(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "hi"}, {"crash": 3}]) as run:
        with pytest.raises(ProviderRuntimeError, match=r"ended before finishing its turn.*crashing on purpose"):
            await ask(run)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_a_hanging_agent_ends_at_the_timeout(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "hi"}, {"hang": True}], settings={"timeout": 3}) as run:
        with pytest.raises(ProviderTimeoutError, match="did not finish within 3s"):
            await ask(run)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_an_agent_that_never_answers_initialize_ends_at_the_timeout(tmp_path: Path) -> None:
    with scripted(tmp_path, [], initialize="hang", settings={"timeout": 3}) as run:
        with pytest.raises(ProviderTimeoutError, match="initialize"):
            await ask(run)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


async def test_a_huge_stderr_does_not_stall_the_agent(tmp_path: Path) -> None:
    steps = [{"stderr": 4 * 1024 * 1024}, {"write": "app.py", "content": "x = 1\n"}, {"say": "done"}]
    with scripted(tmp_path, steps) as run:
        _, final = await ask(run)
        assert "+x = 1\n" in final.text


async def test_a_huge_stderr_before_initialize_does_not_stall_the_agent(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"say": "fine"}], stderr_at_start=4 * 1024 * 1024) as run:
        _, final = await ask(run)
        assert final.text == "fine"


async def test_the_plan_streams_as_progress(tmp_path: Path) -> None:
    steps = [{"plan": [["read the code", "completed"], ["rename", "in_progress"], ["test", "pending"]]}, {"say": "ok"}]
    with scripted(tmp_path, steps) as run:
        deltas, _ = await ask(run)
        assert "\n> plan 1/3: rename\n" in deltas


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("max_tokens", "token limit"),
        ("refusal", "refused"),
        ("max_turn_requests", "limit of model requests"),
        ("cancelled", "cancelled its turn"),
    ],
)
async def test_a_turn_that_does_not_end_normally_is_an_error_without_a_proposal(
    tmp_path: Path, reason: str, message: str
) -> None:
    steps = [{"write": "app.py", "content": "x = 1\n"}, {"stop": reason}]
    with scripted(tmp_path, steps) as run:
        events: list[Any] = []
        with pytest.raises(ProviderRuntimeError, match=message):
            async for event in run.provider.query("go", run.options()):
                events.append(event)
        assert not any(isinstance(e, Message) for e in events)
        assert await async_wait_until(lambda: run.leftovers() == [], EVENT_TIMEOUT), run.leftovers()


def test_the_codex_preset_pins_the_sandbox_and_approvals_codex_acp_reads_and_names_the_package_ci_installs() -> None:
    provider = configured(CodexAgentProvider, {"PATH": "/usr/bin"}, extra_args=["--mine"])
    assert provider.command_line("codex-acp") == [
        "codex-acp",
        "-c",
        'sandbox_mode="workspace-write"',
        "-c",
        'approval_policy="on-request"',
        "--mine",
    ]
    assert provider.preset.session_mode is None  # codex-acp offers no session modes
    setup = (Path(__file__).resolve().parents[2] / ".ci" / "setup-clis.sh").read_text()
    package = provider.install_hint.removeprefix("install with npm i -g ")
    assert f"install {package} " in setup, (package, "is not what .ci/setup-clis.sh installs")


async def test_auth_required_is_an_authentication_error(tmp_path: Path) -> None:
    with scripted(tmp_path, [{"auth": True}]) as run, pytest.raises(AuthenticationError, match="ACP agent"):
        await ask(run)


def test_status_says_whether_the_command_is_installed_without_running_it(tmp_path: Path) -> None:
    for cls, hint in [
        (GeminiAgentProvider, "@google/gemini-cli"),
        (CodexAgentProvider, "npm i -g @zed-industries/codex-acp"),
        (ClaudeAgentProvider, "claude-agent-acp"),
        (OpencodeAgentProvider, "opencode-ai"),
    ]:
        status = configured(cls, {"PATH": str(tmp_path)}).status()
        assert status.state is ProviderState.NOT_INSTALLED and hint in status.reason, status
    generic = configured(AcpProvider, {"PATH": str(tmp_path)}).status()
    assert generic.state is ProviderState.NOT_INSTALLED and "providers.acp.path" in generic.reason
    agent = tmp_path / "gemini"
    agent.write_text("#!/bin/sh\ntouch ran\n")
    agent.chmod(0o755)
    without_key = configured(GeminiAgentProvider, {"PATH": str(tmp_path)}).status()
    assert without_key.state is ProviderState.NEEDS_CREDENTIAL and "GEMINI_API_KEY" in without_key.reason
    assert configured(GeminiAgentProvider, {"PATH": str(tmp_path), "GEMINI_API_KEY": "k"}).status().ready
    assert configured(GeminiAgentProvider, {"PATH": str(tmp_path)}, api_key_env="MINE").status().ready
    assert not (tmp_path / "ran").exists()


def test_bad_options_are_an_error_status(tmp_path: Path) -> None:
    provider = AcpProvider()
    provider.configure(ProviderSettings(path=sys.executable, options={"commands": "always"}), {})
    assert provider.status().state is ProviderState.ERROR
    assert "'refuse' or 'ask'" in provider.status().reason


async def test_a_missing_command_fails_before_making_a_copy(tmp_path: Path) -> None:
    provider = configured(GeminiAgentProvider, {"PATH": str(tmp_path)})
    with pytest.raises(ProviderInitError, match="gemini not found"):
        await collect_answer("gemini-agent", provider.query("hi", ClaifOptions(workspace_root=tmp_path)))


class TestAcpConformance(ProviderConformance):
    """The provider conformance suite against the fake agent."""

    @contextlib.contextmanager
    def wire(self, steps: list[dict[str, Any]], **settings: Any) -> Iterator[Wire]:
        with tempfile.TemporaryDirectory(prefix="claif-acp-conformance-") as folder:
            tmp = Path(folder)
            with scripted(tmp, steps, settings=settings) as run:
                yield Wire(
                    run.provider,
                    requests=lambda: int(bool(run.report())),
                    closed=lambda: bool(run.report()) and run.leftovers() == [],
                    options=run.options(),
                )

    def answering(self) -> contextlib.AbstractContextManager[Wire]:
        return self.wire([{"say": "Hel"}, {"say": "lo"}, {"usage": [3, 2]}])

    def stalling(self) -> contextlib.AbstractContextManager[Wire]:
        return self.wire([{"say": "Hel"}, {"wait_cancel": True}])

    def refusing(self) -> contextlib.AbstractContextManager[Wire]:
        return self.wire([{"auth": True}])

    def unconfigured(self) -> contextlib.AbstractContextManager[Wire]:
        return self.wire([], path="/nonexistent/claif-acp/agent")
