"""The OpenAI Codex CLI as a read-only provider: ``codex exec --json -s read-only``.

Codex may read the workspace and run read-only commands in its sandbox but never write; its final
``agent_message`` (an apply_patch block, when the server asks for edits) is the answer, which claif-lsp
turns into a reviewable proposal.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claif_lsp.sdk import (
    AgentCliProvider,
    AgentProcess,
    AuthenticationError,
    ClaifError,
    ClaifOptions,
    Message,
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
    flag_uses,
    home_dir,
    parse_json_line,
    refuse_unsafe_arg,
    resumable_session,
    resume_or_resend,
)

INSTALL_HINT = "install with npm i -g @openai/codex"
LOGIN_HINT = "run `codex login`, or set OPENAI_API_KEY"
CREDENTIAL_ENV = ("OPENAI_API_KEY", "CODEX_API_KEY")
_AUTH_TEXT = re.compile(r"\b401\b|\b403\b|unauthorized|not logged in|codex login|invalid api key", re.IGNORECASE)
_RETRY_AUTH = re.compile(r"^Reconnecting\.\.\. .*\b(401|403)\b")
"""Codex retries a refused key too (5 times over HTTP); the first such retry ends the ask."""
GATEWAY_PROVIDER = "claif"
"""The model provider claif-lsp defines with ``-c`` when ``baseUrl`` is set."""
GATEWAY_KEY_ENV = "CLAIF_CODEX_API_KEY"
"""Where an ``apiKeyCommand`` key goes for that provider."""
BUILTIN_KEYLESS = ("ollama", "lmstudio", "oss")
_NO_THREAD = re.compile(r"no rollout found for thread id|thread/resume failed", re.IGNORECASE)
"""What ``codex exec resume`` writes to stderr (exit 1) for a thread it does not have."""
_RATE_TEXT = re.compile(r"\b429\b|rate limit|too many requests|usage limit", re.IGNORECASE)
UNSAFE_SWITCHES = ("--dangerously-bypass-approvals-and-sandbox", "--yolo", "--full-auto")
UNSAFE_VALUE_FLAGS = ("-s", "--sandbox", "-a", "--ask-for-approval")
_UNSAFE_CONFIG_KEY = re.compile(r"(^|\.)\s*(sandbox\w*|approval_policy)\s*(\.|$)")
"""``-c key=value`` overrides (also inside a profile, ``profiles.x.sandbox_mode``) that change what Codex may do."""


def unsafe_extra_arg(args: list[str]) -> tuple[str, str] | None:
    """The first extra argument that would loosen the read-only sandbox or approvals, and why; None when safe."""
    for arg, _ in flag_uses(args, UNSAFE_SWITCHES):
        return arg, "would bypass the read-only sandbox"
    for arg, _ in flag_uses(args, UNSAFE_VALUE_FLAGS, takes_value=True):
        return arg, "would replace the read-only sandbox or the approval policy"
    for arg, value in flag_uses(args, ("-c", "--config"), takes_value=True):
        if _UNSAFE_CONFIG_KEY.search(value.partition("=")[0].strip().strip("\"'")):
            return arg, "would override sandbox_mode or approval_policy"
    return None


@dataclass(frozen=True)
class ModelProvider:
    """The model provider a run uses: Codex's own OpenAI login, or a ``[model_providers.x]`` gateway."""

    name: str
    env_key: str | None
    """The variable its key is read from (None: no key, or the OpenAI login)."""


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(value)


