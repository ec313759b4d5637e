"""End to end over replay, for each editor preset: refine keeps what was accepted and replaces the rest, retry
goes past the cache, cached and rejected answers, proposals kept across a server restart, a cancelled refine,
and listing and dropping sessions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from tests.fakes.helpers import async_wait_until
from tests.lsp import scenario
from tests.lsp.conftest import start_client
from tests.lsp.editor_client import EditorClient

USAGE = {"input_tokens": 1200, "output_tokens": 30, "cache_read_tokens": 1000}


@pytest.fixture
def transcript(workspace: Path) -> Path:
    scenario.make_project(workspace)
    return scenario.write_transcript(
        workspace.parent / "transcript.jsonl",
        [
            {"action": "ask", "answer": scenario.PATCH, "usage": USAGE},
            {"match": "use sum with a start", "answer": scenario.REFINED},
            {"match": "Make it simpler", "answer": scenario.REFINED},
            {"match": "slow refine", "chunks": ["*** Begin Patch\n"] + ["# more\n"] * 200, "delayMs": 100},
        ],
    )


@pytest.fixture
def lsp_settings(transcript: Path) -> dict[str, Any]:
    return scenario.replay_settings(transcript)


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


def progress_ends(client: EditorClient) -> list[str]:
    return [
        v.message or ""
        for values in client.progress_reports.values()
        for v in values
        if isinstance(v, types.WorkDoneProgressEnd)
    ]


async def test_refine_keeps_the_accepted_hunk_and_replaces_the_rest(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    first = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert first["revision"] == 1 and first["session"] and first["answer"] == scenario.PATCH
    assert first["usage"] == {"inputTokens": 1200, "outputTokens": 30, "cacheReadTokens": 1000, "cacheWriteTokens": 0}
    assert progress_ends(client)[-1].startswith("2 hunks in 1 file, 1.2k tokens (1.0k from the prompt cache), ")
    hunk_one, hunk_two = (h["id"] for h in first["files"][0]["hunks"])
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [hunk_one]})
    assert client.documents[uri].text == scenario.EXPECTED_FIRST

    refined = await scenario.command(
        client, "claif.refine", {"proposal": proposal_id, "feedback": "use sum with a start", "hunks": [hunk_two]}
    )

    assert refined == {"proposals": [proposal_id], "errors": []}
    second = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert second["revision"] == 2 and second["answer"] == scenario.REFINED and second["state"] == "partial"
    hunks = second["files"][0]["hunks"]
    assert [(h["id"], h["state"]) for h in hunks] == [(hunk_one, "accepted"), (f"{proposal_id}-h3", "pending")]
    assert second["files"][0]["proposedText"] == scenario.EXPECTED_REFINED
    assert progress_ends(client)[-1].startswith("revision 2: 1 hunk in 1 file, ")

    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})

    assert accepted["applied"] is True and accepted["accepted"] == [f"{proposal_id}-h3"]
    assert client.documents[uri].text == scenario.EXPECTED_REFINED
    assert accepted["proposal"]["state"] == "accepted"


async def test_refine_without_feedback_asks_the_user(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    client.message_choice = "Make it simpler"

    await scenario.command(client, "claif.refine", {"proposal": proposal_id})

    [request] = client.message_requests
    assert "what should change" in request.message and "Make it simpler" in [a.title for a in request.actions or []]
    shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert shown["revision"] == 2 and shown["answer"] == scenario.REFINED


async def test_a_pasted_patch_or_unknown_proposal_cannot_be_refined(client: EditorClient, workspace: Path) -> None:
    open_sample(client, workspace)
    pasted = await scenario.command(client, "claif.applyPatch", {"patch": scenario.REFINED})
    with pytest.raises(JsonRpcInvalidParams, match="has no conversation to continue"):
        await scenario.command(client, "claif.refine", {"proposal": pasted["proposals"][0], "feedback": "x"})
    with pytest.raises(JsonRpcInvalidParams, match="no proposal 'p42'"):
        await scenario.command(client, "claif.retry", {"proposal": "p42"})


class TestTheCache:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        transcript = workspace.parent / "cached.jsonl"
        scenario.write_transcript(transcript, [{"answer": scenario.PATCH}, {"answer": scenario.REFINED}])
        return {**scenario.replay_settings(transcript), "cache": {"enabled": True}}

    async def test_a_cached_answer_says_so(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        await scenario.ask(client, uri, instruction="tidy up")
        [again] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]

        shown = await scenario.command(client, "claif.proposal", {"proposal": again})
        assert shown["cached"] is True and shown["answer"] == scenario.PATCH
        assert progress_ends(client)[-1].startswith("2 hunks in 1 file, from the cache, ")

    async def test_retry_skips_the_cache(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]

        assert await scenario.command(client, "claif.retry", {"proposal": proposal_id}) == {
            "proposals": [proposal_id],
            "errors": [],
        }

        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert shown["revision"] == 2 and shown["answer"] == scenario.REFINED and shown["cached"] is False
        assert shown["files"][0]["proposedText"] == scenario.SAMPLE.replace(
            "    s = 0\n    for v in values:\n        s = s + v\n    return s\n", "    return sum(values, start=0)\n"
        )

    async def test_a_rejected_ask_is_not_replayed(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
        await scenario.command(client, "claif.reject", {"proposal": proposal_id})

        [again] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]

        shown = await scenario.command(client, "claif.proposal", {"proposal": again})
        assert shown["cached"] is False and shown["answer"] == scenario.REFINED


async def _restarted(editor: str, workspace: Path, transcript: Path) -> EditorClient:
    client, _ = await start_client(editor, workspace, settings=scenario.replay_settings(transcript))
    return client


async def _stop(client: EditorClient) -> None:
    await client.shutdown_session()
    await client.stop()


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "changed-meanwhile"])
async def test_a_pending_proposal_survives_a_restart(
    editor: str, workspace: Path, transcript: Path, changed: bool
) -> None:
    first = await _restarted(editor, workspace, transcript)
    try:
        uri = open_sample(first, workspace)
        [proposal_id] = (await scenario.ask(first, uri, instruction="tidy up"))["proposals"]
    finally:
        await _stop(first)

    second = await _restarted(editor, workspace, transcript)
    try:
        text = scenario.SAMPLE.replace("return math.pi * r * r", "return math.pi * r**2") if changed else None
        second.open_document(uri, text or scenario.SAMPLE)
        lenses = await second.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        commands = [(lens.command.title, list(lens.command.arguments or [])) for lens in lenses or [] if lens.command]
        assert ("Accept", [{"proposal": proposal_id, "hunks": [f"{proposal_id}-h2"]}]) in commands, (
            "the first look at the file restores its proposals"
        )
        shown = await scenario.command(second, "claif.proposal", {"proposal": proposal_id})
        assert shown["restored"] is True and shown["revision"] == 1
        accepted = await scenario.command(second, "claif.accept", {"proposal": proposal_id})
        if changed:
            assert accepted["stale"] == [f"{proposal_id}-h1"] and accepted["accepted"] == [f"{proposal_id}-h2"]
            assert second.documents[uri].text == (text or "").replace(
                "    s = 0\n    for v in values:\n        s = s + v\n    return s\n", "    return sum(values)\n"
            )
        else:
            assert accepted["applied"] is True and accepted["proposal"]["state"] == "accepted"
            assert second.documents[uri].text == scenario.EXPECTED_BOTH
        notes = "*** Begin Patch\n*** Add File: notes.txt\n+kept\n*** End Patch\n"
        [again] = (await scenario.command(second, "claif.applyPatch", {"patch": notes}))["proposals"]
        assert again != proposal_id, "new ids count on past the restored ones"
    finally:
        await _stop(second)


@pytest.mark.parametrize("path", ["claif.cancel", "cancelRequest", "progress"])
async def test_a_cancelled_refine_leaves_the_previous_revision(
    client: EditorClient, workspace: Path, path: str
) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    hunk_one = f"{proposal_id}-h1"
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [hunk_one]})
    before = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    client.progress_reports["refine-token"] = []
    arguments = {"proposal": proposal_id, "feedback": "slow refine", "requestId": "slow"}
    params = types.ExecuteCommandParams(command="claif.refine", arguments=[arguments], work_done_token="refine-token")
    pending = asyncio.wrap_future(
        client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="refine-1")
    )
    streamed = lambda: any(isinstance(v, types.WorkDoneProgressReport) for v in client.progress_reports["refine-token"])  # noqa: E731
    assert await async_wait_until(streamed)

    if path == "claif.cancel":
        assert await scenario.command(client, "claif.cancel", {"request": "slow"}) == {"cancelled": ["slow"]}
        assert await pending == {"proposals": [], "cancelled": True}
    elif path == "progress":
        client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="refine-token"))
        assert await pending == {"proposals": [], "cancelled": True}
    else:
        client.cancel_request(types.CancelParams(id="refine-1"))
        with pytest.raises(JsonRpcRequestCancelled):
            await pending
    ended = lambda: any(isinstance(v, types.WorkDoneProgressEnd) for v in client.progress_reports["refine-token"])  # noqa: E731
    assert await async_wait_until(ended)

    after = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert after == before and after["revision"] == 1
    assert client.documents[uri].text == scenario.EXPECTED_FIRST


async def test_sessions_are_listed_with_their_usage_and_can_be_dropped(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": "use sum with a start"})

    listed = await scenario.command(client, "claif.sessions", {"uri": uri})

    [session] = listed["sessions"]
    assert session["uri"] == uri and session["provider"] == "replay" and session["action"] == "ask"
    assert session["turns"] == 2 and session["proposals"] == [proposal_id]
    assert session["usage"] == {"inputTokens": 1200, "outputTokens": 30, "cacheReadTokens": 1000, "cacheWriteTokens": 0}
    assert session["created"].endswith("Z") and session["updated"] >= session["created"]
    assert (await scenario.command(client, "claif.sessions", {}))["sessions"] == [session]
    inside = (workspace / "other.py").as_uri()
    assert (await scenario.command(client, "claif.sessions", {"uri": inside}))["sessions"] == [session]
    outside = (workspace.parent / "elsewhere.py").as_uri()
    assert (await scenario.command(client, "claif.sessions", {"uri": outside}))["sessions"] == []

    dropped = await scenario.command(client, "claif.dropSession", {"session": session["id"]})

    assert dropped == {"dropped": session["id"], "proposals": [proposal_id]}
    shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert shown["state"] == "discarded"
    assert (await scenario.command(client, "claif.sessions", {}))["sessions"] == []
    with pytest.raises(JsonRpcInvalidParams, match="no session"):
        await scenario.command(client, "claif.dropSession", {"session": session["id"]})


MISSES_ONE = scenario.PATCH.replace("-    s = 0\n", "-    s = 1\n")
"""The first answer with hunk 2's old lines wrong: they are not in the file."""


