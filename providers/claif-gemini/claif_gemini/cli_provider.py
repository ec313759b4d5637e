"""The Gemini CLI as a read-only provider: headless ``gemini --output-format stream-json --approval-mode plan``.

The CLI may read the workspace but never write it; its answer (an apply_patch block, when the server asks
for edits) goes through claif-lsp's patch engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from claif_lsp.sdk import (
    AgentCliProvider,
    AgentProcess,
    AuthenticationError,
    ClaifError,
    ClaifOptions,
    Message,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    Role,
    SessionGone,
    StreamEvent,
    TextDelta,
    Usage,
    child_environment,
    explicit_api_key,
    flag_uses,
    home_dir,
    parse_json_line,
    refuse_unsafe_arg,
    resumable_session,
    resume_or_resend,
    strip_ansi,
)

INSTALL_HINT = "install with npm i -g @google/gemini-cli"
LOGIN_HINT = "run `gemini` once to sign in, or set GEMINI_API_KEY"
CREDENTIAL_ENV = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA")
BASE_URL_ENV = "GOOGLE_GEMINI_BASE_URL"
"""Gemini CLI's endpoint override: with it set, the CLI selects its "gateway" auth type."""
GATEWAY_HINT = (
    'with GOOGLE_GEMINI_BASE_URL set (a gateway), headless Gemini CLI rejects its default "gateway" auth type '
    '("Invalid auth method selected"): add "security": {"auth": {"selectedType": "gemini-api-key"}} to '
    "~/.gemini/settings.json and give the gateway's key as GEMINI_API_KEY"
)
TRUST_HINT = (
    "Gemini CLI does not trust the workspace folder, so it will not run there headless (exit 55): trust the "
    "folder in Gemini CLI (run `gemini` in it once and accept), or set providers.gemini-cli.options.trustWorkspace "
    "to true in your own claif settings to let claif-lsp pass --skip-trust"
)
HEADLESS_AUTH_TYPES = ("gemini-api-key", "vertex-ai", "oauth-personal", "compute-default-credentials")
"""``security.auth.selectedType`` values Gemini CLI's headless mode accepts."""
APPROVAL_MODES = ("plan", "default")
"""Approval modes that never write; `providers.gemini-cli.options.approvalMode` picks one (default plan)."""
EXIT_CODES = {
    42: "rejected the input",
    52: "reported a configuration error (check ~/.gemini/settings.json)",
    53: "reached its turn limit",
    54: "stopped on a fatal tool error",
    130: "was cancelled",
}
"""Gemini CLI exit codes (41, authentication, and 55, an untrusted folder, are handled on their own)."""
_NO_SESSION = re.compile(r"Error resuming session")
"""What Gemini CLI writes to stderr (exit 42) when ``--resume`` names a session it does not have."""
_API_AUTH_ERROR = re.compile(r'"code":\s*40[13]\b|UNAUTHENTICATED|PERMISSION_DENIED|API key not valid', re.IGNORECASE)
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


