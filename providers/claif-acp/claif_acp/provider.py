"""Coding agents over the Agent Client Protocol as claif-lsp providers, each edit a reviewable proposal.

Every ask starts the agent in its own process group inside a :class:`~claif_acp.shadow.ShadowWorkspace` (a
private copy of the workspace seeded with the unsaved buffers, and a private HOME), runs one ACP turn
(``initialize``, ``session/new``, optionally ``session/set_mode``, ``session/prompt``), and answers with the
copy's changes as a unified diff followed by the agent's text and a record of what it did. A later turn of a
conversation continues the agent's session with ``session/load`` when the agent offers it and still has it, else
sends the earlier turns again in one prompt. The user's files are never written. Cancelling the ask sends
``session/cancel``, refuses open permission requests, gives the agent a short grace and then kills its process
group; the copy and HOME are removed whatever happens.

One entry point per preset (``gemini-agent``, ``codex-agent``, ``claude-agent``, ``opencode-agent``) and a
generic ``acp`` whose command is ``providers.acp.path`` plus ``extraArgs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

import anyio
from acp import PROTOCOL_VERSION, Client, RequestError, text_block
from acp.client.connection import ClientSideConnection
from acp.schema import (
    AcpMcpServer,
    ClientCapabilities,
    EnvVariable,
    FileSystemCapabilities,
    HttpMcpServer,
    Implementation,
    LoadSessionResponse,
    McpServerStdio,
    PromptResponse,
    SseMcpServer,
)
from acp.schema import Usage as AcpUsage
from loguru import logger

from claif_acp.client import ClaifClient, CommandPolicy, Progress
from claif_acp.shadow import ShadowWorkspace
from claif_lsp.sdk import (
    AgentCliProvider,
    AgentProcess,
    AuthenticationError,
    ClaifError,
    ClaifOptions,
    ConfigurationError,
    Message,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    ProviderTimeoutError,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
    conversation_prompt,
    missing_executable_reason,
    with_system_prompt,
)

CANCEL_GRACE = 2.0
"""Seconds a cancelled agent gets to end its turn before its process group is killed."""
INITIALIZE_TIMEOUT = 30.0
"""Seconds an agent gets to answer ``initialize`` (within the provider timeout)."""
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "TMPDIR", "SYSTEMROOT")
"""The only variables of the server's environment an agent gets; keys and base URLs go through ``env``."""
AGENT_NOTE = (
    "You are working in a private copy of the user's workspace. Make the requested change by editing the files "
    "with your tools; do not answer with a diff. Your edits are shown to the user as a proposal to review. "
    "Do not run commands unless the task needs it, and do not repeat your edits in your answer."
)
STOP_MESSAGES = {
    "max_tokens": "stopped at its token limit (max_tokens) before finishing; nothing was proposed",
    "max_turn_requests": "stopped at its limit of model requests for one turn; nothing was proposed",
    "refusal": "refused to answer; nothing was proposed",
    "cancelled": "cancelled its turn; nothing was proposed",
}
FIRST_LINE_CHARS = 200
"""How much of an agent's answer an error quotes."""
_OPTION_KEYS = {"sessionMode", "mcpServers", "commands", "displayName", "installHint"}


@dataclass(frozen=True)
class AgentPreset:
    """How to start one ACP agent."""

    args: tuple[str, ...] = ()
    session_mode: str | None = None
    """The mode that asks before editing (set with ``session/set_mode`` after ``session/new``)."""
    env: Mapping[str, str] = field(default_factory=dict)
    key_variables: tuple[str, ...] = ()
    """Where the agent reads its API key: passed on from the server's environment when set there, and the key of
    ``apiKeyEnv``/``apiKeyCommand`` goes under the first of them."""


