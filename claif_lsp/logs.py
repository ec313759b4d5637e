"""Logging: loguru to stderr or a file, stdlib records routed into loguru, ours forwarded to the editor.

stdout is the JSON-RPC channel, so nothing here ever writes to it. pygls logs every message body at INFO
(whole documents and prompts), so its logger stays at WARNING unless asked otherwise, and its records are
never forwarded to ``window/logMessage`` (forwarding them would log the forwarding, forever).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")


class InterceptHandler(logging.Handler):
    """Send stdlib logging records to loguru, keeping their logger name."""

    def emit(self, record: logging.LogRecord) -> None:
        """Forward one record."""
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.patch(lambda r: r.update(name=record.name)).opt(  # type: ignore[call-arg]
            exception=record.exc_info
        ).log(level, record.getMessage())


def configure_logging(level: str = "INFO", log_file: str | None = None, pygls_level: str = "WARNING") -> None:
    """Route every log record to stderr (or ``log_file``) at ``level``."""
    logger.remove()
    sink: Any = log_file if log_file else sys.stderr
    logger.add(
        sink,
        level=level.upper(),
        backtrace=False,
        diagnose=False,
        format="{time:HH:mm:ss.SSS} {level: <7} {name}: {message}",
    )
    logging.basicConfig(handlers=[InterceptHandler()], level=0, force=True)
    logging.getLogger("pygls").setLevel(pygls_level.upper())
    for noisy in ("httpx", "httpx2", "httpcore", "anthropic", "openai", "google_genai", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def is_own_record(record: Record) -> bool:
    """True for claif-lsp's and providers' records, never pygls'."""
    name = record["name"] or ""
    return (name.startswith("claif") or name.startswith("providers")) and "pygls" not in name


def add_client_sink(send: Callable[[str, str], None], level: str = "INFO") -> int:
    """Forward our own records through ``send(level, text)``; returns the sink id."""

    def sink(message: Message) -> None:
        record = message.record
        send(record["level"].name, f"{record['name']}: {record['message']}")

    return logger.add(sink, level=level.upper(), filter=is_own_record, format="{message}", catch=True)
