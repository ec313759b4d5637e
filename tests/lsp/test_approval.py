"""End to end: approval modes, the response cache, recording transcripts, and positions in every encoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient


def open_sample(client: EditorClient, workspace: Path, text: str = scenario.SAMPLE) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, text)
    return uri


def transcript(workspace: Path, entries: list[dict[str, Any]]) -> Path:
    scenario.make_project(workspace)
    return scenario.write_transcript(workspace.parent / "t.jsonl", entries)


class TestConfirm:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        path = transcript(workspace, [{"action": "ask", "answer": scenario.PATCH}])
        return scenario.replay_settings(path, approval="confirm")

    @pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
    async def test_edits_go_out_at_once_each_hunk_needing_confirmation(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        [params] = client.applied_edits
        annotations = params.edit.change_annotations or {}
        assert len(annotations) == 2 and all(a.needs_confirmation for a in annotations.values())
        [change] = params.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert {e.annotation_id for e in change.edits} == set(annotations)
        assert client.documents[uri].text == scenario.EXPECTED_BOTH
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "accepted"

    @pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
    async def test_the_user_declining_the_preview_keeps_the_buffer(self, client: EditorClient, workspace: Path) -> None:
        client.accept_edits = False
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert client.documents[uri].text == scenario.SAMPLE
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "discarded"

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_without_change_annotations_it_falls_back_to_review(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "pending"
        assert any("cannot confirm each change" in m.message for m in client.messages)


class TestAuto:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        path = transcript(workspace, [{"action": "ask", "answer": scenario.PATCH}])
        return scenario.replay_settings(path, approval="auto")

    async def test_applied_at_once_as_one_edit(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        await scenario.ask(client, uri, instruction="tidy")
        [params] = client.applied_edits
        assert not params.edit.change_annotations
        assert client.documents[uri].text == scenario.EXPECTED_BOTH


class TestCacheAndRecord:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        path = transcript(
            workspace,
            [
                {"action": "ask", "answer": scenario.PATCH, "usage": {"input_tokens": 10, "output_tokens": 5}},
                {"action": "ask", "answer": "x", "error": "the provider was asked twice"},
            ],
        )
        settings = scenario.replay_settings(path, record=str(workspace.parent / "recorded.jsonl"))
        settings["cache"] = {"enabled": True}
        return settings

    @pytest.fixture
    def lsp_env(self, tmp_path: Path) -> dict[str, str]:
        return {"XDG_CACHE_HOME": str(tmp_path / "cache")}

    async def test_a_repeat_is_answered_from_the_cache_and_recorded_once(
        self, client: EditorClient, workspace: Path, tmp_path: Path
    ) -> None:
        uri = open_sample(client, workspace)
        first = await scenario.ask(client, uri, instruction="tidy")
        second = await scenario.ask(client, uri, instruction="tidy")
        assert first["proposals"] and second["proposals"], "the second ask never reached the failing entry"
        assert list((tmp_path / "cache" / "claif-lsp" / "responses").glob("*.json"))
        [line] = (workspace.parent / "recorded.jsonl").read_text().splitlines()
        recorded = json.loads(line)
        assert recorded["answer"] == scenario.PATCH and recorded["provider"] == "replay"
        assert "tidy" in recorded["prompt"] and recorded["usage"]["input_tokens"] == 10


class TestEncodings:
    """A hunk on a line full of emoji and accents lands exactly, in UTF-16 (VS Code) and UTF-8 (Neovim)."""

    TEXT = 'greeting = "héllo 😋 wörld"\nshout = greeting.upper()  # 🎉\n'
    PATCH = (
        "*** Begin Patch\n*** Update File: app.py\n"
        '-greeting = "héllo 😋 wörld"\n+greeting = "héllo 😋 wörld!"\n'
        "*** End Patch\n"
    )

    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        (workspace / "app.py").write_text(self.TEXT)
        path = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": self.PATCH}])
        return scenario.replay_settings(path)

    async def test_minimal_edit_in_the_negotiated_encoding(
        self, client: EditorClient, workspace: Path, editor: str
    ) -> None:
        uri = open_sample(client, workspace, self.TEXT)
        [proposal_id] = (await scenario.ask(client, uri, instruction="excite"))["proposals"]
        await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert client.documents[uri].text == self.TEXT.replace("wörld", "wörld!")
        [params] = client.applied_edits
        edits = (
            params.edit.document_changes[0].edits  # type: ignore[index,union-attr]
            if params.edit.document_changes
            else params.edit.changes[uri]  # type: ignore[index]
        )
        [edit] = edits
        assert edit.new_text == "!", "a minimal edit, not the whole line"
        expected_column = {"utf-16": 26, "utf-8": 30}[client.encoding]  # 25 code points
        assert edit.range.start == types.Position(line=0, character=expected_column)
