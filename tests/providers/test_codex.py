"""The Codex provider (`codex exec --json`, read-only) against the fake `codex`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from claif_codex.provider import CodexProvider

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

ANSWER = "Hello from the fake codex CLI.\nThis answer arrived in pieces."
PATCH = "*** Begin Patch\n*** Add File: notes.txt\n+hello\n*** End Patch\n"


def provider(
    tmp_path: Path, scenario: str = "normal", timeout: float = 60, settings: ProviderSettings | None = None, **env: str
) -> CodexProvider:
    p = CodexProvider()
    p.configure(settings or ProviderSettings(timeout=timeout), fake_environ(tmp_path, scenario, **env))
    return p


def options(tmp_path: Path) -> ClaifOptions:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    return ClaifOptions(workspace_root=root)


def record(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "record.json").read_text())


async def test_completed_agent_message_is_the_answer_with_turn_usage(tmp_path: Path) -> None:
    pieces: list[str] = []
    answer = await collect_answer("codex", provider(tmp_path).query("fix it", options(tmp_path)), pieces.append)
    assert answer.text == ANSWER
    assert pieces == [ANSWER]  # no item.updated: the completed text is streamed once
    assert (answer.usage.input_tokens, answer.usage.output_tokens, answer.usage.cache_read_tokens) == (2946, 57, 128)
    assert answer.messages[-1].metadata["thread_id"] == "0199a213-81c0-7800-8aa1-bbab2a035a53"


async def test_item_updated_text_streams_as_deltas(tmp_path: Path) -> None:
    pieces: list[str] = []
    p = provider(tmp_path, "slow", FAKE_CLI_DELAY="0")
    answer = await collect_answer("codex", p.query("fix it", options(tmp_path)), pieces.append)
    assert len(pieces) == 4 and "".join(pieces) == ANSWER == answer.text


async def test_runs_exec_json_read_only_in_the_workspace_with_the_prompt_on_stdin(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.settings.model = "gpt-test"
    p.settings.extra_args = ["-c", "model_reasoning_effort=low"]
    opts = options(tmp_path).model_copy(update={"system_prompt": "Answer with an apply_patch block."})
    await collect_answer("codex", p.query("fix it", opts))
    seen = record(tmp_path)
    root = str(tmp_path / "ws")
    assert seen["argv"] == [
        "exec", "--json", "-s", "read-only", "--skip-git-repo-check", "-C", root,
        "-m", "gpt-test", "-c", "model_reasoning_effort=low", "-",
    ]  # fmt: skip
    assert seen["stdin"] == "Answer with an apply_patch block.\n\nfix it"
    assert seen["cwd"] == root
    assert seen["pgid"] == seen["pid"]


async def test_answer_file_and_path_setting(tmp_path: Path) -> None:
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(PATCH)
    p = CodexProvider()
    env = fake_environ(tmp_path, FAKE_CLI_ANSWER_FILE=str(answer_file))
    env["PATH"] = "/usr/bin:/bin"  # found through settings.path only
    p.configure(ProviderSettings(path=str(FAKES_BIN / "codex")), env)
    answer = await collect_answer("codex", p.query("fix it", options(tmp_path)))
    assert answer.text == PATCH


async def test_after_commands_the_answer_is_the_last_agent_message(tmp_path: Path) -> None:
    pieces: list[str] = []
    answer = await collect_answer("codex", provider(tmp_path, "tools").query("x", options(tmp_path)), pieces.append)
    assert answer.text == ANSWER
    assert pieces[0] == "I read README.md; here is the change."


async def test_malformed_lines_are_skipped(tmp_path: Path) -> None:
    answer = await collect_answer("codex", provider(tmp_path, "malformed").query("fix it", options(tmp_path)))
    assert answer.text == ANSWER


async def test_crash_mid_stream_raises_with_stderr_and_yields_no_final_message(tmp_path: Path) -> None:
    events: list = []
    with pytest.raises(ProviderRuntimeError, match=r"exited with code 101: thread 'main' panicked"):
        async for event in provider(tmp_path, "crash").query("fix it", options(tmp_path)):
            events.append(event)
    assert events and all(isinstance(event, TextDelta) for event in events)
    assert not any(isinstance(event, Message) for event in events)


async def test_unauthorized_turn_is_an_authentication_error(tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError, match=r"401 Unauthorized.*codex login"):
        await collect_events(provider(tmp_path, "auth").query("fix it", options(tmp_path)))


async def test_non_zero_exit_is_a_runtime_error_with_stderr(tmp_path: Path) -> None:
    with pytest.raises(ProviderRuntimeError, match="exited with code 2: Error: fake codex failed"):
        await collect_events(provider(tmp_path, "exit:2").query("fix it", options(tmp_path)))


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


def test_status_not_installed_names_the_install_command(tmp_path: Path) -> None:
    p = CodexProvider()
    env = fake_environ(tmp_path)
    env["PATH"] = "/nonexistent"
    p.configure(ProviderSettings(), env)
    status = p.status()
    assert status.state is ProviderState.NOT_INSTALLED
    assert status.reason == "codex not found on PATH; install with npm i -g @openai/codex"


def test_status_needs_a_login_then_ready(tmp_path: Path) -> None:
    p = CodexProvider()
    p.configure(ProviderSettings(), fake_environ(tmp_path))
    assert p.status().state is ProviderState.NEEDS_CREDENTIAL
    assert "codex login" in p.status().reason
    (tmp_path / "home" / ".codex").mkdir()
    (tmp_path / "home" / ".codex" / "auth.json").write_text("{}")
    assert p.status().state is ProviderState.READY
    env = fake_environ(tmp_path, OPENAI_API_KEY="sk-test")
    env["HOME"] = str(tmp_path / "empty-home")
    p.configure(ProviderSettings(), env)
    assert p.status().state is ProviderState.READY
    assert not (tmp_path / "pids").exists() and not (tmp_path / "record.json").exists(), "status ran the CLI"


async def test_registry_discovers_checks_and_queries(tmp_path: Path) -> None:
    registry = ProviderRegistry(environ=fake_environ(tmp_path, OPENAI_API_KEY="sk-test"))
    registry.update_settings(Settings(providers={"codex": ProviderSettings(timeout=60)}))
    assert registry.status("codex").state is ProviderState.READY
    assert registry.display_name("codex") == "Codex"
    p = await registry.connected("codex")
    answer = await collect_answer("codex", p.query("fix it", options(tmp_path)))
    assert answer.text == ANSWER


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["-s", "danger-full-access"], "-s danger-full-access"),
        (["--sandbox", "workspace-write"], "--sandbox workspace-write"),
        (["--sandbox=danger-full-access"], "--sandbox=danger-full-access"),
        (["-sworkspace-write"], "-sworkspace-write"),
        (["--dangerously-bypass-approvals-and-sandbox"], "--dangerously-bypass-approvals-and-sandbox"),
        (["--yolo"], "--yolo"),
        (["--full-auto"], "--full-auto"),
        (["-a", "never"], "-a never"),
        (["-c", "sandbox_mode=danger-full-access"], "-c sandbox_mode=danger-full-access"),
        (["-c=sandbox_mode=workspace-write"], "-c=sandbox_mode=workspace-write"),
        (["--config", "approval_policy=never"], "--config approval_policy=never"),
        (["--config=approval_policy=never"], "--config=approval_policy=never"),
        (["-c", "profiles.dev.sandbox_mode='danger-full-access'"], "profiles.dev.sandbox_mode"),
        (["-c", "sandbox_workspace_write.network_access=true"], "sandbox_workspace_write"),
    ],
)
async def test_extra_args_cannot_lift_the_read_only_sandbox(tmp_path: Path, extra: list[str], named: str) -> None:
    p = provider(tmp_path, OPENAI_API_KEY="sk-test")
    p.settings.extra_args = ["-c", "model_reasoning_effort=low", *extra]
    status = p.status()
    assert status.state is ProviderState.ERROR
    assert named in status.reason and "providers.codex.extraArgs" in status.reason
    with pytest.raises(ConfigurationError, match=r"providers\.codex\.extraArgs") as caught:
        await collect_events(p.query("fix it", options(tmp_path)))
    assert named in str(caught.value)
    assert not (tmp_path / "record.json").exists(), "codex must not even start"


async def test_request_extra_args_are_checked_too(tmp_path: Path) -> None:
    p = provider(tmp_path, OPENAI_API_KEY="sk-test")
    opts = options(tmp_path).model_copy(update={"extra_args": ["--yolo"]})
    with pytest.raises(ConfigurationError, match="--yolo"):
        await collect_events(p.query("fix it", opts))
    assert not (tmp_path / "record.json").exists()


GATEWAY_CONFIG = """model_provider = "company"

