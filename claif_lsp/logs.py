"""Logging: loguru to stderr or a file, stdlib records routed into loguru, ours forwarded to the editor.

stdout is the JSON-RPC channel, so nothing here ever writes to it. pygls logs every message body at INFO
(whole documents and prompts), so its logger stays at WARNING unless asked otherwise, and its records are
never forwarded to ``window/logMessage`` (forwarding them would log the forwarding, forever).

Keys stay out of every sink by two rules, not a list of names. Every stdlib logger outside claif (SDKs, HTTP
clients such as httpcore2, which logs response headers at DEBUG) is capped at ``library_level`` (WARNING),
however verbose claif's own level is and whatever level a library sets on itself. And every record, ours
included, has secrets replaced before any sink sees it: API-key shapes, ``Authorization``/``x-api-key``
header values, and the values of secret-looking environment variables.

Editors show every stderr line as an error (Neovim's ``:LspLog``, VS Code's output channel), so stderr
carries only warnings and errors unless a level is asked for; INFO reaches the editor as ``window/logMessage``
with its own level.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from loguru import logger

if TYPE_CHECKING:
    from loguru import Message, Record

LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
OWN_LOGGERS = ("claif", "providers")
"""Names (and prefixes) of our own loggers; every other stdlib logger is a library's."""
STDERR_LEVEL = "WARNING"
FILE_LEVEL = "INFO"
SECRET_ENV_NAME = re.compile(r"(?:KEY|TOKEN|SECRET|PASSWORD|CREDENTIALS?)$", re.IGNORECASE)
HEADER_SECRET = re.compile(
    r"(?P<head>(?:authorization|x-api-key|api-key|x-goog-api-key|proxy-authorization)['\"]?\s*[:,=]\s*b?['\"]?"
    r"(?:bearer\s+|basic\s+)?)(?P<value>[^'\"\s,)]{6,})",
    re.IGNORECASE,
)
_secrets: set[str] = set()


def remember_secret(value: str | None) -> None:
    """Redact ``value`` from every later log record (for keys that come from a command, not the environment)."""
    if value and len(value) >= 8:
        _secrets.add(value)


def redact_text(text: str) -> str:
    """``text`` with known secrets, key shapes and credential header values replaced."""
    # Imported here: its patterns cost start-up time that `claif-lsp patch` should not pay.
    from claif_lsp.privacy.redaction import REDACTED, TOKEN_RE

    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = TOKEN_RE.sub(REDACTED, text)
    return HEADER_SECRET.sub(lambda m: m.group("head") + REDACTED, text)


def _redact_record(record: Record) -> None:
    record["message"] = redact_text(record["message"])


def _is_own_logger(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") or name.startswith(own + "_") for own in OWN_LOGGERS)


class InterceptHandler(logging.Handler):
    """Send stdlib logging records to loguru, keeping their logger name; libraries' only from their cap up."""

    def __init__(self, library_level: int = logging.WARNING, pygls_level: int = logging.WARNING) -> None:
        super().__init__()
        self.library_level = library_level
        self.pygls_level = pygls_level

    def emit(self, record: logging.LogRecord) -> None:
        """Forward one record."""
        name = record.name
        if not _is_own_logger(name):
            cap = self.pygls_level if name == "pygls" or name.startswith("pygls.") else self.library_level
            if record.levelno < cap:
                return
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.patch(lambda r: r.update(name=name)).opt(  # type: ignore[call-arg]
            exception=record.exc_info
        ).log(level, record.getMessage())


def configure_logging(
    level: str | None = None,
    log_file: str | None = None,
    pygls_level: str = "WARNING",
    library_level: str = "WARNING",
    environ: Mapping[str, str] | None = None,
) -> None:
    """Route every log record to stderr (or ``log_file``) at ``level`` (WARNING on stderr, INFO in a file)."""
    for name, value in (environ if environ is not None else os.environ).items():
        if SECRET_ENV_NAME.search(name):
            remember_secret(value)
    logger.remove()
    logger.configure(patcher=_redact_record)
    sink: Any = log_file if log_file else sys.stderr
    logger.add(
        sink,
        level=(level or (FILE_LEVEL if log_file else STDERR_LEVEL)).upper(),
        backtrace=False,
        diagnose=False,
        format="{time:HH:mm:ss.SSS} {level: <7} {name}: {message}",
    )
    library = logger.level(library_level.upper()).no
    pygls = logger.level(pygls_level.upper()).no
    # The root's level keeps libraries from even building records below their cap (cheap); the handler's
    # check holds for libraries that set a more verbose level on their own logger.
    logging.basicConfig(handlers=[InterceptHandler(library, pygls)], level=library, force=True)
    logging.getLogger("pygls").setLevel(pygls)
    for own in OWN_LOGGERS:
        logging.getLogger(own).setLevel(1)  # our own stdlib records: the sinks' levels decide


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
