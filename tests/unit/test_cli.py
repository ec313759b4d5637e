"""The `claif-lsp` command line: version, providers, schema, demo, logging options, TCP and WebSockets."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from claif_lsp import __version__, demo
from claif_lsp.testing import AnthropicServer, OpenAIServer, Reply
from tests.conftest import ROOT, server_env

CLI = [sys.executable, "-m", "claif_lsp"]


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=server_env(**env), cwd=cwd)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"claif-lsp {__version__}"


def test_providers_table_names_distribution_status_and_reason() -> None:
    result = run("providers")
    assert result.returncode == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["NAME", "DISTRIBUTION", "STATUS"]
    replay = next(row for row in rows if row.startswith("replay "))
    assert "claif-replay 0.1.0" in replay and " needs_config " in replay and "options.transcript" in replay
    anthropic = next(row for row in rows if row.startswith("anthropic "))
    assert "needs_credential" in anthropic and "ANTHROPIC_API_KEY is not set" in anthropic


def test_providers_json_matches_the_command_shape() -> None:
    payload = json.loads(run("providers", "--json").stdout)
    assert payload["active"] == "replay"
    assert {"name", "displayName", "distribution", "version", "state", "reason"} <= set(payload["providers"][0])


def test_schema_formats() -> None:
    vscode = json.loads(run("schema", "--format", "vscode").stdout)
    assert vscode["properties"]["claif.approval"]["enum"] == ["review", "confirm", "auto"]
    assert "| `claif.provider` |" in run("schema", "--format", "markdown").stdout


def test_bad_usage_exits_2() -> None:
    assert run("--log-level", "LOUD").returncode == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def connect(client: LanguageClient, transport: str, port: int) -> None:
    start = client.start_tcp if transport == "tcp" else client.start_ws
    for _ in range(400):
        try:
            await start("127.0.0.1", port)
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on {transport} port {port}")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--tcp", "--port", "{port}"],
        ["--tcp", "--port", "{port}", "serve"],
        ["serve", "--tcp", "--port", "{port}"],
        ["--ws", "--port", "{port}"],
        ["--ws", "serve", "--port", "{port}"],
    ],
    ids=["tcp", "tcp-before-serve", "tcp-after-serve", "ws", "ws-before-serve"],
)
async def test_server_over_tcp_and_websockets(arguments: list[str]) -> None:
    port = free_port()
    argv = [a.format(port=port) for a in arguments]
    proc = await asyncio.create_subprocess_exec(
        *CLI, *argv, env=server_env(), stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        client = LanguageClient("transport-test", "1")
        await connect(client, "ws" if "--ws" in argv else "tcp", port)
        result = await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        assert result.server_info is not None and result.server_info.name == "claif-lsp"
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        proc.kill()
        await proc.wait()


def test_two_transports_are_a_usage_error() -> None:
    result = run("--tcp", "serve", "--ws")
    assert result.returncode == 2 and "choose one of --stdio, --tcp and --ws" in result.stderr


def test_demo_runs_the_scripted_session(tmp_path: Path) -> None:
    result = run("demo", "--workdir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "\ndemo finished: OK\n" in result.stdout
    assert result.stdout.rstrip().endswith(demo.NEXT_STEPS.rstrip()), "the demo ends with where to go next"


def test_demo_progress_counts_as_its_end_line_does(tmp_path: Path) -> None:
    # The streamed estimate and the provider's reported usage both count the prompt and the answer.
    output = run("demo", "--workdir", str(tmp_path)).stdout
    for action in ("ask", "explain"):
        block = output.split(f"progress begin  Replay: {action}", 1)[1].split("progress end", 2)
        estimates = [int(n) for n in re.findall(r"progress report ≈(\d+) tokens", block[0])]
        [reported] = [int(n) for n in re.findall(r"^[^\n]*?, (\d+) tokens, ", block[1], re.MULTILINE)][:1]
        assert estimates and 0.85 * reported <= estimates[-1] <= reported, (action, estimates, reported)


def test_demo_next_steps_install_as_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [install] = re.findall(r"^uv tool install .*$", readme.split("## Editor setup\n", 1)[1], re.MULTILINE)[:1]
    assert install.split("#")[0].strip() in demo.NEXT_STEPS
    two_commands = readme.split("## Two commands\n", 1)[1].split("\n## ", 1)[0]
    assert "uv run --no-dev --with ./providers/claif-replay claif-lsp demo" in two_commands


def frame(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def stdio_session(*args: str, initialization_options: Any = None, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Initialize a stdio server, read its settings once, shut it down."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"capabilities": {}, "rootUri": cwd.as_uri(), "initializationOptions": initialization_options},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand", "params": {"command": "claif.settings"}},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    return subprocess.run(
        [*CLI, *args],
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        timeout=60,
        env=server_env(),
        cwd=cwd,
    )


def test_log_file_and_log_level(tmp_path: Path) -> None:
    bad = {"approval": "sometimes"}
    debug, warning = tmp_path / "debug.log", tmp_path / "warning.log"
    for path, level in ((debug, "DEBUG"), (warning, "WARNING")):
        result = stdio_session("--log-file", str(path), "--log-level", level, initialization_options=bad, cwd=tmp_path)
        assert result.returncode == 0
        assert b"claif-lsp settings" not in result.stderr, "records go to the log file, not stderr"
    debug_text, warning_text = debug.read_text(), warning.read_text()
    for text in (debug_text, warning_text):
        assert "WARNING claif_lsp.features.lifecycle: claif-lsp settings: claif.approval" in text
    assert " DEBUG " in debug_text and "settings for " in debug_text and " ready; providers:" in debug_text
    assert " DEBUG " not in warning_text and " INFO " not in warning_text and "ready; providers" not in warning_text


def test_providers_reads_environment_and_toml_settings(tmp_path: Path) -> None:
    (tmp_path / ".claif.toml").write_text('provider = "openai"\n')
    from_file = json.loads(run("providers", "--json", cwd=tmp_path).stdout)
    assert from_file["configured"] == "openai" and from_file["active"] == "openai"
    from_env = json.loads(run("providers", "--json", cwd=tmp_path, CLAIF_PROVIDER="anthropic").stdout)
    assert from_env["configured"] == "anthropic"
    # Per-provider settings reach the statuses: a local base URL needs no key.
    local = run("providers", "--json", cwd=tmp_path, CLAIF_PROVIDERS__OPENAI__BASE_URL="http://127.0.0.1:9/v1")
    openai = next(p for p in json.loads(local.stdout)["providers"] if p["name"] == "openai")
    assert openai["state"] == "ready", openai
    typo = run("providers", cwd=tmp_path, CLAIF_PROVIDERS__OPEN_AI__MODEL="x")
    assert "CLAIF_PROVIDERS__OPEN_AI__MODEL: no provider named 'open-ai'" in typo.stderr


def test_auto_picks_the_first_ready_provider_in_the_documented_order(tmp_path: Path) -> None:
    home = tmp_path / "home"  # no agent CLI logins, no agent CLI on PATH
    home.mkdir()
    path = os.path.dirname(sys.executable)
    # Claude Code would take the Anthropic key through the CLI bundled with its SDK: point it nowhere.
    no_claude = {"CLAIF_PROVIDERS__CLAUDE_CODE__PATH": str(tmp_path / "no-claude")}
    keys = {"HOME": str(home), "PATH": path, "ANTHROPIC_API_KEY": "k1", "OPENAI_API_KEY": "k2", **no_claude}

    def active(**env: str) -> str:
        result = run("providers", "--json", cwd=tmp_path, **env)
        return str(json.loads(result.stdout)["active"])

    assert active(**keys) == "anthropic", "anthropic comes before openai in the default order"
    assert active(HOME=str(home), PATH=path, OPENAI_API_KEY="k2", **no_claude) == "openai"
    assert active(**keys, CLAIF_AUTO_ORDER='["openai", "anthropic"]') == "openai"
    assert active(HOME=str(home), PATH=path, **no_claude) == "replay", "the offline provider is the last resort"


def test_discovery_imports_no_provider_module() -> None:
    script = (
        "import sys\n"
        "from claif_lsp.registry import ProviderRegistry\n"
        "registry = ProviderRegistry()\n"
        "assert len(registry.names()) >= 6, registry.names()\n"
        "modules = {m.split('.')[0] for m in sys.modules}\n"
        "sdks = {'anthropic', 'openai', 'google', 'claude_agent_sdk'}\n"
        "print(sorted(m for m in modules - {'claif_lsp'} if m.startswith('claif_') or m in sdks))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=server_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def only_anthropic_ready(tmp_path: Path, base_url: str) -> dict[str, str]:
    """An environment where anthropic, pointed at a loopback server, is the one ready provider."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": os.path.dirname(sys.executable),
        "ANTHROPIC_API_KEY": "sk-ant-check",
        "CLAIF_PROVIDERS__ANTHROPIC__BASE_URL": base_url,
        "CLAIF_PROVIDERS__CLAUDE_CODE__PATH": str(tmp_path / "no-claude"),
    }


