"""End to end over raw stdio: a misframed message or invalid JSON never leaves the server deaf.

pygls' reader matched ``Content-Length`` case-sensitively and trusted its number, so one bad frame made it
wait forever for a header; these tests write the bad bytes themselves and then expect answers.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from tests.conftest import server_env
from tests.lsp.raw_client import RawServer, frame, request

T = TypeVar("T")

PROBE = request(2, "workspace/executeCommand", {"command": "claif.providers", "arguments": []})
"""The request sent in the bad frame: answered when the server can read it whole."""
AFTER = request(3, "workspace/executeCommand", {"command": "claif.providers", "arguments": []})
"""A well-framed request sent right after the bad frame."""


@pytest.fixture
def server(tmp_path: Path, workspace: Path) -> Iterator[RawServer]:
    """The real server, initialized, with default logging (warnings on stderr)."""
    raw = RawServer(tmp_path / "stderr.txt")
    try:
        raw.initialize(workspace)
        yield raw
    finally:
        raw.close()


def framing_warnings(server: RawServer) -> list[str]:
    """stderr lines about framing."""
    return [line for line in server.stderr().splitlines() if "message framing" in line]


BODY = json.dumps(PROBE).encode()
BAD_FRAMES = {
    # A client that counts characters, not UTF-8 bytes, declares too few.
    "too short": frame(BODY, length=len(BODY) - 7),
    "too long": frame(BODY, length=len(BODY) + 40),
    "not a number": frame(BODY, length=None, header="Content-Length").replace(
        f"Content-Length: {len(BODY)}".encode(), b"Content-Length: twelve"
    ),
}


@pytest.mark.parametrize("case", list(BAD_FRAMES))
def test_a_misframed_message_is_read_and_the_next_one_too(server: RawServer, case: str) -> None:
    server.send(BAD_FRAMES[case] + frame(AFTER))
    after = server.wait_for(3)
    assert "result" in after and after["result"]["providers"], after
    probe = server.wait_for(2)
    assert "result" in probe, "the misframed message parsed whole up to the next header, so it was read"
    assert len(framing_warnings(server)) == 1, server.stderr()
    assert "Traceback" not in server.stderr()
    assert server.frame_errors == []


def test_a_lower_case_header_name_is_a_header(server: RawServer) -> None:
    server.send(frame(PROBE, header="content-length") + frame(AFTER, header="CONTENT-LENGTH"))
    assert "result" in server.wait_for(2) and "result" in server.wait_for(3)
    assert framing_warnings(server) == [], "header names are case-insensitive: nothing was wrong"


def test_bytes_that_are_no_message_are_skipped_with_one_warning(server: RawServer) -> None:
    server.send(b"this is not a header\r\n{half a message" + frame(AFTER))
    assert "result" in server.wait_for(3)
    (error,) = server.wait_for_null_id()
    assert error["error"]["code"] == -32700
    warnings = framing_warnings(server)
    assert len(warnings) == 1 and "skipped 37 bytes" in warnings[0], warnings
    assert "Traceback" not in server.stderr()


def test_invalid_json_in_a_good_frame_gets_parse_error_with_id_null(server: RawServer) -> None:
    server.send(frame(b'{"jsonrpc": "2.0", "id": 7, "method": '))
    (error,) = server.wait_for_null_id()
    assert error == {"jsonrpc": "2.0", "id": None, "error": error["error"]}
    assert error["error"]["code"] == -32700
    assert "result" in server.call(3, "workspace/executeCommand", AFTER["params"])
    assert "Traceback" not in server.stderr()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ([1, 2, 3], -32600),
        ({"jsonrpc": "1.0", "id": 8, "method": "shutdown"}, -32600),
        ({"jsonrpc": "2.0", "id": {"nested": 1}, "method": "shutdown"}, -32600),
        ({"jsonrpc": "2.0", "id": 9, "method": 42}, -32600),
    ],
)
def test_an_invalid_request_object_gets_invalid_request(server: RawServer, message: object, code: int) -> None:
    server.send(frame(json.dumps(message).encode()))
    expected_id = message.get("id") if isinstance(message, dict) and isinstance(message.get("id"), int) else None
    answer = server.wait_for(expected_id) if expected_id is not None else server.wait_for_null_id()[0]
    assert answer["error"]["code"] == code, answer
    assert "result" in server.call(3, "workspace/executeCommand", AFTER["params"])
    assert "Traceback" not in server.stderr()


async def _exchange_tcp(port: int, data: bytes, want: int) -> list[dict[str, object]]:
    reader, writer = await _open(lambda: asyncio.open_connection("127.0.0.1", port))
    writer.write(data)
    await writer.drain()
    answers: list[dict[str, object]] = []
    while len([a for a in answers if "id" in a and "method" not in a]) < want:
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        length = int(header.split(b"\r\n")[0].split(b":")[1])
        answers.append(json.loads(await reader.readexactly(length)))
    writer.close()
    return answers


async def _exchange_ws(port: int, messages: list[bytes], want: int) -> list[dict[str, object]]:
    from websockets.asyncio.client import connect

    websocket = await _open(lambda: connect(f"ws://127.0.0.1:{port}"))
    for message in messages:
        await websocket.send(message)
    answers: list[dict[str, object]] = []
    while len([a for a in answers if "id" in a and "method" not in a]) < want:
        answers.append(json.loads(await asyncio.wait_for(websocket.recv(), 60)))
    await websocket.close()
    return answers


async def _open(opener: Callable[[], Awaitable[T]]) -> T:
    for _ in range(600):  # the server is starting
        try:
            return await opener()
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("nothing listens")


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_tcp_and_websockets_answer_bad_params_too(transport: str, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "claif_lsp", f"--{transport}", "--port", str(port)]
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=server_env()
        )
    try:
        init = request(1, "initialize", {"capabilities": {}})
        bad = request(
            2, "textDocument/codeAction", {"textDocument": {"uri": "file:///x.py"}, "context": {"diagnostics": []}}
        )
        if transport == "tcp":
            answers = await _exchange_tcp(port, frame(init) + frame(bad, header="content-length"), want=2)
        else:
            answers = await _exchange_ws(port, [json.dumps(init).encode(), json.dumps(bad).encode()], want=2)
    finally:
        proc.kill()
        await proc.wait()
    (answer,) = [a for a in answers if a.get("id") == 2]
    error = answer["error"]
    assert isinstance(error, dict) and error["code"] == -32602 and "params.range" in error["message"], answer
