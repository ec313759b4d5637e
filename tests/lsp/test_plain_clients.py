"""End to end: an LSP client without claif's plugin (Helix, Zed, Sublime, Kate, plain eglot or vim.lsp) can ask and
review with what LSP gives it: messages, code actions of the standard kinds titled "Claif: …", lenses that follow
the buffer, and an undone accept that turns pending again (issue 15)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from claif_lsp import protocol
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

BOUND = 60.0
"""Generous bound on any one exchange or wait (a bug shows as a hang, which this turns into a failure)."""


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(workspace.parent / "t.jsonl", [{"action": "ask", "answer": scenario.PATCH}])
    return scenario.replay_settings(transcript)


def point(line: int, end_line: int | None = None) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=0), end=types.Position(line=end_line or line, character=0)
    )


async def ask(client: EditorClient, workspace: Path) -> tuple[str, str]:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    [proposal_id] = (await asyncio.wait_for(scenario.ask(client, uri, instruction="tidy up"), BOUND))["proposals"]
    return uri, proposal_id


async def lens_lines(client: EditorClient, uri: str) -> dict[int, list[str]]:
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    by_line: dict[int, list[str]] = {}
    for lens in lenses or []:
        assert lens.command is not None
        by_line.setdefault(lens.range.start.line, []).append(lens.command.title)
    return by_line


def review_titles(actions: list[types.CodeAction | types.Command]) -> list[str]:
    return [a.title for a in actions if isinstance(a, types.CodeAction) and a.kind == "quickfix"]


def changes_of(client: EditorClient) -> tuple[list[Any], asyncio.Event]:
    """Every ``claif/proposalsChanged`` the client gets from now on, and an event set at each."""
    seen: list[Any] = []
    arrived = asyncio.Event()

    @client.feature(protocol.PROPOSALS_CHANGED)
    def proposals_changed(ls: EditorClient, params: Any) -> None:
        seen.append(params)
        arrived.set()

    return seen, arrived


class TestWithoutShowDocument:
    @pytest.fixture
    def capability_changes(self) -> dict[str, Any]:
        return {"window.show_document": None}

    async def test_the_user_is_told_what_was_proposed_and_how_to_review_it(
        self, client: EditorClient, workspace: Path
    ) -> None:
        _uri, proposal_id = await ask(client, workspace)
        proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
        diff = Path(proposal["previewUri"].removeprefix("file://"))
        [told] = [m.message for m in client.messages if "Replay: tidy up" in m.message]
        assert "2 hunks in app.py" in told and "code actions at each hunk" in told, told
        assert str(diff) in told and diff.is_file(), told


async def test_review_follows_lines_typed_above_the_hunks(client: EditorClient, workspace: Path) -> None:
    uri, proposal_id = await ask(client, workspace)
    assert sorted(await lens_lines(client, uri)) == [4, 13]
    client.type_text(uri, "# one\n# two\n" + scenario.SAMPLE)
    lenses = await lens_lines(client, uri)
    assert sorted(lenses) == [6, 15] and lenses[6] == ["Accept", "Reject", "Accept all", "Reject all"]
    titles = review_titles(await scenario.code_actions(client, uri, point(6)))
    assert titles[:2] == ["Claif: Accept hunk 1 (Replay: tidy up)", "Claif: Reject hunk 1 (Replay: tidy up)"]
    assert review_titles(await scenario.code_actions(client, uri, point(4))) == [], "nothing left at the old line"
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["applied"] is True and client.documents[uri].text == "# one\n# two\n" + scenario.EXPECTED_BOTH


async def test_accept_all_and_reject_all_are_listed_once_for_a_range_over_both_hunks(
    client: EditorClient, workspace: Path
) -> None:
    uri, proposal_id = await ask(client, workspace)
    actions = await scenario.code_actions(client, uri, point(3, 16))
    assert review_titles(actions) == [
        "Claif: Accept hunk 1 (Replay: tidy up)",
        "Claif: Reject hunk 1 (Replay: tidy up)",
        "Claif: Refine… hunk 1 (Replay: tidy up)",
        "Claif: Accept hunk 2 (Replay: tidy up)",
        "Claif: Reject hunk 2 (Replay: tidy up)",
        "Claif: Refine… hunk 2 (Replay: tidy up)",
        "Claif: Accept all of Replay: tidy up",
        "Claif: Reject all of Replay: tidy up",
        "Claif: Retry (Replay: tidy up)",
    ]
    whole = next(a for a in actions if a.title == "Claif: Accept all of Replay: tidy up")
    assert whole.command is not None and list(whole.command.arguments or []) == [{"proposal": proposal_id}]


async def test_actions_say_claif_and_carry_the_kinds_clients_filter_by(client: EditorClient, workspace: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
    diagnostic = types.Diagnostic(range=point(4), message="magic number", source="lint")
    actions = await scenario.code_actions(client, uri, point(4), [diagnostic])
    kinds = {a.title: a.kind for a in actions if isinstance(a, types.CodeAction)}
    assert kinds == {
        "Claif: Ask Replay…": "refactor.rewrite",
        "Claif: Explain (Replay)": "refactor",
        "Claif: Refactor (Replay)": "refactor.rewrite",
        "Claif: Add docstrings (Replay)": "refactor.rewrite",
        "Claif: Write tests (Replay)": "refactor.rewrite",
        "Claif: Fix: magic number (Replay)": "quickfix",
    }
    # eglot's rewrite command asks for exactly this kind and keeps only the actions of exactly this kind.
    only = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=point(4),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite]),
    )
    rewrites = await client.text_document_code_action_async(only) or []
    assert [a.title for a in rewrites if getattr(a, "kind", None) == "refactor.rewrite"][:2] == [
        "Claif: Ask Replay…",
        "Claif: Refactor (Replay)",
    ]


class TestProviderNotReady:
    @pytest.fixture
    def lsp_settings(self, workspace: Path) -> dict[str, Any]:
        scenario.make_project(workspace)
        return {"provider": "anthropic", "cache": {"enabled": False}}

    async def test_it_gets_one_set_up_action_saying_why(
        self, client: EditorClient, workspace: Path, editor: str
    ) -> None:
        uri = (workspace / "app.py").as_uri()
        client.open_document(uri, scenario.SAMPLE)
        await scenario.command(client, "claif.settings", {})  # code actions never wait; let the settings land
        actions = [a for a in await scenario.code_actions(client, uri, point(4)) if isinstance(a, types.CodeAction)]
        anthropic = [a for a in actions if "anthropic" in a.title or "Claude" in a.title]
        [setup] = anthropic
        assert setup.title.startswith("Claif: set up Claude API (anthropic): ") and "ANTHROPIC_API_KEY" in setup.title
        if editor == "visual_studio_code":  # the preset that declares codeAction.disabledSupport
            assert setup.disabled is not None and "ANTHROPIC_API_KEY" in setup.disabled.reason
        else:
            assert setup.disabled is None


async def test_undoing_an_accepted_hunk_makes_it_pending_again(client: EditorClient, workspace: Path) -> None:
    uri, proposal_id = await ask(client, workspace)
    shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    first, second = (h["id"] for h in shown["files"][0]["hunks"])
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [first]})
    assert client.documents[uri].text == scenario.EXPECTED_FIRST
    seen, arrived = changes_of(client)
    refreshes = client.code_lens_refreshes
    arrived.clear()
    client.type_text(uri, scenario.SAMPLE)  # the editor's undo
    await asyncio.wait_for(arrived.wait(), BOUND)
    assert [(p.id, p.state) for p in seen[-1].proposals] == [(proposal_id, "pending")]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert [h["state"] for h in proposal["files"][0]["hunks"]] == ["pending", "pending"]
    assert proposal["files"][0]["hunks"][0]["range"]["start"]["line"] == 4
    code_lens = client.capabilities.workspace.code_lens if client.capabilities.workspace else None
    if code_lens is not None and code_lens.refresh_support:
        # Sent right after the notification, so the client handled it before the claif.proposal answer above.
        assert client.code_lens_refreshes > refreshes
    assert sorted(await lens_lines(client, uri)) == [4, 13]
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [first]})
    assert accepted["applied"] is True and client.documents[uri].text == scenario.EXPECTED_FIRST
    states = {h["id"]: h["state"] for h in accepted["proposal"]["files"][0]["hunks"]}
    assert states == {first: "accepted", second: "pending"}


async def test_typing_elsewhere_leaves_an_accepted_hunk_accepted(client: EditorClient, workspace: Path) -> None:
    uri, proposal_id = await ask(client, workspace)
    shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    first = shown["files"][0]["hunks"][0]["id"]
    await scenario.command(client, "claif.accept", {"proposal": proposal_id, "hunks": [first]})
    client.type_text(uri, "# a note\n" + scenario.EXPECTED_FIRST)
    assert sorted(await lens_lines(client, uri)) == [15], "the pending hunk moved down one line, nothing reopened"
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert [h["state"] for h in proposal["files"][0]["hunks"]] == ["accepted", "pending"]


async def test_lenses_are_refreshed_at_each_change_where_the_client_supports_it(
    client: EditorClient, workspace: Path, editor: str
) -> None:
    uri, proposal_id = await ask(client, workspace)
    shown = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    first, second = (h["id"] for h in shown["files"][0]["hunks"])
    counts = [client.code_lens_refreshes]  # the ask's, handled before this command's answer
    client.type_text(uri, client.documents[uri].text.replace("    s = 0\n", "    s = 1\n"))  # hunk 2 goes stale
    accepted = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert accepted["accepted"] == [first] and accepted["stale"] == [second]
    await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    counts.append(client.code_lens_refreshes)
    await scenario.command(client, "claif.reject", {"proposal": proposal_id, "hunks": [second]})
    await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    counts.append(client.code_lens_refreshes)
    if editor == "visual_studio_code":  # declares workspace.codeLens.refreshSupport
        assert 0 < counts[0] < counts[1] < counts[2], counts
    else:  # Neovim 0.11 declares no refresh support (nor handles the request): never sent
        assert counts == [0, 0, 0], counts
