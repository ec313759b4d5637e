"""The protocol models: arguments validate as before, and each result model writes the JSON the server sends.

The samples are answers of today's server (tests/lsp/test_protocol_wire.py checks the live ones).
"""

from __future__ import annotations

import typing
from typing import Any

import pytest
from pydantic import BaseModel
from pygls.exceptions import JsonRpcInvalidParams

from claif_lsp import protocol
from claif_lsp.core.proposals import HunkState, ProposalState
from claif_lsp.features.arguments import parse_args
from claif_lsp.patches.model import FileChange
from claif_lsp.protocol import models

RANGE = {"start": {"line": 4, "character": 0}, "end": {"line": 6, "character": 0}}
HUNK = {
    "id": "p1-h1",
    "uri": "file:///ws/app.py",
    "state": "pending",
    "range": RANGE,
    "reason": None,
    "oldText": "    return math.pi * r * r\n",
    "newText": "    return math.pi * r ** 2\n",
}
STALE_HUNK = {**HUNK, "id": "p1-h2", "state": "stale", "range": None, "reason": "hunk 2 of app.py no longer applies"}
PROPOSAL = {
    "id": "p1",
    "state": "partial",
    "reason": None,
    "provider": "replay",
    "action": "ask",
    "title": "Replay: tidy up",
    "session": "s1",
    "revision": 2,
    "cached": False,
    "restored": False,
    "partial": {"unplaced": [{"path": "app.py", "hunk": 3, "reason": "old lines not found", "expected": "x\n"}]},
    "answer": "*** Begin Patch\n*** End Patch",
    "usage": {"inputTokens": 1200, "outputTokens": 80, "cacheReadTokens": 1000, "cacheWriteTokens": 0},
    "diff": "--- a/app.py\n+++ b/app.py\n@@ -5,1 +5,1 @@\n",
    "previewUri": None,
    "files": [
        {
            "uri": "file:///ws/app.py",
            "path": "app.py",
            "operation": "update",
            "newUri": None,
            "version": 3,
            "proposedText": "import math\n",
            "hunks": [HUNK, STALE_HUNK],
        },
        {
            "uri": "file:///ws/gone.py",
            "path": "gone.py",
            "operation": "delete",
            "newUri": None,
            "version": None,
            "proposedText": None,
            "hunks": [],
        },
    ],
}
PROVIDER = {
    "name": "replay",
    "displayName": "Replay",
    "distribution": "claif-lsp",
    "version": "0.1.0",
    "state": "ready",
    "reason": "",
    "enabled": True,
}

SAMPLES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (models.Proposal, PROPOSAL),
    (models.AcceptResult, {"applied": True, "accepted": ["p1-h1"], "stale": [], "reason": None, "proposal": PROPOSAL}),
    (
        models.AcceptResult,
        {"applied": False, "accepted": [], "stale": ["p1-h2"], "reason": "stale", "proposal": PROPOSAL},
    ),
    (models.RejectResult, {"proposal": PROPOSAL}),
    (models.ApplyPatchResult, {"proposals": ["p2"]}),
    (models.CancelResult, {"cancelled": ["r1"]}),
    (models.ProvidersResult, {"active": "replay", "configured": "auto", "providers": [PROVIDER]}),
    (models.SettingsResult, {"settings": {"provider": "replay", "context": {"budgetTokens": 8000}}, "problems": []}),
    (models.ProposalsChangedParams, {"proposals": [{"id": "p1", "state": "accepted", "revision": 1}]}),
]


