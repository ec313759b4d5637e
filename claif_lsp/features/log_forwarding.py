"""Forward claif-lsp's own log records to the editor as ``window/logMessage``."""

from __future__ import annotations

import asyncio
import threading

from loguru import logger
from lsprotocol import types

from claif_lsp.logs import add_client_sink
from claif_lsp.server import ClaifLanguageServer

_LEVELS = {
    "TRACE": types.MessageType.Debug,
    "DEBUG": types.MessageType.Debug,
    "INFO": types.MessageType.Info,
    "SUCCESS": types.MessageType.Info,
    "WARNING": types.MessageType.Warning,
    "ERROR": types.MessageType.Error,
    "CRITICAL": types.MessageType.Error,
}


def start(ls: ClaifLanguageServer) -> int:
    """Start forwarding; call on the event loop once the client is initialized. Returns the sink id."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()

    def send(level: str, text: str) -> None:
        params = types.LogMessageParams(type=_LEVELS.get(level, types.MessageType.Log), message=text)
        # pygls' transport is not thread-safe; records from worker threads hop onto the loop.
        if threading.get_ident() == loop_thread:
            ls.window_log_message(params)
        else:
            loop.call_soon_threadsafe(ls.window_log_message, params)

    return add_client_sink(send)


def stop(sink_id: int) -> None:
    """Stop forwarding."""
    try:
        logger.remove(sink_id)
    except ValueError:
        pass
