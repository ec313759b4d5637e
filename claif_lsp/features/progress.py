"""Work-done progress for asks: begin, throttled reports while streaming, end; and its cancel button.

pygls only marks a token's future cancelled on ``window/workDoneProgress/cancel``; the running task is ours
to cancel, so :meth:`AskProgress.on_cancel` wires the two together. Tokens are never reused and are popped
at the end, since pygls keeps them forever otherwise.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from loguru import logger
from lsprotocol import types
from pygls.capabilities import get_capability

from claif_lsp.server import ClaifLanguageServer

REPORT_INTERVAL = 0.25
"""Seconds between two streaming reports: enough to feel live without flooding the editor."""


class AskProgress:
    """One ask's progress; every method is a no-op when the client has no progress support."""

    def __init__(self, ls: ClaifLanguageServer, token: types.ProgressToken | None):
        self.ls = ls
        self.token = token
        self.started = time.monotonic()
        self._last_report = 0.0
        self._ended = False

    @classmethod
    async def start(
        cls, ls: ClaifLanguageServer, client_token: types.ProgressToken | None, title: str, message: str
    ) -> AskProgress:
        """Begin progress on the client's token, or on one we create when the client supports that."""
        token = client_token
        if token is None and get_capability(ls.client_capabilities, "window.work_done_progress", False):
            token = f"claif-{uuid.uuid4()}"
            try:
                await ls.work_done_progress.create_async(token)
            except Exception as exc:  # progress is a nicety; the ask goes on without it
                logger.debug("window/workDoneProgress/create failed: {}", exc)
                token = None
        progress = cls(ls, token)
        if token is not None:
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title=title, message=message, cancellable=True)
            )
        return progress

    def on_cancel(self, callback: Callable[[], Any]) -> None:
        """Call ``callback`` when the user presses the progress' cancel button."""
        if self.token is None:
            return
        future = self.ls.work_done_progress.tokens.get(self.token)
        if future is not None:
            future.add_done_callback(lambda f: f.cancelled() and callback())

    def elapsed(self) -> float:
        """Seconds since the ask began."""
        return time.monotonic() - self.started

    def report(self, message: str, *, force: bool = False) -> None:
        """Report progress, at most every REPORT_INTERVAL seconds unless forced."""
        if self.token is None or self._ended:
            return
        now = time.monotonic()
        if not force and now - self._last_report < REPORT_INTERVAL:
            return
        self._last_report = now
        self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=message))

    def end(self, message: str) -> None:
        """End progress with the outcome; later calls do nothing."""
        if self.token is None or self._ended:
            return
        self._ended = True
        self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self.ls.work_done_progress.tokens.pop(self.token, None)
