"""The Claude Code provider through claude-agent-sdk, against the fake `claude` speaking the SDK's protocol."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from claif_claude_code.provider import ClaudeCodeProvider

from claif_lsp.errors import AuthenticationError, ConfigurationError, ProviderRuntimeError, ProviderTimeoutError
from claif_lsp.registry import ProviderRegistry
from claif_lsp.settings import ProviderSettings, Settings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions, Message, ProviderState, Role, TextDelta
from tests.fakes.helpers import (
    FAKES_BIN,
    alive,
    async_wait_until,
    cancel_after_first_delta,
    collect_events,
    fake_environ,
    read_pids,
)

PATCH = "*** Begin Patch\n*** Update File: app.py\n@@\n-x = 1\n+x = 2\n*** End Patch\n"


def provider(
    tmp_path: Path, scenario: str = "normal", timeout: float = 60, settings: ProviderSettings | None = None, **env: str
) -> ClaudeCodeProvider:
    p = ClaudeCodeProvider()
    settings = settings or ProviderSettings(timeout=timeout)
    settings.path = str(FAKES_BIN / "claude")
    p.configure(settings, fake_environ(tmp_path, scenario, **env))
    return p


def options(tmp_path: Path) -> ClaifOptions:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    return ClaifOptions(workspace_root=root)


def record(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "record.json").read_text())


async def test_streams_deltas_and_finishes_with_the_result_text_and_usage(tmp_path: Path) -> None:
    pieces: list[str] = []
    answer = await collect_answer("claude-code", provider(tmp_path).query("fix it", options(tmp_path)), pieces.append)
    assert answer.text == "Hello from the fake claude CLI.\nThis answer arrived in pieces."
    assert len(pieces) > 1 and "".join(pieces) == answer.text  # partial messages were on
    # input_tokens counts the cache reads too (Claude Code's, like Anthropic's, leaves them out).
    assert (answer.usage.input_tokens, answer.usage.output_tokens, answer.usage.cache_read_tokens) == (15, 7, 3)
    assert answer.model == "claude-fake-1"


async def test_runs_read_only_in_the_workspace_with_the_prompt_over_stdin(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.settings.model = "claude-test"
    p.settings.extra_args = ["--max-budget-usd", "0.5", "--debug"]
    opts = options(tmp_path).model_copy(update={"system_prompt": "Answer with an apply_patch block."})
    await collect_answer("claude-code", p.query("fix it", opts))
    seen = record(tmp_path)
    argv = seen["argv"]
    assert argv[argv.index("--permission-mode") + 1] == "plan"
    disallowed = argv[argv.index("--disallowedTools") + 1].split(",")
    assert {"Edit", "Write", "MultiEdit", "NotebookEdit", "Bash"} <= set(disallowed)
    assert argv[argv.index("--allowedTools") + 1] == "Read,Grep,Glob,LS"
    assert argv[argv.index("--model") + 1] == "claude-test"
    assert argv[argv.index("--append-system-prompt") + 1] == "Answer with an apply_patch block."
    assert argv[argv.index("--max-budget-usd") + 1] == "0.5" and "--debug" in argv
    assert "--include-partial-messages" in argv and argv[-2:] == ["--input-format", "stream-json"]
    # A repository's .claude/settings.json (hooks, apiKeyHelper, env) is never loaded: user settings only.
    assert "--setting-sources=user" in argv
    assert seen["cwd"] == str(tmp_path / "ws")
    stdin = [json.loads(line) for line in seen["stdin"].splitlines()]
    assert stdin[0]["type"] == "control_request" and stdin[0]["request"]["subtype"] == "initialize"
    assert stdin[1]["message"] == {"role": "user", "content": "fix it"}
    assert seen["pgid"] == seen["pid"]  # the CLI leads its own process group


async def test_answer_file_makes_the_fake_answer_with_a_patch(tmp_path: Path) -> None:
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(PATCH)
    p = provider(tmp_path, FAKE_CLI_ANSWER_FILE=str(answer_file))
    answer = await collect_answer("claude-code", p.query("fix it", options(tmp_path)))
    assert answer.text == PATCH


async def test_after_tool_use_the_answer_is_the_final_result_only(tmp_path: Path) -> None:
    answer = await collect_answer("claude-code", provider(tmp_path, "tools").query("fix it", options(tmp_path)))
    assert answer.text == "Hello from the fake claude CLI.\nThis answer arrived in pieces."


async def test_malformed_and_unknown_lines_are_skipped(tmp_path: Path) -> None:
    answer = await collect_answer("claude-code", provider(tmp_path, "malformed").query("fix it", options(tmp_path)))
    assert answer.text == "Hello from the fake claude CLI.\nThis answer arrived in pieces."


async def test_crash_mid_stream_raises_with_stderr_and_yields_no_final_message(tmp_path: Path) -> None:
    events: list = []
    with pytest.raises(ProviderRuntimeError, match=r"exited with code 3: .*connection reset mid-stream"):
        async for event in provider(tmp_path, "crash").query("fix it", options(tmp_path)):
            events.append(event)
    assert events and all(isinstance(event, TextDelta) for event in events)
    assert not any(isinstance(event, Message) for event in events)


async def test_auth_failure_is_an_authentication_error(tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        await collect_events(provider(tmp_path, "auth").query("fix it", options(tmp_path)))


async def test_hang_times_out_and_leaves_no_process(tmp_path: Path) -> None:
    with pytest.raises(ProviderTimeoutError):
        await collect_events(provider(tmp_path, "hang", timeout=1.5).query("fix it", options(tmp_path)))
    pids = read_pids(tmp_path / "pids")
    assert not alive(pids["main"])
    assert await async_wait_until(lambda: not alive(pids["child"]))


@pytest.mark.parametrize("scenario", ["slow", "stubborn"])
async def test_cancel_kills_the_whole_process_group(tmp_path: Path, scenario: str) -> None:
    pids = await cancel_after_first_delta(
        provider(tmp_path, scenario).query("fix it", options(tmp_path)), tmp_path / "pids"
    )
    assert await async_wait_until(lambda: not alive(pids["child"]))


async def test_normal_end_also_kills_what_the_cli_left_running(tmp_path: Path) -> None:
    await collect_answer("claude-code", provider(tmp_path).query("fix it", options(tmp_path)))
    pids = read_pids(tmp_path / "pids")
    assert not alive(pids["main"])
    assert await async_wait_until(lambda: not alive(pids["child"]))


def test_status_not_installed_names_the_install_command(tmp_path: Path) -> None:
    p = ClaudeCodeProvider()
    env = fake_environ(tmp_path)
    env["PATH"] = "/nonexistent"
    p.configure(ProviderSettings(path=str(tmp_path / "nope" / "claude")), env)
    status = p.status()
    assert status.state is ProviderState.NOT_INSTALLED
    assert "npm i -g @anthropic-ai/claude-code" in status.reason


def test_status_bundled_cli_counts_as_installed_but_needs_a_login(tmp_path: Path) -> None:
    p = ClaudeCodeProvider()
    env = fake_environ(tmp_path)
    env["PATH"] = "/nonexistent"
    p.configure(ProviderSettings(), env)
    bundled = ClaudeCodeProvider.bundled_cli()
    if bundled is None:
        pytest.skip("this claude-agent-sdk wheel bundles no CLI")
    assert p.cli_path() == bundled  # located, never run
    status = p.status()
    assert status.state is ProviderState.NEEDS_CREDENTIAL
    assert "/login" in status.reason


@pytest.mark.parametrize("how", ["credentials-file", "api-key", "config-dir"])
def test_status_ready_with_a_login_or_key(tmp_path: Path, how: str) -> None:
    p = ClaudeCodeProvider()
    env = fake_environ(tmp_path)
    if how == "credentials-file":
        (tmp_path / "home" / ".claude").mkdir()
        (tmp_path / "home" / ".claude" / ".credentials.json").write_text("{}")
    elif how == "api-key":
        env["ANTHROPIC_API_KEY"] = "sk-test"
    else:
        (tmp_path / "cfg").mkdir()
        (tmp_path / "cfg" / ".credentials.json").write_text("{}")
        env["CLAUDE_CONFIG_DIR"] = str(tmp_path / "cfg")
    p.configure(ProviderSettings(), env)
    status = p.status()
    assert status.state is ProviderState.READY
    assert status.reason == f"using {FAKES_BIN / 'claude'}"  # found on PATH, ahead of the bundled CLI
    assert not (tmp_path / "pids").exists() and not (tmp_path / "record.json").exists(), "status ran the CLI"


async def test_registry_discovers_checks_and_queries(tmp_path: Path) -> None:
    env = fake_environ(tmp_path, ANTHROPIC_API_KEY="sk-test")
    registry = ProviderRegistry(environ=env)
    registry.update_settings(Settings(providers={"claude-code": ProviderSettings(timeout=60)}))
    assert registry.status("claude-code").state is ProviderState.READY
    assert registry.display_name("claude-code") == "Claude Code"
    p = await registry.connected("claude-code")
    answer = await collect_answer("claude-code", p.query("fix it", options(tmp_path)))
    assert answer.text.startswith("Hello from the fake claude CLI.")
    assert record(tmp_path)["argv"][0:2] == ["--output-format", "stream-json"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--permission-mode", "bypassPermissions"], "--permission-mode bypassPermissions"),
        (["--permission-mode=acceptEdits"], "--permission-mode acceptEdits"),
        (["--dangerously-skip-permissions"], "--dangerously-skip-permissions"),
        (["--allow-dangerously-skip-permissions"], "--allow-dangerously-skip-permissions"),
        (["--allowedTools", "Edit,Write"], "--allowedTools Edit,Write"),
        (["--allowed-tools", "Bash"], "--allowed-tools Bash"),
        (["--tools", "default"], "--tools default"),
        (["--disallowedTools", "WebFetch"], "--disallowedTools WebFetch"),
        (["--disallowed-tools="], "--disallowed-tools"),
        (["--permission-prompt-tool", "mcp__x__approve"], "--permission-prompt-tool mcp__x__approve"),
    ],
)
async def test_extra_args_cannot_lift_plan_mode_or_the_tool_limits(
    tmp_path: Path, extra: list[str], named: str
) -> None:
    p = provider(tmp_path, ANTHROPIC_API_KEY="sk-test")
    p.settings.extra_args = ["--max-budget-usd", "0.5", *extra]
    status = p.status()
    assert status.state is ProviderState.ERROR
    assert named in status.reason and "providers.claude-code.extraArgs" in status.reason
    with pytest.raises(ConfigurationError, match=r"providers\.claude-code\.extraArgs") as caught:
        await collect_events(p.query("fix it", options(tmp_path)))
    assert named in str(caught.value)
    assert not (tmp_path / "record.json").exists(), "claude must not even start"


@pytest.mark.parametrize(
    "request_options",
    [
        ClaifOptions(),
        ClaifOptions(model="claude-test", system_prompt="Answer with an apply_patch block."),
        ClaifOptions(extra_args=["--max-budget-usd", "0.5", "--debug", "--betas=-dash-leading"]),
        ClaifOptions(resume="0199a213-81c0-7800-8aa1-bbab2a035a53"),
    ],
)
def test_our_command_is_the_one_the_sdk_would_build(tmp_path: Path, request_options: ClaifOptions) -> None:
    """Our transport builds the CLI command itself; the SDK's own transport must agree for the options we use."""
    from claif_claude_code.transport import build_command
    from claude_agent_sdk._internal.transport.subprocess_cli import SubprocessCLITransport

    cli = str(FAKES_BIN / "claude")
    agent_options = provider(tmp_path).agent_options(
        cli, request_options.model_copy(update={"workspace_root": tmp_path}), request_options.resume
    )
    variants = [
        agent_options,
        dataclasses.replace(agent_options, setting_sources=["project"], tools=["Read"]),
    ]
    for opts in variants:
        assert build_command(cli, opts) == SubprocessCLITransport(prompt="", options=opts)._build_command()
    argv = build_command(cli, agent_options)
    assert "--system-prompt" not in argv, "Claude Code keeps its own system prompt"


