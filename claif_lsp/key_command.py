"""Run an ``apiKeyCommand`` (``pass show openai``, ``op read ...``) so that it never outlives its ask.

The command runs asynchronously in its own process group, so a slow one blocks neither the event loop nor the
cancel of its ask: when the ask is cancelled (or the command times out) the whole group gets SIGTERM, then SIGKILL
after a short grace, and the child is reaped. Its standard output is the key, so it is never logged and never put
in a message; only the command's name and the last line of its stderr (redacted) are.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
from collections.abc import Mapping, Sequence

import anyio
from pydantic import SecretStr

from claif_lsp.errors import ConfigurationError
from claif_lsp.privacy.redaction import redact

KEY_COMMAND_TIMEOUT = 10.0
"""Seconds an apiKeyCommand may take."""
KILL_GRACE = 1.0
"""Seconds between SIGTERM and SIGKILL for a cancelled command's process group."""
MAX_OUTPUT = 64 * 1024
"""Bytes of output read from the command: a key is short; more is a mistake, not a key."""


async def run_key_command(argv: Sequence[str], *, provider: str, environ: Mapping[str, str]) -> SecretStr:
    """The key ``argv`` prints; ConfigurationError naming the command when it fails, times out or prints nothing."""
    name = argv[0] if argv else ""

    def failed(why: str) -> ConfigurationError:
        return ConfigurationError(f"apiKeyCommand {name!r} {why}", provider=provider)

    if not argv:
        raise failed("is empty: give the command and its arguments as a list")
    spawn = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(environ),
            start_new_session=True,
        )
    )
    try:
        proc = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        # The child can already run (and spawn its own) before create_subprocess_exec returns: a cancel that
        # lands in that window must still end its group.
        spawn.add_done_callback(_kill_spawned_group)
        raise
    except FileNotFoundError:
        raise failed("not found") from None
    except OSError as exc:
        raise failed(f"cannot be run ({exc.strerror or type(exc).__name__})") from None
    finished = False
    try:
        with anyio.fail_after(KEY_COMMAND_TIMEOUT):
            stdout, stderr = await asyncio.gather(_read(proc.stdout), _read(proc.stderr))
            code = await proc.wait()
        finished = True
    except TimeoutError:
        raise failed(f"did not finish within {KEY_COMMAND_TIMEOUT:g} s") from None
    finally:
        if not finished:
            await _kill_group(proc)
    if code != 0:
        what = f"exited with code {code}" if code > 0 else f"was killed by signal {-code}"
        last = next((line for line in reversed(stderr.decode("utf-8", "replace").splitlines()) if line.strip()), "")
        raise failed(what + (f": {redact(last.strip())[:200]}" if last else ""))
    key = stdout.decode("utf-8", "replace").strip()
    if not key:
        raise failed("printed nothing; it must print the key on its standard output")
    return SecretStr(key)


async def _read(stream: asyncio.StreamReader | None) -> bytes:
    """Up to MAX_OUTPUT bytes of ``stream``, then the rest is drained so the child never blocks on a full pipe."""
    if stream is None:
        return b""
    kept = bytearray()
    while chunk := await stream.read(65536):
        if len(kept) < MAX_OUTPUT:
            kept += chunk[: MAX_OUTPUT - len(kept)]
    return bytes(kept)


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the command's group, SIGKILL what is left after the grace, reap the child; even while cancelled."""
    _signal_group(proc.pid, signal.SIGTERM)
    with anyio.CancelScope(shield=True):
        with anyio.move_on_after(KILL_GRACE):
            await proc.wait()
        # Children that ignore SIGTERM, or outlived a leader that did exit, die now.
        _signal_group(proc.pid, signal.SIGKILL)
        with anyio.move_on_after(5):
            await proc.wait()


def _kill_spawned_group(spawn: asyncio.Future[asyncio.subprocess.Process]) -> None:
    """SIGKILL the group of a command whose ask was cancelled while it was being started."""
    if not spawn.cancelled() and spawn.exception() is None:
        _signal_group(spawn.result().pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_key_command_blocking(argv: Sequence[str], *, provider: str, environ: Mapping[str, str]) -> SecretStr:
    """:func:`run_key_command` for synchronous callers; blocks the calling thread (and loop) until it ends."""
    # Its own loop in its own thread, so it also works when called from a thread that runs a loop.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="claif-key") as pool:
        job = run_key_command(argv, provider=provider, environ=environ)
        return pool.submit(asyncio.run, job).result()
