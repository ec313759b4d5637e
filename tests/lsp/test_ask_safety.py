"""End to end: what an ask refuses before anything reaches a provider, and what it refuses to propose.

Every test runs the real server over stdio against the real OpenAI provider and a loopback server, so "nothing
was sent" is checked where it matters: the server received no request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcInvalidParams

from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient


@pytest.fixture
def openai() -> Iterator[OpenAIServer]:
    with OpenAIServer(Reply(chunks=scenario.pieces(scenario.PATCH))) as server:
        yield server


@pytest.fixture
def lsp_settings(workspace: Path, openai: OpenAIServer) -> dict[str, Any]:
    scenario.make_project(workspace)
    return {"provider": "openai", "cache": {"enabled": False}, "providers": {"openai": {"baseUrl": openai.base_url}}}


@pytest.fixture
def lsp_env() -> dict[str, str]:
    return {"OPENAI_API_KEY": "test-key"}


class TestUrisOutsideTheWorkspace:
    """A URI neither open nor in a workspace folder is never read from disk and sent."""

    async def test_an_unopened_file_outside_every_folder_is_refused(
        self, client: EditorClient, workspace: Path, tmp_path: Path, openai: OpenAIServer
    ) -> None:
        outside = tmp_path / "elsewhere" / "notes.py"
        outside.parent.mkdir()
        outside.write_text("TOKEN = 'kept at home'\n")
        with pytest.raises(JsonRpcInvalidParams, match="neither open in the editor nor inside a workspace folder"):
            await scenario.ask(client, outside.as_uri(), instruction="tidy", range=scenario.whole_range(0, 1))
        assert openai.requests == [], "the file outside the workspace reached the provider"
        assert client.progress_reports == {}, "refused before anything began"

    async def test_a_symlink_in_the_workspace_to_a_file_outside_is_refused(
        self, client: EditorClient, workspace: Path, tmp_path: Path, openai: OpenAIServer
    ) -> None:
        outside = tmp_path / "secret.py"
        outside.write_text("x = 1\n")
        (workspace / "link.py").symlink_to(outside)
        with pytest.raises(JsonRpcInvalidParams, match="neither open"):
            await scenario.ask(client, (workspace / "link.py").as_uri(), instruction="tidy")
        assert openai.requests == []

    async def test_unopened_files_inside_the_workspace_and_open_ones_outside_are_asked_about(
        self, client: EditorClient, workspace: Path, tmp_path: Path, openai: OpenAIServer
    ) -> None:
        result = await scenario.ask(client, (workspace / "app.py").as_uri(), instruction="tidy")
        assert len(result["proposals"]) == 1
        outside = tmp_path / "scratch.py"
        outside.write_text("print('hi')\n")
        client.open_document(outside.as_uri(), "print('hi')\n")
        openai.script(Reply(chunks=["Nothing to change here."]))
        result = await scenario.ask(client, outside.as_uri(), action="explain", range=scenario.whole_range(0, 1))
        assert result["answer"] == "Nothing to change here."
        assert "print('hi')" in json.dumps(openai.last_request.body), "the open buffer was what was sent"


class TestBrokenText:
    """A document with a lone surrogate (JSON ``"\\ud800"``) is refused with its file and line, unsent."""

    BROKEN = scenario.SAMPLE.replace("import math", "import math  # \ud800", 1)

    @pytest.mark.parametrize("how", ["didOpen", "didChange"])
    async def test_the_file_and_line_are_named_and_nothing_is_sent(
        self, client: EditorClient, workspace: Path, openai: OpenAIServer, how: str
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        line = next(n for n, text in enumerate(self.BROKEN.splitlines(), 1) if "\ud800" in text)
        if how == "didOpen":
            client.open_document(uri, self.BROKEN)
        else:
            client.open_document(uri, scenario.SAMPLE)
            client.type_text(uri, self.BROKEN)
        expected = rf"app\.py line {line}, column \d+ .*lone surrogate \(U\+D800\)"
        with pytest.raises(JsonRpcInvalidParams, match=expected):
            await scenario.ask(client, uri, instruction="tidy")
        assert openai.requests == []
        client.type_text(uri, scenario.SAMPLE)
        assert len((await scenario.ask(client, uri, instruction="tidy"))["proposals"]) == 1

    async def test_a_broken_instruction_or_other_buffer(
        self, client: EditorClient, workspace: Path, openai: OpenAIServer
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        with pytest.raises(JsonRpcInvalidParams, match=r"the instruction line 1, column 5 .*U\+DC00"):
            await scenario.ask(client, uri, instruction="tidy\udc00")
        assert openai.requests == []
        # Another open buffer the editor sent broken is left out of the context; the ask itself goes on.
        client.open_document((workspace / "other.py").as_uri(), "y = '\ud83d'\n")  # unsaved: only in the editor
        assert len((await scenario.ask(client, uri, instruction="tidy"))["proposals"]) == 1
        assert "other.py" not in json.dumps(openai.last_request.body)
        assert "\\ud83d" not in json.dumps(openai.last_request.body)
