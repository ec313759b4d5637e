"""End to end over replay, for each editor preset: "Fix again (n/3)" while an accepted fix's diagnostic persists
(and its refine turn), not once it is gone or past the bound; "Refine…" and "Retry" at a pending hunk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp import scenario
from tests.lsp.conftest import start_client
from tests.lsp.editor_client import EditorClient

FIX = """*** Begin Patch
*** Update File: app.py
@@ def total(values):
-    s = 0
-    for v in values:
-        s = s + v
-    return s
+    return sum(values)
*** End Patch
"""


def codex(old: str, new: str) -> str:
    return f"*** Begin Patch\n*** Update File: app.py\n@@\n-{old}\n+{new}\n*** End Patch\n"


AGAIN = codex("    return sum(values)", "    return sum(values, 0)")
THIRD = codex("    return sum(values, 0)", "    return sum(values, start=0)")
LOOP = "    s = 0\n    for v in values:\n        s = s + v\n    return s\n"
FIXED = scenario.SAMPLE.replace(LOOP, "    return sum(values)\n")
MESSAGE = "Loop could be a call to sum()"
STILL_THERE = "Your change did not clear this diagnostic"
"""What a fix-again turn says (the refine's message); the transcript answers it."""


def diagnostic(line: int, message: str = MESSAGE) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=10)),
        message=message,
        source="lint",
        code="SIM110",
        severity=types.DiagnosticSeverity.Warning,
    )


def at_line(line: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=4))


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    path = scenario.write_transcript(
        workspace.parent / "fix.jsonl",
        [
            {"action": "fix", "answer": FIX},
            {"action": "ask", "answer": scenario.PATCH},
            {"match": STILL_THERE, "answer": AGAIN},
            {"match": STILL_THERE, "answer": THIRD},
        ],
    )
    return scenario.replay_settings(path)


async def open_sample(client: EditorClient, workspace: Path) -> str:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    return uri


async def run(client: EditorClient, action: types.CodeAction | types.Command) -> Any:
    assert isinstance(action, types.CodeAction) and action.command is not None
    return await scenario.command(client, action.command.command, action.command.arguments[0])


def fix_again(actions: list[types.CodeAction | types.Command]) -> list[types.CodeAction]:
    return [a for a in actions if isinstance(a, types.CodeAction) and a.title.startswith("Claif: Fix again")]


async def accept_everything(client: EditorClient, proposal_id: str) -> None:
    result = await scenario.command(client, "claif.accept", {"proposal": proposal_id})
    assert result["applied"] is True


async def test_fix_again_while_the_diagnostic_persists_up_to_the_bound(client: EditorClient, workspace: Path) -> None:
    uri = await open_sample(client, workspace)
    actions = await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)])
    assert fix_again(actions) == [], "nothing was fixed yet"
    [fix] = [a for a in actions if a.title.startswith("Claif: Fix: ")]
    [proposal_id] = (await run(client, fix))["proposals"]
    pending = await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)])
    assert fix_again(pending) == [], "the fix is not accepted yet"
    await accept_everything(client, proposal_id)
    assert client.documents[uri].text == FIXED

    # The linter still reports it where the fix was.
    [again] = fix_again(await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)]))
    assert again.title == f"Claif: Fix again (2/3): {MESSAGE}"
    assert again.kind == types.CodeActionKind.QuickFix
    assert again.diagnostics and again.diagnostics[0].message == MESSAGE
    assert again.command is not None and again.command.command == "claif.refine"
    argument = again.command.arguments[0]
    assert argument["proposal"] == proposal_id and argument["diagnostic"]["message"] == MESSAGE
    # Not for another diagnostic, nor elsewhere, nor once the linter no longer reports it.
    assert fix_again(await scenario.code_actions(client, uri, at_line(13), [diagnostic(13, "other")])) == []
    assert fix_again(await scenario.code_actions(client, uri, at_line(3), [diagnostic(3)])) == []
    assert fix_again(await scenario.code_actions(client, uri, at_line(13), [])) == []

    # The fix-again turn becomes the next revision; accepted, the diagnostic still there: attempt 3 of 3.
    refined = await run(client, again)
    assert refined["proposals"] == [proposal_id]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["revision"] == 2
    await accept_everything(client, proposal_id)
    assert client.documents[uri].text == FIXED.replace("sum(values)", "sum(values, 0)")
    [third] = fix_again(await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)]))
    assert third.title == f"Claif: Fix again (3/3): {MESSAGE}"
    await run(client, third)
    await accept_everything(client, proposal_id)
    assert client.documents[uri].text == FIXED.replace("sum(values)", "sum(values, start=0)")
    assert fix_again(await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)])) == [], "bound reached"


