"""The Gemini CLI as a read-only provider: headless ``gemini --output-format stream-json --approval-mode plan``.

The CLI may read the workspace but never write it; its answer (an apply_patch block, when the server asks
for edits) goes through claif-lsp's patch engine.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from claif_lsp.errors import AuthenticationError, ClaifError, ProviderInitError, ProviderRuntimeError
from claif_lsp.process import (
    AgentProcess,
    find_executable,
    flag_uses,
    home_dir,
    missing_executable_reason,
    parse_json_line,
    refuse_unsafe_arg,
)
from claif_lsp.provider import BaseProvider
from claif_lsp.types import (
    ClaifOptions,
    Message,
    ProviderState,
    ProviderStatus,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)

INSTALL_HINT = "install with npm i -g @google/gemini-cli"
LOGIN_HINT = "run `gemini` once to sign in, or set GEMINI_API_KEY"
CREDENTIAL_ENV = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA")
APPROVAL_MODES = ("plan", "default")
"""Approval modes that never write; `providers.gemini-cli.options.approvalMode` picks one (default plan)."""
MAX_ARGV_PROMPT = 100_000
"""Longer prompts go through stdin (Linux caps one argument at 128 KiB)."""
EXIT_CODES = {
    42: "rejected the input",
    52: "reported a configuration error (check ~/.gemini/settings.json)",
    53: "reached its turn limit",
    54: "stopped on a fatal tool error",
    130: "was cancelled",
}
"""Gemini CLI exit codes (41, authentication, is handled on its own)."""
UNSAFE_FLAGS = ("--approval-mode", "--approvalMode", "--yolo", "--allowed-tools", "--allowedTools")
"""Flags (in yargs' kebab and camel spellings) that set what runs without approval; the approval mode is ours."""
_SHORT_CLUSTER_WITH_Y = re.compile(r"^-[A-Za-z]*y")
"""``-y`` alone or in a yargs cluster such as ``-dy``."""


def unsafe_extra_arg(args: list[str]) -> str | None:
    """The first extra argument that would change the approval mode or auto-approve tools; None when safe."""
    for arg, _ in flag_uses(args, UNSAFE_FLAGS):
        return arg
    for arg in args:
        if arg == "--":
            break
        if not arg.startswith("--") and _SHORT_CLUSTER_WITH_Y.match(arg):
            return arg
    return None


class GeminiCliProvider(BaseProvider):
    """Gemini CLI in headless stream-json mode, never allowed to write."""

    name = "gemini-cli"
    display_name = "Gemini CLI"
    capabilities = frozenset({"text", "streaming", "agent", "workspace-read"})

    def executable(self) -> str | None:
        """The gemini executable: settings.path, else ``gemini`` on PATH."""
        return find_executable("gemini", self.environ, self.settings.path)

    def has_credentials(self) -> bool:
        """A key or Vertex/GCA selection in the environment, or a Google login in ``~/.gemini``."""
        if any(self.environ.get(name) for name in CREDENTIAL_ENV):
            return True
        folder = home_dir(self.environ) / ".gemini"
        if (folder / "oauth_creds.json").is_file():
            return True
        try:
            dotenv = (folder / ".env").read_text(encoding="utf-8")
        except OSError:
            return False
        return any(line.strip().startswith(("GEMINI_API_KEY=", "GOOGLE_API_KEY=")) for line in dotenv.splitlines())

    def check_extra_args(self, extra: list[str] | None = None) -> None:
        """Raise ConfigurationError when extraArgs would change the approval mode or auto-approve tools."""
        found = unsafe_extra_arg([*self.settings.extra_args, *(extra or [])])
        if found is not None:
            why = "would override the approval mode (use options.approvalMode: plan or default)"
            raise refuse_unsafe_arg(self.name, self.display_name, found, why)

    def not_installed_reason(self) -> str:
        """Why no executable was found, and how to install one."""
        return missing_executable_reason("gemini", self.settings.path, INSTALL_HINT)

    def status(self) -> ProviderStatus:
        """Not installed, misconfigured, needs a login, or ready; no query, no network."""
        exe = self.executable()
        try:
            self.check_extra_args()
            self.approval_mode()
        except ClaifError as exc:
            return ProviderStatus(state=ProviderState.ERROR, reason=exc.message)
        if exe is None:
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=self.not_installed_reason())
        if not self.has_credentials():
            return ProviderStatus(
                state=ProviderState.NEEDS_CREDENTIAL, reason=f"Gemini CLI is not signed in: {LOGIN_HINT}"
            )
        return ProviderStatus(state=ProviderState.READY, reason=f"using {exe}")

    def approval_mode(self) -> str:
        """The configured non-writing approval mode."""
        mode = str(self.settings.options.get("approvalMode", "plan"))
        if mode not in APPROVAL_MODES:
            raise ProviderInitError(
                f"options.approvalMode {mode!r} could let Gemini CLI write files; "
                f"use one of {', '.join(APPROVAL_MODES)}",
                provider=self.name,
            )
        return mode

    def command(self, exe: str, prompt: str, options: ClaifOptions) -> tuple[list[str], str]:
        """The command line and the text for stdin (the prompt goes through stdin when it is long)."""
        self.check_extra_args(options.extra_args)
        argv = [exe, "--output-format", "stream-json", "--approval-mode", self.approval_mode()]
        if options.model:
            argv += ["-m", options.model]
        argv += [*self.settings.extra_args, *options.extra_args]
        if len(prompt.encode()) <= MAX_ARGV_PROMPT:
            # The equals form binds the text to the flag: yargs would parse "-p -x" as two flags and lose a
            # prompt that starts with a dash (or read "--yolo ..." as a switch).
            return [*argv, f"--prompt={prompt}"], ""
        return argv, prompt

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the assistant's deltas; the final Message holds the last turn's text and the token stats."""
        options = self.resolve_options(options)
        exe = self.executable()
        if exe is None:
            raise ProviderInitError(self.not_installed_reason(), provider=self.name)
        full_prompt = f"{options.system_prompt}\n\n{prompt}" if options.system_prompt else prompt
        argv, stdin_text = self.command(exe, full_prompt, options)
        process = AgentProcess(
            argv, provider=self.name, environ=self.environ, cwd=options.workspace_root, timeout=options.timeout
        )
        async with process:
            if stdin_text:
                await process.write(stdin_text)
            await process.close_stdin()  # headless gemini reads a piped stdin to its end
            everything: list[str] = []
            last_turn: list[str] = []
            model = options.model
            session_id: str | None = None
            result: dict[str, Any] | None = None
            error_message: str | None = None
            async for line in process.lines():
                event = parse_json_line(line, self.name)
                if event is None:
                    continue
                kind = event.get("type")
                if kind == "init":
                    model = event.get("model") or model
                    session_id = event.get("session_id")
                elif kind == "message" and event.get("role") == "assistant":
                    content = str(event.get("content") or "")
                    if content:
                        everything.append(content)
                        last_turn.append(content)
                        yield TextDelta(text=content)
                elif kind in ("tool_use", "tool_result"):
                    last_turn.clear()  # the answer is what the model says after its last tool call
                elif kind == "error":
                    if event.get("severity") == "error":
                        error_message = str(event.get("message") or "")
                elif kind == "result":
                    result = event
            code = await process.wait()
            if code != 0:
                raise self._exit_error(code, result, error_message, process)
            if result is None:
                raise ProviderRuntimeError(process.failure_message("ended without a result"), provider=self.name)
            if result.get("status") != "success":
                raise ProviderRuntimeError(
                    f"Gemini CLI failed: {self._result_message(result) or error_message or result.get('status')}",
                    provider=self.name,
                )
            stats = result.get("stats") or {}
            yield Message(
                role=Role.ASSISTANT,
                content="".join(last_turn) or "".join(everything),
                usage=Usage(
                    input_tokens=int(stats.get("input_tokens") or 0),
                    output_tokens=int(stats.get("output_tokens") or 0),
                    cached_input_tokens=int(stats.get("cached") or 0),
                ),
                metadata={"model": model, "session_id": session_id, "duration_ms": stats.get("duration_ms")},
            )

    @staticmethod
    def _result_message(result: dict[str, Any] | None) -> str | None:
        error = (result or {}).get("error")
        return str(error.get("message")) if isinstance(error, dict) and error.get("message") else None

    def _exit_error(
        self, code: int, result: dict[str, Any] | None, error_message: str | None, process: AgentProcess
    ) -> ClaifError:
        """A clear error for a non-zero exit status."""
        detail = self._result_message(result) or error_message or process.stderr_tail
        if code == 41:
            return AuthenticationError(
                f"Gemini CLI is not authenticated (exit 41): {LOGIN_HINT}" + (f". {detail}" if detail else ""),
                provider=self.name,
            )
        what = EXIT_CODES.get(code)
        if what is None:
            return ProviderRuntimeError(process.failure_message(), provider=self.name)
        return ProviderRuntimeError(
            f"Gemini CLI {what} (exit {code})" + (f": {detail}" if detail else ""), provider=self.name
        )
