"""End to end: how asks meet clients of different abilities, the context budget and the user's own actions.

Answers open with `window/showDocument` (or `window/showMessage` without it), asks work without progress
support, what a small budget cut is said when progress begins, and custom actions run their prompt template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

CUSTOM = [
    {"title": "Add logging", "prompt": "Add logging to this {language} code from {path}:\n{selection}"},
    {"title": "Summarise", "prompt": "Summarise what {path} does", "kind": "explain"},
]


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(
        workspace.parent / "t.jsonl",
        [
            {"match": "Add logging to this python code from app.py", "answer": scenario.PATCH},
            {"match": "Summarise what app.py does", "answer": "It sums and measures circles.\n"},
            {"action": "explain", "answer": scenario.EXPLANATION},
            {"action": "ask", "answer": scenario.PATCH},
        ],
    )
    return scenario.replay_settings(transcript, actions=CUSTOM)


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


def ends(client: EditorClient) -> list[types.WorkDoneProgressEnd]:
    return [
        v for values in client.progress_reports.values() for v in values if isinstance(v, types.WorkDoneProgressEnd)
    ]


async def test_preview_and_explain_open_with_show_document(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
    preview = (await scenario.command(client, "claif.proposal", {"proposal": proposal_id}))["previewUri"]
    answer = await scenario.ask(client, uri, action="explain")
    assert [(d.uri, d.take_focus) for d in client.shown_documents] == [(preview, True), (answer["document"], True)]
    assert Path(answer["document"].removeprefix("file://")).read_text().strip() == scenario.EXPLANATION.strip()
    assert not any(scenario.EXPLANATION.strip() in m.message for m in client.messages)


class TestWithoutShowDocument:
    @pytest.fixture
    def capability_changes(self) -> dict[str, Any]:
        return {"window.show_document": None}

    async def test_explain_falls_back_to_show_message(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        answer = await scenario.ask(client, uri, action="explain")
        assert client.shown_documents == []
        [message] = [m for m in client.messages if m.message == answer["answer"]]
        assert message.message.strip() == scenario.EXPLANATION.strip()
        assert client.documents[uri].text == scenario.SAMPLE and client.applied_edits == []


class TestWithoutProgress:
    @pytest.fixture
    def capability_changes(self) -> dict[str, Any]:
        return {"window.work_done_progress": None}

    async def test_ask_works_and_sends_no_progress(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
        accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
        assert accepted["applied"] is True and client.documents[uri].text == scenario.EXPECTED_BOTH
        assert client.progress_reports == {}, "no $/progress for a client without progress support"


class TestTinyBudget:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        transcript = scenario.write_transcript(workspace.parent / "t.jsonl", [{"answer": scenario.PATCH}])
        return scenario.replay_settings(transcript, context={"budgetTokens": 256, "surroundingLines": 0})

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_progress_begin_says_what_was_cut(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        other = workspace / "notes.py"
        client.open_document(other.as_uri(), "# notes\n" + "value = 1\n" * 400)
        await scenario.ask(client, uri, instruction="tidy", range=scenario.whole_range(13, 14))
        [values] = client.progress_reports.values()
        begin = values[0]
        assert isinstance(begin, types.WorkDoneProgressBegin)
        assert begin.message == "Replay: ask (left out: 1 open buffer)"


@pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)
async def test_custom_actions_are_offered_and_run_their_template(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
    actions = await scenario.code_actions(
        client, uri, types.Range(start=types.Position(line=12, character=0), end=types.Position(line=16, character=0))
    )
    custom = {a.title.removeprefix("Claif: ").removesuffix(" (Replay)"): a for a in actions}
    assert custom["Add logging"].kind == "refactor.rewrite"
    assert custom["Summarise"].kind == "refactor"
    logging_command = custom["Add logging"].command
    assert logging_command is not None and logging_command.arguments[0]["action"] == "custom:0"
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=logging_command.command, arguments=logging_command.arguments)
    )
    [proposal_id] = result["proposals"]  # the replay entry matched the filled-in template, nothing else would
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["action"] == "custom:0" and proposal["title"] == "Replay: Add logging"
    summary_command = custom["Summarise"].command
    assert summary_command is not None
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=summary_command.command, arguments=summary_command.arguments)
    )
    assert answer["answer"].strip() == "It sums and measures circles."
    assert [e.message.startswith("answered") for e in ends(client)] == [False, True]


class TestEveryProviderFails:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        transcript = scenario.write_transcript(
            workspace.parent / "t.jsonl", [{"answer": "x", "error": "the transcript says no"}]
        )
        settings = scenario.replay_settings(transcript)
        settings["providers"]["openai"] = {"baseUrl": "http://127.0.0.1:9/v1", "timeout": 5}  # nothing listens
        return settings

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_progress_ends_failed_with_every_reason(self, client: EditorClient, workspace: Path) -> None:
        from pygls.exceptions import JsonRpcException

        uri = open_sample(client, workspace)
        with pytest.raises(JsonRpcException, match="the transcript says no") as caught:
            await scenario.ask(client, uri, instruction="tidy", providers=["replay", "openai"])
        assert "openai:" in str(caught.value)
        [end] = ends(client)
        assert end.message is not None and end.message.startswith("failed: ")
        assert "the transcript says no" in end.message and "openai:" in end.message
        assert client.applied_edits == []
