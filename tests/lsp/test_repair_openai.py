"""End to end over the loopback OpenAI-compatible server, for each editor preset: the first answer misses a hunk,
the provider's second HTTP request carries the engine's error, and the repaired answer applies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient
from tests.lsp.test_repair import BROKEN, ERROR_TEXT, REPAIRED


@pytest.fixture
def openai() -> Iterator[OpenAIServer]:
    replies = (Reply(chunks=scenario.pieces(BROKEN)), Reply(chunks=scenario.pieces(REPAIRED)))
    with OpenAIServer(*replies) as server:
        yield server


@pytest.fixture
def lsp_settings(workspace: Path, openai: OpenAIServer) -> dict[str, Any]:
    scenario.make_project(workspace)
    return {"provider": "openai", "cache": {"enabled": False}, "providers": {"openai": {"baseUrl": openai.base_url}}}


@pytest.fixture
def lsp_env() -> dict[str, str]:
    return {"OPENAI_API_KEY": "test-key"}


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


async def test_the_second_request_carries_the_error(
    client: EditorClient, workspace: Path, openai: OpenAIServer
) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
    first, second = (request.body for request in openai.requests)
    assert ERROR_TEXT not in "".join(text_of(m) for m in first["messages"])
    last = second["messages"][-1]
    assert last["role"] == "user" and ERROR_TEXT in text_of(last)
    # The first turn's system prompt goes again, unchanged.
    assert second["messages"][0] == first["messages"][0]
    await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert client.documents[uri].text == scenario.EXPECTED_BOTH
