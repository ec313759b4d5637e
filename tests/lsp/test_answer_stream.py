"""End to end: an explanation streams to the editor as `claif/answer` (the whole text so far, growing) and ends
once with `done`, also when it fails or is cancelled; every update arrives before the ask's own answer."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from claif_lsp import protocol
from claif_lsp.protocol.models import AnswerParams
from tests.fakes.helpers import async_wait_until
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

EXPLAINED = (
    "## What it does\n\n"
    "`total` adds the values one by one, and `area` measures a circle.\n\n"
    "- `s` starts at zero\n"
    "- each value is added in turn\n\n"
    "A built-in `sum` would say the same in one line.\n"
)
CHUNKS = scenario.pieces(EXPLAINED, size=9)


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(
        workspace.parent / "t.jsonl",
        [
            {"match": "STREAM", "chunks": CHUNKS, "delayMs": 20},
            {"match": "FAIL", "chunks": CHUNKS, "delayMs": 5, "error": "overloaded", "errorAfterChunks": 4},
            {"match": "STALL", "chunks": ["First line.\n"] + ["more\n"] * 300, "delayMs": 50},
        ],
    )
    return scenario.replay_settings(transcript)


def answers_of(client: EditorClient) -> list[AnswerParams]:
    """Every `claif/answer` the client gets from now on, read as the protocol model."""
    seen: list[AnswerParams] = []

    @client.feature(protocol.ANSWER)
    def answer(ls: EditorClient, params: Any) -> None:
        seen.append(AnswerParams.model_validate(as_dict(params)))

    return seen


def as_dict(value: Any) -> Any:
    """pygls' attribute objects for an unknown notification's params, back to JSON values."""
    if hasattr(value, "_asdict"):
        return {key: as_dict(item) for key, item in value._asdict().items()}
    return value


def explain(client: EditorClient, uri: str, instruction: str, request_id: str, token: str) -> asyncio.Future[Any]:
    client.progress_reports[token] = []
    arguments = {
        "uri": uri,
        "range": scenario.whole_range(),
        "action": "explain",
        "instruction": instruction,
        "requestId": request_id,
    }
    params = types.ExecuteCommandParams(command=protocol.ASK, arguments=[arguments], work_done_token=token)
    return asyncio.wrap_future(client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params))


def assert_grows(answers: list[AnswerParams]) -> None:
    texts = [a.text for a in answers]
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(texts)), texts
    assert [a.done for a in answers] == [False] * (len(answers) - 1) + [True], "done once, last"


async def test_the_answer_streams_grows_and_ends_before_the_result(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    answers = answers_of(client)

    result = await explain(client, uri, "STREAM", "explain-1", "tok-1")
    received_by_the_result = list(answers)

    assert result["answer"] == EXPLAINED
    assert received_by_the_result == answers, "an update arrived after the ask's answer"
    assert len(answers) >= 4, f"only {len(answers)} updates for {len(CHUNKS)} chunks"
    assert_grows(answers)
    assert answers[-1].text == EXPLAINED
    assert {(a.request_id, a.token) for a in answers} == {("explain-1", "tok-1")}
    lines_ends = [a.text.endswith("\n") for a in answers[:-1]]
    assert any(lines_ends), "a finished line is sent as it ends"


async def test_a_failed_answer_ends_done_with_what_came(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    answers = answers_of(client)

    with pytest.raises(JsonRpcException, match="overloaded"):
        await explain(client, uri, "FAIL", "explain-2", "tok-2")

    assert answers, "no update before the failure"
    assert_grows(answers)
    assert answers[-1].text == "".join(CHUNKS[:4]) and answers[-1].request_id == "explain-2"


async def test_a_cancelled_answer_ends_done_with_what_came(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    answers = answers_of(client)

    pending = explain(client, uri, "STALL", "explain-3", "tok-3")
    assert await async_wait_until(lambda: bool(answers)), "nothing streamed"
    assert await scenario.command(client, protocol.CANCEL, {"request": "explain-3"}) == {"cancelled": ["explain-3"]}
    assert await pending == {"proposals": [], "cancelled": True}

    assert_grows(answers)
    assert answers[-1].text.startswith("First line.\n") and answers[-1].text.count("more") < 300
    assert answers[-1].request_id == "explain-3" and answers[-1].token == "tok-3"
