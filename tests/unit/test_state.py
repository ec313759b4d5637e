"""Server state that needs no server."""

from __future__ import annotations

import time

from claif_lsp.state import ServerState


async def test_waiting_for_settings_gives_up_quietly() -> None:
    # asyncio.wait_for raises asyncio.TimeoutError, which is not the builtin TimeoutError on Python 3.10.
    state = ServerState()
    started = time.monotonic()
    await state.wait_for_settings(timeout=0.05)
    assert 0.04 <= time.monotonic() - started < 5
    assert not state.settings_ready.is_set()
