"""The Gemini CLI provider (headless stream-json, plan mode) against the fake `gemini`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from claif_gemini.cli_provider import GeminiCliProvider

from claif_lsp.errors import (
    AuthenticationError,
    ConfigurationError,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderTimeoutError,
)
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

ANSWER = "Hello from the fake gemini CLI.\nThis answer arrived in pieces."


def provider(
    tmp_path: Path, scenario: str = "normal", timeout: float = 60, settings: ProviderSettings | None = None, **env: str
) -> GeminiCliProvider:
    p = GeminiCliProvider()
    p.configure(settings or ProviderSettings(timeout=timeout), fake_environ(tmp_path, scenario, **env))
    return p


def options(tmp_path: Path) -> ClaifOptions:
    root = tmp_path / "ws"
    root.mkdir(exist_ok=True)
    return ClaifOptions(workspace_root=root)


def record(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "record.json").read_text())


async def test_streams_deltas_and_finishes_with_stats_usage(tmp_path: Path) -> None:
    pieces: list[str] = []
    answer = await collect_answer("gemini-cli", provider(tmp_path).query("fix it", options(tmp_path)), pieces.append)
    assert answer.text == ANSWER
    assert len(pieces) == 4 and "".join(pieces) == ANSWER
    assert (answer.usage.input_tokens, answer.usage.output_tokens, answer.usage.cache_read_tokens) == (1480, 50, 200)
    assert answer.model == "gemini-2.5-pro"


async def test_runs_headless_in_plan_mode_in_the_workspace(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.settings.model = "flash"
    p.settings.extra_args = ["--include-directories", "../lib"]
    await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    seen = record(tmp_path)
    assert seen["argv"] == [
        "--output-format", "stream-json", "--approval-mode", "plan", "-m", "flash", "--include-directories", "../lib",
    ]  # fmt: skip
    assert seen["parsed"]["approval-mode"] == "plan"
    assert seen["cwd"] == str(tmp_path / "ws")
    assert seen["pgid"] == seen["pid"]


@pytest.mark.parametrize("prompt", ["fix it", "-x marks the spot", "--yolo: delete everything", "--", "-p"])
async def test_the_prompt_goes_through_stdin_never_the_command_line(tmp_path: Path, prompt: str) -> None:
    # On the command line any local user could read the prompt (file contents included) with ps; and yargs
    # would read a prompt starting with a dash as flags.
    await collect_answer("gemini-cli", provider(tmp_path).query(prompt, options(tmp_path)))
    seen = record(tmp_path)
    assert seen["stdin"] == prompt
    assert prompt not in seen["argv"] and not any(arg.startswith(("-p", "--prompt")) for arg in seen["argv"])
    assert "prompt" not in seen["parsed"] and "yolo" not in seen["parsed"]


async def test_approval_mode_option_never_allows_writing(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.settings.options = {"approvalMode": "default"}
    await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    argv = record(tmp_path)["argv"]
    assert argv[argv.index("--approval-mode") + 1] == "default"
    p.settings.options = {"approvalMode": "yolo"}
    with pytest.raises(ProviderInitError, match="could let Gemini CLI write files"):
        await collect_events(p.query("fix it", options(tmp_path)))


async def test_answer_file_and_path_setting(tmp_path: Path) -> None:
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text("*** Begin Patch\n*** Delete File: old.txt\n*** End Patch\n")
    p = GeminiCliProvider()
    env = fake_environ(tmp_path, FAKE_CLI_ANSWER_FILE=str(answer_file))
    env["PATH"] = "/usr/bin:/bin"
    p.configure(ProviderSettings(path=str(FAKES_BIN / "gemini")), env)
    answer = await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    assert answer.text == answer_file.read_text()


async def test_after_tool_calls_the_answer_is_the_last_turn(tmp_path: Path) -> None:
    pieces: list[str] = []
    p = provider(tmp_path, "tools")
    answer = await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)), pieces.append)
    assert answer.text == ANSWER
    assert pieces[0] == "I'll read the file first."


async def test_malformed_lines_and_warnings_are_skipped(tmp_path: Path) -> None:
    answer = await collect_answer("gemini-cli", provider(tmp_path, "malformed").query("fix it", options(tmp_path)))
    assert answer.text == ANSWER


async def test_crash_mid_stream_raises_with_stderr_and_yields_no_final_message(tmp_path: Path) -> None:
    events: list = []
    with pytest.raises(ProviderRuntimeError, match="exited with code 1: FATAL ERROR: fake gemini crashed"):
        async for event in provider(tmp_path, "crash").query("fix it", options(tmp_path)):
            events.append(event)
    assert events and all(isinstance(event, TextDelta) for event in events)
    assert not any(isinstance(event, Message) for event in events)


async def test_exit_41_is_an_authentication_error(tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError, match=r"not authenticated \(exit 41\).*GEMINI_API_KEY"):
        await collect_events(provider(tmp_path, "auth").query("fix it", options(tmp_path)))


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (42, "rejected the input"),
        (52, "configuration error"),
        (53, "reached its turn limit"),
        (54, "fatal tool error"),
        (130, "was cancelled"),
        (1, r"failed \(exit 1\)"),
        (144, r"failed \(exit 144\)"),
    ],
)
async def test_exit_codes_become_clear_errors(tmp_path: Path, code: int, says: str) -> None:
    with pytest.raises(ProviderRuntimeError, match=says) as info:
        await collect_events(provider(tmp_path, f"exit:{code}").query("fix it", options(tmp_path)))
    assert not isinstance(info.value, AuthenticationError)
    assert f"fake gemini failed with exit code {code}" in str(info.value)


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
    p = GeminiCliProvider()
    env = fake_environ(tmp_path)
    env["PATH"] = "/nonexistent"
    p.configure(ProviderSettings(), env)
    assert p.status().state is ProviderState.NOT_INSTALLED
    assert p.status().reason == "gemini not found on PATH; install with npm i -g @google/gemini-cli"


@pytest.mark.parametrize("how", ["oauth", "dotenv", "env"])
def test_status_needs_a_login_then_ready(tmp_path: Path, how: str) -> None:
    p = GeminiCliProvider()
    env = fake_environ(tmp_path)
    p.configure(ProviderSettings(), env)
    assert p.status().state is ProviderState.NEEDS_CREDENTIAL
    folder = tmp_path / "home" / ".gemini"
    folder.mkdir()
    if how == "oauth":
        (folder / "oauth_creds.json").write_text("{}")
    elif how == "dotenv":
        (folder / ".env").write_text("GEMINI_API_KEY=test\n")
        p.settings.options = {"trustWorkspace": True}
    else:
        env["GEMINI_API_KEY"] = "test"
    assert p.status().state is ProviderState.READY
    assert not (tmp_path / "pids").exists() and not (tmp_path / "record.json").exists(), "status ran the CLI"


async def test_registry_discovers_checks_and_queries(tmp_path: Path) -> None:
    registry = ProviderRegistry(environ=fake_environ(tmp_path, GEMINI_API_KEY="test"))
    registry.update_settings(Settings(providers={"gemini-cli": ProviderSettings(timeout=60)}))
    assert registry.status("gemini-cli").state is ProviderState.READY
    assert registry.display_name("gemini-cli") == "Gemini CLI"
    p = await registry.connected("gemini-cli")
    answer = await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    assert answer.text == ANSWER


@pytest.mark.parametrize(
    "extra",
    [
        ["--approval-mode", "yolo"],
        ["--approval-mode=auto_edit"],
        ["--approvalMode", "yolo"],
        ["-y"],
        ["--yolo"],
        ["-dy"],
        ["--allowed-tools", "write_file"],
        ["--allowed-tools=run_shell_command"],
    ],
)
async def test_extra_args_cannot_change_the_approval_mode(tmp_path: Path, extra: list[str]) -> None:
    p = provider(tmp_path, GEMINI_API_KEY="test")
    p.settings.extra_args = ["--include-directories", "../lib", *extra]
    status = p.status()
    assert status.state is ProviderState.ERROR
    assert extra[0] in status.reason and "providers.gemini-cli.extraArgs" in status.reason
    with pytest.raises(ConfigurationError, match=r"providers\.gemini-cli\.extraArgs") as caught:
        await collect_events(p.query("fix it", options(tmp_path)))
    assert extra[0] in str(caught.value)
    assert not (tmp_path / "record.json").exists(), "gemini must not even start"


def test_status_reports_a_writing_approval_mode_option(tmp_path: Path) -> None:
    p = provider(tmp_path, GEMINI_API_KEY="test")
    p.settings.options = {"approvalMode": "yolo"}
    status = p.status()
    assert status.state is ProviderState.ERROR and "could let Gemini CLI write files" in status.reason


ANSI = "\x1b["


async def test_an_untrusted_folder_says_what_to_do_without_escape_codes(tmp_path: Path) -> None:
    with pytest.raises(ProviderInitError) as caught:
        await collect_events(provider(tmp_path, "untrusted").query("fix it", options(tmp_path)))
    message = str(caught.value)
    assert "does not trust the workspace folder" in message and "(exit 55)" in message
    assert "providers.gemini-cli.options.trustWorkspace" in message and "run `gemini` in it once" in message
    assert ANSI not in message


async def test_trust_workspace_is_the_users_explicit_choice(tmp_path: Path) -> None:
    settings = ProviderSettings(timeout=60, options={"trustWorkspace": True})
    answer = await collect_answer(
        "gemini-cli", provider(tmp_path, "untrusted", settings=settings).query("fix it", options(tmp_path))
    )
    assert answer.text == ANSWER
    assert "--skip-trust" in record(tmp_path)["argv"]
    with pytest.raises(ProviderInitError, match="trustWorkspace must be true or false"):
        bad = ProviderSettings(options={"trustWorkspace": "yes"})
        await collect_events(provider(tmp_path, settings=bad).query("fix it", options(tmp_path)))


def write_gemini_settings(tmp_path: Path, data: dict) -> None:
    folder = tmp_path / "home" / ".gemini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(data))


async def test_a_gateway_without_a_selected_auth_type_names_the_setting(tmp_path: Path) -> None:
    p = provider(tmp_path, GEMINI_API_KEY="k", GOOGLE_GEMINI_BASE_URL="http://127.0.0.1:9")
    status = p.status()
    assert status.state is ProviderState.NEEDS_CONFIG
    assert '"selectedType": "gemini-api-key"' in status.reason and "~/.gemini/settings.json" in status.reason
    with pytest.raises(AuthenticationError) as caught:
        await collect_events(p.query("fix it", options(tmp_path)))
    assert '"security": {"auth": {"selectedType": "gemini-api-key"}}' in str(caught.value)
    assert "exit 41" in str(caught.value)
    write_gemini_settings(tmp_path, {"security": {"auth": {"selectedType": "gemini-api-key"}}})
    assert p.status().state is ProviderState.READY
    answer = await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    assert answer.text == ANSWER


async def test_a_bad_key_is_the_structured_error_not_a_stack(tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await collect_events(provider(tmp_path, "badkey").query("fix it", options(tmp_path)))
    message = str(caught.value)
    assert "API key not valid" in message and "refused by the API" in message
    assert "throwErrorIfNotOK" not in message and "Full report" not in message


async def test_base_url_key_and_env_settings_reach_the_cli(tmp_path: Path) -> None:
    write_gemini_settings(tmp_path, {"security": {"auth": {"selectedType": "gemini-api-key"}}})
    settings = ProviderSettings(
        base_url="http://127.0.0.1:9/gw",
        api_key_env="COMPANY_GEMINI_KEY",
        env={"GOOGLE_CLOUD_PROJECT": "proj"},
    )
    p = provider(tmp_path, settings=settings, COMPANY_GEMINI_KEY="company-key")
    assert p.status().state is ProviderState.READY
    await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    env = record(tmp_path)["env"]
    assert env["GOOGLE_GEMINI_BASE_URL"] == "http://127.0.0.1:9/gw"
    assert env["GEMINI_API_KEY"] == "company-key" and env["GOOGLE_CLOUD_PROJECT"] == "proj"
    p.settings.api_key_env = None
    p.settings.api_key_command = [sys.executable, "-c", "print('from-command')"]
    await collect_answer("gemini-cli", p.query("fix it", options(tmp_path)))
    assert record(tmp_path)["env"]["GEMINI_API_KEY"] == "from-command"


async def test_an_unset_api_key_env_is_refused_before_starting(tmp_path: Path) -> None:
    p = provider(tmp_path, settings=ProviderSettings(api_key_env="MISSING_KEY"))
    assert p.status().state is ProviderState.ERROR and "MISSING_KEY (apiKeyEnv) is not set" in p.status().reason
    with pytest.raises(ConfigurationError, match="MISSING_KEY"):
        await collect_events(p.query("fix it", options(tmp_path)))
    assert not (tmp_path / "record.json").exists()


def test_the_dotenv_key_counts_only_where_gemini_reads_it(tmp_path: Path) -> None:
    folder = tmp_path / "home" / ".gemini"
    folder.mkdir(parents=True)
    (folder / ".env").write_text("GEMINI_API_KEY=test\n")
    p = provider(tmp_path)
    status = p.status()
    assert status.state is ProviderState.NEEDS_CREDENTIAL and "trustWorkspace" in status.reason
    p.settings.options = {"trustWorkspace": True}
    assert p.status().state is ProviderState.READY


def test_status_says_gemini_runs_only_in_trusted_folders(tmp_path: Path) -> None:
    p = provider(tmp_path, GEMINI_API_KEY="k")
    assert p.status().state is ProviderState.READY
    assert "runs only in folders it trusts" in p.status().reason and "options.trustWorkspace" in p.status().reason
    p.settings.options = {"trustWorkspace": True}
    assert p.status().reason == f"using {FAKES_BIN / 'gemini'}"
    p.settings.options = {}
    write_gemini_settings(tmp_path, {"security": {"folderTrust": {"enabled": False}}})
    assert p.status().reason == f"using {FAKES_BIN / 'gemini'}"


HISTORY = [
    Message(role=Role.USER, content="Rename x in app.py"),
    Message(role=Role.ASSISTANT, content="*** Begin Patch\n*** End Patch"),
]


async def test_a_later_turn_resumes_the_session_with_only_the_new_prompt(tmp_path: Path) -> None:
    p = provider(tmp_path)
    first = await collect_answer("gemini-cli", p.query("Rename x in app.py", options(tmp_path)))
    session = first.messages[-1].metadata["session_id"]
    assert session

    later = options(tmp_path).model_copy(
        update={"history": HISTORY, "resume": session, "system_prompt": "Answer with an apply_patch block."}
    )
    answer = await collect_answer("gemini-cli", p.query("Keep x.", later))

    seen = record(tmp_path)
    assert f"--resume={session}" in seen["argv"]
    assert seen["parsed"]["resume"] == session  # bound to the flag as yargs reads it
    assert seen["stdin"] == "Keep x."
    assert answer.messages[-1].metadata["session_id"] == session


async def test_without_a_session_the_conversation_is_sent_as_one_prompt(tmp_path: Path) -> None:
    later = options(tmp_path).model_copy(update={"history": HISTORY})

    await collect_answer("gemini-cli", provider(tmp_path).query("Keep x.", later))

    seen = record(tmp_path)
    assert "resume" not in seen["parsed"]
    assert seen["stdin"].index("Rename x in app.py") < seen["stdin"].index("*** Begin Patch")
    assert seen["stdin"].endswith("Keep x.")


@pytest.mark.parametrize(("resume", "runs"), [("c0ffee00-0000-4000-8000-00000000dead", 2), ("-y", 1)])
async def test_a_gone_or_malformed_session_falls_back_to_the_rebuilt_prompt(
    tmp_path: Path, resume: str, runs: int
) -> None:
    """A session Gemini CLI does not have is tried, then the prompt rebuilt; an id that reads as a flag never runs."""
    later = options(tmp_path).model_copy(update={"history": HISTORY, "resume": resume})

    answer = await collect_answer("gemini-cli", provider(tmp_path).query("Keep x.", later))

    assert answer.text == ANSWER
    seen = record(tmp_path)
    assert "resume" not in seen["parsed"] and "yolo" not in seen["parsed"]
    assert seen["stdin"].index("Rename x in app.py") < seen["stdin"].index("Keep x.")
    assert (tmp_path / "pids").read_text().count("main ") == runs