class AcpProvider(AgentCliProvider):
    """An ACP agent started from settings: ``path`` (the command), ``extraArgs``, ``env`` and ``options``."""

    name: ClassVar[str] = "acp"
    display_name: ClassVar[str] = "ACP agent"
    install_hint: ClassVar[str] = "set providers.acp.path to the agent's command (e.g. `gemini`)"
    preset: ClassVar[AgentPreset] = AgentPreset()

    def title_name(self) -> str:
        """The agent's name in messages and the answer's record: ``options.displayName`` or the class's."""
        return str(self.settings.options.get("displayName") or self.display_name)

    def not_installed_hint(self) -> str:
        """How to install the agent: ``options.installHint`` or the preset's."""
        return str(self.settings.options.get("installHint") or self.install_hint)

    def executable(self) -> str | None:
        """``path``, else the preset's command on PATH; None for the generic provider without ``path``."""
        if not self.settings.path and not self.executable_name:
            return None
        return super().executable()

    def not_installed_reason(self) -> str:
        """What is missing and how to install it."""
        hint = self.not_installed_hint()
        if not self.settings.path and not self.executable_name:
            return hint
        return missing_executable_reason(self.executable_name, self.settings.path, hint)

    def check_settings(self) -> None:
        """Options must have the shapes the provider reads."""
        options = self.settings.options
        unknown = sorted(set(options) - _OPTION_KEYS)
        if unknown:
            raise ConfigurationError(
                f"providers.{self.name}.options has unknown keys {unknown} (known: {sorted(_OPTION_KEYS)})",
                provider=self.name,
            )
        commands = options.get("commands", CommandPolicy.REFUSE.value)
        if commands not in {p.value for p in CommandPolicy}:
            raise ConfigurationError(
                f"providers.{self.name}.options.commands must be 'refuse' or 'ask', not {commands!r}",
                provider=self.name,
            )
        self.mcp_servers()

    def mcp_servers(self) -> list[HttpMcpServer | SseMcpServer | AcpMcpServer | McpServerStdio]:
        """``options.mcpServers`` (``[{name, command, args, env}]``) in ACP's form."""
        raw = self.settings.options.get("mcpServers", [])
        if not isinstance(raw, list):
            raise ConfigurationError(f"providers.{self.name}.options.mcpServers must be a list", provider=self.name)
        servers: list[HttpMcpServer | SseMcpServer | AcpMcpServer | McpServerStdio] = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item.get("command"):
                raise ConfigurationError(
                    f"providers.{self.name}.options.mcpServers entries need a name and a command: {item!r}",
                    provider=self.name,
                )
            env = item.get("env") or {}
            servers.append(
                McpServerStdio(
                    name=item["name"],
                    command=str(item["command"]),
                    args=[str(a) for a in item.get("args") or []],
                    env=[EnvVariable(name=str(k), value=str(v)) for k, v in dict(env).items()],
                )
            )
        return servers

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        """READY when the agent will have a credential: its HOME is private, so a login in the user's is not seen.

        A key variable of the preset in the environment, ``apiKeyEnv``/``apiKeyCommand``, or any ``env`` setting
        (a base URL, a config) counts; the generic provider has none to look for.
        """
        variables = self.preset.key_variables
        has_key = any(environ.get(name) for name in variables)
        if not variables or has_key or self.settings.api_key_env or self.settings.api_key_command or self.settings.env:
            return ProviderStatus(state=ProviderState.READY, reason=f"using {exe}")
        return ProviderStatus(
            state=ProviderState.NEEDS_CREDENTIAL,
            reason=f"set {' or '.join(variables)} (or apiKeyEnv/apiKeyCommand): the agent runs with a private HOME, "
            "so a login in yours is not seen",
        )

    def agent_environment(self, home: Path, key: str | None = None) -> dict[str, str]:
        """The agent's whole environment: a few of the server's variables and its key variables, the private HOME,
        the preset's variables, ``env``, then the key of ``apiKeyEnv``/``apiKeyCommand``."""
        names = (*PASSED_ENV, *self.preset.key_variables)
        passed = {name: self.environ[name] for name in names if self.environ.get(name)}
        env = {**passed, "HOME": str(home), "USER": "claif", **self.preset.env, **self.settings.env}
        if key and self.preset.key_variables:
            env[self.preset.key_variables[0]] = key
        return env

    async def explicit_key(self) -> str | None:
        """The key of ``apiKeyEnv``/``apiKeyCommand`` when one is set; ConfigurationError when it yields none."""
        if not self.settings.api_key_env and not self.settings.api_key_command:
            return None
        key = await self.api_key_async()
        if key is None:
            raise ConfigurationError(
                f"providers.{self.name}: apiKeyEnv/apiKeyCommand gave no key to pass on", provider=self.name
            )
        return key.get_secret_value()

    def command_line(self, exe: str) -> list[str]:
        """The agent's command: the executable, the preset's arguments, ``extraArgs``."""
        return [exe, *self.preset.args, *self.settings.extra_args]

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """One ACP turn in a shadow workspace; the answer is its diff, then the agent's text and activity."""
        self.check_settings()
        options = self.resolve_options(options)
        exe = self.require_executable()
        key = await self.explicit_key()
        root = Path(options.workspace_root or os.getcwd())
        buffers = {Path(path): text for path, text in options.open_documents.items()}
        shadow = await anyio.to_thread.run_sync(lambda: ShadowWorkspace(root, buffers))
        try:
            async for event in self._turn(exe, prompt, options, shadow, key):
                yield event
        finally:
            await anyio.to_thread.run_sync(shadow.close)

    async def _turn(
        self, exe: str, prompt: str, options: ClaifOptions, shadow: ShadowWorkspace, key: str | None
    ) -> AsyncIterator[StreamEvent]:
        timeout = options.timeout or self.settings.timeout
        process = AgentProcess(
            self.command_line(exe),
            provider=self.name,
            environ={},
            env=self.agent_environment(shadow.home, key),
            cwd=shadow.copy,
            timeout=timeout,
            kill_grace=CANCEL_GRACE,
        )
        events: asyncio.Queue[str | Progress] = asyncio.Queue()
        policy = CommandPolicy(self.settings.options.get("commands", CommandPolicy.REFUSE.value))
        client = ClaifClient(shadow, events, agent=self.title_name(), policy=policy, ask_user=options.ask_user)
        async with process:
            writer, reader = process.stdio
            # The SDK routes by method name; the protocol's optional methods (terminals, elicitation) stay unanswered.
            conn = ClientSideConnection(cast("Client", client), writer, reader)
            session: list[str] = []
            turn = asyncio.ensure_future(self._run_turn(conn, client, shadow, prompt, options, session, timeout))
            turn.add_done_callback(lambda _: events.put_nowait(Progress("")))
            finished = False
            streamed: list[str] = []
            said: list[str] = []
            try:
                while not turn.done() or not events.empty():
                    item = await events.get()
                    said += [item] if isinstance(item, str) else []
                    piece = item if isinstance(item, str) else f"\n> {item.text}\n" if item.text else ""
                    if piece:
                        streamed.append(piece)
                        yield TextDelta(text=piece)
                finished = True
                response = await self._outcome(turn, process)
            finally:
                if not finished:
                    await self._stop(conn, client, turn, session)
                with contextlib.suppress(Exception):
                    await conn.close()
        self._check_stop(response)
        diff = await anyio.to_thread.run_sync(shadow.diff)
        if not diff and _expects_edit(options):
            raise ProviderRuntimeError(
                f"{self.title_name()} changed no file; it said: {_first_line(''.join(said))}", provider=self.name
            )
        record = "\n".join(f"- {line}" for line in client.activity.lines)
        # The proposal's diff and the record are streamed too, so the final message restates the stream exactly.
        tail = [f"\n\n```diff\n{diff}```\n"] if diff else []
        tail += [f"\n\nWhat {self.title_name()} did:\n{record}\n"] if record else []
        for piece in tail:
            streamed.append(piece)
            yield TextDelta(text=piece)
        usage = response.usage
        yield Message(
            role=Role.ASSISTANT,
            content="".join(streamed),
            usage=_usage(usage) if usage else None,
            metadata={"session_id": session[0] if session else None, "actions": client.actions},
        )

    async def _run_turn(
        self,
        conn: ClientSideConnection,
        client: ClaifClient,
        shadow: ShadowWorkspace,
        prompt: str,
        options: ClaifOptions,
        session: list[str],
        limit: float,
    ) -> PromptResponse:
        bound = min(INITIALIZE_TIMEOUT, limit)
        try:
            with anyio.fail_after(bound):
                initialized = await conn.initialize(
                    protocol_version=PROTOCOL_VERSION,
                    client_capabilities=ClientCapabilities(
                        fs=FileSystemCapabilities(read_text_file=True, write_text_file=True)
                    ),
                    client_info=Implementation(name="claif-lsp", version="0.1.0"),
                )
        except TimeoutError:
            raise ProviderTimeoutError(
                f"{self.title_name()} did not answer initialize within {bound:g}s",
                provider=self.name,
            ) from None
        capabilities = initialized.agent_capabilities
        resume = options.resume
        loaded = None
        if resume and capabilities is not None and capabilities.load_session:
            loaded = await self._load_session(conn, client, shadow, resume, bound)
        if resume and loaded is not None:
            session_id, modes = resume, loaded.modes
        else:
            created = await conn.new_session(cwd=str(shadow.copy), mcp_servers=self.mcp_servers())
            session_id, modes = created.session_id, created.modes
            # A new session knows nothing of the earlier turns: they go again, in one prompt.
            prompt = conversation_prompt(options.history, prompt)
        session.append(session_id)
        mode = self.settings.options.get("sessionMode", self.preset.session_mode)
        available = {m.id for m in modes.available_modes} if modes else set()
        if mode and mode in available:
            await conn.set_session_mode(session_id=session_id, mode_id=str(mode))
        elif mode and self.settings.options.get("sessionMode") and (loaded is None or modes is not None):
            # A loaded session that reports no modes keeps the one it was created with.
            offered = ", ".join(sorted(available)) or "none"
            raise ConfigurationError(
                f"{self.title_name()} has no session mode {mode!r} (it offers: {offered})",
                provider=self.name,
            )
        # An edit's system prompt asks for a patch in the answer; an agent edits the copy instead, and the copy's
        # diff is the patch (a patch in its text as well would propose the change twice).
        text = with_system_prompt(prompt, options) if options.action == "explain" else f"{prompt}\n\n{AGENT_NOTE}"
        return await conn.prompt(session_id=session_id, prompt=[text_block(text)])

    async def _load_session(
        self, conn: ClientSideConnection, client: ClaifClient, shadow: ShadowWorkspace, session_id: str, bound: float
    ) -> LoadSessionResponse | None:
        """The agent's earlier session continued with ``session/load`` in this turn's copy; None when it cannot
        (most agents keep their sessions in the private HOME, which is removed after every turn)."""
        client.replaying = True  # the agent replays the conversation as updates: not this turn's answer
        try:
            with anyio.fail_after(bound):
                response = await conn.load_session(
                    cwd=str(shadow.copy), session_id=session_id, mcp_servers=self.mcp_servers()
                )
        except (RequestError, TimeoutError) as exc:
            logger.info(
                "{}: session {} cannot be loaded ({}); sending the conversation again", self.name, session_id, exc
            )
            return None
        finally:
            client.replaying = False
        logger.info("{}: continuing session {}", self.name, session_id)
        return response or LoadSessionResponse()

    async def _outcome(self, turn: asyncio.Future[PromptResponse], process: AgentProcess) -> PromptResponse:
        try:
            return await turn
        except ClaifError:
            raise
        except RequestError as exc:
            message = f"{self.title_name()} answered with an error: {exc}"
            if exc.code == -32000:
                raise AuthenticationError(message, provider=self.name) from None
            raise ProviderRuntimeError(message, provider=self.name) from None
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            with anyio.move_on_after(CANCEL_GRACE):
                with contextlib.suppress(ClaifError):
                    await process.wait()
            if process.timed_out:
                raise ProviderTimeoutError(
                    f"{self.title_name()} did not finish within {process.timeout:g}s (timeout setting)",
                    provider=self.name,
                ) from None
            raise ProviderRuntimeError(
                f"{self.title_name()}: {process.failure_message('ended before finishing its turn')}",
                provider=self.name,
            ) from exc

    def _check_stop(self, response: PromptResponse) -> None:
        reason = response.stop_reason
        if reason == "end_turn":
            return
        message = STOP_MESSAGES.get(reason, f"stopped for an unknown reason ({reason!r}); nothing was proposed")
        raise ProviderRuntimeError(f"{self.title_name()} {message}", provider=self.name)

    async def _stop(
        self, conn: ClientSideConnection, client: ClaifClient, turn: asyncio.Future[Any], session: list[str]
    ) -> None:
        """Cancel the turn: ``session/cancel``, open permission requests refused, a short grace for the turn."""
        client.cancelled.set()
        with anyio.CancelScope(shield=True):
            if session and not turn.done():
                with contextlib.suppress(Exception):
                    await conn.cancel(session_id=session[0])
                with anyio.move_on_after(CANCEL_GRACE):
                    with contextlib.suppress(BaseException):
                        await asyncio.shield(turn)
            if not turn.done():
                turn.cancel()
            with contextlib.suppress(BaseException):
                await turn
        logger.info("{}: turn cancelled", self.name)


