"""Fuzzing the LSP surface of one real server process: random and malformed requests, notifications,
``claif.*`` command arguments and raw bytes. Every request is answered, the server still answers a code
action exactly as before, and nothing is logged at traceback level (no ERROR or Traceback on stderr, no
``window/logMessage`` of type Error).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.raw_client import RawServer, frame, notification

# Methods that end or restart the session are left out; everything else a client may send is in.
EXCLUDED = {types.SHUTDOWN, types.EXIT, types.INITIALIZE, types.INITIALIZED}
CLIENT_METHODS = sorted(
    m for m, (_, _, params, *_) in types.METHOD_TO_TYPES.items() if params is not None and m not in EXCLUDED
)
COMMANDS = ["claif.ask", "claif.proposal", "claif.accept", "claif.reject", "claif.applyPatch", "claif.providers"]
COMMANDS += ["claif.settings", "claif.cancel", "claif.noSuchCommand"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
ids = itertools.count(1000)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RawServer, str]]:
    """One real server for every example, with the sample project open."""
    root = tmp_path_factory.mktemp("fuzz")
    workspace = root / "ws"
    workspace.mkdir()
    uri = scenario.make_project(workspace).as_uri()
    server = RawServer(root / "stderr.txt")
    try:
        server.initialize(workspace)
        server.send(frame(notification("textDocument/didOpen", {"textDocument": document(uri)})))
        yield server, uri
    finally:
        server.close()


def document(uri: str) -> dict[str, Any]:
    return {"uri": uri, "languageId": "python", "version": 1, "text": scenario.SAMPLE}


def code_action_params(uri: str) -> dict[str, Any]:
    rng = {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}}
    return {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}}


def near_miss(uri: str) -> st.SearchStrategy[dict[str, Any]]:
    """Valid codeAction params with one key replaced by a random value or removed."""
    base = code_action_params(uri)

    def mutate(key: str, value: Any, remove: bool) -> dict[str, Any]:
        changed = dict(base)
        if remove:
            changed.pop(key)
        else:
            changed[key] = value
        return changed

    return st.builds(mutate, st.sampled_from(sorted(base)), json_values, st.booleans())


def messages(uri: str) -> st.SearchStrategy[tuple[str, Any]]:
    """One thing a client could send: a request, a notification, a command, or raw bytes."""
    method = st.sampled_from(CLIENT_METHODS) | st.text(max_size=20) | st.just("$/probe")
    params = json_values | near_miss(uri)
    command = st.builds(
        lambda name, arguments: {"command": name, "arguments": arguments},
        st.sampled_from(COMMANDS),
        st.lists(json_values, max_size=3) | st.builds(lambda v: [v], json_values) | json_values,
    )
    raw = st.binary(max_size=80) | st.builds(
        lambda declared, body: f"Content-Length: {declared}\r\n\r\n".encode() + body,
        st.integers(0, 200) | st.just(-1),
        st.binary(max_size=60),
    )
    return st.one_of(
        st.tuples(st.just("request"), st.tuples(method, params)),
        st.tuples(st.just("request"), st.tuples(st.just(types.TEXT_DOCUMENT_CODE_ACTION), near_miss(uri))),
        st.tuples(st.just("notification"), st.tuples(method, params)),
        st.tuples(st.just("command"), command),
        st.tuples(st.just("raw"), raw),
    )


def test_the_server_survives_anything_a_client_sends(fuzzed: tuple[RawServer, str]) -> None:
    server, uri = fuzzed
    expected = server.call("before", types.TEXT_DOCUMENT_CODE_ACTION, code_action_params(uri))["result"]
    assert expected, "the sample selection has code actions"

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(messages(uri))
    def send(message: tuple[str, Any]) -> None:
        kind, payload = message
        msg_id = next(ids)
        if kind == "request":
            method, params = payload
            answer = server.call(msg_id, method, params)
        elif kind == "command":
            answer = server.call(msg_id, types.WORKSPACE_EXECUTE_COMMAND, payload)
        elif kind == "notification":
            method, params = payload
            server.send(frame(json.dumps(notification(method, params)).encode()))
            answer = server.call(msg_id, "workspace/executeCommand", {"command": "claif.providers"})
        else:
            server.send(payload)
            # Whatever the bytes were, a well-framed request after them is answered.
            answer = server.call(msg_id, "workspace/executeCommand", {"command": "claif.providers"})
        assert ("result" in answer) != ("error" in answer), answer
        if "error" in answer:
            assert answer["error"]["code"] != -32603, f"internal error for {message!r}: {answer}"

    send()
    after = server.call("after", types.TEXT_DOCUMENT_CODE_ACTION, code_action_params(uri))["result"]
    assert after == expected, "the server answers a code action as it did before the fuzzing"
    stderr = server.stderr()
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr[-5000:]
    assert server.error_log_messages() == []
    assert server.frame_errors == []
    assert "message framing" in stderr, "malformed frames were among the examples"