[model_providers.company]
name = "Company gateway"
base_url = "https://llm.example.com/v1"
wire_api = "responses"
env_key = "COMPANY_KEY"
"""


def write_config(tmp_path: Path, text: str = GATEWAY_CONFIG) -> None:
    folder = tmp_path / "home" / ".codex"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text)


def test_status_understands_a_gateway_in_config_toml(tmp_path: Path) -> None:
    write_config(tmp_path)
    p = provider(tmp_path)
    status = p.status()
    assert status.state is ProviderState.NEEDS_CREDENTIAL
    assert status.reason == "Codex's model provider 'company' reads its key from COMPANY_KEY, which is not set"
    p.configure(p.settings, fake_environ(tmp_path, COMPANY_KEY="k"))
    status = p.status()
    assert status.state is ProviderState.READY and "through model provider 'company'" in status.reason
    assert not (tmp_path / "record.json").exists(), "status ran the CLI"


def test_status_a_keyless_gateway_is_ready(tmp_path: Path) -> None:
    write_config(
        tmp_path, 'model_provider = "local"\n[model_providers.local]\nbase_url = "http://127.0.0.1:11434/v1"\n'
    )
    assert provider(tmp_path).status().state is ProviderState.READY


async def test_a_missing_or_refused_gateway_key_names_its_env_key(tmp_path: Path) -> None:
    write_config(tmp_path)
    with pytest.raises(AuthenticationError) as caught:
        await collect_events(provider(tmp_path).query("fix it", options(tmp_path)))
    assert "Missing environment variable: `COMPANY_KEY`" in str(caught.value)
    assert "reads its key from COMPANY_KEY" in str(caught.value) and "OPENAI_API_KEY" not in str(caught.value)
    with pytest.raises(AuthenticationError) as caught:
        await collect_events(provider(tmp_path, "retry-auth", COMPANY_KEY="bad").query("fix it", options(tmp_path)))
    assert "401 Unauthorized" in str(caught.value) and "reads its key from COMPANY_KEY" in str(caught.value)


async def test_a_refused_key_stops_at_the_first_retry(tmp_path: Path) -> None:
    # The fake waits 10 s between its 5 retries; the timeout is shorter than all of them together.
    with pytest.raises(AuthenticationError, match=r"401 Unauthorized.*codex login"):
        await collect_events(provider(tmp_path, "retry-auth", timeout=30).query("fix it", options(tmp_path)))
    pids = read_pids(tmp_path / "pids")
    assert await async_wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]))


async def test_base_url_becomes_a_model_provider_with_the_configured_key(tmp_path: Path) -> None:
    settings = ProviderSettings(base_url="https://gw.example/v1", api_key_env="COMPANY_KEY", env={"RUST_LOG": "warn"})
    p = provider(tmp_path, settings=settings, COMPANY_KEY="k")
    assert p.status().state is ProviderState.READY
    await collect_answer("codex", p.query("fix it", options(tmp_path)))
    seen = record(tmp_path)
    argv = seen["argv"]
    assert argv[argv.index("-c") : argv.index("-c") + 4] == [
        "-c", 'model_provider="claif"',
        "-c", 'model_providers.claif={name = "claif-lsp gateway", base_url = "https://gw.example/v1", '
        'wire_api = "responses", env_key = "COMPANY_KEY"}',
    ]  # fmt: skip
    p.settings.api_key_env = None
    p.settings.api_key_command = [sys.executable, "-c", "print('from-command')"]
    await collect_answer("codex", p.query("fix it", options(tmp_path)))
    seen = record(tmp_path)
    assert 'env_key = "CLAIF_CODEX_API_KEY"' in " ".join(seen["argv"])
    assert seen["env"]["CLAIF_CODEX_API_KEY"] == "from-command"


async def test_a_key_without_base_url_goes_to_codex_api_key(tmp_path: Path) -> None:
    p = provider(tmp_path, settings=ProviderSettings(api_key_env="MY_OPENAI_KEY"), MY_OPENAI_KEY="sk-mine")
    assert p.status().state is ProviderState.READY
    await collect_answer("codex", p.query("fix it", options(tmp_path)))
    assert record(tmp_path)["env"]["CODEX_API_KEY"] == "sk-mine"


HISTORY = [Message(role=Role.USER, content="Add notes.txt"), Message(role=Role.ASSISTANT, content=PATCH)]
THREAD = "0199a213-81c0-7800-8aa1-bbab2a035a53"


async def test_a_later_turn_resumes_the_thread_with_only_the_new_prompt(tmp_path: Path) -> None:
    p = provider(tmp_path)
    first = await collect_answer("codex", p.query("Add notes.txt", options(tmp_path)))
    thread = first.messages[-1].metadata["session_id"]
    assert thread == THREAD

    later = options(tmp_path).model_copy(
        update={"history": HISTORY, "resume": thread, "system_prompt": "Answer with an apply_patch block."}
    )
    answer = await collect_answer("codex", p.query("Say hi in it.", later))

    seen = record(tmp_path)
    # The exec options (the read-only sandbox among them) come before the subcommand, as codex 0.171 parses them.
    assert seen["argv"] == [
        "exec", "--json", "-s", "read-only", "--skip-git-repo-check", "-C", str(tmp_path / "ws"),
        "resume", THREAD, "-",
    ]  # fmt: skip
    assert seen["stdin"] == "Say hi in it."
    assert answer.messages[-1].metadata["session_id"] == THREAD


async def test_without_a_thread_the_conversation_is_sent_as_one_prompt(tmp_path: Path) -> None:
    later = options(tmp_path).model_copy(update={"history": HISTORY})

    await collect_answer("codex", provider(tmp_path).query("Say hi in it.", later))

    seen = record(tmp_path)
    assert "resume" not in seen["argv"] and seen["argv"][-1] == "-"
    assert seen["stdin"].index("Add notes.txt") < seen["stdin"].index("*** Add File: notes.txt")
    assert seen["stdin"].endswith("Say hi in it.")


@pytest.mark.parametrize(("resume", "runs"), [("0199a213-0000-7000-8000-00000000dead", 2), ("--yolo", 1)])
async def test_a_gone_or_malformed_thread_falls_back_to_the_rebuilt_prompt(
    tmp_path: Path, resume: str, runs: int
) -> None:
    """A thread Codex does not have is tried, then the prompt rebuilt; an id that reads as a flag is never run."""
    later = options(tmp_path).model_copy(update={"history": HISTORY, "resume": resume})

    answer = await collect_answer("codex", provider(tmp_path).query("Say hi in it.", later))

    assert answer.text == ANSWER
    seen = record(tmp_path)
    assert "resume" not in seen["argv"] and "--yolo" not in seen["argv"]
    assert seen["stdin"].index("Add notes.txt") < seen["stdin"].index("Say hi in it.")
    assert (tmp_path / "pids").read_text().count("main ") == runs