class TestARevisionPlacesAsAnAskDoes:
    @pytest.fixture
    def lsp_settings(self, workspace: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
        scenario.make_project(workspace)
        transcript = workspace.parent / "revisions.jsonl"
        repaired = getattr(request, "param", scenario.PATCH)
        scenario.write_transcript(
            transcript,
            [
                {"match": "Your answer did not apply", "answer": repaired},
                {"match": "both hunks", "answer": MISSES_ONE},
                {"answer": scenario.PATCH},
            ],
        )
        return scenario.replay_settings(transcript)

    async def test_a_retry_after_accepting_a_hunk_applies_the_rest(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
        hunk_one, _ = (
            h["id"]
            for h in (await scenario.command(client, "claif.proposal", {"proposal": proposal_id}))["files"][0]["hunks"]
        )
        await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [hunk_one]})

        # The retry sends the first prompt again: its answer proposes the accepted hunk once more.
        assert await scenario.command(client, "claif.retry", {"proposal": proposal_id}) == {
            "proposals": [proposal_id],
            "errors": [],
        }

        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert shown["revision"] == 2 and shown["partial"] is None
        hunks = shown["files"][0]["hunks"]
        assert [(h["id"], h["state"]) for h in hunks] == [(hunk_one, "accepted"), (f"{proposal_id}-h3", "pending")]
        accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert accepted["applied"] is True and accepted["accepted"] == [f"{proposal_id}-h3"]
        assert client.documents[uri].text == scenario.EXPECTED_BOTH

    async def test_a_refine_whose_answer_misses_a_hunk_is_repaired(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]

        await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": "both hunks, again"})

        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert shown["revision"] == 2 and shown["partial"] is None and shown["answer"] == scenario.PATCH
        assert progress_ends(client)[-1].startswith("revision 2: 2 hunks in 1 file, ")
        [session] = (await scenario.command(client, "claif.sessions", {}))["sessions"]
        assert session["turns"] == 3, "the ask, the refine and its repair"
        await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert client.documents[uri].text == scenario.EXPECTED_BOTH

    @pytest.mark.parametrize("lsp_settings", [MISSES_ONE], indirect=True)
    async def test_a_refine_still_missing_a_hunk_is_a_partial_revision(
        self, client: EditorClient, workspace: Path
    ) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]

        await scenario.command(client, "claif.refine", {"proposal": proposal_id, "feedback": "both hunks, again"})

        shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        assert shown["revision"] == 2 and shown["answer"] == MISSES_ONE
        assert shown["partial"] == {
            "unplaced": [
                {
                    "path": "app.py",
                    "hunk": 2,
                    "reason": "its old lines were not found",
                    "expected": "    s = 1\n    for v in values:\n        s = s + v\n    return s\n",
                }
            ]
        }
        assert progress_ends(client)[-1].startswith("revision 2: 1 hunk in 1 file (partial: 1 not placed), ")
        await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert client.documents[uri].text == scenario.EXPECTED_FIRST
