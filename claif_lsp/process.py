"""Run an agent CLI as an async subprocess that never outlives its request.

Plugins that drive a command-line agent (Claude Code, Codex, Gemini CLI, ...) use :class:`AgentProcess`:

.. code-block:: python

    async with AgentProcess([exe, "exec", "--json", "-"], provider=self.name, environ=self.environ,
                            cwd=options.workspace_root, timeout=options.timeout) as proc:
        await proc.write(prompt)
        await proc.close_stdin()
        async for line in proc.lines():
            ...
        code = await proc.wait()

The process runs in its own process group (session). Its stdout is read line by line as it arrives while a
background task drains stderr into a bounded tail, so a chatty stderr can never block the child. The
environment is a copy of the provider's environment plus overrides; ``os.environ`` is never touched.
After ``timeout`` seconds the whole group is killed and reads raise :class:`ProviderTimeoutError`. Leaving
the ``async with`` block for any reason (end of answer, error, cancellation) kills the whole group at once,
SIGTERM then SIGKILL after a short grace, and reaps the child.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
from loguru import logger

from claif_lsp.errors import ConfigurationError, ProviderInitError, ProviderRuntimeError, ProviderTimeoutError

if TYPE_CHECKING:
    from claif_lsp.provider import BaseProvider

DEFAULT_KILL_GRACE = 2.0
"""Seconds a process group gets between SIGTERM and SIGKILL."""
DEFAULT_STDERR_TAIL = 8192
"""Bytes of stderr kept for error messages."""
DEFAULT_LINE_LIMIT = 32 * 1024 * 1024
"""Longest stdout line accepted (agent CLIs put whole tool results on one line)."""


def parse_json_line(line: str, provider: str) -> dict[str, Any] | None:
    """One JSONL event as a dict; blank lines, non-JSON noise and non-objects are logged and give None."""
    text = line.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        logger.warning("{}: skipping a line that is not JSON: {}", provider, text[:200])
        return None
    if not isinstance(data, dict):
        logger.warning("{}: skipping a JSON line that is not an object: {}", provider, text[:200])
        return None
    return data


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
"""CSI sequences (colours, cursor moves) and OSC sequences (titles, links)."""


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences, for messages built from a CLI's output."""
    return _ANSI_ESCAPE.sub("", text)


def child_environment(
    env: Mapping[str, str],
    *,
    base_url: str | None = None,
    base_url_var: str | None = None,
    api_key: str | None = None,
    api_key_var: str | None = None,
) -> dict[str, str]:
    """The variables an agent CLI gets on top of the server's environment: the ``env`` setting, then the
    ``baseUrl`` and the key (from ``apiKeyEnv``/``apiKeyCommand``) under the names that CLI reads."""
    out = dict(env)
    if base_url and base_url_var:
        out[base_url_var] = base_url
    if api_key and api_key_var:
        out[api_key_var] = api_key
    return out


def explicit_api_key(provider: BaseProvider) -> str | None:
    """The key from ``apiKeyEnv`` or ``apiKeyCommand`` when either is set (None when neither is), for agent CLIs
    that otherwise find their own credentials; ConfigurationError when the setting yields no key."""
    settings = provider.settings
    if not settings.api_key_env and not settings.api_key_command:
        return None
    key = provider.api_key()
    if key is None:
        where = (
            f"apiKeyCommand {settings.api_key_command[0]!r} printed nothing"
            if settings.api_key_command
            else f"{settings.api_key_env} (apiKeyEnv) is not set"
        )
        raise ConfigurationError(f"{where}; providers.{provider.name} has no key to pass on", provider=provider.name)
    return key.get_secret_value()


def home_dir(environ: Mapping[str, str]) -> Path:
    """The user's home directory according to ``environ`` (HOME), falling back to the real one."""
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return Path(home) if home else Path.home()


def find_executable(name: str, environ: Mapping[str, str], configured: str | None = None) -> str | None:
    """The executable to run: ``configured`` (a path, or a name looked up on PATH), else ``name`` on PATH.

    PATH is read from ``environ``, so a provider configured with a test environment finds that
    environment's executables. Returns None when nothing runnable is found.
    """
    wanted = configured or name
    expanded = str(home_dir(environ) / wanted[2:]) if wanted.startswith("~/") else os.path.expanduser(wanted)
    if os.sep in expanded or (os.altsep and os.altsep in expanded):
        return expanded if os.path.isfile(expanded) and os.access(expanded, os.X_OK) else None
    return shutil.which(expanded, path=environ.get("PATH", os.defpath))


def missing_executable_reason(name: str, configured: str | None, install_hint: str) -> str:
    """Why ``find_executable`` found nothing (the configured path, or ``name`` on PATH), and how to install it."""
    where = f"{configured} is not an executable" if configured else f"{name} not found on PATH"
    return f"{where}; {install_hint}"