async def test_a_refused_key_stops_at_the_first_retry_instead_of_the_timeout(tmp_path: Path) -> None:
    # The fake retries as the real CLI does (10 times, about 4 minutes of backoff); the timeout is far shorter
    # than that, so only stopping at the first api_retry event with a 401 passes.
    with pytest.raises(AuthenticationError) as caught:
        await collect_events(provider(tmp_path, "retry-auth", timeout=60).query("fix it", options(tmp_path)))
    message = str(caught.value)
    assert "refused by the API (HTTP 401, authentication_failed)" in message and "ANTHROPIC_API_KEY" in message
    pids = read_pids(tmp_path / "pids")
    assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]))


async def test_other_retries_show_as_progress_and_stay_out_of_the_answer(tmp_path: Path) -> None:
    pieces: list[str] = []
    answer = await collect_answer(
        "claude-code", provider(tmp_path, "retry").query("fix it", options(tmp_path)), pieces.append
    )
    assert pieces[0] == "(Claude Code: HTTP 529 (overloaded); retry 1/10 in 0.5s)\n"
    assert answer.text == "Hello from the fake claude CLI.\nThis answer arrived in pieces."


SETTINGS_BLOCKS = [
    {"env": {"ANTHROPIC_API_KEY": "sk-x"}},
    {"env": {"ANTHROPIC_AUTH_TOKEN": "t", "ANTHROPIC_BASE_URL": "https://gw.example"}},
    {"apiKeyHelper": "~/bin/key"},
]


