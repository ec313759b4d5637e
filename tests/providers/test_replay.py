"""The replay provider answering the turns of a conversation from a transcript's ``turn`` entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claif_replay.provider import ReplayProvider
from claif_replay.transcript import load_transcript

from claif_lsp.errors import ConfigurationError, ProviderRuntimeError
from claif_lsp.settings import ProviderSettings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions, Message, Role


def replay(tmp_path: Path, *entries: dict[str, Any]) -> ReplayProvider:
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    provider = ReplayProvider()
    provider.configure(ProviderSettings(options={"transcript": str(transcript)}), {})
    return provider


def history(turns: int) -> list[Message]:
    """The messages of ``turns`` earlier turns."""
    return [
        Message(role=role, content=f"{role.value} {n}") for n in range(turns) for role in (Role.USER, Role.ASSISTANT)
    ]


async def answer(provider: ReplayProvider, prompt: str, turns_before: int) -> str:
    options = ClaifOptions(action="ask", history=history(turns_before))
    return (await collect_answer("replay", provider.query(prompt, options))).text


async def test_an_entry_naming_a_turn_answers_that_turn_only(tmp_path: Path) -> None:
    provider = replay(
        tmp_path,
        {"match": "tidy", "turn": 2, "answer": "refined"},
        {"match": "tidy", "answer": "first"},
        {"turn": 3, "answer": "third"},
    )

    assert await answer(provider, "tidy app.py", 0) == "first"
    assert await answer(provider, "tidy, but keep the name", 1) == "refined"
    assert await answer(provider, "and the docstring", 2) == "third"
    assert await answer(provider, "tidy once more", 2) == "first", "no turn-3 entry matches: the general one"


async def test_a_turn_with_no_entry_is_an_error_naming_the_action(tmp_path: Path) -> None:
    provider = replay(tmp_path, {"turn": 2, "answer": "refined"})

    with pytest.raises(ProviderRuntimeError, match="no transcript entry answers this ask"):
        await answer(provider, "tidy", 0)


def test_a_turn_below_one_is_not_a_transcript_entry(tmp_path: Path) -> None:
    transcript = tmp_path / "transcript.jsonl"
    transcript.write_text(json.dumps({"turn": 0, "answer": "never"}) + "\n")

    with pytest.raises(ConfigurationError, match=r"transcript.jsonl:1: not a transcript entry"):
        load_transcript(transcript)