def flag_uses(args: Sequence[str], names: Iterable[str], *, takes_value: bool = False) -> Iterator[tuple[str, str]]:
    """Each use of a flag in ``names`` (e.g. ``-s``, ``--sandbox``) in ``args``: the argument as written, and its value.

    Every spelling a CLI parser accepts counts: ``--flag``, ``--flag=v``, ``--flag v``, ``-f``, ``-f=v``, ``-fv``
    and ``-f v``. The value is ``""`` for a switch, or for a value flag at the end of ``args``.
    """
    wanted = set(names)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            return
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
        elif arg.startswith("-") and len(arg) > 2:
            name, value = arg[:2], arg[2:].removeprefix("=")
            eq = "=" if takes_value else ""
        else:
            name, eq, value = arg, "", ""
        if name not in wanted:
            continue
        if takes_value and not eq and i < len(args):
            value = args[i]
            i += 1
            arg = f"{arg} {value}"
        yield arg, value


def refuse_unsafe_arg(provider: str, display_name: str, arg: str, why: str) -> ConfigurationError:
    """The error for an extra argument that would lift a provider's read-only guarantee."""
    return ConfigurationError(
        f"extra argument {arg!r} {why}; claif-lsp keeps {display_name} read-only, so remove it from "
        f"providers.{provider}.extraArgs",
        provider=provider,
    )