@pytest.mark.parametrize("block", SETTINGS_BLOCKS)
def test_status_reads_claude_codes_settings_json(tmp_path: Path, block: dict) -> None:
    p = provider(tmp_path)
    assert p.status().state is ProviderState.NEEDS_CREDENTIAL
    (tmp_path / "home" / ".claude").mkdir()
    (tmp_path / "home" / ".claude" / "settings.json").write_text(json.dumps(block))
    assert p.status().state is ProviderState.READY
    assert not (tmp_path / "record.json").exists(), "status ran the CLI"


async def test_base_url_key_and_env_settings_reach_the_cli(tmp_path: Path) -> None:
    settings = ProviderSettings(
        base_url="https://gw.example", api_key_env="COMPANY_KEY", env={"CLAUDE_CODE_MAX_RETRIES": "2"}
    )
    p = provider(tmp_path, settings=settings, COMPANY_KEY="sk-company")
    assert p.status().state is ProviderState.READY
    await collect_answer("claude-code", p.query("fix it", options(tmp_path)))
    env = record(tmp_path)["env"]
    assert env["ANTHROPIC_BASE_URL"] == "https://gw.example" and env["ANTHROPIC_API_KEY"] == "sk-company"
    assert env["CLAUDE_CODE_MAX_RETRIES"] == "2"
    p.settings.api_key_env = "UNSET_KEY"
    assert p.status().state is ProviderState.ERROR and "UNSET_KEY (apiKeyEnv) is not set" in p.status().reason