class CodexProvider(AgentCliProvider):
    """Codex (``codex exec --json``) in a read-only sandbox."""

    name = "codex"
    display_name = "Codex"
    executable_name = "codex"
    install_hint = INSTALL_HINT

    def codex_home(self) -> Path:
        """``$CODEX_HOME``, default ``~/.codex``."""
        codex_home = self.environ.get("CODEX_HOME")
        return Path(codex_home) if codex_home else home_dir(self.environ) / ".codex"

    def model_provider(self) -> ModelProvider:
        """The model provider a run uses: the baseUrl gateway, else ``model_provider`` in config.toml."""
        if self.settings.base_url:
            env_key = GATEWAY_KEY_ENV if self.settings.api_key_command else self.settings.api_key_env
            return ModelProvider(GATEWAY_PROVIDER, env_key)
        try:
            config = tomllib.loads((self.codex_home() / "config.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            config = {}
        name = config.get("model_provider")
        if not isinstance(name, str) or name == "openai":
            return ModelProvider("openai", None)
        table = (config.get("model_providers") or {}).get(name)
        env_key = table.get("env_key") if isinstance(table, dict) else None
        return ModelProvider(name, env_key if isinstance(env_key, str) else None)

    def child_env(self) -> dict[str, str]:
        """What Codex gets on top of the server's environment: ``env``, then the configured key."""
        key = explicit_api_key(self)
        if self.settings.base_url:
            return child_environment(self.settings.env, api_key=key, api_key_var=GATEWAY_KEY_ENV)
        # Codex exec reads CODEX_API_KEY for its built-in OpenAI provider.
        return child_environment(self.settings.env, api_key=key, api_key_var="CODEX_API_KEY")

    def gateway_args(self) -> list[str]:
        """``-c`` overrides defining the baseUrl gateway as Codex's model provider (OPENAI_BASE_URL is ignored)."""
        if not self.settings.base_url:
            return []
        table = {"name": "claif-lsp gateway", "base_url": self.settings.base_url, "wire_api": "responses"}
        env_key = self.model_provider().env_key
        if env_key:
            table["env_key"] = env_key
        inline = ", ".join(f"{key} = {toml_string(value)}" for key, value in table.items())
        return [
            "-c",
            f"model_provider={toml_string(GATEWAY_PROVIDER)}",
            "-c",
            f"model_providers.{GATEWAY_PROVIDER}={{{inline}}}",
        ]

    def missing_credentials(self, environ: Mapping[str, str]) -> str | None:
        """Why Codex has no credentials (None when it has): its provider's env_key, or its OpenAI login."""
        provider = self.model_provider()
        if provider.name != "openai":
            if provider.env_key and not environ.get(provider.env_key):
                return (
                    f"Codex's model provider {provider.name!r} reads its key from {provider.env_key}, which is not set"
                )
            return None
        if any(environ.get(name) for name in CREDENTIAL_ENV) or (self.codex_home() / "auth.json").is_file():
            return None
        return f"Codex is not logged in: {LOGIN_HINT}"

    def has_credentials(self) -> bool:
        """A key for the configured model provider, or a login in ``$CODEX_HOME/auth.json``."""
        return self.missing_credentials({**self.environ, **self.child_env()}) is None

    def check_extra_args(self, extra: list[str] | None = None) -> None:
        """Raise ConfigurationError when extraArgs would let Codex write or skip approvals."""
        found = unsafe_extra_arg([*self.settings.extra_args, *(extra or [])])
        if found is not None:
            raise refuse_unsafe_arg(self.name, self.display_name, *found)

    def check_settings(self) -> None:
        """Refuse extraArgs that would let Codex write."""
        self.check_extra_args()

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        """NEEDS_CREDENTIAL without a key or login for the model provider, else READY naming it; no network."""
        missing = self.missing_credentials(environ)
        if missing is not None:
            return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason=missing)
        provider = self.model_provider().name
        via = f" through model provider {provider!r}" if provider != "openai" else ""
        return ProviderStatus(state=ProviderState.READY, reason=f"using {exe}{via}")

    def command(self, exe: str, options: ClaifOptions) -> list[str]:
        """``codex exec`` in a read-only sandbox, reading the prompt from stdin; ``exec … resume <id> -`` to
        continue the thread ``options.resume``."""
        self.check_extra_args(options.extra_args)
        argv = [exe, "exec", "--json", "-s", "read-only", "--skip-git-repo-check"]
        if options.workspace_root is not None:
            argv += ["-C", str(options.workspace_root)]
        if options.model:
            argv += ["-m", options.model]
        argv += [*self.gateway_args(), *self.settings.extra_args, *options.extra_args]
        resume = resumable_session(options)
        # The exec options come before the subcommand: resume takes fewer of them (no -s, no -C) itself.
        return [*argv, "resume", resume, "-"] if resume else [*argv, "-"]

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the agent's messages; the final Message is the last agent_message, with the turn's usage and
        the thread id (``metadata["session_id"]``).

        A later turn resumes Codex's thread (``options.resume``) with just the new prompt; without one, or when
        Codex no longer has it, the earlier turns are sent again as one prompt.
        """
        async for event in resume_or_resend(self.name, prompt, self.resolve_options(options), self._turn):
            yield event

    async def _turn(self, prompt: str, options: ClaifOptions) -> AsyncIterator[StreamEvent]:
        """One run of ``codex exec``; SessionGone when the thread to resume does not exist."""
        if options.resume:
            # The thread holds the system prompt from its first turn; only the new prompt goes.
            options = options.model_copy(update={"system_prompt": None})
        async with self.run(prompt, options) as process:
            shown: dict[str, str] = {}
            """Text of each agent_message item already streamed."""
            answer: str | None = None
            usage: Usage | None = None
            failure: str | None = None
            last_error: str | None = None
            thread_id: str | None = None
            async for line in process.lines():
                event = parse_json_line(line, self.name)
                if event is None:
                    continue
                kind = event.get("type")
                if kind == "thread.started":
                    thread_id = event.get("thread_id")
                elif kind in ("item.started", "item.updated", "item.completed"):
                    item = event.get("item") or {}
                    if item.get("type") != "agent_message":
                        continue
                    for piece in self._new_text(shown, item):
                        yield TextDelta(text=piece)
                    if kind == "item.completed":
                        answer = str(item.get("text") or "")
                elif kind == "turn.completed":
                    usage = self._usage(event.get("usage"))
                elif kind == "turn.failed":
                    failure = str((event.get("error") or {}).get("message") or "the turn failed")
                elif kind == "error":
                    # Codex also reports retries ("Reconnecting... 1/5") this way; only turn.failed, the exit
                    # status or a retry of a refused key (which can never succeed) make it fatal.
                    last_error = str(event.get("message") or "")
                    if _RETRY_AUTH.match(last_error):
                        raise self._error(last_error.partition("(")[2].rstrip(")") or last_error, process)
            code = await process.wait()
            if code != 0 and options.resume and _NO_THREAD.search(process.stderr_tail):
                raise SessionGone(options.resume)
            if failure is not None or code != 0:
                raise self._error(failure or last_error, process)
            if usage is None:
                raise ProviderRuntimeError(
                    process.failure_message("ended without completing the turn"), provider=self.name
                )
            yield Message(
                role=Role.ASSISTANT,
                content=answer or "",
                usage=usage,
                metadata={"model": options.model, "thread_id": thread_id, "session_id": thread_id},
            )

    @staticmethod
    def _new_text(shown: dict[str, str], item: dict[str, Any]) -> list[str]:
        """The part of an agent_message item's text not yet streamed (items carry their whole text so far)."""
        item_id = str(item.get("id") or "")
        text = str(item.get("text") or "")
        before = shown.setdefault(item_id, "")
        if len(text) <= len(before) or not text.startswith(before):
            return []
        pieces = [text[len(before) :]]
        if not before and any(seen for other, seen in shown.items() if other != item_id):
            pieces.insert(0, "\n\n")  # a further message of the same turn: keep the progress text readable
        shown[item_id] = text
        return pieces

    @staticmethod
    def _usage(raw: Any) -> Usage:
        raw = raw if isinstance(raw, dict) else {}
        return Usage(
            input_tokens=int(raw.get("input_tokens") or 0),
            output_tokens=int(raw.get("output_tokens") or 0),
            cache_read_tokens=int(raw.get("cached_input_tokens") or 0),
        )

    def _error(self, message: str | None, process: AgentProcess) -> ClaifError:
        """The error for a failed turn or a non-zero exit, from Codex's message or its stderr tail."""
        detail = message or ""
        full = process.failure_message() if not detail else f"{detail} ({process.failure_message()})"
        if (
            _AUTH_TEXT.search(detail)
            or _AUTH_TEXT.search(process.stderr_tail)
            or "Missing environment variable" in detail
        ):
            provider = self.model_provider()
            hint = (
                f"Codex's model provider {provider.name!r} reads its key from {provider.env_key}"
                if provider.env_key
                else LOGIN_HINT
            )
            return AuthenticationError(f"{detail or process.failure_message()} ({hint})", provider=self.name)
        if _RATE_TEXT.search(detail):
            return RateLimitError(detail, provider=self.name)
        return ProviderRuntimeError(full, provider=self.name)
