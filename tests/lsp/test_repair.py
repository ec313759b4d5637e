"""End to end over replay, for each editor preset: an answer whose hunk does not place is repaired in a second
turn that carries the engine's error, or becomes a partial answer that no approval mode applies by itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

BROKEN = scenario.PATCH.replace("-    s = 0\n", "-    s = 1\n")
"""The second hunk misremembers a line: the file has ``s = 0``."""
STILL_BROKEN = "Sorry, here it is again.\n" + BROKEN.split("\n", 1)[1]
REPAIRED = "Corrected.\n" + scenario.PATCH.split("\n", 1)[1]
ERROR_TEXT = (
    "Hunk 2 of app.py: its old lines were not found.\n"
    "It expects these old lines:\n```\n    s = 1\n    for v in values:\n        s = s + v\n    return s\n```\n"
    "The file actually has, at lines 13-17:\n```\ndef total(values):\n    s = 0\n"
)
"""What the repair turn must say: the hunk, why, its expected lines, and the file's lines where they should be."""
EXPECTED_LINES = "    s = 1\n    for v in values:\n        s = s + v\n    return s\n"


def transcript(workspace: Path, repair_answer: str) -> Path:
    scenario.make_project(workspace)
    return scenario.write_transcript(
        workspace.parent / "repair.jsonl",
        [{"action": "ask", "answer": BROKEN}, {"match": ERROR_TEXT, "answer": repair_answer}],
    )


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


def progress_messages(client: EditorClient) -> list[str]:
    return [str(v.message) for values in client.progress_reports.values() for v in values if v.message]


class TestRepaired:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        return scenario.replay_settings(transcript(workspace, REPAIRED))

    async def test_the_repair_turn_carries_the_error_and_its_answer_applies(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert "repairing: hunk 2 of app.py did not apply" in progress_messages(client)
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["partial"] is None and proposal["revision"] == 1
        assert proposal["answer"] == REPAIRED
        assert len([h for f in proposal["files"] for h in f["hunks"]]) == 2
        result = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert result["applied"] is True
        assert client.documents[uri].text == scenario.EXPECTED_BOTH
        [session] = (await scenario.command(client, "claif.sessions", {}))["sessions"]
        assert session["turns"] == 2


class TestStillBroken:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        return scenario.replay_settings(transcript(workspace, STILL_BROKEN))

    async def test_what_placed_is_a_partial_answer_with_the_repaired_raw_answer(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["answer"] == STILL_BROKEN
        assert proposal["partial"] == {
            "unplaced": [
                {"path": "app.py", "hunk": 2, "reason": "its old lines were not found", "expected": EXPECTED_LINES}
            ]
        }
        assert proposal["state"] == "pending"
        ends = [v.message for values in client.progress_reports.values() for v in values if v.kind == "end"]
        assert ends and ends[-1].startswith("1 hunk in 1 file (partial: 1 not placed), ")
        await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert client.documents[uri].text == scenario.EXPECTED_FIRST


class TestRepairOff:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        return scenario.replay_settings(transcript(workspace, REPAIRED), repairAttempts=0)

    async def test_the_first_answer_is_a_partial_one(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert not any(m.startswith("repairing") for m in progress_messages(client))
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["answer"] == BROKEN
        assert [u["hunk"] for u in proposal["partial"]["unplaced"]] == [2]
        [session] = (await scenario.command(client, "claif.sessions", {}))["sessions"]
        assert session["turns"] == 1


@pytest.mark.parametrize("approval", ["auto", "confirm"])
class TestApprovalLeavesAPartialAnswerForReview:
    @pytest.fixture
    def lsp_settings(self, workspace: Path, approval: str) -> dict[str, Any]:
        return scenario.replay_settings(transcript(workspace, STILL_BROKEN), approval=approval)

    async def test_nothing_is_applied(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        assert client.applied_edits == []
        assert client.documents[uri].text == scenario.SAMPLE
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "pending" and proposal["partial"] is not None
        [note] = [m for m in client.messages if "is a partial answer" in m.message]
        assert note.type == types.MessageType.Warning
        assert "hunk 2 of app.py: its old lines were not found" in note.message
        assert "not applied by itself" in note.message


class TestNothingPlaces:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        wrong = BROKEN.replace("-    return math.pi * r * r\n", "-    return math.tau * r\n")
        path = scenario.write_transcript(
            workspace.parent / "wrong.jsonl",
            [{"action": "ask", "answer": wrong}, {"match": "none of its hunks could be placed", "answer": wrong}],
        )
        return scenario.replay_settings(path)

    async def test_the_ask_fails_naming_the_hunk(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException, match=r"Failed to find expected lines in app.py \(hunk 1"):
            await scenario.ask(client, uri, instruction="tidy")
        assert "repairing: hunks 1, 2 of app.py did not apply" in progress_messages(client)


class TestCache:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        recorded = workspace.parent / "recorded.jsonl"
        settings = scenario.replay_settings(transcript(workspace, REPAIRED), record=str(recorded))
        settings["cache"] = {"enabled": True}
        return settings

    @pytest.fixture
    def lsp_env(self, tmp_path: Path) -> dict[str, str]:
        return {"XDG_CACHE_HOME": str(tmp_path / "cache")}

    async def test_an_answer_that_needed_repair_is_not_replayed_from_the_cache(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        for _ in range(2):
            [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
            proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
            assert proposal["cached"] is False and proposal["partial"] is None
        assert progress_messages(client).count("repairing: hunk 2 of app.py did not apply") == 2
        # What reached the provider (a cache hit is not recorded): both asks' first turns and both repairs.
        recorded = (workspace.parent / "recorded.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(recorded) == 4