HISTORY = [
    Message(role=Role.USER, content="Rename x in app.py"),
    Message(role=Role.ASSISTANT, content=PATCH),
]


async def test_a_later_turn_resumes_claude_codes_session_with_only_the_new_prompt(tmp_path: Path) -> None:
    p = provider(tmp_path)
    first = await collect_events(p.query("Rename x in app.py", options(tmp_path)))
    session = first[-1].metadata["session_id"]
    assert isinstance(first[-1], Message) and session

    later = options(tmp_path).model_copy(update={"history": HISTORY, "resume": session})
    answer = await collect_events(p.query("Keep x, rename y.", later))

    ran = record(tmp_path)
    assert f"--resume={session}" in ran["argv"]
    [user_line] = [json.loads(line) for line in ran["stdin"].splitlines() if '"type":"user"' in line.replace(" ", "")]
    assert user_line["message"]["content"] == "Keep x, rename y."
    assert answer[-1].metadata["session_id"] == session


async def test_without_a_session_to_resume_the_conversation_is_sent_as_one_prompt(tmp_path: Path) -> None:
    p = provider(tmp_path)
    later = options(tmp_path).model_copy(update={"history": HISTORY})

    await collect_events(p.query("Keep x, rename y.", later))

    ran = record(tmp_path)
    assert not any(arg.startswith("--resume") for arg in ran["argv"])
    sent = ran["stdin"]
    assert sent.index("Rename x in app.py") < sent.index("Keep x, rename y.")
    assert "*** Update File: app.py" in sent


@pytest.mark.parametrize(
    ("resume", "runs"), [("0199a213-0000-7000-8000-000000000000", 2), ("--dangerously-skip-permissions", 1)]
)
async def test_a_gone_or_malformed_session_falls_back_to_the_rebuilt_prompt(
    tmp_path: Path, resume: str, runs: int
) -> None:
    """A session Claude Code does not have is tried, then the prompt rebuilt; a dash-leading id is never run."""
    p = provider(tmp_path)
    later = options(tmp_path).model_copy(update={"history": HISTORY, "resume": resume})

    answer = await collect_events(p.query("Keep x, rename y.", later))

    assert isinstance(answer[-1], Message) and answer[-1].text.startswith("Hello from the fake claude CLI.")
    ran = record(tmp_path)  # the last run: the fallback
    assert not any(arg.startswith("--resume") for arg in ran["argv"])
    assert "--dangerously-skip-permissions" not in ran["argv"]
    assert ran["stdin"].index("Rename x in app.py") < ran["stdin"].index("Keep x, rename y.")
    assert (tmp_path / "pids").read_text().count("main ") == runs
