"""A claude-agent-sdk ``Transport`` that runs the Claude Code CLI through :class:`claif_lsp.process.AgentProcess`.

The SDK's own subprocess transport signals only the CLI itself, so tools the CLI started could outlive a
cancelled request; this one runs the CLI in its own process group and kills the whole group on close. The
SDK applies no command-line options to a custom transport, so :func:`build_command` turns the subset of
``ClaudeAgentOptions`` this provider uses into the flags the SDK would pass (a test compares the two, so a new
SDK that builds the command differently shows up).

This module imports ``claude_agent_sdk``; the provider imports it only when a query runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from claude_agent_sdk import ClaudeAgentOptions, Transport

from claif_lsp.sdk import AgentProcess, ProviderRuntimeError, parse_json_line


def build_command(cli_path: str, options: ClaudeAgentOptions) -> list[str]:
    """The Claude Code command line for ``options``, in the order claude-agent-sdk builds it."""
    cmd = [cli_path, "--output-format", "stream-json", "--verbose"]
    prompt = options.system_prompt
    if prompt is None:
        cmd += ["--system-prompt", ""]
    elif isinstance(prompt, str):
        cmd += ["--system-prompt", prompt]
    elif prompt.get("type") == "preset" and "append" in prompt:
        cmd += ["--append-system-prompt", str(dict(prompt)["append"])]
    if options.tools is not None:
        tools = options.tools
        cmd += ["--tools", ",".join(tools) if isinstance(tools, list) else "default"]
    if options.allowed_tools:
        cmd += ["--allowedTools", ",".join(options.allowed_tools)]
    if options.max_turns:
        cmd += ["--max-turns", str(options.max_turns)]
    if options.disallowed_tools:
        cmd += ["--disallowedTools", ",".join(options.disallowed_tools)]
    if options.model:
        cmd += ["--model", options.model]
    if options.permission_mode:
        cmd += ["--permission-mode", options.permission_mode]
    if options.resume:
        cmd.append(f"--resume={options.resume}")  # one token: the value stays bound to its flag
    if options.include_partial_messages:
        cmd.append("--include-partial-messages")
    if options.setting_sources is not None:
        cmd.append(f"--setting-sources={','.join(options.setting_sources)}")
    for flag, value in options.extra_args.items():
        if value is None:
            cmd.append(f"--{flag}")
        elif str(value).startswith("-"):
            cmd.append(f"--{flag}={value}")  # a dash-leading value must stay bound to its flag
        else:
            cmd += [f"--{flag}", str(value)]
    cmd += ["--input-format", "stream-json"]
    return cmd


class ProcessGroupTransport(Transport):
    """Claude Code as a child in its own process group, speaking stream-json over stdin and stdout."""

    def __init__(
        self,
        cli_path: str,
        options: ClaudeAgentOptions,
        *,
        provider: str,
        environ: Mapping[str, str],
        timeout: float | None,
    ) -> None:
        self.command = build_command(cli_path, options)
        env = {k: v for k, v in environ.items() if k != "CLAUDECODE"}
        self.process = AgentProcess(
            self.command,
            provider=provider,
            environ=env,
            env=dict(options.env),
            cwd=options.cwd,
            timeout=timeout,
        )
        self._ready = False
        self._closed = False

    async def connect(self) -> None:
        """Start the CLI."""
        await self.process.start()
        self._ready = True

    async def write(self, data: str) -> None:
        """Write one or more stream-json lines to the CLI's stdin."""
        await self.process.write(data)

    def read_messages(self) -> AsyncIterator[dict[str, Any]]:
        """The CLI's stdout as JSON objects, one per line; non-JSON lines are logged and skipped."""
        return self._read()

    async def _read(self) -> AsyncIterator[dict[str, Any]]:
        async for line in self.process.lines():
            data = parse_json_line(line, self.process.provider)
            if data is not None:
                yield data
        code = await self.process.wait()
        if code != 0 and not self._closed:
            raise ProviderRuntimeError(self.process.failure_message(), provider=self.process.provider)

    async def close(self) -> None:
        """Kill the CLI's whole process group and reap it."""
        self._closed = True
        self._ready = False
        await self.process.terminate()

    def is_ready(self) -> bool:
        """True between connect and close."""
        return self._ready

    async def end_input(self) -> None:
        """Close the CLI's stdin."""
        await self.process.close_stdin()
