"""A loopback HTTP server speaking the Gemini API's ``:streamGenerateContent?alt=sse`` stream byte for byte.

``POST /{version}/models/{model}:streamGenerateContent?alt=sse`` answers with chunked SSE: one
``data: {GenerateContentResponse}`` block per text piece (camelCase JSON, no ``event:`` lines), the last
carrying ``finishReason`` and ``usageMetadata``. Errors use Google's JSON error body
(``{"error": {"code", "message", "status"}}``). Scripted :class:`GeminiReply` objects are served in order
(the last one repeats); every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
PATH = re.compile(r"^/(?P<version>[^/]+)/models/(?P<model>[^/:]+):streamGenerateContent\?alt=sse$")


@dataclass
class GeminiReply:
    """What the server does for one request."""

    chunks: list[str] = field(default_factory=lambda: ["Hel", "lo"])
    status: int = 200
    error_message: str = "scripted failure"
    error_reason: str | None = None
    """An ``ErrorInfo.reason`` for the error body, e.g. ``API_KEY_INVALID``."""
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "STOP"
    model_version: str = "gemini-fake-001"
    prompt_tokens: int = 11
    candidate_tokens: int = 5
    cached_tokens: int = 0
    cut_after: int | None = None
    """Close the socket mid-event after this many chunks (an incomplete chunked body)."""
    end_early_after: int | None = None
    """End the body properly after this many chunks, without a finishReason."""
    hang_after: int | None = None
    """Stop sending after this many chunks until the client hangs up."""


@dataclass
class RecordedRequest:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class GeminiServer:
    """The loopback server; use as a context manager, point ``base_url`` at it."""

    def __init__(self, replies: list[GeminiReply] | None = None) -> None:
        self.replies = list(replies or [GeminiReply()])
        self.requests: list[RecordedRequest] = []
        self.client_gone = threading.Event()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                server.requests.append(
                    RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                reply = server.replies[min(len(server.requests) - 1, len(server.replies) - 1)]
                match = PATH.match(self.path)
                if match is None:
                    self._error(404, f"no route for {self.path}", None)
                    return
                if reply.status != 200:
                    self._error(reply.status, reply.error_message, reply.error_reason, reply.headers)
                    return
                self._stream(reply)

            def _error(
                self, status: int, message: str, reason: str | None, headers: dict[str, str] | None = None
            ) -> None:
                error: dict[str, Any] = {
                    "code": status,
                    "message": message,
                    "status": STATUS_NAMES.get(status, "UNKNOWN"),
                }
                if reason:
                    error["details"] = [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": reason,
                            "domain": "googleapis.com",
                        }
                    ]
                payload = json.dumps({"error": error}, indent=2).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=UTF-8")
                self.send_header("content-length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _stream(self, reply: GeminiReply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.send_header("x-content-type-options", "nosniff")
                self.end_headers()
                last = len(reply.chunks) - 1
                for index, text in enumerate(reply.chunks):
                    if reply.cut_after is not None and index == reply.cut_after:
                        partial = b'data: {"candidates": [{"content": {"parts": [{"text": "tru'
                        self.wfile.write(f"{len(partial) + 40:x}\r\n".encode() + partial)
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    if reply.end_early_after is not None and index == reply.end_early_after:
                        self.wfile.write(b"0\r\n\r\n")
                        return
                    if reply.hang_after is not None and index == reply.hang_after:
                        self._hang()
                        return
                    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
                    event: dict[str, Any] = {
                        "candidates": [candidate],
                        "modelVersion": reply.model_version,
                        "responseId": "fake-response-1",
                    }
                    usage: dict[str, Any] = {
                        "promptTokenCount": reply.prompt_tokens,
                        "totalTokenCount": reply.prompt_tokens,
                    }
                    if index == last:
                        candidate["finishReason"] = reply.finish_reason
                        usage = {
                            "promptTokenCount": reply.prompt_tokens,
                            "candidatesTokenCount": reply.candidate_tokens,
                            "totalTokenCount": reply.prompt_tokens + reply.candidate_tokens,
                        }
                        if reply.cached_tokens:
                            usage["cachedContentTokenCount"] = reply.cached_tokens
                    event["usageMetadata"] = usage
                    self._chunk(b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\r\n\r\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _hang(self) -> None:
                self.connection.settimeout(0.1)
                while not server._stop.is_set():
                    try:
                        if self.connection.recv(1) == b"":
                            break
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                server.client_gone.set()
                self.close_connection = True

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's base URL (no API version: the SDK adds it)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> GeminiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
