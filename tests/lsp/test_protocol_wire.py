"""End to end: every result the real server sends, and its ``claif/proposalsChanged`` params, is exactly the JSON of
its model in :mod:`claif_lsp.protocol.models` (no key more, none less, nulls kept), so the generated editor types
describe what editors receive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from claif_lsp import protocol
from claif_lsp.protocol import models
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

pytestmark = pytest.mark.parametrize("editor", ["neovim"], indirect=True)

PASTED = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n"


@pytest.fixture
def lsp_settings(workspace: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    transcript = scenario.write_transcript(
        workspace.parent / "t.jsonl",
        [{"action": "ask", "answer": scenario.PATCH}, {"action": "explain", "answer": scenario.EXPLANATION}],
    )
    return scenario.replay_settings(transcript, preview="none")


def round_trip(model: type[BaseModel], raw: Any) -> Any:
    """``raw`` read as ``model`` and written back: it must come out the same."""
    parsed = model.model_validate(raw)
    assert isinstance(parsed, models.Result)
    assert parsed.wire() == raw, f"{model.__name__} does not describe what the server sent"
    return parsed


def as_json(value: Any) -> Any:
    """Params of a method pygls does not know arrive as named tuples: back to the JSON they were."""
    if hasattr(value, "_asdict"):
        return {key: as_json(item) for key, item in value._asdict().items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


def ask_round_trip(raw: Any, shape: type[models.Result]) -> None:
    parsed = models.ASK_RESULT.validate_python(raw)
    assert type(parsed) is shape, f"{raw} read as {type(parsed).__name__}, not {shape.__name__}"
    assert parsed.wire() == raw


async def test_every_result_is_its_models_json(client: EditorClient, workspace: Path) -> None:
    changes: list[Any] = []

    @client.feature(protocol.PROPOSALS_CHANGED)
    def proposals_changed(ls: EditorClient, params: Any) -> None:
        changes.append(params)

    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)

    asked = await scenario.ask(client, uri, instruction="tidy up")
    ask_round_trip(asked, models.AskEditResult)
    [proposal_id] = asked["proposals"]
    shown = round_trip(models.Proposal, await scenario.command(client, protocol.PROPOSAL, {"proposal": proposal_id}))
    first, second = (hunk.id for hunk in shown.files[0].hunks)
    assert shown.files[0].hunks[0].range is not None and shown.files[0].new_uri is None

    accepted = await scenario.command(client, protocol.ACCEPT, {"proposal": proposal_id, "hunks": [first]})
    parsed = round_trip(models.AcceptResult, accepted)
    assert parsed.applied and parsed.reason is None and parsed.proposal.state == "partial"
    assert parsed.proposal.files[0].hunks[0].range is None, "a decided hunk is sent with range: null"
    rejected = round_trip(
        models.RejectResult, await scenario.command(client, protocol.REJECT, {"proposal": proposal_id})
    )
    assert rejected.proposal.files[0].hunks[1].id == second and rejected.proposal.files[0].hunks[1].state == "rejected"

    client.type_text(uri, scenario.SAMPLE)
    [stale_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    client.type_text(uri, scenario.SAMPLE.replace("return s\n", "return s + 0\n"))
    partly = round_trip(models.AcceptResult, await scenario.command(client, protocol.ACCEPT, {"proposal": stale_id}))
    assert partly.stale and partly.reason and any(h.reason for h in partly.proposal.files[0].hunks)

    ask_round_trip(await scenario.ask(client, uri, action="explain"), models.AskExplainResult)
    client.message_choice = "no such instruction"  # the user dismisses the instruction picker
    ask_round_trip(await scenario.ask(client, uri), models.AskCancelledResult)

    patched = round_trip(
        models.ApplyPatchResult, await scenario.command(client, protocol.APPLY_PATCH, {"patch": PASTED})
    )
    added = round_trip(
        models.Proposal, await scenario.command(client, protocol.PROPOSAL, {"proposal": patched.proposals[0]})
    )
    assert added.files[0].operation == "add"

    providers = round_trip(models.ProvidersResult, await scenario.command(client, protocol.PROVIDERS, {}))
    assert providers.active == "replay" and any(p.name == "replay" for p in providers.providers)
    settings = round_trip(models.SettingsResult, await scenario.command(client, protocol.SETTINGS, {"uri": uri}))
    assert settings.settings["provider"] == "replay"
    assert round_trip(models.CancelResult, await scenario.command(client, protocol.CANCEL)).cancelled == []

    assert len(changes) >= 6
    for params in changes:
        round_trip(models.ProposalsChangedParams, as_json(params))
