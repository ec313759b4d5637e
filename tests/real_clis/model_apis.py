"""One loopback server speaking the Anthropic Messages, OpenAI Responses and Gemini APIs, for the real agent CLIs.

Routing is by path, never by order: the CLIs send side requests first (Claude Code a title request, Gemini CLI
a routing request on ``:generateContent``), so every request to the same API gets the same scripted answer,
except Gemini's router request, which gets the JSON its classifier wants. Every request is recorded.

``status`` scripts an HTTP error (401 with each API's own error envelope) for every model request. ``stall``
makes the main streamed request (Anthropic with tools, every Responses stream, Gemini's stream) send its first
piece and then nothing until the client hangs up; ``stalled`` is set when one does.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any, Self

from tests.fakes.model_streams import StreamingHandler, gemini_usage, pieces, sse


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ModelApis:
    """The server; use as a context manager. ``answer`` is the model's text for every request."""

    def __init__(self, answer: str = "Hello from the loopback model.", status: int = 200, stall: bool = False) -> None:
        self.answer = answer
        self.status = status
        self.stall = stall
        self.stalled = threading.Event()
        self._stop = threading.Event()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        apis = self

        class Handler(StreamingHandler):
            def do_GET(self) -> None:
                apis._record(self, {})
                self._json(404, {"error": {"message": f"no route for GET {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                apis._record(self, body)
                path = self.path.split("?", 1)[0]
                if path.endswith("/messages"):
                    self._anthropic(body)
                elif path.endswith("/responses"):
                    self._responses(body)
                elif path.endswith(":generateContent"):
                    self._gemini_router()
                elif path.endswith(":streamGenerateContent"):
                    self._gemini_stream()
                else:
                    self._json(404, {"error": {"message": f"no route for POST {self.path}"}})

            def _hang_if_stalling(self, main: bool = True) -> bool:
                """With ``stall``, hold the connection open until the client leaves; True when it did."""
                if not (apis.stall and main):
                    return False
                apis.stalled.set()
                self._hold_open(apis._stop)
                return True

            def _anthropic(self, body: dict[str, Any]) -> None:
                if apis.status != 200:
                    error = {"type": "authentication_error", "message": "invalid x-api-key"}
                    self._json(apis.status, {"type": "error", "error": error, "request_id": "req_loopback"})
                    return
                model = str(body.get("model") or "claude-test")
                usage = {"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": 0}  # fmt: skip
                message = {"id": "msg_loopback", "type": "message", "role": "assistant", "model": model,
                           "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}  # fmt: skip
                if not body.get("stream"):
                    whole = {**message, "content": [{"type": "text", "text": apis.answer}], "stop_reason": "end_turn"}
                    self._json(200, whole)
                    return
                self._start_sse()
                self._send(sse("message_start", {"type": "message_start", "message": message}))
                block = {"type": "text", "text": ""}
                self._send(sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                        "content_block": block}))  # fmt: skip
                for number, piece in enumerate(pieces(apis.answer)):
                    if number == 1 and self._hang_if_stalling(bool(body.get("tools"))):
                        return
                    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
                    self._send(sse("content_block_delta", delta))
                self._send(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
                self._send(sse("message_delta", {"type": "message_delta",
                                                  "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                                  "usage": {"output_tokens": 7}}))  # fmt: skip
                self._send(sse("message_stop", {"type": "message_stop"}))
                self._end()

            def _responses(self, body: dict[str, Any]) -> None:
                if apis.status != 200:
                    error = {"message": "Incorrect API key provided", "type": "invalid_request_error",
                             "param": None, "code": "invalid_api_key"}  # fmt: skip
                    self._json(apis.status, {"error": error})
                    return
                model = str(body.get("model") or "gpt-test")
                response: dict[str, Any] = {"id": "resp_loopback", "object": "response", "created_at": int(time.time()),
                                            "status": "in_progress", "model": model, "output": []}  # fmt: skip
                item = {"id": "msg_loopback", "type": "message", "role": "assistant", "status": "in_progress",
                        "content": []}  # fmt: skip
                part = {"type": "output_text", "text": "", "annotations": []}
                seq = iter(range(1_000_000))
                self._start_sse()

                def send(kind: str, **fields: Any) -> None:
                    self._send(sse(kind, {"type": kind, "sequence_number": next(seq), **fields}))

                send("response.created", response=response)
                send("response.in_progress", response=response)
                send("response.output_item.added", output_index=0, item=item)
                send("response.content_part.added", item_id="msg_loopback", output_index=0, content_index=0, part=part)
                for number, piece in enumerate(pieces(apis.answer)):
                    if number == 1 and self._hang_if_stalling():
                        return
                    send("response.output_text.delta", item_id="msg_loopback", output_index=0, content_index=0,
                         delta=piece, logprobs=[])  # fmt: skip
                send("response.output_text.done", item_id="msg_loopback", output_index=0, content_index=0,
                     text=apis.answer, logprobs=[])  # fmt: skip
                done_part = {**part, "text": apis.answer}
                send("response.content_part.done", item_id="msg_loopback", output_index=0, content_index=0,
                     part=done_part)  # fmt: skip
                done_item = {**item, "status": "completed", "content": [done_part]}
                send("response.output_item.done", output_index=0, item=done_item)
                usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 7,
                         "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 19}  # fmt: skip
                send("response.completed", response={**response, "status": "completed", "output": [done_item],
                                                     "usage": usage})  # fmt: skip
                self._end()

            def _gemini_error(self) -> None:
                error = {"code": apis.status, "message": "API key not valid. Please pass a valid API key.",
                         "status": "UNAUTHENTICATED" if apis.status == 401 else "INVALID_ARGUMENT"}  # fmt: skip
                self._json(apis.status, {"error": error})

            def _gemini_router(self) -> None:
                if apis.status != 200:
                    self._gemini_error()
                    return
                verdict = json.dumps({"complexity_reasoning": "a small edit", "complexity_score": 10})
                candidate = {"content": {"role": "model", "parts": [{"text": verdict}]}, "finishReason": "STOP",
                             "index": 0}  # fmt: skip
                self._json(200, {"candidates": [candidate], "usageMetadata": gemini_usage()})

            def _gemini_stream(self) -> None:
                if apis.status != 200:
                    self._gemini_error()
                    return
                self._start_sse()
                chunks = pieces(apis.answer)
                for index, piece in enumerate(chunks):
                    if index == 1 and self._hang_if_stalling():
                        return
                    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}
                    if index == len(chunks) - 1:
                        candidate["finishReason"] = "STOP"
                    event = {"candidates": [candidate], "usageMetadata": gemini_usage(), "modelVersion": "gemini-test",
                             "responseId": "loopback"}  # fmt: skip
                    self._send(b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\r\n\r\n")
                self._end()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _record(self, handler: StreamingHandler, body: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Request(handler.command, handler.path, headers, body))

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without any API path."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def model_requests(self) -> list[Request]:
        """The POST requests received so far."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