class AgentProcess:
    """One agent CLI run: its own process group, streamed stdout, bounded stderr tail, group kill on exit."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        provider: str,
        environ: Mapping[str, str],
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        timeout: float | None = None,
        kill_grace: float = DEFAULT_KILL_GRACE,
        stderr_tail_bytes: int = DEFAULT_STDERR_TAIL,
        line_limit: int = DEFAULT_LINE_LIMIT,
    ) -> None:
        if not argv:
            raise ValueError("argv must name an executable")
        self.argv = [str(arg) for arg in argv]
        self.provider = provider
        self.env = {**environ, **(env or {})}
        self.cwd = str(cwd) if cwd is not None else None
        self.timeout = timeout
        self.kill_grace = kill_grace
        self.stderr_tail_bytes = stderr_tail_bytes
        self.line_limit = line_limit
        self.timed_out = False
        self._proc: asyncio.subprocess.Process | None = None
        self._stderr = bytearray()
        self._stderr_task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._kill_timer: asyncio.TimerHandle | None = None
        self._terminated = False

    @property
    def name(self) -> str:
        """The executable's base name, for messages."""
        return Path(self.argv[0]).name

    @property
    def pid(self) -> int | None:
        """The child's pid (also its process group id), once started."""
        return self._proc.pid if self._proc else None

    @property
    def returncode(self) -> int | None:
        """The exit status once the child has exited (negative: killed by that signal)."""
        return self._proc.returncode if self._proc else None

    @property
    def stdio(self) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
        """The child's stdin and stdout streams, for protocols spoken over them (ACP's JSON-RPC)."""
        proc = self._require()
        assert proc.stdin is not None and proc.stdout is not None
        return proc.stdin, proc.stdout

    @property
    def stderr_tail(self) -> str:
        """The last bytes the child wrote to stderr, decoded and stripped."""
        return self._stderr.decode("utf-8", errors="replace").strip()

    async def __aenter__(self) -> AgentProcess:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.terminate()

    async def start(self) -> None:
        """Spawn the child in a new session with piped stdin, stdout and stderr."""
        if self._proc is not None:
            return
        logger.debug("{}: starting {} (cwd {})", self.provider, self.argv, self.cwd)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                limit=self.line_limit,
            )
        except FileNotFoundError as exc:
            if self.cwd is not None and not os.path.isdir(self.cwd):  # noqa: ASYNC240 - error path only
                raise ProviderInitError(f"working directory {self.cwd} does not exist", provider=self.provider) from exc
            raise ProviderInitError(f"{self.argv[0]} not found", provider=self.provider) from exc
        except OSError as exc:
            raise ProviderInitError(f"cannot run {self.argv[0]}: {exc}", provider=self.provider) from exc
        self._stderr_task = asyncio.ensure_future(self._drain_stderr())
        if self.timeout is not None:
            self._timer = asyncio.get_running_loop().call_later(self.timeout, self._on_timeout)

    async def write(self, data: str | bytes) -> None:
        """Write to the child's stdin; a child that stopped reading is reported as a runtime error."""
        proc = self._require()
        if proc.stdin is None or proc.stdin.is_closing():
            raise ProviderRuntimeError(f"{self.name}: stdin is closed", provider=self.provider)
        payload = data.encode() if isinstance(data, str) else data
        try:
            proc.stdin.write(payload)
            await proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            self._raise_if_timed_out()
            message = self.failure_message("stopped reading its input")
            raise ProviderRuntimeError(message, provider=self.provider) from exc

    async def close_stdin(self) -> None:
        """Send end-of-file on the child's stdin."""
        proc = self._require()
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.wait_closed()

    async def lines(self) -> AsyncIterator[str]:
        """Yield stdout line by line (without the line break) as it arrives, until end of file."""
        proc = self._require()
        assert proc.stdout is not None
        while True:
            try:
                raw = await proc.stdout.readline()
            except ValueError as exc:  # asyncio reports an over-long line as ValueError
                raise ProviderRuntimeError(
                    f"{self.name} wrote a line longer than {self.line_limit} bytes", provider=self.provider
                ) from exc
            if not raw:
                break
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
        self._raise_if_timed_out()

    async def wait(self) -> int:
        """Wait for the child to exit and return its exit status; raises on timeout."""
        proc = self._require()
        code = await proc.wait()
        if self._stderr_task is not None:
            # The tail must be complete before anyone builds an error message from it.
            with anyio.move_on_after(1):
                await asyncio.shield(self._stderr_task)
        self._raise_if_timed_out()
        if code != 0 and not self._terminated:
            # Stderr lines are logged at debug as they arrive; on failure the tail is what the user needs.
            logger.warning("{}: {}", self.provider, self.failure_message())
        return code

    def failure_message(self, what: str | None = None) -> str:
        """A one-paragraph description of how the child failed, with its stderr tail."""
        code = self.returncode
        if what is None:
            what = f"exited with code {code}" if code is None or code >= 0 else f"was killed by signal {-code}"
        tail = self.stderr_tail
        return f"{self.name} {what}" + (f": {tail}" if tail else "")

    async def terminate(self) -> None:
        """Kill the whole process group (SIGTERM, then SIGKILL after the grace) and reap the child; idempotent."""
        proc = self._proc
        if proc is None or self._terminated:
            return
        self._terminated = True
        self._cancel_timers()
        # Signal synchronously first, so even a cleanup that is itself interrupted has sent SIGTERM.
        self._signal_group(signal.SIGTERM)
        try:
            with anyio.CancelScope(shield=True):
                with anyio.move_on_after(self.kill_grace):
                    await proc.wait()
                # Leftover members (children that ignore SIGTERM, or a leader that did) die now.
                self._signal_group(signal.SIGKILL)
                with anyio.move_on_after(5):
                    await proc.wait()
                if self._stderr_task is not None:
                    with anyio.move_on_after(1):
                        await asyncio.shield(self._stderr_task)
        finally:
            if proc.returncode is None:
                self._signal_group(signal.SIGKILL)
            if self._stderr_task is not None and not self._stderr_task.done():
                self._stderr_task.cancel()
            if proc.stdin is not None and not proc.stdin.is_closing():
                proc.stdin.close()
            logger.debug("{}: {} (pid {}) ended with {}", self.provider, self.name, proc.pid, proc.returncode)

    def _require(self) -> asyncio.subprocess.Process:
        if self._proc is None:
            raise RuntimeError("AgentProcess.start() was not called")
        return self._proc

    def _signal_group(self, sig: signal.Signals) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _on_timeout(self) -> None:
        self.timed_out = True
        logger.warning("{}: {} timed out after {}s; killing its process group", self.provider, self.name, self.timeout)
        self._signal_group(signal.SIGTERM)
        self._kill_timer = asyncio.get_running_loop().call_later(self.kill_grace, self._signal_group, signal.SIGKILL)

    def _cancel_timers(self) -> None:
        for timer in (self._timer, self._kill_timer):
            if timer is not None:
                timer.cancel()

    def _raise_if_timed_out(self) -> None:
        if self.timed_out:
            raise ProviderTimeoutError(
                f"{self.name} did not finish within {self.timeout:g}s (timeout setting)", provider=self.provider
            )

    async def _drain_stderr(self) -> None:
        proc = self._require()
        assert proc.stderr is not None
        pending = b""
        while True:
            chunk = await proc.stderr.read(4096)
            if not chunk:
                break
            self._stderr += chunk
            if len(self._stderr) > self.stderr_tail_bytes:
                del self._stderr[: len(self._stderr) - self.stderr_tail_bytes]
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                if line.strip():
                    logger.debug("{} stderr: {}", self.name, line.decode("utf-8", errors="replace").rstrip())
            pending = pending[-self.stderr_tail_bytes :]
        if pending.strip():
            logger.debug("{} stderr: {}", self.name, pending.decode("utf-8", errors="replace").rstrip())
