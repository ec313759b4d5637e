"""Reading LSP messages from a byte stream, recovering from frames a client got wrong.

pygls' reader (``pygls.io_.run_async``) matches ``Content-Length: N`` case-sensitively and trusts N: one frame
whose length is too short or too long, whose header is in lower case or whose length is not a number leaves it
waiting for a header that never comes, so the server stays alive but deaf for good. This reader takes header
names in any case and, when a frame is wrong, looks for the next header and goes on, logging one warning per
bad frame. A body whose length was miscounted is still read when it parses whole up to the next header (the
usual client bug counts characters instead of UTF-8 bytes).

A raw ``Content-Length:`` followed by a line break cannot occur inside a JSON text (strings cannot hold raw
line breaks, and bare words are not JSON), so finding one inside a body proves the frame is wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from loguru import logger

HEADER = re.compile(rb"content-(?:length|type)[ \t]*:[^\r\n]*\r?\n", re.IGNORECASE)
"""The start of a header block: LSP defines only these two headers."""
HEADERS_END = re.compile(rb"\r?\n\r?\n")
MAX_HEADERS = 8192
"""Header blocks are a few dozen bytes; a longer run without a blank line is not a header."""
CHUNK = 65536


@dataclass
class Unreadable:
    """A frame that could not be read: why, and how many bytes were dropped."""

    reason: str
    skipped: int


def _parse(data: bytes | bytearray) -> tuple[bool, Any]:
    try:
        return True, json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False, None


class FrameReader:
    """Split a byte stream into parsed JSON messages; ``read`` returns the next bytes, empty at the end."""

    def __init__(self, read: Callable[[], Awaitable[bytes]]) -> None:
        self._read = read
        self._buffer = bytearray()
        self._eof = False

    async def _fill(self) -> bool:
        """Read more bytes; False at the end of the stream."""
        if self._eof:
            return False
        chunk = await self._read()
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _drop(self, count: int) -> None:
        del self._buffer[:count]

    async def next(self) -> Any | Unreadable | None:
        """The next message (parsed JSON), an :class:`Unreadable` report, or None at the end of the stream."""
        skipped = 0
        while True:
            # Blank lines between messages are harmless.
            del self._buffer[: len(self._buffer) - len(self._buffer.lstrip(b"\r\n \t"))]
            if not self._buffer:
                if await self._fill():
                    continue
                return Unreadable("bytes that were not a message", skipped) if skipped else None
            if not HEADER.match(self._buffer):
                if _may_become_header(self._buffer) and await self._fill():
                    continue
                found = HEADER.search(self._buffer)
                # Without a header in sight keep a tail, in case one was cut between two reads.
                count = found.start() if found else max(0, len(self._buffer) - 64)
                skipped += count
                del self._buffer[:count]
                if found is None and not await self._fill():
                    skipped += len(self._buffer)
                    self._buffer.clear()
                continue
            if skipped:
                # Report what came before this header first; the header is read on the next call.
                return Unreadable("bytes that were not a message", skipped)
            end = HEADERS_END.search(self._buffer, 0, MAX_HEADERS)
            if end is None:
                if len(self._buffer) < MAX_HEADERS and await self._fill():
                    continue
                # No blank line ends this header: drop its first line and look for the next header.
                line_end = self._buffer.find(b"\n") + 1
                skipped += line_end
                del self._buffer[:line_end]
                continue
            length, problem = _content_length(bytes(self._buffer[: end.start()]))
            return await self._body(end.end(), length, problem)

    async def _body(self, start: int, length: int | None, problem: str | None) -> Any | Unreadable:
        """Read the body that begins at ``start`` with the declared ``length`` (None when unusable)."""
        searched = start
        while True:
            available = len(self._buffer) - start
            limit = len(self._buffer) if length is None else start + min(length, available)
            runs_into = HEADER.search(self._buffer, max(start, searched - 64), limit)
            searched = limit
            if runs_into is None and length is not None and available >= length:
                ok, value = _parse(self._buffer[start : start + length])
                if ok:
                    self._drop(start + length)
                    return value
                rest = self._buffer[start + length :]
                if not rest.strip() or HEADER.match(rest.lstrip()) or _may_become_header(rest.lstrip()):
                    self._drop(start + length)
                    return Unreadable(f"the body is not JSON (Content-Length {length})", 0)
                problem = f"Content-Length {length} is shorter than the message"
            elif runs_into is not None:
                problem = problem or f"Content-Length {length} runs into the next message"
            elif length is not None:
                # The body is still arriving.
                if await self._fill():
                    continue
                size = len(self._buffer)
                self._drop(size)
                return Unreadable("the stream ended inside a message", size - start)
            # The declared length is wrong or missing: the message ends at the next header, if it parses whole.
            following = runs_into or HEADER.search(self._buffer, start)
            end = following.start() if following else len(self._buffer)
            ok, value = _parse(self._buffer[start:end])
            if ok:
                self._drop(end)
                logger.warning("message framing: {}; read the message up to the next header", problem)
                return value
            if following is not None:
                self._drop(end)
                return Unreadable(problem or "unreadable frame", end - start)
            if not await self._fill():
                size = len(self._buffer)
                self._drop(size)
                return Unreadable(problem or "the stream ended inside a message", size - start)


def _may_become_header(data: bytes | bytearray) -> bool:
    """True when ``data`` is the beginning of a header cut short by the end of a read."""
    return len(data) < 16 and b"content-length:".startswith(bytes(data).lower())


def _content_length(headers: bytes) -> tuple[int | None, str | None]:
    """The Content-Length of a header block (names in any case), or None and what is wrong with it."""
    for line in re.split(rb"\r?\n", headers):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"content-length":
            text = value.strip()
            if text.isdigit():
                return int(text), None
            shown = text[:20].decode("ascii", "replace")
            return None, f"Content-Length {shown!r} is not a number"
    return None, "no Content-Length header"