def test_providers_check_sends_one_tiny_request_to_each_ready_provider(tmp_path: Path) -> None:
    answer = Reply(chunks=["O", "K"], input_tokens=14, output_tokens=2)
    with AnthropicServer(answer) as server, OpenAIServer(answer) as local:
        env = {**only_anthropic_ready(tmp_path, server.base_url), "CLAIF_PROVIDERS__OPENAI__BASE_URL": local.base_url}
        result = run("providers", "--check", cwd=tmp_path, **env)
        assert result.returncode == 0, result.stderr
        assert "check anthropic: ok: answered 'OK' (14 in, 2 out," in result.stdout, result.stdout
        assert "check openai: ok: answered 'OK'" in result.stdout, result.stdout
        assert len(local.requests) == 1
        [request] = server.requests
        assert request.body["max_tokens"] <= 16 and "OK" in json.dumps(request.body["messages"])
        sent = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")
        assert sent == "sk-ant-check"


def test_providers_check_reports_the_providers_error(tmp_path: Path) -> None:
    refused = Reply(status=401, error_type="authentication_error", error_message="invalid x-api-key")
    with AnthropicServer(refused) as server:
        env = only_anthropic_ready(tmp_path, server.base_url)
        result = run("providers", "--json", "--check", "anthropic", cwd=tmp_path, **env)
    assert result.returncode == 1
    [check] = json.loads(result.stdout)["checks"]
    assert check["name"] == "anthropic" and check["ok"] is False
    assert "ANTHROPIC_API_KEY" in check["detail"] and "sk-ant-check" not in result.stdout + result.stderr