@pytest.mark.parametrize(("model", "sample"), SAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_result_models_write_what_the_server_sends(model: type[BaseModel], sample: dict[str, Any]) -> None:
    parsed = model.model_validate(sample)
    assert isinstance(parsed, models.Result)
    assert parsed.wire() == sample


ASK_SAMPLES = [
    ({"proposals": ["p1"], "errors": ["codex: timed out"]}, models.AskEditResult),
    ({"answer": "## What it does\n", "document": None, "errors": []}, models.AskExplainResult),
    ({"answer": "## What it does\n", "document": "file:///cache/answer.md", "errors": []}, models.AskExplainResult),
    ({"proposals": [], "cancelled": True}, models.AskCancelledResult),
]


@pytest.mark.parametrize(("sample", "shape"), ASK_SAMPLES)
def test_an_ask_result_is_one_of_three_shapes(sample: dict[str, Any], shape: type[models.Result]) -> None:
    parsed = models.ASK_RESULT.validate_python(sample)
    assert type(parsed) is shape
    assert parsed.wire() == sample


def test_nulls_are_sent_and_unknown_keys_refused() -> None:
    built = models.Hunk(
        id="h", uri="file:///a", state="accepted", range=None, reason=None, old_text="a\n", new_text="b\n"
    )
    assert built.wire() == {
        "id": "h",
        "uri": "file:///a",
        "state": "accepted",
        "range": None,
        "reason": None,
        "oldText": "a\n",
        "newText": "b\n",
    }
    with pytest.raises(ValueError, match="extra"):
        models.Hunk.model_validate({**HUNK, "surprise": 1})
    with pytest.raises(ValueError, match="reason"):
        models.Hunk.model_validate({k: v for k, v in HUNK.items() if k != "reason"})


def values(alias: Any) -> tuple[str, ...]:
    """The strings of a named ``Annotated[Literal[...], ...]`` alias."""
    literal, *_annotations = typing.get_args(alias.__value__)
    return typing.get_args(literal)


def test_state_vocabularies_match_the_proposal_store_and_the_patch_engine() -> None:
    assert set(values(models.HunkState)) == {s.value for s in HunkState}
    assert set(values(models.ProposalState)) == {s.value for s in ProposalState}
    file_operation = typing.get_type_hints(FileChange)["operation"]
    assert set(values(models.FileOperation)) == set(typing.get_args(file_operation))


def test_every_command_and_notification_is_in_the_table() -> None:
    names = {value for key, value in vars(protocol).items() if key.isupper() and isinstance(value, str)}
    table = {command.name for command in models.COMMANDS} | set(models.NOTIFICATIONS)
    assert table == names


@pytest.mark.parametrize(
    ("model", "raw", "message"),
    [
        (models.AskArgs, {"uri": "file:///x.py"}, "range: Field required"),
        (models.AskArgs, {"uri": "file:///x.py", "range": RANGE, "action": "summon"}, "action must be one of ask, "),
        (models.AskArgs, {"uri": "file:///x.py", "range": RANGE, "action": "fix"}, "action 'fix' needs a diagnostic"),
        (models.AskArgs, {"uri": "file:///x.py", "range": RANGE, "providers": []}, "at least one provider"),
        (
            models.AskArgs,
            {"uri": "file:///x.py", "range": {**RANGE, "start": {"line": -1, "character": 0}}},
            "range.start.line",
        ),
        (models.DecisionArgs, {"proposal": "p1", "hunks": "h1"}, "hunks: Input should be a valid list"),
        (models.ApplyPatchArgs, {"patch": ""}, "patch: String should have at least 1 character"),
        (models.CancelArgs, {"request": True}, "request"),
    ],
)
def test_bad_arguments_name_the_field(model: type[models._Args], raw: dict[str, Any], message: str) -> None:
    with pytest.raises(JsonRpcInvalidParams, match=message):
        parse_args(model, (raw,))


def test_arguments_read_camel_case_and_ignore_unknown_keys() -> None:
    args = parse_args(
        models.AskArgs, ({"uri": "file:///x.py", "range": RANGE, "requestId": "r1", "action": "custom:2", "new": 1},)
    )
    assert args.request_id == "r1" and args.action == "custom:2"
    assert parse_args(models.CancelArgs, (), optional=True).request is None
    with pytest.raises(JsonRpcInvalidParams, match="expected one object argument, got 0"):
        parse_args(models.ProposalArgs, ())
