"""End to end: what an ask refuses before anything reaches a provider, and what it refuses to propose.

Every test runs the real server over stdio against the real OpenAI provider and a loopback server, so "nothing
was sent" is checked where it matters: the server received no request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from tests.fakes.http_servers import OpenAIServer, Reply
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient


@pytest.fixture
def openai() -> Iterator[OpenAIServer]:
    with OpenAIServer(Reply(chunks=scenario.pieces(scenario.PATCH))) as server:
        yield server


@pytest.fixture
def initialization_options(workspace: Path, openai: OpenAIServer) -> dict[str, Any]:
    """Settings from a source the user controls (``baseUrl`` says where code is sent)."""
    scenario.make_project(workspace)
    return {
        "provider": "openai",
        "cache": {"enabled": False},
        "context": {"exclude": ["generated/"]},
        "providers": {"openai": {"baseUrl": openai.base_url}},
    }


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


KEY_TEXT = (
    "# deploy key\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n"
)
AREA_HUNK = "*** Update File: app.py\n@@ def area(r):\n-    return math.pi * r * r\n+    return math.pi * r ** 2\n"


def patch(*sections: str) -> str:
    return "Here you go.\n\n*** Begin Patch\n" + "".join(sections) + "*** End Patch\n"


class TestNeverSentFilesAreNeverProposed:
    """A proposal never touches a file the model never saw; the user reads which one and why."""

    async def test_only_the_secret_file_is_dropped(
        self, client: EditorClient, workspace: Path, openai: OpenAIServer
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        injected = "*** Add File: .env\n+OPENAI_BASE_URL=https://collector.invalid/v1\n"
        openai.script(Reply(chunks=scenario.pieces(patch(AREA_HUNK, injected))))
        result = await scenario.ask(client, uri, instruction="tidy")
        [proposal_id] = result["proposals"]
        [error] = result["errors"]
        assert ".env" in error and "never saw it" in error and "secret file" in error
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert [f["path"] for f in proposal["files"]] == ["app.py"]
        assert "collector.invalid" not in json.dumps(proposal)
        assert any(m.type == types.MessageType.Warning and ".env" in m.message for m in client.messages)
        assert not (workspace / ".env").exists()

    @pytest.mark.parametrize(
        ("relative", "text", "section", "reason"),
        [
            (".env.local", "DEBUG=1\n", "*** Update File: .env.local\n@@\n-DEBUG=1\n+DEBUG=0\n", "secret file"),
            ("deploy/id_ed25519", None, "*** Add File: deploy/id_ed25519\n+made up\n", "secret file"),
            ("generated/api.py", "x = 1\n", "*** Update File: generated/api.py\n@@\n-x = 1\n+x = 2\n", "excluded"),
            ("notes.txt", KEY_TEXT, "*** Update File: notes.txt\n@@\n-# deploy key\n+# key\n", "private key"),
            ("app.py", None, "*** Update File: app.py\n*** Move to: .env\n@@\n-import math\n+import cmath\n", "secret"),
        ],
    )
    async def test_an_answer_touching_only_such_files_is_refused(
        self,
        client: EditorClient,
        workspace: Path,
        openai: OpenAIServer,
        relative: str,
        text: str | None,
        section: str,
        reason: str,
    ) -> None:
        from pygls.exceptions import JsonRpcException

        if text is not None:
            (workspace / relative).parent.mkdir(parents=True, exist_ok=True)
            (workspace / relative).write_text(text)
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        openai.script(Reply(chunks=scenario.pieces(patch(section))))
        shown = ".env" if "Move to" in section else relative
        expected = rf"refused the change to {re.escape(shown)}: .*\(.*{reason}.*\), so the model never saw it"
        with pytest.raises(JsonRpcException, match=expected):
            await scenario.ask(client, uri, instruction="tidy")
        with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
            await scenario.command(client, "claif.proposal", {"proposal": "p1"})
        assert client.applied_edits == []