def test_providers_never_sends_a_request_without_check(tmp_path: Path) -> None:
    with AnthropicServer() as server:
        env = only_anthropic_ready(tmp_path, server.base_url)
        table = run("providers", cwd=tmp_path, **env)
        as_json = run("providers", "--json", cwd=tmp_path, **env)
        assert not server.requests
    assert table.returncode == 0 and "check " not in table.stdout
    assert json.loads(as_json.stdout)["active"] == "anthropic" and "checks" not in json.loads(as_json.stdout)


def test_providers_says_which_provider_is_active_and_where_the_user_settings_are(tmp_path: Path) -> None:
    with AnthropicServer() as server:
        env = only_anthropic_ready(tmp_path, server.base_url)
        lines = run("providers", cwd=tmp_path, XDG_CONFIG_HOME=str(tmp_path / "config"), **env).stdout.splitlines()
        chosen = run("providers", cwd=tmp_path, CLAIF_PROVIDER="openai", **env).stdout.splitlines()
    assert "active: anthropic (provider = 'auto': the first ready one in autoOrder)" in lines
    assert f"user settings: {tmp_path / 'config' / 'claif' / 'config.toml'} (not created yet)" in lines
    assert "active: openai (provider = 'openai')" in chosen
    fallback = run("providers", cwd=tmp_path, HOME=str(tmp_path / "home"), PATH=os.path.dirname(sys.executable))
    assert any(
        line.startswith("active: replay (provider = 'auto' and no other provider is ready")
        for line in fallback.stdout.splitlines()
    ), fallback.stdout


@pytest.mark.parametrize("command", [["providers"], ["schema", "--format", "markdown"], ["providers", "--json"]])
def test_a_reader_that_left_gets_no_traceback(command: list[str]) -> None:
    # `claif-lsp providers | head -1`: the pipe's reader is gone before the command writes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [*CLI, *command], stdout=write_end, stderr=subprocess.PIPE, timeout=120, env=server_env()
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in result.stderr and b"BrokenPipeError" not in result.stderr, result.stderr.decode()
    assert result.returncode == 1


def test_logging_options_work_after_the_subcommand(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    result = stdio_session("serve", "--log-level", "DEBUG", "--log-file", str(log), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert " DEBUG " in log.read_text(encoding="utf-8")
    before = run("--log-level", "DEBUG", "providers", "--log-level", "WARNING", cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    bad = run("providers", "--log-level", "LOUD", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid choice: 'LOUD'" in bad.stderr


def test_a_provider_typo_warns_with_the_nearest_name(tmp_path: Path) -> None:
    result = run("providers", cwd=tmp_path, CLAIF_PROVIDER="antropic")
    assert result.returncode == 0
    assert (
        "claif-lsp settings: claif.provider (in the environment): no provider named 'antropic' is installed "
        "(did you mean 'anthropic'?"
    ) in result.stderr, result.stderr
    assert "active: antropic (provider = 'antropic')" in result.stdout
