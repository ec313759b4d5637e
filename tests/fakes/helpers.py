"""Helpers for tests that run the fake agent CLIs: environments, pid files, process liveness."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from claif_lsp.sdk import TextDelta
from claif_lsp.testing.waiting import EVENT_TIMEOUT, async_wait_until, wait_until

__all__ = [
    "EVENT_TIMEOUT",
    "FAKES_BIN",
    "Pid",
    "alive",
    "async_wait_until",
    "cancel_after_first_delta",
    "collect_events",
    "fake_environ",
    "read_pids",
    "start_time",
    "wait_until",
]

FAKES_BIN = Path(__file__).resolve().parent / "bin"
"""Folder holding the fake `claude`, `codex` and `gemini` executables."""


def fake_environ(tmp_path: Path, scenario: str = "normal", **extra: str) -> dict[str, str]:
    """An environment that finds the fakes first on PATH, with an empty HOME and the scenario selected.

    The fakes write their pids to ``tmp_path/pids`` and their invocation to ``tmp_path/record.json``.
    The Python running the tests comes right after the fakes, so ``#!/usr/bin/env python3`` starts fast.
    """
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.pathsep.join([str(FAKES_BIN), str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": str(home),
        "FAKE_CLI_SCENARIO": scenario,
        "FAKE_CLI_PID_FILE": str(tmp_path / "pids"),
        "FAKE_CLI_RECORD_FILE": str(tmp_path / "record.json"),
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


class Pid(int):
    """A pid from a pid file, with the start time of the process it named, so a reused pid is not taken for it."""

    start: str | None = None


def start_time(pid: int) -> str | None:
    """When ``pid`` started (clock ticks after boot, from /proc), or None when it is gone or there is no /proc."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def read_pids(pid_file: Path) -> dict[str, int]:
    """The ``main`` and ``child`` pids a fake wrote (empty until it started), as :class:`Pid`.

    Lines are ``<role> <pid> [<start time>]``; without a start time it is read now.
    """
    pids: dict[str, int] = {}
    if pid_file.exists():
        for line in pid_file.read_text().splitlines():
            role, _, rest = line.partition(" ")
            number, _, start = rest.strip().partition(" ")
            if number.isdigit():
                pid = Pid(number)
                pid.start = start.strip() or start_time(pid)
                pids[role] = pid
    return pids


def alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (exited, not yet reaped) counts as gone, and so does a reused pid.

    The machine is shared and pids wrap (pid_max is 32768 here), so after our process died its pid may
    name someone else's; a :class:`Pid` only matches the process that had its start time.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    fields = stat.rsplit(")", 1)[1].split()
    expected = getattr(pid, "start", None)
    if expected is not None and fields[19] != expected:
        return False
    return fields[0] not in ("Z", "X")


async def collect_events(events: AsyncIterator[Any]) -> list[Any]:
    """Every event a provider yields, in order (raising what it raises)."""
    return [event async for event in events]


async def cancel_after_first_delta(events: AsyncIterator[Any], pid_file: Path) -> dict[str, int]:
    """Consume ``events`` in a task until the first TextDelta, check the fake runs, cancel, return its pids.

    After the cancelled task has finished, the fake itself must already be gone (reaped); the caller checks its
    child, which the kernel may need a moment to take down.
    """
    first = asyncio.Event()

    async def consume() -> None:
        async for event in events:
            if isinstance(event, TextDelta):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), EVENT_TIMEOUT)
    pids = read_pids(pid_file)
    assert set(pids) == {"main", "child"}, pids
    assert alive(pids["main"]) and alive(pids["child"]), "the fake should still be streaming"
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("the stream finished before it was cancelled")
    assert not alive(pids["main"]), "the CLI outlived its cancelled request"
    return pids
