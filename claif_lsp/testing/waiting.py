"""Bounded waits for tests: wait on an event with a generous bound, never assert on elapsed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

EVENT_TIMEOUT = 60.0
"""Seconds any test waits for something that should happen: generous, because the machine may be loaded
(the first ask through an SDK imports it, which took 18 s beside a CPU hog); a wait that succeeds costs nothing."""


def wait_until(condition: Callable[[], bool], timeout: float = EVENT_TIMEOUT) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


async def async_wait_until(condition: Callable[[], bool], timeout: float = EVENT_TIMEOUT) -> bool:
    """Async :func:`wait_until`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()
