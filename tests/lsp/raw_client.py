"""A client that writes raw bytes to the real server's stdin and reads its framed answers, strictly.

pytest-lsp's client only sends well-formed messages; tests of framing and malformed JSON need to send
exactly the bytes a broken client would. The reader here is strict (it fails on anything but
``Content-Length: N`` frames) so a server that answers with a bad frame fails the test too.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from tests.conftest import server_env

WAIT = 60.0
"""Generous bound for one answer on a loaded machine."""


def frame(message: dict[str, Any] | bytes, *, length: int | None = None, header: str = "Content-Length") -> bytes:
    """``message`` framed; ``length`` overrides the true byte count, ``header`` the header name."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    declared = len(body) if length is None else length
    return f"{header}: {declared}\r\n\r\n".encode() + body


def request(msg_id: int | str, method: str, params: Any = None) -> dict[str, Any]:
    """A JSON-RPC request."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> dict[str, Any]:
    """A JSON-RPC notification."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


class RawServer:
    """The real server over stdio; stderr goes to a file the test reads afterwards."""

    def __init__(self, stderr_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "claif_lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env or server_env(),
        )
        self.responses: dict[Any, dict[str, Any]] = {}
        self.null_id_responses: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.frame_errors: list[str] = []
        self._arrivals: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            line = stream.readline()
            if not line:
                return
            if not line.startswith(b"Content-Length: "):
                self.frame_errors.append(f"unexpected header {line!r}")
                return
            length = int(line.split(b":")[1])
            while (header := stream.readline()) not in (b"\r\n", b""):
                if not header.startswith(b"Content-Type: "):
                    self.frame_errors.append(f"unexpected header {header!r}")
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                # The server asks something (configuration, progress): answer null so it goes on.
                self.send(frame({"jsonrpc": "2.0", "id": message["id"], "result": _answer(message)}))
            elif "method" in message:
                with self._lock:
                    self.notifications.append(message)
            elif message.get("id") is None:
                with self._lock:
                    self.null_id_responses.append(message)
            else:
                with self._lock:
                    self.responses[message["id"]] = message
            self._arrivals.put(message)

    def send(self, data: bytes) -> None:
        """Write bytes to the server's stdin."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_for(self, msg_id: Any, timeout: float = WAIT) -> dict[str, Any]:
        """The response to request ``msg_id`` (bounded wait)."""
        return self._wait(lambda: self.responses.get(msg_id), f"response {msg_id!r}", timeout)

    def wait_for_null_id(self, count: int = 1, timeout: float = WAIT) -> list[dict[str, Any]]:
        """The first ``count`` responses with id null (bounded wait)."""
        found = self._wait(
            lambda: list(self.null_id_responses[:count]) if len(self.null_id_responses) >= count else None,
            f"{count} responses with id null",
            timeout,
        )
        return found

    def _wait(self, probe: Any, what: str, timeout: float) -> Any:
        import time

        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = probe()
            if found is not None:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"no {what} within {timeout} s; stderr:\n{self.stderr()[-3000:]}")
            try:
                self._arrivals.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                pass

    def call(self, msg_id: int | str, method: str, params: Any = None) -> dict[str, Any]:
        """Send a well-framed request and wait for its response."""
        self.send(frame(request(msg_id, method, params)))
        return self.wait_for(msg_id)

    def initialize(self, root: Path, options: Any = None) -> dict[str, Any]:
        """Initialize as a minimal client would, with window/workDoneProgress and configuration support."""
        params = {
            "processId": None,
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": {"window": {"workDoneProgress": True}, "workspace": {"configuration": True}},
            "initializationOptions": options,
        }
        result = self.call("init", "initialize", params)
        self.send(frame(notification("initialized", {})))
        return result

    def error_log_messages(self) -> list[str]:
        """``window/logMessage`` texts of type Error."""
        with self._lock:
            return [
                n["params"]["message"]
                for n in self.notifications
                if n["method"] == "window/logMessage" and n["params"]["type"] == 1
            ]

    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> None:
        """Shut down politely, then make sure the process is gone."""
        if self.proc.poll() is None:
            try:
                self.call("bye", "shutdown")
                self.send(frame(notification("exit")))
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=WAIT)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()


def _answer(message: dict[str, Any]) -> Any:
    """What a plain editor answers to each request a server sends."""
    method = message["method"]
    if method == "workspace/configuration":
        return [None for _ in message["params"]["items"]]
    if method == "window/showDocument":
        return {"success": True}
    if method == "workspace/applyEdit":
        return {"applied": False, "failureReason": "declined by the raw test client"}
    return None
