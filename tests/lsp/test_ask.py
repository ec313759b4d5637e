"""End to end: ask, review, accept per hunk, reject, stale buffers and explain, for each editor preset.

The core scenarios run through every backend of ``tests/lsp/conftest.py`` (replay, and the real OpenAI and
Anthropic providers against loopback servers); tests about the server alone run with replay only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.conftest import Backend
from tests.lsp.editor_client import EditorClient


@pytest.fixture
def transcript(workspace: Path) -> Path:
    scenario.make_project(workspace)
    return scenario.write_transcript(
        workspace.parent / "transcript.jsonl",
        [
            {"action": "ask", "answer": scenario.PATCH},
            {"action": "explain", "answer": scenario.EXPLANATION},
        ],
    )


@pytest.fixture
def lsp_settings(backend: Backend) -> dict[str, Any]:
    return backend.settings


@pytest.fixture
def lsp_env(backend: Backend) -> dict[str, str]:
    return backend.env


REPLAY_ONLY = pytest.mark.parametrize("backend", ["replay"], indirect=True)
"""For tests of the server's own behaviour, which no provider changes."""


def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


async def test_code_actions_answer_from_the_document(client: EditorClient, workspace: Path, backend: Backend) -> None:
    uri = open_sample(client, workspace)
    await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
    diagnostic = types.Diagnostic(
        range=types.Range(start=types.Position(line=13, character=4), end=types.Position(line=13, character=5)),
        message="Variable `s` shadows a builtin\nsecond line",
        source="lint",
    )
    actions = await scenario.code_actions(
        client,
        uri,
        types.Range(start=types.Position(line=13, character=4), end=types.Position(line=13, character=4)),
        [diagnostic],
    )
    titles = [a.title for a in actions]
    by = backend.display
    assert titles[:5] == [
        f"Claif: Ask {backend.label}…",
        f"Claif: Explain ({by})",
        f"Claif: Refactor ({by})",
        f"Claif: Add docstrings ({by})",
        f"Claif: Write tests ({by})",
    ]
    assert f"Claif: Fix: Variable `s` shadows a builtin second line ({by})" in titles
    fix = next(a for a in actions if a.title.startswith("Claif: Fix:"))
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.command and fix.command.command == "claif.ask"
    assert fix.command.arguments[0]["action"] == "fix"
    assert all(a.edit is None for a in actions), "the model never runs while listing actions"


async def test_ask_then_accept_one_hunk_then_the_rest(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    result = await scenario.ask(client, uri, instruction="tidy up")
    [proposal_id] = result["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["state"] == "pending"
    [file] = proposal["files"]
    assert file["path"] == "app.py" and file["proposedText"] == scenario.EXPECTED_BOTH
    first, second = file["hunks"]
    assert first["uri"] == second["uri"] == file["uri"] == uri
    assert client.documents[uri].text == scenario.SAMPLE, "review mode changes nothing before accept"

    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [first["id"]]})
    assert accepted["applied"] is True
    assert client.documents[uri].text == scenario.EXPECTED_FIRST
    assert accepted["proposal"]["state"] == "partial"
    still = accepted["proposal"]["files"][0]["hunks"][1]
    assert still["state"] == "pending" and still["range"]["start"]["line"] == second["range"]["start"]["line"] + 1

    rest = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert rest["applied"] is True and rest["proposal"]["state"] == "accepted"
    assert client.documents[uri].text == scenario.EXPECTED_BOTH
    assert (workspace / "app.py").read_text() == scenario.SAMPLE, "the editor owns the buffer; disk is untouched"


