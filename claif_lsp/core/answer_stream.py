"""An explain-type answer as it streams to the editor: the whole text so far, throttled, then once when done."""

from __future__ import annotations

import time
from collections.abc import Callable

from claif_lsp.core.ports import User

STREAM_INTERVAL = 0.1
"""Seconds between two updates within a line; a finished line is sent at once, so the editor reads it whole."""

BYTES_PER_SECOND = 2_000_000
"""Each update resends the whole text, so a long answer is sent less often: at most this many characters a second."""


class AnswerStream:
    """Sends the answer so far through :meth:`User.answer`; :meth:`finish` sends the last update exactly once."""

    def __init__(
        self,
        user: User,
        request_id: str | None,
        *,
        live: bool = True,
        interval: float = STREAM_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user = user
        self.request_id = request_id
        self.live = live
        """False sends only the final text (several providers' pieces interleave, so their mix is not shown)."""
        self.interval = interval
        self.clock = clock
        self.text = ""
        self._last_sent: float | None = None
        self._done = False

    def add(self, piece: str) -> None:
        """Append a streamed piece; sent when it ends a line or the last update is older than the interval."""
        if self._done or not piece:
            return
        self.text += piece
        if not self.live:
            return
        now = self.clock()
        since = None if self._last_sent is None else now - self._last_sent
        # Line ends go at once while the text is short; a long answer streamed line by line would otherwise
        # resend megabytes per line.
        spacing = len(self.text) / BYTES_PER_SECOND
        if since is None or since >= max(self.interval, spacing) or ("\n" in piece and since >= spacing):
            self._last_sent = now
            self.user.answer(self.request_id, self.text, done=False)

    def finish(self, text: str | None = None) -> None:
        """Send the final text (``text``, else what streamed so far) with ``done``; later calls do nothing."""
        if self._done:
            return
        self._done = True
        if text is not None:
            self.text = text
        self.user.answer(self.request_id, self.text, done=True)