def _usage(usage: AcpUsage) -> Usage:
    """ACP's usage as claif's: ACP's ``totalTokens`` sums every kind, so its ``inputTokens`` leaves the cache's out."""
    read = usage.cached_read_tokens or 0
    written = usage.cached_write_tokens or 0
    return Usage(
        input_tokens=usage.input_tokens + read + written,
        output_tokens=usage.output_tokens,
        cache_read_tokens=read,
        cache_write_tokens=written,
    )


def _expects_edit(options: ClaifOptions) -> bool:
    """True for an editor action whose answer is a change (every one but explain; a bare query expects none)."""
    return options.action is not None and options.action != "explain"


def _first_line(text: str) -> str:
    """The first non-blank line of the agent's answer, shortened, or a note that it said nothing."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not line:
        return "nothing"
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"


def _preset_provider(
    name: str, display: str, executable: str, install_hint: str, preset: AgentPreset
) -> type[AcpProvider]:
    cls = type(
        f"{display.title().replace(' ', '')}Provider",
        (AcpProvider,),
        {
            "name": name,
            "display_name": display,
            "executable_name": executable,
            "install_hint": install_hint,
            "preset": preset,
            "__doc__": f"{display} over ACP.",
        },
    )
    return cls


GeminiAgentProvider = _preset_provider(
    "gemini-agent",
    "Gemini agent",
    "gemini",
    "install with npm i -g @google/gemini-cli",
    AgentPreset(("--acp",), session_mode="default", key_variables=("GEMINI_API_KEY", "GOOGLE_API_KEY")),
)
CodexAgentProvider = _preset_provider(
    "codex-agent",
    "Codex agent",
    "codex-acp",
    "install with npm i -g @zed-industries/codex-acp",
    # codex-acp offers no session modes; it takes codex's own config overrides. Pinned so that a config.toml in the
    # user's CODEX_HOME cannot widen them: commands and patches write only inside the copy (its cwd) unasked,
    # anything else is asked of the client, which refuses what lies outside the copy.
    AgentPreset(
        ("-c", 'sandbox_mode="workspace-write"', "-c", 'approval_policy="on-request"'),
        key_variables=("OPENAI_API_KEY", "CODEX_API_KEY"),
    ),
)
ClaudeAgentProvider = _preset_provider(
    "claude-agent",
    "Claude agent",
    "claude-agent-acp",
    "install with npm i -g @agentclientprotocol/claude-agent-acp",
    # Claude Code refuses to start as root (CI) without it; the agent asks before editing in its default mode.
    AgentPreset(session_mode="default", env={"IS_SANDBOX": "1"}, key_variables=("ANTHROPIC_API_KEY",)),
)
OpencodeAgentProvider = _preset_provider(
    "opencode-agent",
    "opencode agent",
    "opencode",
    "install with npm i -g opencode-ai",
    AgentPreset(("acp",), key_variables=("OPENAI_API_KEY", "ANTHROPIC_API_KEY")),
)