async def test_reject_leaves_the_buffer_alone(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    rejected = await scenario.command(client, "claif.reject", {"proposal": proposal_id})
    assert rejected["proposal"]["state"] == "rejected"
    assert client.documents[uri].text == scenario.SAMPLE
    assert client.applied_edits == []
    nothing = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert nothing["applied"] is False


async def test_a_changed_buffer_is_reanchored_never_overwritten(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    client.type_text(uri, "# a new first line\n" + scenario.SAMPLE)
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True
    assert client.documents[uri].text == "# a new first line\n" + scenario.EXPECTED_BOTH

    client.type_text(uri, scenario.SAMPLE)
    [second_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    client.type_text(uri, scenario.SAMPLE.replace("return s\n", "return s + 0\n"))
    before = client.documents[uri].text
    partly = await scenario.command(client, "claif.accept", {"proposal": second_id})
    # The hunk whose lines the user changed turns stale alone; the other one still lands.
    assert partly["applied"] is True and len(partly["accepted"]) == 1 and len(partly["stale"]) == 1
    assert partly["proposal"]["state"] == "stale"
    area = '    """Area of a circle of radius r."""\n    return math.pi * r ** 2\n'
    assert client.documents[uri].text == before.replace("    return math.pi * r * r\n", area)


async def test_applied_false_keeps_the_buffer_and_marks_the_proposal(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    client.accept_edits = False
    result = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert result["applied"] is False and result["proposal"]["state"] == "discarded"
    assert client.documents[uri].text == scenario.SAMPLE
    assert len(client.applied_edits) == 1


async def test_workspace_edit_follows_the_client(client: EditorClient, workspace: Path, editor: str) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    [params] = client.applied_edits
    if editor == "visual_studio_code":
        [change] = params.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == 1
        assert len(change.edits) == 2, "one minimal edit per hunk, never the whole document"
        assert params.edit.changes is None
    else:
        assert params.edit.document_changes is None
        assert len(params.edit.changes[uri]) == 2


@REPLAY_ONLY
async def test_code_lenses_and_review_actions_on_pending_hunks(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert [lens.command.title for lens in lenses if lens.command][:4] == [
        "Accept",
        "Reject",
        "Accept all",
        "Reject all",
    ]
    assert {lens.range.start.line for lens in lenses} == {4, 13}
    accept_one = lenses[0].command
    assert accept_one is not None
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=accept_one.command, arguments=accept_one.arguments)
    )
    assert client.documents[uri].text == scenario.EXPECTED_FIRST
    actions = await scenario.code_actions(
        client, uri, types.Range(start=types.Position(line=14, character=0), end=types.Position(line=14, character=0))
    )
    review = [a.title for a in actions if a.kind == "quickfix"]
    assert review and review[0].startswith("Claif: Accept hunk 2")
    assert proposal_id in str(actions[0].command.arguments)


async def test_preview_document_is_shown(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    preview = Path(proposal["previewUri"].removeprefix("file://"))
    assert sum(line.startswith("@@") for line in preview.read_text().splitlines()) == 2
    assert "+    return sum(values)" in proposal["diff"]


async def test_explain_opens_markdown_and_never_edits(client: EditorClient, workspace: Path, backend: Backend) -> None:
    uri = open_sample(client, workspace)
    if backend.server is not None:
        backend.answer(scenario.EXPLANATION)
    result = await scenario.ask(client, uri, action="explain")
    assert result["answer"].strip() == scenario.EXPLANATION.strip()
    assert result["document"].endswith(".md")
    assert client.applied_edits == [] and client.documents[uri].text == scenario.SAMPLE


@REPLAY_ONLY
async def test_bad_arguments_are_invalid_params(client: EditorClient, workspace: Path) -> None:
    from pygls.exceptions import JsonRpcInvalidParams

    uri = open_sample(client, workspace)
    with pytest.raises(JsonRpcInvalidParams, match="action"):
        await scenario.ask(client, uri, action="summon")
    with pytest.raises(JsonRpcInvalidParams, match="range"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="claif.ask", arguments=[{"uri": uri}])
        )
    with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
        await scenario.command(client, "claif.accept", {"proposal": "p99"})


async def test_progress_begins_reports_and_ends_with_the_outcome(
    client: EditorClient, workspace: Path, backend: Backend
) -> None:
    uri = open_sample(client, workspace)
    await scenario.ask(client, uri, instruction="tidy up")
    [(token, values)] = list(client.progress_reports.items())
    assert str(token).startswith("claif-")
    kinds = [type(v).__name__ for v in values]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds
    begin, end = values[0], values[-1]
    assert begin.cancellable and begin.message.startswith(f"{backend.display}: ask")
    assert end.message.startswith("2 hunks in 1 file, ") and end.message.endswith(" s")


@REPLAY_ONLY
async def test_ask_without_instruction_lets_the_user_pick_one(client: EditorClient, workspace: Path) -> None:
    uri = open_sample(client, workspace)
    client.message_choice = "Simplify"
    result = await scenario.ask(client, uri)
    assert len(result["proposals"]) == 1
    client.message_choice = "nothing matches this"
    assert await scenario.ask(client, uri) == {"proposals": [], "cancelled": True}


class TestSeveralReadyProviders:
    @pytest.fixture
    def lsp_settings(self, transcript: Path) -> dict[str, Any]:
        settings = scenario.replay_settings(transcript)
        settings["providers"]["openai"] = {"baseUrl": "http://127.0.0.1:9/v1"}  # a local server needs no key
        return settings

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {}

    @pytest.mark.parametrize("editor", ["neovim"], indirect=True)
    async def test_each_ready_provider_gets_the_whole_set(self, client: EditorClient, workspace: Path) -> None:
        uri = open_sample(client, workspace)
        await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
        diagnostic = types.Diagnostic(range=point_range(4, 2, 3), message="magic number", source="lint")
        actions = await scenario.code_actions(client, uri, point_range(4, 2, 3), [diagnostic])
        labels = ["Explain", "Refactor", "Add docstrings", "Write tests", "Fix: magic number"]
        default = ["Claif: Ask Replay…", *(f"Claif: {label} (Replay)" for label in labels)]
        other = [f"Claif: {label} ({OPENAI})" for label in labels]
        assert [a.title for a in actions] == [*default, f"Claif: Ask {OPENAI} (openai)…", *other]
        for action in actions:
            assert action.command is not None and action.command.command == "claif.ask"
            [argument] = action.command.arguments
            assert argument.get("provider") == ("openai" if OPENAI in action.title else None)
        by_title = {a.title: a.command.arguments[0]["action"] for a in actions if a.command}
        assert by_title[f"Claif: Explain ({OPENAI})"] == "explain"
        assert by_title[f"Claif: Fix: magic number ({OPENAI})"] == "fix"


OPENAI = "OpenAI-compatible"


def point_range(line: int, start: int, end: int) -> types.Range:
    """A range on one line."""
    return types.Range(start=types.Position(line=line, character=start), end=types.Position(line=line, character=end))


class TestSecretDocuments:
    """An ask on a secret or excluded file is refused whole, and no ask action is offered there."""

    @pytest.fixture
    def lsp_settings(self, transcript: Path) -> dict[str, Any]:
        return scenario.replay_settings(transcript, context={"exclude": ["generated/"]})

    @pytest.fixture
    def lsp_env(self) -> dict[str, str]:
        return {}

    @pytest.mark.parametrize(
        ("relative", "text", "reason"),
        [
            (".env", "DEBUG=1\nOPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z\n", "secret file"),
            ("keys.py", 'KEY = """\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n"""\n', "private key"),
            ("generated/api.py", "x = 1\n", "excluded"),
        ],
    )
    async def test_ask_is_refused_and_no_action_offered(
        self, client: EditorClient, workspace: Path, relative: str, text: str, reason: str
    ) -> None:
        from pygls.exceptions import JsonRpcInvalidParams

        path = workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        uri = path.as_uri()
        client.open_document(uri, text)
        await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
        actions = await scenario.code_actions(client, uri, point_range(0, 0, 1))
        assert not actions
        with pytest.raises(JsonRpcInvalidParams, match=f"never sends {relative} to a provider .*{reason}"):
            await scenario.ask(client, uri, instruction="tidy", range=scenario.whole_range(0, 1))
        assert any(m.type == types.MessageType.Warning and relative in m.message for m in client.messages)
        assert client.progress_reports == {}, "refused before anything began"
        with pytest.raises(JsonRpcInvalidParams, match="no proposal"):
            await scenario.command(client, "claif.proposal", {"proposal": "p1"})
