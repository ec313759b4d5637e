"""What the loopback model servers for the real agents share: SSE events, answer pieces, JSON and chunked replies.

``tests/real_clis/model_apis.py`` (the agent CLIs) and ``tests/fakes/editing_model_apis.py`` (the ACP agents) script
different answers over the same wire plumbing, which lives here once.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any


def sse(name: str | None, payload: dict[str, Any]) -> bytes:
    """One server-sent event (``event:`` only when named), compact JSON as its data."""
    head = f"event: {name}\n" if name else ""
    return (head + "data: " + json.dumps(payload, separators=(",", ":")) + "\n\n").encode()


def pieces(text: str, count: int = 3) -> list[str]:
    """``text`` cut into about ``count`` pieces, streamed one delta each."""
    size = max(1, -(-len(text) // count))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def gemini_usage() -> dict[str, int]:
    """The usage metadata every scripted Gemini answer reports."""
    return {"promptTokenCount": 12, "candidatesTokenCount": 7, "totalTokenCount": 19}


class StreamingHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler that answers JSON or a chunked event stream."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_sse(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()

    def _send(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _hold_open(self, stop: threading.Event) -> None:
        """Send nothing more and keep the connection until the client leaves or ``stop`` is set."""
        self.connection.settimeout(0.1)
        while not stop.is_set():
            try:
                if self.connection.recv(1) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        self.close_connection = True
