"""Claude Code through claude-agent-sdk, read-only: the agent may read the workspace but never write it.

The answer (an apply_patch block, when the server asks for edits) goes through claif-lsp's patch engine;
the agent runs in plan mode with the editing tools and Bash disallowed. ``claude_agent_sdk`` is imported
only when a query runs, so the server starts without it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger

from claif_lsp.sdk import (
    AgentCliProvider,
    AuthenticationError,
    ClaifError,
    ClaifOptions,
    Message,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    RateLimitError,
    Role,
    SessionGone,
    StreamEvent,
    TextDelta,
    Usage,
    child_environment,
    explicit_api_key,
    find_executable,
    home_dir,
    refuse_unsafe_arg,
    resumable_session,
    resume_or_resend,
)

if TYPE_CHECKING:
    from claude_agent_sdk import ClaudeAgentOptions

INSTALL_HINT = "install with npm i -g @anthropic-ai/claude-code"
LOGIN_HINT = "run `claude` and /login, or set ANTHROPIC_API_KEY"
READ_ONLY_TOOLS = ["Read", "Grep", "Glob", "LS"]
WRITING_TOOLS = ["Edit", "Write", "MultiEdit", "NotebookEdit", "Bash"]
CREDENTIAL_ENV = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
)
UNSAFE_FLAGS = {
    "permission-mode": "would replace plan mode",
    "dangerously-skip-permissions": "would skip every permission check",
    "allow-dangerously-skip-permissions": "would allow skipping every permission check",
    "permission-prompt-tool": "would hand permission decisions to another tool",
    "allowedTools": "would change the read-only tool list",
    "allowed-tools": "would change the read-only tool list",
    "tools": "would change the read-only tool list",
    "disallowedTools": "would change the list of tools that may never run (Edit, Write, Bash, ...)",
    "disallowed-tools": "would change the list of tools that may never run (Edit, Write, Bash, ...)",
}
"""Claude Code flags that decide what the agent may do; this provider sets them itself."""
_NO_SESSION = re.compile(r"No conversation found with session ID", re.IGNORECASE)
"""What Claude Code says when ``--resume`` names a session it does not have (its ``result`` line's ``errors``)."""
_AUTH_TEXT = re.compile(r"invalid api key|/login|not logged in|authenticat|oauth token|\b40[13]\b", re.IGNORECASE)


def retry_note(data: Mapping[str, Any]) -> str:
    """A ``system``/``api_retry`` event as one line of progress text."""
    status = data.get("error_status")
    what = f"HTTP {status} ({data.get('error') or 'error'})" if status else "the API could not be reached"
    delay = data.get("retry_delay_ms")
    when = f" in {int(delay) / 1000:.1f}s" if isinstance(delay, (int, float)) else ""
    return f"(Claude Code: {what}; retry {data.get('attempt', '?')}/{data.get('max_retries', '?')}{when})\n"


def parse_extra_args(args: list[str]) -> dict[str, str | None]:
    """``["--flag", "value", "--switch", "--k=v"]`` as ``ClaudeAgentOptions.extra_args`` ({flag: value or None})."""
    parsed: dict[str, str | None] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise ProviderInitError(
                f"extraArgs entry {arg!r} is not a --flag; Claude Code extra arguments are --flag [value] pairs",
                provider="claude-code",
            )
        name, eq, value = arg[2:].partition("=")
        if eq:
            parsed[name] = value
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            parsed[name] = args[i + 1]
            i += 1
        else:
            parsed[name] = None
        i += 1
    return parsed


def usage_from_result(raw: dict[str, Any] | None) -> Usage:
    """Usage from a ``result`` line's Anthropic-style usage dict, whose ``input_tokens`` leaves out the cache's."""
    raw = raw or {}
    read = int(raw.get("cache_read_input_tokens") or 0)
    written = int(raw.get("cache_creation_input_tokens") or 0)
    return Usage(
        input_tokens=int(raw.get("input_tokens") or 0) + read + written,
        output_tokens=int(raw.get("output_tokens") or 0),
        cache_read_tokens=read,
        cache_write_tokens=written,
    )


class ClaudeCodeProvider(AgentCliProvider):
    """Claude Code (the ``claude`` CLI) driven by claude-agent-sdk in plan mode."""

    name = "claude-code"
    display_name = "Claude Code"
    executable_name = "claude"
    install_hint = INSTALL_HINT

    def executable(self) -> str | None:
        """The claude executable (see :meth:`cli_path`)."""
        return self.cli_path()

    def cli_path(self) -> str | None:
        """The claude executable: settings.path, else PATH, else the CLI bundled with claude-agent-sdk."""
        if self.settings.path:
            return find_executable("claude", self.environ, self.settings.path)
        found = find_executable("claude", self.environ)
        if found:
            return found
        bundled = self.bundled_cli()
        if bundled:
            return bundled
        home = home_dir(self.environ)
        for candidate in (home / ".claude/local/claude", home / ".local/bin/claude", home / ".npm-global/bin/claude"):
            if candidate.is_file():
                return str(candidate)
        return None

    @staticmethod
    def bundled_cli() -> str | None:
        """The claude binary shipped inside the claude-agent-sdk wheel, located without importing the SDK."""
        spec = importlib.util.find_spec("claude_agent_sdk")
        if spec is None or spec.origin is None:
            return None
        bundled = Path(spec.origin).parent / "_bundled" / "claude"
        return str(bundled) if bundled.is_file() else None

    def config_dirs(self) -> list[Path]:
        """Where Claude Code keeps its settings and credentials: ``$CLAUDE_CONFIG_DIR``, then ``~/.claude``."""
        config_dir = self.environ.get("CLAUDE_CONFIG_DIR")
        return ([Path(config_dir)] if config_dir else []) + [home_dir(self.environ) / ".claude"]

    def user_settings(self) -> dict[str, Any]:
        """Claude Code's user ``settings.json`` (empty when missing or unreadable)."""
        for folder in self.config_dirs():
            try:
                data = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            return data if isinstance(data, dict) else {}
        return {}

    def child_env(self) -> dict[str, str]:
        """What the CLI gets on top of the server's environment: ``env``, then baseUrl and the configured key."""
        return child_environment(
            self.settings.env,
            base_url=self.settings.base_url,
            base_url_var="ANTHROPIC_BASE_URL",
            api_key=explicit_api_key(self),
            api_key_var="ANTHROPIC_API_KEY",
        )

    def has_credentials(self) -> bool:
        """A key or login in the environment, claif's settings, Claude Code's settings.json or its config files."""
        user_settings = self.user_settings()
        if user_settings.get("apiKeyHelper"):
            return True
        settings_env = user_settings.get("env")
        # Claude Code applies settings.json's env block to itself, so a key (or gateway token) there counts.
        environ = {**self.environ, **(settings_env if isinstance(settings_env, dict) else {}), **self.child_env()}
        if any(environ.get(name) for name in CREDENTIAL_ENV):
            return True
        if any((folder / ".credentials.json").is_file() for folder in self.config_dirs()):
            return True
        # On macOS the token lives in the keychain; the account record in ~/.claude.json shows a login.
        try:
            state = json.loads((home_dir(self.environ) / ".claude.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(state, dict) and bool(state.get("oauthAccount"))

    def extra_args(self, extra: list[str] | None = None) -> dict[str, str | None]:
        """extraArgs as SDK ``extra_args``; ConfigurationError for flags that would let the agent write."""
        parsed = parse_extra_args([*self.settings.extra_args, *(extra or [])])
        for flag, value in parsed.items():
            if flag in UNSAFE_FLAGS:
                written = f"--{flag}" if value is None else f"--{flag} {value}"
                raise refuse_unsafe_arg(self.name, self.display_name, written, UNSAFE_FLAGS[flag])
        return parsed

    def check_settings(self) -> None:
        """Refuse extraArgs that would let the agent write."""
        self.extra_args()

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        """NEEDS_CREDENTIAL without a key or login anywhere Claude Code looks, else READY; no network."""
        if not self.has_credentials():
            return ProviderStatus(
                state=ProviderState.NEEDS_CREDENTIAL, reason=f"Claude Code is not logged in: {LOGIN_HINT}"
            )
        return super().login_status(exe, environ)

    def agent_options(self, cli: str, options: ClaifOptions, resume: str | None = None) -> ClaudeAgentOptions:
        """The SDK options for one read-only query, continuing Claude Code's session ``resume`` when given."""
        from claude_agent_sdk import ClaudeAgentOptions

        extra = self.extra_args(options.extra_args)
        return ClaudeAgentOptions(
            cli_path=cli,
            cwd=options.workspace_root,
            model=options.model,
            permission_mode="plan",
            resume=resume,
            allowed_tools=list(READ_ONLY_TOOLS),
            disallowed_tools=list(WRITING_TOOLS),
            include_partial_messages=True,
            # Only the user's own settings: a cloned repository's .claude/settings.json (and settings.local.json)
            # can define hooks and an apiKeyHelper that run programs, and env that redirects the code elsewhere.
            setting_sources=["user"],
            extra_args=extra,
            # Always the claude_code preset: it documents the read-only tools, and with no system prompt at all
            # the SDK would pass --system-prompt "" and blank it.
            system_prompt=(
                {"type": "preset", "preset": "claude_code", "append": options.system_prompt}
                if options.system_prompt
                else {"type": "preset", "preset": "claude_code"}
            ),
            env={**self.child_env(), "CLAUDE_CODE_ENTRYPOINT": "sdk-py"},
        )

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream Claude Code's answer; the final Message carries the result text, usage and the session id.

        A later turn resumes Claude Code's own session (``options.resume``) with just the new prompt; without
        one, or when Claude Code no longer has it, the earlier turns are sent again as one prompt.
        """
        async for event in resume_or_resend(self.name, prompt, self.resolve_options(options), self._turn):
            yield event

    async def _turn(self, prompt: str, options: ClaifOptions) -> AsyncIterator[StreamEvent]:
        """One run of Claude Code; SessionGone when ``options.resume`` names a session it does not have."""
        resume = resumable_session(options)
        cli = self.require_executable()
        try:
            from claude_agent_sdk import AssistantMessage, ClaudeSDKError, ResultMessage, SystemMessage, TextBlock
            from claude_agent_sdk import StreamEvent as SDKStreamEvent
            from claude_agent_sdk import query as sdk_query

            from claif_claude_code.transport import ProcessGroupTransport
        except ImportError as exc:
            raise ProviderInitError(
                f"claude-agent-sdk is not installed ({exc}); install claif-claude-code", provider=self.name
            ) from exc

        agent_options = self.agent_options(cli, options, resume)
        transport = ProcessGroupTransport(
            cli, agent_options, provider=self.name, environ=self.environ, timeout=options.timeout
        )
        stream = sdk_query(prompt=prompt, options=agent_options, transport=transport)
        model: str | None = options.model
        streamed = False
        auth_error: str | None = None
        try:
            async for message in stream:
                if isinstance(message, SDKStreamEvent):
                    event = message.event
                    delta = event.get("delta") or {}
                    if (
                        message.parent_tool_use_id is None
                        and event.get("type") == "content_block_delta"
                        and delta.get("type") == "text_delta"
                        and delta.get("text")
                    ):
                        streamed = True
                        yield TextDelta(text=delta["text"])
                elif isinstance(message, SystemMessage) and message.subtype == "api_retry":
                    # Claude Code retries every failed API call (10 times, with backoff, by default); a refused
                    # key never succeeds, so the wait ends here instead of at the timeout.
                    if message.data.get("error_status") in (401, 403):
                        raise AuthenticationError(
                            f"Claude Code was refused by the API (HTTP {message.data['error_status']}, "
                            f"{message.data.get('error') or 'authentication failed'}): {LOGIN_HINT}",
                            provider=self.name,
                        )
                    note = retry_note(message.data)
                    logger.info("{}: {}", self.name, note.strip())
                    yield TextDelta(text=note)
                elif isinstance(message, AssistantMessage):
                    text = "".join(block.text for block in message.content if isinstance(block, TextBlock))
                    if message.error:
                        if message.error == "authentication_failed":
                            auth_error = text or message.error
                        elif message.error == "rate_limit":
                            raise RateLimitError(text or "Claude Code hit a rate limit", provider=self.name)
                        continue
                    if message.parent_tool_use_id is None:
                        model = message.model or model
                        if not streamed and text:
                            yield TextDelta(text=text)
                    streamed = False
                elif isinstance(message, ResultMessage):
                    if message.is_error:
                        if resume is not None and any(_NO_SESSION.search(e) for e in message.errors or []):
                            raise SessionGone(resume)
                        status = getattr(message, "api_error_status", None)
                        raise self._result_error(message.result or message.subtype, auth_error, status)
                    yield Message(
                        role=Role.ASSISTANT,
                        content=message.result or "",
                        usage=usage_from_result(message.usage),
                        metadata={
                            "model": model,
                            "session_id": message.session_id,
                            "num_turns": message.num_turns,
                            "duration_ms": message.duration_ms,
                            "total_cost_usd": message.total_cost_usd,
                        },
                    )
                    return
            raise ProviderRuntimeError(transport.process.failure_message("ended without a result"), provider=self.name)
        except (ClaifError, SessionGone):
            raise
        except ClaudeSDKError as exc:
            raise ProviderRuntimeError(f"Claude Code failed: {exc}", provider=self.name) from exc
        finally:
            # The SDK's query() leaves its inner generator (and the CLI) to the garbage collector when closed
            # early, so the transport is closed here: the whole process group dies with the request.
            await transport.close()
            await stream.aclose()  # type: ignore[attr-defined]

    def _result_error(self, text: str, auth_error: str | None, status: int | None) -> ClaifError:
        """The error for a ``result`` line with ``is_error``."""
        if auth_error is not None or status in (401, 403) or _AUTH_TEXT.search(text or ""):
            return AuthenticationError(f"{auth_error or text} ({LOGIN_HINT})", provider=self.name)
        if status == 429:
            return RateLimitError(text, provider=self.name)
        return ProviderRuntimeError(f"Claude Code returned an error: {text}", provider=self.name)