async def test_the_fixed_place_moves_with_edits_above_it(client: EditorClient, workspace: Path) -> None:
    uri = await open_sample(client, workspace)
    [fix] = [
        a
        for a in await scenario.code_actions(client, uri, at_line(13), [diagnostic(13)])
        if a.title.startswith("Claif: Fix: ")
    ]
    [proposal_id] = (await run(client, fix))["proposals"]
    await accept_everything(client, proposal_id)
    client.type_text(uri, "# a comment\n# and another\n" + client.documents[uri].text)
    [again] = fix_again(await scenario.code_actions(client, uri, at_line(15), [diagnostic(15)]))
    assert again.title.startswith("Claif: Fix again (2/3)")
    assert fix_again(await scenario.code_actions(client, uri, at_line(11), [diagnostic(11)])) == []


async def test_refine_and_retry_at_a_pending_hunk(client: EditorClient, workspace: Path) -> None:
    uri = await open_sample(client, workspace)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy"))["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    first = proposal["files"][0]["hunks"][0]
    line = first["range"]["start"]["line"]
    actions = await scenario.code_actions(client, uri, at_line(line))
    by_title = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    refine = by_title[f"Claif: Refine… hunk 1 ({proposal['title']})"]
    assert refine.command is not None and refine.command.command == "claif.refine"
    assert refine.command.arguments[0] == {"proposal": proposal_id, "hunks": [first["id"]]}
    retry = by_title[f"Claif: Retry ({proposal['title']})"]
    assert retry.command is not None and retry.command.command == "claif.retry"
    assert retry.command.arguments[0] == {"proposal": proposal_id}
    assert [t for t in by_title if t.startswith("Claif: Retry")] == [retry.title], "once per proposal"
    retried = await run(client, retry)
    assert retried["proposals"] == [proposal_id]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["revision"] == 2


async def test_fix_again_is_still_offered_after_a_server_restart(
    editor: str, workspace: Path, lsp_settings: dict[str, Any]
) -> None:
    uri = (workspace / "app.py").as_uri()
    first, _ = await start_client(editor, workspace, settings=lsp_settings)
    try:
        first.open_document(uri, scenario.SAMPLE)
        [fix] = [
            a
            for a in await scenario.code_actions(first, uri, at_line(13), [diagnostic(13)])
            if a.title.startswith("Claif: Fix: ")
        ]
        [proposal_id] = (await run(first, fix))["proposals"]
        await accept_everything(first, proposal_id)
    finally:
        await first.shutdown_session()
        await first.stop()

    second, _ = await start_client(editor, workspace, settings=lsp_settings)
    try:
        second.open_document(uri, FIXED)
        [again] = fix_again(await scenario.code_actions(second, uri, at_line(13), [diagnostic(13)]))
        assert again.title == f"Claif: Fix again (2/3): {MESSAGE}"
        assert fix_again(await scenario.code_actions(second, uri, at_line(13), [])) == [], "not once it is gone"

        assert (await run(second, again))["proposals"] == [proposal_id]
        proposal = await scenario.command(second, "claif.proposal", {"proposal": proposal_id})
        assert proposal["revision"] == 2 and proposal["restored"] is True
        await accept_everything(second, proposal_id)
        assert second.documents[uri].text == FIXED.replace("sum(values)", "sum(values, 0)")
    finally:
        await second.shutdown_session()
        await second.stop()
