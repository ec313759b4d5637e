"""End to end: nothing lost, nothing doubled while hunks are accepted (issue 11).

A second decision on hunks whose ``workspace/applyEdit`` is in flight is refused; an editor that answers the edit
with ``null``, without ``applied``, with an error or never leaves the hunks pending and the user told; a hunk whose
lines the user changed turns stale alone while the others stay acceptable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

REQUEST_FAILED = -32803
BOUND = 60.0
"""Generous bound on any one exchange (a bug shows as a hang, which this turns into a failure)."""

TEXT = "".join(f"line {n}\n" for n in range(1, 31))
THREE_HUNKS = """*** Begin Patch
*** Update File: app.py
@@
 line 2
-line 3
+line 3 (checked)
 line 4
@@
 line 14
-line 15
+line 15 (checked)
 line 16
@@
 line 26
-line 27
+line 27 (checked)
 line 28
*** End Patch
"""


def edited(text: str, *numbers: int) -> str:
    """``text`` with the given lines marked checked, as the three hunks do."""
    lines = text.splitlines(keepends=True)
    for n in numbers:
        assert lines[n - 1] == f"line {n}\n"
        lines[n - 1] = f"line {n} (checked)\n"
    return "".join(lines)


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    (workspace / "app.py").write_text(TEXT, encoding="utf-8")
    path = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": THREE_HUNKS}])
    return scenario.replay_settings(path)


async def command(client: EditorClient, name: str, argument: dict[str, Any]) -> Any:
    return await asyncio.wait_for(scenario.command(client, name, argument), BOUND)


async def ask_three(client: EditorClient, workspace: Path) -> tuple[str, str, list[str]]:
    """Open app.py, ask, and return the document URI, the proposal id and its three hunk ids."""
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, TEXT)
    [proposal_id] = (await asyncio.wait_for(scenario.ask(client, uri, instruction="shout"), BOUND))["proposals"]
    proposal = await command(client, "claif.proposal", {"proposal": proposal_id})
    hunk_ids = [h["id"] for h in proposal["files"][0]["hunks"]]
    assert len(hunk_ids) == 3
    return uri, proposal_id, hunk_ids


def hunk_states(proposal: dict[str, Any]) -> list[str]:
    return [h["state"] for f in proposal["files"] for h in f["hunks"]]


async def test_a_second_decision_while_the_edit_is_in_flight_is_refused_and_nothing_doubles(
    client: EditorClient, workspace: Path
) -> None:
    uri, proposal_id, (h1, h2, h3) = await ask_three(client, workspace)
    gate = asyncio.Event()
    client.apply_edit_gate = gate
    first = asyncio.ensure_future(scenario.command(client, "claif.accept", {"proposal": proposal_id}))
    await client.wait_for_edit_requests(1, BOUND)
    client.apply_edit_gate = None  # were a second edit sent, the editor would apply it at once

    in_flight = await command(client, "claif.proposal", {"proposal": proposal_id})
    assert hunk_states(in_flight) == ["applying"] * 3
    for name, argument in [
        ("claif.accept", {"proposal": proposal_id}),
        ("claif.accept", {"proposal": proposal_id, "hunks": [h2]}),
        ("claif.reject", {"proposal": proposal_id, "hunks": [h3]}),
        ("claif.reject", {"proposal": proposal_id}),
    ]:
        with pytest.raises(JsonRpcException) as refused:
            await command(client, name, argument)
        assert refused.value.code == REQUEST_FAILED, name
        assert "is being applied; wait for the editor's answer" in str(refused.value.message), name
    assert len(client.applied_edits) == 1

    gate.set()
    result = await asyncio.wait_for(first, BOUND)
    assert result["applied"] is True and sorted(result["accepted"]) == sorted([h1, h2, h3])
    assert len(client.applied_edits) == 1
    assert client.documents[uri].text == edited(TEXT, 3, 15, 27)
    proposal = await command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["state"] == "accepted" and hunk_states(proposal) == ["accepted"] * 3


async def test_another_proposal_for_the_same_file_waits_for_the_edit_in_flight(
    client: EditorClient, workspace: Path
) -> None:
    uri, first_id, _ = await ask_three(client, workspace)
    [second_id] = (await asyncio.wait_for(scenario.ask(client, uri, instruction="shout"), BOUND))["proposals"]
    gate = asyncio.Event()
    client.apply_edit_gate = gate
    first = asyncio.ensure_future(scenario.command(client, "claif.accept", {"proposal": first_id}))
    await client.wait_for_edit_requests(1, BOUND)
    client.apply_edit_gate = None

    with pytest.raises(JsonRpcException) as refused:
        await command(client, "claif.accept", {"proposal": second_id})
    assert refused.value.code == REQUEST_FAILED
    assert "app.py" in str(refused.value.message) and "being applied" in str(refused.value.message)
    gate.set()
    assert (await asyncio.wait_for(first, BOUND))["applied"] is True
    assert len(client.applied_edits) == 1 and client.documents[uri].text == edited(TEXT, 3, 15, 27)

    late = await command(client, "claif.accept", {"proposal": second_id})
    assert late["applied"] is False, "the same change, already made: its lines are gone"
    assert client.documents[uri].text == edited(TEXT, 3, 15, 27)


UNCONFIRMED = {
    "null": "answered the edit with null",
    "no-applied": "no `applied`",
    "error": "the editor's edit handler failed",
    "never": "did not answer the edit within 1 s",
}


class TestUnconfirmedEdits:
    @pytest.fixture(params=list(UNCONFIRMED))
    def answer(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture
    def lsp_settings(self, workspace: Path, answer: str) -> dict[str, Any]:
        (workspace / "app.py").write_text(TEXT, encoding="utf-8")
        path = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": THREE_HUNKS}])
        # Only the editor that never answers waits for the bound; the others answer at once.
        return scenario.replay_settings(path, **({"applyEditTimeoutSeconds": 1} if answer == "never" else {}))

    async def test_accept_answers_marks_nothing_accepted_and_tells_the_user(
        self, client: EditorClient, workspace: Path, answer: str
    ) -> None:
        uri, proposal_id, _ = await ask_three(client, workspace)
        client.apply_edit_answer = answer
        result = await command(client, "claif.accept", {"proposal": proposal_id})
        assert result["applied"] is False and result["accepted"] == []
        assert UNCONFIRMED[answer] in result["reason"]
        assert "nothing was marked accepted" in result["reason"]
        proposal = await command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "pending" and hunk_states(proposal) == ["pending"] * 3
        warnings = [m.message for m in client.messages if m.type == types.MessageType.Warning]
        assert any(UNCONFIRMED[answer] in m for m in warnings), warnings
        assert client.documents[uri].text == TEXT

        client.apply_edit_answer = "apply"
        again = await command(client, "claif.accept", {"proposal": proposal_id})
        assert again["applied"] is True and client.documents[uri].text == edited(TEXT, 3, 15, 27)
        assert len(client.applied_edits) == 2


class TestLateAnswer:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        (workspace / "app.py").write_text(TEXT, encoding="utf-8")
        path = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": THREE_HUNKS}])
        return scenario.replay_settings(path, applyEditTimeoutSeconds=1)

    async def test_an_edit_the_editor_applies_after_the_wait_is_recorded_never_sent_again(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri, proposal_id, _ = await ask_three(client, workspace)
        client.protocol._handle_cancel_notification = lambda msg_id: None  # type: ignore[method-assign]
        gate = asyncio.Event()
        client.apply_edit_gate = gate
        result = await command(client, "claif.accept", {"proposal": proposal_id})
        assert result["applied"] is False and "did not answer the edit within 1 s" in result["reason"]

        gate.set()  # the editor applies it after all, ignoring the server's $/cancelRequest
        await asyncio.wait_for(client.apply_edit_answered.wait(), BOUND)
        assert client.documents[uri].text == edited(TEXT, 3, 15, 27)
        for _ in range(int(BOUND / 0.05)):
            if any("applied the edit after all" in m.message for m in client.messages):
                break
            await asyncio.sleep(0.05)
        proposal = await command(client, "claif.proposal", {"proposal": proposal_id})
        assert proposal["state"] == "accepted" and hunk_states(proposal) == ["accepted"] * 3
        again = await command(client, "claif.accept", {"proposal": proposal_id})
        assert again["applied"] is False and len(client.applied_edits) == 1
        assert client.documents[uri].text == edited(TEXT, 3, 15, 27)


async def test_a_stale_hunk_affects_only_itself(client: EditorClient, workspace: Path) -> None:
    uri, proposal_id, (h1, h2, h3) = await ask_three(client, workspace)
    typed = TEXT.replace("line 2\nline 3\n", "line 2\nline three\n")
    client.type_text(uri, typed)

    result = await command(client, "claif.accept", {"proposal": proposal_id, "hunks": [h2]})
    assert result["applied"] is True and result["accepted"] == [h2] and result["stale"] == [h1]
    assert "hunk 1 of app.py no longer applies" in result["reason"]
    assert client.documents[uri].text == edited(typed, 15)
    hunks = result["proposal"]["files"][0]["hunks"]
    assert [h["state"] for h in hunks] == ["stale", "accepted", "pending"]
    assert hunks[0]["range"] is None and "no longer applies" in hunks[0]["reason"]
    assert hunks[2]["reason"] is None and hunks[2]["range"]["start"]["line"] == 26
    assert result["proposal"]["state"] == "partial"
    assert any("hunk 1 of app.py no longer applies" in m.message for m in client.messages)

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    by_line = {(lens.range.start.line, lens.command.title) for lens in lenses if lens.command}
    assert (2, "Drop stale hunk") in by_line and (2, "Accept") not in by_line
    assert (26, "Accept") in by_line
    actions = await scenario.code_actions(
        client, uri, types.Range(start=types.Position(line=2, character=0), end=types.Position(line=2, character=0))
    )
    review = [a.title for a in actions if a.kind == "quickfix"]
    assert review and review[0].startswith("Claif: Drop stale hunk 1")
    assert not any(t.startswith("Claif: Accept") for t in review)

    only_stale = await command(client, "claif.accept", {"proposal": proposal_id, "hunks": [h1]})
    assert only_stale["applied"] is False and only_stale["stale"] == [h1]
    assert "no longer applies" in only_stale["reason"]
    assert len(client.applied_edits) == 1

    rest = await command(client, "claif.accept", {"proposal": proposal_id, "hunks": [h3]})
    assert rest["applied"] is True and rest["accepted"] == [h3]
    assert client.documents[uri].text == edited(typed, 15, 27)
    assert rest["proposal"]["state"] == "stale", "nothing pending, one stale hunk"

    dropped = await command(client, "claif.reject", {"proposal": proposal_id, "hunks": [h1]})
    assert hunk_states(dropped["proposal"]) == ["rejected", "accepted", "accepted"]
    assert dropped["proposal"]["state"] == "accepted"
    assert client.documents[uri].text == edited(typed, 15, 27)


class TestAutoApproval:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        (workspace / "app.py").write_text(TEXT, encoding="utf-8")
        path = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": THREE_HUNKS}])
        return scenario.replay_settings(path, approval="auto")

    async def test_an_answer_arriving_while_an_edit_to_its_file_is_in_flight_waits_for_review(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, TEXT)
        gate = asyncio.Event()
        client.apply_edit_gate = gate
        first = asyncio.ensure_future(scenario.ask(client, uri, instruction="shout"))
        await client.wait_for_edit_requests(1, BOUND)
        client.apply_edit_gate = None

        [second_id] = (await asyncio.wait_for(scenario.ask(client, uri, instruction="shout"), BOUND))["proposals"]
        assert len(client.applied_edits) == 1
        second = await command(client, "claif.proposal", {"proposal": second_id})
        assert second["state"] == "pending"
        assert any(
            "not applied, an edit to app.py (Replay: shout) is being applied; review it with Accept" in m.message
            for m in client.messages
        )
        gate.set()
        await asyncio.wait_for(first, BOUND)
        assert client.documents[uri].text == edited(TEXT, 3, 15, 27)
