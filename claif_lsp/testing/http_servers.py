"""Loopback HTTP servers that speak the Anthropic Messages and OpenAI Chat Completions streaming formats.

Each server runs a ``ThreadingHTTPServer`` on 127.0.0.1 in a background thread and serves scripted
:class:`Reply` objects in order (the last one repeats). The SSE bytes follow the documented formats
(``event:`` + ``data:`` lines for Anthropic, bare ``data:`` lines ending in ``data: [DONE]`` for OpenAI)
over chunked transfer encoding, so the official SDKs parse them exactly as they would a real answer.
Every request is recorded (path, headers, JSON body) for assertions.

The Anthropic server also keeps a prompt cache as the API does: a request whose blocks carry ``cache_control``
writes the prefix up to each such block, and a later request starting with a written prefix reads it, so its
usage reports ``cache_read_input_tokens`` (counted as about a token per 4 bytes of text). As with the API, a
prefix shorter than the minimum (``PromptCache.min_tokens``, 1024) is not cached, and such a request's usage is
the scripted one.

Failure modes a reply can script: an HTTP error status with headers (401, 429 + ``retry-after``, 500),
a connection cut in the middle of an event, a stream that ends cleanly but early, a stall (with the
server noticing when the client hangs up), a malformed event, and an in-stream error event.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from claif_lsp.testing.waiting import EVENT_TIMEOUT

if TYPE_CHECKING:
    from typing import Self

Event = tuple[str | None, str]
"""One SSE event: its ``event:`` name (None for none) and its ``data:`` payload."""


@dataclass
class Reply:
    """What the server does for one request."""

    chunks: list[str] = field(default_factory=lambda: ["Hello", ", ", "world"])
    """Text deltas, streamed one event each."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers (e.g. ``retry-after`` on a 429)."""
    error_message: str = "scripted failure"
    """The ``error.message`` of an error body or in-stream error event."""
    error_type: str | None = None
    """The ``error.type``; a protocol-appropriate default from the status when unset."""
    model: str | None = None
    """Model name in the answer; the requested model when unset."""
    stop_reason: str | None = None
    """Anthropic ``stop_reason`` / OpenAI ``finish_reason``; ``end_turn`` / ``stop`` when unset."""
    input_tokens: int = 12
    """Input tokens reported; the Anthropic server counts them itself for a request marked for caching."""
    output_tokens: int = 7
    cached_tokens: int = 0
    """OpenAI ``usage.prompt_tokens_details.cached_tokens`` (sent when not 0)."""
    cut_after: int | None = None
    """Close the socket in the middle of an event after this many text chunks (an incomplete HTTP body)."""
    end_early_after: int | None = None
    """End the HTTP body properly after this many text chunks, without the protocol's final events."""
    hang_after: int | None = None
    """Stop sending after this many text chunks and keep the connection open until the client leaves."""
    keepalive_after: int | None = None
    """After this many text chunks, send only keep-alives (a ping / an SSE comment) every 0.1 s, never the answer."""
    hang_before_headers: bool = False
    """Stall before sending any response headers."""
    malformed_after: int | None = None
    """Send an event whose data is not JSON after this many text chunks."""
    stream_error_after: int | None = None
    """Send the protocol's in-stream error event after this many text chunks."""


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, int] | None = None
    """The usage the server reported for it (the Anthropic server's prompt cache counts), once answered."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # the default writes to stderr
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        owner = self.server.owner
        request = RecordedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        reply = owner._record(request)
        if self.path.split("?")[0] != owner.endpoint:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if reply.hang_before_headers:
            self._stall()
            return
        if reply.status != 200:
            self._send_json(reply.status, owner.error_body(reply), reply.headers)
            return
        self._stream(reply, body)

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        owner = self.server.owner
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        for header, value in reply.headers.items():
            self.send_header(header, value)
        self.end_headers()
        self.close_connection = True
        try:
            for name, data in owner.events(reply, body):
                if name == "__cut__":
                    # Half an event, then the socket goes away: the chunked body never terminates.
                    self._chunk(data.encode())
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if name == "__hang__":
                    self._stall()
                    return
                if name == "__keepalive__":
                    while not owner._stopping.is_set():
                        self._chunk(data.encode())
                        time.sleep(0.1)
                    return
                self._chunk(_sse(name, data))
            self._chunk(b"")  # the zero-length chunk ends the body
        except (BrokenPipeError, ConnectionResetError):
            owner.client_disconnected.set()

    def _stall(self) -> None:
        """Send nothing until the client closes the connection (detected with a peek) or the server stops."""
        owner = self.server.owner
        owner.stalled.set()
        while not owner._stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if not readable:
                continue
            try:
                peeked = self.connection.recv(1, socket.MSG_PEEK)
            except OSError:
                peeked = b""
            if not peeked:
                owner.client_disconnected.set()
                return
        self.close_connection = True


def _sse(name: str | None, data: str) -> bytes:
    head = f"event: {name}\n" if name is not None else ""
    return f"{head}data: {data}\n\n".encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer


class LoopbackServer:
    """Base of the scripted servers; use as a context manager."""

    endpoint = "/"
    base_path = ""

    def __init__(self, *replies: Reply) -> None:
        self.replies: list[Reply] = list(replies) or [Reply()]
        self.requests: list[RecordedRequest] = []
        self.client_disconnected = threading.Event()
        """Set when the server saw the client hang up in the middle of a response."""
        self.stalled = threading.Event()
        """Set when the server started stalling a response."""
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The base URL an SDK client is given."""
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    def script(self, *replies: Reply) -> None:
        """Replace the queued replies."""
        with self._lock:
            self.replies = list(replies)

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _reported(self, body: dict[str, Any], usage: dict[str, Any]) -> None:
        """Note the usage answered to the recorded request with this body."""
        with self._lock:
            for request in reversed(self.requests):
                if request.body is body:
                    request.usage = {k: v for k, v in usage.items() if isinstance(v, int)}
                    return

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request."""
        assert self.requests, "no request was received"
        return self.requests[-1]

    def wait_for_disconnect(self, timeout: float = EVENT_TIMEOUT) -> bool:
        """Wait (bounded) until the server noticed the client hang up."""
        return self.client_disconnected.wait(timeout)

    def __enter__(self) -> Self:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # Protocol specifics, overridden per API.

    def error_body(self, reply: Reply) -> dict[str, Any]:
        """The JSON body of an HTTP error response."""
        raise NotImplementedError

    def events(self, reply: Reply, request: dict[str, Any]) -> list[Event]:
        """The SSE events of a successful response, with ``__cut__``/``__hang__`` markers."""
        raise NotImplementedError


def _failure_markers(reply: Reply, sent: int, keepalive: str) -> Event | None:
    if reply.cut_after == sent:
        return ("__cut__", 'event: content_block_delta\ndata: {"type": "content_bl')
    if reply.hang_after == sent:
        return ("__hang__", "")
    if reply.keepalive_after == sent:
        return ("__keepalive__", keepalive)
    return None


_ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def approximate_tokens(text: str) -> int:
    """About one token per 4 bytes of UTF-8, at least one: the loopback servers' token count."""
    return max(1, -(-len(text.encode()) // 4))


def _blocks(request: dict[str, Any]) -> list[tuple[str, bool]]:
    """The request's prompt as (canonical block, marked for caching) pairs, in the order the API caches them."""
    out: list[tuple[str, bool]] = []

    def add(role: str, content: Any) -> None:
        for block in [{"type": "text", "text": content}] if isinstance(content, str) else content or []:
            bare = {k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block
            out.append((json.dumps([role, bare], sort_keys=True), isinstance(block, dict) and "cache_control" in block))

    if request.get("system"):
        add("system", request["system"])
    for message in request.get("messages") or []:
        add(str(message.get("role")), message.get("content"))
    return out


class PromptCache:
    """Anthropic's prompt cache in miniature: prefixes written at ``cache_control`` blocks, read by later requests."""

    def __init__(self, min_tokens: int = 1024) -> None:
        self.min_tokens = min_tokens
        """The shortest prefix cached (the API's minimum for Sonnet and Opus models)."""
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def usage(self, request: dict[str, Any], uncached_default: int) -> dict[str, int]:
        """``input_tokens`` (after the cached part), ``cache_creation_input_tokens``, ``cache_read_input_tokens``."""
        blocks = _blocks(request)
        prefixes: list[str] = []
        tokens: list[int] = []
        for text, _ in blocks:
            prefixes.append((prefixes[-1] if prefixes else "") + text + "\n")
            tokens.append((tokens[-1] if tokens else 0) + approximate_tokens(json.loads(text)[1].get("text", "")))
        marks = [i for i, (_, marked) in enumerate(blocks) if marked and tokens[i] >= self.min_tokens]
        if not marks:
            return {"input_tokens": uncached_default, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        with self._lock:
            hit = max((i for i in range(marks[-1] + 1) if prefixes[i] in self._written), default=None)
            self._written.update(prefixes[i] for i in marks)
        read = tokens[hit] if hit is not None else 0
        written = tokens[marks[-1]] - read
        return {
            "input_tokens": tokens[-1] - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
        }


class AnthropicServer(LoopbackServer):
    """``POST /v1/messages`` with ``stream: true``, answered as Anthropic's SSE event stream."""

    endpoint = "/v1/messages"

    def __init__(self, *replies: Reply) -> None:
        super().__init__(*replies)
        self.prompt_cache = PromptCache()

    def error_body(self, reply: Reply) -> dict[str, Any]:
        """Anthropic's error envelope."""
        kind = reply.error_type or _ANTHROPIC_ERROR_TYPES.get(reply.status, "api_error")
        return {
            "type": "error",
            "error": {"type": kind, "message": reply.error_message},
            "request_id": "req_loopback",
        }

    def events(self, reply: Reply, request: dict[str, Any]) -> list[Event]:
        """message_start, one text block of deltas (with a ping), message_delta, message_stop."""
        model = reply.model or request.get("model", "claude-test")
        usage = {**self.prompt_cache.usage(request, reply.input_tokens), "output_tokens": 1}
        self._reported(request, {**usage, "output_tokens": reply.output_tokens})
        start = {
            "type": "message_start",
            "message": {
                "id": "msg_loopback",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": usage,
            },
        }
        out: list[Event] = [
            ("message_start", json.dumps(start)),
            ("content_block_start", json.dumps({"type": "content_block_start", "index": 0,
                                                "content_block": {"type": "text", "text": ""}})),
            ("ping", json.dumps({"type": "ping"})),
        ]  # fmt: skip
        for sent, text in enumerate([*reply.chunks, None]):
            marker = _failure_markers(reply, sent, 'event: ping\ndata: {"type": "ping"}\n\n')
            if marker:
                return [*out, marker]
            if reply.end_early_after == sent:
                return out
            if reply.malformed_after == sent:
                return [*out, ("content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {')]
            if reply.stream_error_after == sent:
                error = {"type": "error", "error": {"type": reply.error_type or "overloaded_error",
                                                    "message": reply.error_message}}  # fmt: skip
                return [*out, ("error", json.dumps(error))]
            if text is None:
                break
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
            out.append(("content_block_delta", json.dumps(delta)))
        message_delta = {
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason or "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": reply.output_tokens},
        }
        out += [
            ("content_block_stop", json.dumps({"type": "content_block_stop", "index": 0})),
            ("message_delta", json.dumps(message_delta)),
            ("message_stop", json.dumps({"type": "message_stop"})),
        ]
        return out


_OPENAI_ERROR_CODES = {
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
}


class OpenAIServer(LoopbackServer):
    """``POST /v1/chat/completions`` with ``stream: true``, answered as ``chat.completion.chunk`` events."""

    endpoint = "/v1/chat/completions"
    base_path = "/v1"

    def error_body(self, reply: Reply) -> dict[str, Any]:
        """OpenAI's error envelope."""
        kind, code = _OPENAI_ERROR_CODES.get(reply.status, ("server_error", None))
        error = {"message": reply.error_message, "type": reply.error_type or kind, "param": None, "code": code}
        return {"error": error}

    def events(self, reply: Reply, request: dict[str, Any]) -> list[Event]:
        """A role chunk, one chunk per text piece, the finish chunk, the usage chunk when asked, ``[DONE]``."""
        model = reply.model or request.get("model", "gpt-test")
        include_usage = bool((request.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> Event:
            payload: dict[str, Any] = {
                "id": "chatcmpl-loopback",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            }
            if include_usage:
                payload["usage"] = None
            return (None, json.dumps(payload))

        out: list[Event] = [chunk({"role": "assistant", "content": ""})]
        for sent, text in enumerate([*reply.chunks, None]):
            marker = _failure_markers(reply, sent, ": keep-alive\n\n")
            if marker:
                name, data = marker
                if name == "__cut__":
                    data = 'data: {"id": "chatcmpl-loopback", "object": "chat.comp'
                return [*out, (name, data)]
            if reply.end_early_after == sent:
                return out
            if reply.malformed_after == sent:
                return [*out, (None, '{"id": "chatcmpl-loopback", "choices": [{')]
            if reply.stream_error_after == sent:
                error = {"error": {"message": reply.error_message, "type": reply.error_type or "server_error"}}
                return [*out, (None, json.dumps(error))]
            if text is None:
                break
            out.append(chunk({"content": text}))
        out.append(chunk({}, reply.stop_reason or "stop"))
        if include_usage:
            usage: dict[str, Any] = {
                "prompt_tokens": reply.input_tokens,
                "completion_tokens": reply.output_tokens,
                "total_tokens": reply.input_tokens + reply.output_tokens,
            }
            if reply.cached_tokens:
                usage["prompt_tokens_details"] = {"cached_tokens": reply.cached_tokens}
            self._reported(request, usage)
            final: dict[str, Any] = {
                "id": "chatcmpl-loopback",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [],
                "usage": usage,
            }
            out.append((None, json.dumps(final)))
        out.append((None, "[DONE]"))
        return out
