"""A loopback model server whose scripted answer makes a real coding agent edit one file through its own tools.

It speaks the three APIs the ACP agents call (Gemini's generateContent stream, OpenAI Responses, Anthropic
Messages) in the stream formats they accepted, and answers each request from what the request itself carries,
never from the order requests arrive in: agents send side requests (Gemini CLI's router on ``:generateContent``,
Claude Code's title request without tools, Codex's compaction or warm-up calls) that must not shift the script.

The script, per API, from the tool results already in the conversation:

- Gemini: no ``functionResponse`` yet: ``functionCall replace{file_path, instruction, old_string, new_string}``;
  then text.
- Responses: no ``function_call_output``/``custom_tool_call_output`` yet: an ``apply_patch`` call in whichever form
  the agent offered it (a custom tool, a function, or ``shell``/``exec_command`` running ``apply_patch``); then text.
- Anthropic: no ``tool_result`` yet: ``tool_use Read`` (Claude Code refuses to edit a file it has not read);
  after the Read's result: ``tool_use Edit{file_path, old_string, new_string}``; then text.

``per_turn`` (Responses only) asks for the edit once per user turn: a tool result counts only after the latest user
message, so an agent continuing its earlier session (``session/load``) is asked for the edit again.

``stall`` holds the edit's tool call back: the first piece of the stream is sent, then nothing until the client
hangs up (``stalled`` is set when that happens), so a test can cancel an agent that is waiting on its model.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any, Self

from tests.fakes.model_streams import StreamingHandler, gemini_usage, pieces, sse


@dataclass(frozen=True)
class ScriptedEdit:
    """The edit the model asks for: in ``path`` (relative to the agent's cwd), ``old`` becomes ``new``."""

    path: str
    old: str
    new: str
    answer: str = "I made the change."

    def patch(self) -> str:
        """The edit as an ``apply_patch`` envelope (Codex's patch format)."""
        minus = "".join(f"-{line}\n" for line in self.old.splitlines())
        plus = "".join(f"+{line}\n" for line in self.new.splitlines())
        return f"*** Begin Patch\n*** Update File: {self.path}\n@@\n{minus}{plus}*** End Patch\n"


@dataclass
class Request:
    """One POST the server received, and what it answered (``text``, or the tool it called)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    answered: str = ""


CWD_PATTERNS = [
    re.compile(r"<cwd>([^<]+)</cwd>"),
    re.compile(r"(?:Primary working directory|Working directory|current working directory)[^/\n]*(/[^\s`'\"]+)", re.I),
]
"""Where each agent states its working directory in the prompt (Claude Code's Edit wants an absolute path)."""


def stated_cwd(body: dict[str, Any]) -> str | None:
    """The working directory the agent wrote into its prompt, if any."""
    text = json.dumps(body)
    for pattern in CWD_PATTERNS:
        found = pattern.search(text.replace("\\n", "\n"))
        if found:
            return found.group(1).rstrip(".,")
    return None


class EditingModelApis:
    """The server; use as a context manager. ``edit`` is the change every agent is told to make."""

    def __init__(self, edit: ScriptedEdit, stall: bool = False, per_turn: bool = False) -> None:
        self.edit = edit
        self.stall = stall
        self.per_turn = per_turn
        self.stalled = threading.Event()
        self._stop = threading.Event()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        apis = self

        class Handler(StreamingHandler):
            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    # The agent hung up (a side request it gave up on, a cancel, its exit): nothing left to answer.
                    self.close_connection = True

            def do_GET(self) -> None:
                self._json(404, {"error": {"message": f"no route for GET {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with apis._lock:
                    apis.requests.append(request)
                path = self.path.split("?", 1)[0]
                if path.endswith("/messages"):
                    self._anthropic(body, request)
                elif path.endswith("/responses"):
                    self._responses(body, request)
                elif path.endswith(":generateContent"):
                    self._gemini_router(request)
                elif path.endswith(":streamGenerateContent"):
                    self._gemini_stream(body, request)
                else:
                    self._json(404, {"error": {"message": f"no route for POST {self.path}"}})

            def _hang(self) -> None:
                """Hold the connection open, sending nothing more, until the client leaves or the server stops."""
                apis.stalled.set()
                self._hold_open(apis._stop)

            # Anthropic Messages

            def _anthropic(self, body: dict[str, Any], request: Request) -> None:
                results = [
                    block
                    for message in body.get("messages", [])
                    if message.get("role") == "user" and isinstance(message.get("content"), list)
                    for block in message["content"]
                    if isinstance(block, dict) and block.get("type") == "tool_result"
                ]
                done = {str(block.get("tool_use_id")) for block in results}
                tool: dict[str, Any] | None = None
                if body.get("tools") and "toolu_edit" not in done:
                    cwd = stated_cwd(body) or ""
                    file_path = f"{cwd}/{apis.edit.path}" if cwd else apis.edit.path
                    if "toolu_read" not in done:
                        tool = {"id": "toolu_read", "name": "Read", "input": {"file_path": file_path}}
                    else:
                        edit_input = {"file_path": file_path, "old_string": apis.edit.old,
                                      "new_string": apis.edit.new}  # fmt: skip
                        tool = {"id": "toolu_edit", "name": "Edit", "input": edit_input}
                request.answered = tool["name"] if tool else "text"
                model = str(body.get("model") or "claude-test")
                usage = {"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": 0}  # fmt: skip
                message = {"id": "msg_loopback", "type": "message", "role": "assistant", "model": model,
                           "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}  # fmt: skip
                stop_reason = "tool_use" if tool else "end_turn"
                if not body.get("stream"):
                    content = [{"type": "tool_use", **tool}] if tool else [{"type": "text", "text": apis.edit.answer}]
                    self._json(200, {**message, "content": content, "stop_reason": stop_reason})
                    return
                self._start_sse()
                self._send(sse("message_start", {"type": "message_start", "message": message}))
                if tool:
                    block = {"type": "tool_use", "id": tool["id"], "name": tool["name"], "input": {}}
                    self._send(sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                            "content_block": block}))  # fmt: skip
                    if tool["name"] == "Edit" and apis.stall:
                        self._hang()
                        return
                    delta = {"type": "input_json_delta", "partial_json": json.dumps(tool["input"])}
                    self._send(sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                            "delta": delta}))  # fmt: skip
                else:
                    block = {"type": "text", "text": ""}
                    self._send(sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                            "content_block": block}))  # fmt: skip
                    for piece in pieces(apis.edit.answer):
                        delta = {"type": "text_delta", "text": piece}
                        self._send(sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                                "delta": delta}))  # fmt: skip
                self._send(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
                self._send(sse("message_delta", {"type": "message_delta",
                                                  "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                                  "usage": {"output_tokens": 7}}))  # fmt: skip
                self._send(sse("message_stop", {"type": "message_stop"}))
                self._end()

            # OpenAI Responses

            def _responses(self, body: dict[str, Any], request: Request) -> None:
                items = body.get("input") if isinstance(body.get("input"), list) else []
                if apis.per_turn:
                    users = [i for i, item in enumerate(items) if isinstance(item, dict) and item.get("role") == "user"]
                    items = items[users[-1] :] if users else items
                called = any(
                    isinstance(item, dict)
                    and item.get("type") in ("function_call_output", "custom_tool_call_output")
                    and item.get("call_id") == "call_patch"
                    for item in items
                )
                tools = {str(t.get("name")): t for t in body.get("tools") or [] if isinstance(t, dict)}
                call = None if called else _patch_call(tools, apis.edit.patch())
                request.answered = str(call["name"]) if call else "text"
                model = str(body.get("model") or "gpt-test")
                response: dict[str, Any] = {"id": "resp_loopback", "object": "response", "created_at": int(time.time()),
                                            "status": "in_progress", "model": model, "output": []}  # fmt: skip
                seq = iter(range(1_000_000))
                self._start_sse()

                def send(kind: str, **fields: Any) -> None:
                    self._send(sse(kind, {"type": kind, "sequence_number": next(seq), **fields}))

                send("response.created", response=response)
                send("response.in_progress", response=response)
                if call:
                    if apis.stall:
                        self._hang()
                        return
                    send("response.output_item.added", output_index=0, item={**call, "status": "in_progress"})
                    done_item = {**call, "status": "completed"}
                else:
                    item = {"id": "msg_loopback", "type": "message", "role": "assistant", "status": "in_progress",
                            "content": []}  # fmt: skip
                    part = {"type": "output_text", "text": "", "annotations": []}
                    send("response.output_item.added", output_index=0, item=item)
                    send("response.content_part.added", item_id="msg_loopback", output_index=0, content_index=0,
                         part=part)  # fmt: skip
                    for piece in pieces(apis.edit.answer):
                        send("response.output_text.delta", item_id="msg_loopback", output_index=0, content_index=0,
                             delta=piece, logprobs=[])  # fmt: skip
                    send("response.output_text.done", item_id="msg_loopback", output_index=0, content_index=0,
                         text=apis.edit.answer, logprobs=[])  # fmt: skip
                    done_part = {**part, "text": apis.edit.answer}
                    send("response.content_part.done", item_id="msg_loopback", output_index=0, content_index=0,
                         part=done_part)  # fmt: skip
                    done_item = {**item, "status": "completed", "content": [done_part]}
                send("response.output_item.done", output_index=0, item=done_item)
                usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 7,
                         "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 19}  # fmt: skip
                send("response.completed", response={**response, "status": "completed", "output": [done_item],
                                                     "usage": usage})  # fmt: skip
                self._end()

            # Gemini

            def _gemini_router(self, request: Request) -> None:
                request.answered = "router"
                verdict = json.dumps({"complexity_reasoning": "a small edit", "complexity_score": 10})
                candidate = {"content": {"role": "model", "parts": [{"text": verdict}]}, "finishReason": "STOP",
                             "index": 0}  # fmt: skip
                self._json(200, {"candidates": [candidate], "usageMetadata": gemini_usage()})

            def _gemini_stream(self, body: dict[str, Any], request: Request) -> None:
                responded = any(
                    isinstance(part, dict) and "functionResponse" in part
                    for content in body.get("contents") or []
                    for part in content.get("parts") or []
                )
                self._start_sse()
                if responded:
                    request.answered = "text"
                    chunks = [[{"text": piece}] for piece in pieces(apis.edit.answer)]
                else:
                    request.answered = "replace"
                    if apis.stall:
                        self._send(_gemini_event([{"text": "Let me edit it."}], last=False))
                        self._hang()
                        return
                    args = {"file_path": apis.edit.path, "instruction": apis.edit.answer,
                            "old_string": apis.edit.old, "new_string": apis.edit.new}  # fmt: skip
                    chunks = [[{"functionCall": {"name": "replace", "args": args}}]]
                for index, parts in enumerate(chunks):
                    self._send(_gemini_event(parts, last=index == len(chunks) - 1))
                self._end()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without any API path."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def answers(self) -> list[str]:
        """What each request so far was answered with (``text``, ``router`` or a tool's name), in arrival order."""
        with self._lock:
            return [r.answered for r in self.requests]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _patch_call(tools: dict[str, dict[str, Any]], patch: str) -> dict[str, Any] | None:
    """The Responses output item that applies ``patch`` with a tool the agent offered, or None if it offered none."""
    base = {"id": "fc_patch", "call_id": "call_patch"}
    offered = tools.get("apply_patch")
    if offered and offered.get("type") == "custom":
        return {**base, "type": "custom_tool_call", "name": "apply_patch", "input": patch}
    if offered:
        return {**base, "type": "function_call", "name": "apply_patch", "arguments": json.dumps({"input": patch})}
    if "exec_command" in tools:
        command = f"apply_patch <<'EOF'\n{patch}EOF\n"
        return {**base, "type": "function_call", "name": "exec_command", "arguments": json.dumps({"cmd": command})}
    if "shell" in tools:
        arguments = json.dumps({"command": ["apply_patch", patch]})
        return {**base, "type": "function_call", "name": "shell", "arguments": arguments}
    return None


def _gemini_event(parts: list[dict[str, Any]], last: bool) -> bytes:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if last:
        candidate["finishReason"] = "STOP"
    event = {"candidates": [candidate], "usageMetadata": gemini_usage(), "modelVersion": "gemini-test",
             "responseId": "loopback"}  # fmt: skip
    return b"data: " + json.dumps(event, separators=(",", ":")).encode() + b"\r\n\r\n"