class GeminiCliProvider(AgentCliProvider):
    """Gemini CLI in headless stream-json mode, never allowed to write."""

    name = "gemini-cli"
    display_name = "Gemini CLI"
    executable_name = "gemini"
    install_hint = INSTALL_HINT

    def trust_workspace(self) -> bool:
        """Whether the user chose (``options.trustWorkspace``) to let Gemini CLI run in folders it does not trust."""
        value = self.settings.options.get("trustWorkspace", False)
        if not isinstance(value, bool):
            raise ProviderInitError("options.trustWorkspace must be true or false", provider=self.name)
        return value

    def child_env(self) -> dict[str, str]:
        """What the CLI gets on top of the server's environment: ``env``, then baseUrl and the configured key."""
        return child_environment(
            self.settings.env,
            base_url=self.settings.base_url,
            base_url_var=BASE_URL_ENV,
            api_key=explicit_api_key(self),
            api_key_var="GEMINI_API_KEY",
        )

    def has_credentials(self, environ: Mapping[str, str]) -> bool:
        """A key or Vertex/GCA selection in ``environ``, or a Google login in ``~/.gemini``.

        ``~/.gemini/.env`` counts only with trustWorkspace: Gemini CLI ignores it in folders it does not trust.
        """
        if any(environ.get(name) for name in CREDENTIAL_ENV):
            return True
        folder = home_dir(environ) / ".gemini"
        if (folder / "oauth_creds.json").is_file():
            return True
        if not self.trust_workspace():
            return False
        try:
            dotenv = (folder / ".env").read_text(encoding="utf-8")
        except OSError:
            return False
        return any(line.strip().startswith(("GEMINI_API_KEY=", "GOOGLE_API_KEY=")) for line in dotenv.splitlines())

    @staticmethod
    def security_settings(environ: Mapping[str, str]) -> dict[str, Any]:
        """The ``security`` block of the user's ``~/.gemini/settings.json`` (empty when unset or unreadable)."""
        try:
            data = json.loads((home_dir(environ) / ".gemini" / "settings.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        security = data.get("security") if isinstance(data, dict) else None
        return security if isinstance(security, dict) else {}

    def selected_auth_type(self, environ: Mapping[str, str]) -> str | None:
        """``security.auth.selectedType`` from the user's ``~/.gemini/settings.json``, when set."""
        auth = self.security_settings(environ).get("auth")
        selected = auth.get("selectedType") if isinstance(auth, dict) else None
        return selected if isinstance(selected, str) else None

    def checks_folder_trust(self, environ: Mapping[str, str]) -> bool:
        """Whether Gemini CLI will refuse untrusted folders: folder trust on (its default) and no trustWorkspace."""
        folder_trust = self.security_settings(environ).get("folderTrust")
        enabled = folder_trust.get("enabled", True) if isinstance(folder_trust, dict) else True
        return enabled is not False and not self.trust_workspace()

    def check_extra_args(self, extra: list[str] | None = None) -> None:
        """Raise ConfigurationError when extraArgs would change the approval mode or auto-approve tools."""
        found = unsafe_extra_arg([*self.settings.extra_args, *(extra or [])])
        if found is not None:
            why = "would override the approval mode (use options.approvalMode: plan or default)"
            raise refuse_unsafe_arg(self.name, self.display_name, found, why)

    def check_settings(self) -> None:
        """Refuse extraArgs and an approval mode that would let Gemini CLI write."""
        self.check_extra_args()
        self.approval_mode()

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        """NEEDS_CONFIG or NEEDS_CREDENTIAL from the CLI's config files and the environment, else READY."""
        if environ.get(BASE_URL_ENV) and self.selected_auth_type(environ) not in HEADLESS_AUTH_TYPES:
            return ProviderStatus(state=ProviderState.NEEDS_CONFIG, reason=f"Gemini CLI: {GATEWAY_HINT}")
        if not self.has_credentials(environ):
            hint = LOGIN_HINT
            if (home_dir(environ) / ".gemini" / ".env").is_file():
                hint += " (~/.gemini/.env is read only in folders Gemini CLI trusts; see options.trustWorkspace)"
            return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason=f"Gemini CLI is not signed in: {hint}")
        reason = f"using {exe}"
        if self.checks_folder_trust(environ):
            reason += (
                "; it runs only in folders it trusts (trust a folder in Gemini CLI, or set options.trustWorkspace)"
            )
        return ProviderStatus(state=ProviderState.READY, reason=reason)

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

    def command(self, exe: str, options: ClaifOptions) -> list[str]:
        """The command line; the prompt goes through stdin, never argv, where any local user could read it."""
        self.check_extra_args(options.extra_args)
        argv = [exe, "--output-format", "stream-json", "--approval-mode", self.approval_mode()]
        if self.trust_workspace():
            argv.append("--skip-trust")
        if options.model:
            argv += ["-m", options.model]
        resume = resumable_session(options)
        if resume:
            argv.append(f"--resume={resume}")  # one token: the value stays bound to its flag
        return [*argv, *self.settings.extra_args, *options.extra_args]

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the assistant's deltas; the final Message holds the last turn's text, the token stats and the
        session id.

        A later turn resumes Gemini CLI's session (``options.resume``) with just the new prompt; without one, or
        when Gemini CLI no longer has it, the earlier turns are sent again as one prompt.
        """
        async for event in resume_or_resend(self.name, prompt, self.resolve_options(options), self._turn):
            yield event

    async def _turn(self, prompt: str, options: ClaifOptions) -> AsyncIterator[StreamEvent]:
        """One headless run; SessionGone when the session to resume does not exist."""
        if options.resume:
            # The session holds the system prompt from its first turn; only the new prompt goes.
            options = options.model_copy(update={"system_prompt": None})
        # With stdin not a terminal and no --prompt, gemini runs headless and reads stdin to its end.
        async with self.run(prompt, options) as process:
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
            if code == 42 and options.resume and _NO_SESSION.search(process.stderr_tail):
                raise SessionGone(options.resume)
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
                    cache_read_tokens=int(stats.get("cached") or 0),
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
        """A clear error for a non-zero exit status, from the CLI's structured error when it wrote one."""
        stderr = strip_ansi(process.stderr_tail)
        detail = self._result_message(result) or error_message
        if code == 55:
            return ProviderInitError(TRUST_HINT, provider=self.name)
        if code == 41:
            if "Invalid auth method selected" in (detail or stderr) and process.env.get(BASE_URL_ENV):
                return AuthenticationError(f"Gemini CLI: {GATEWAY_HINT} (exit 41)", provider=self.name)
            return AuthenticationError(
                f"Gemini CLI is not authenticated (exit 41): {LOGIN_HINT}. {detail or stderr}".rstrip(". "),
                provider=self.name,
            )
        if detail and _API_AUTH_ERROR.search(detail):
            message = f"Gemini CLI was refused by the API: {detail} ({LOGIN_HINT})"
            return AuthenticationError(message, provider=self.name)
        what = EXIT_CODES.get(code, f"failed (exit {code})")
        if code in EXIT_CODES:
            what += f" (exit {code})"
        if detail:
            return ProviderRuntimeError(f"Gemini CLI {what}: {detail}", provider=self.name)
        if code in EXIT_CODES:
            return ProviderRuntimeError(f"Gemini CLI {what}" + (f": {stderr}" if stderr else ""), provider=self.name)
        return ProviderRuntimeError(strip_ansi(process.failure_message()), provider=self.name)
