"""Sessions and their proposals on disk: saved after each turn and decision, taken back after a restart (ids
counting on past them), bounded in number and size, and broken or foreign files skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from loguru import logger

from claif_lsp.core.proposals import HunkState, ProposalState
from claif_lsp.core.refine import Conversation, FollowUpRequest
from claif_lsp.core.session_files import DROPPED_ANSWER, SessionFiles
from claif_lsp.core.sessions import Session, Turn
from claif_lsp.session_folders import sessions_directory
from claif_lsp.settings import SessionSettings
from claif_lsp.state import ServerState
from tests.unit.core.conftest import TEXT, World, codex_patch
from tests.unit.core.editor import MemoryProgress


def restart(world: World) -> None:
    """A new server on the same workspace, the editor's buffers as they were."""
    world.state = ServerState(workspace_roots=[world.root])
    world.state.settings_ready.set()
    world.configure()


def files_of(world: World) -> list[Path]:
    folder = SessionFiles().folder_for(str(world.root))
    return sorted(p for p in folder.iterdir() if p.suffix == ".json")


async def test_sessions_live_in_the_users_state_directory(world: World, tmp_path: Path) -> None:
    world.answer({"answer": codex_patch(3)})
    await world.ask().run(world.request())

    assert sessions_directory() == tmp_path / "state" / "claif-lsp" / "sessions"
    [kept] = files_of(world)
    assert kept.name == "s1.json" and kept.is_relative_to(tmp_path / "state")
    assert not any(world.root.rglob("*.json")), "nothing is written into the workspace"


async def test_a_pending_proposal_comes_back_after_a_restart_and_accepts(world: World) -> None:
    world.answer({"answer": codex_patch(3, 15), "usage": {"input_tokens": 9, "output_tokens": 1}})
    await world.ask().run(world.request())
    await world.review().accept("p1", ["p1-h1"])
    first = world.review().show("p1")

    restart(world)
    shown = world.review().show("p1")

    assert shown.restored is True and first.restored is False
    assert shown.model_dump() == {**first.model_dump(), "restored": True}
    assert world.state.proposals.get("p1").hunk_states["p1-h2"] is HunkState.PENDING
    session = world.state.sessions.get("s1")
    assert session is not None and session.turns[0].answer == codex_patch(3, 15)
    assert [d.verdict for d in session.decisions] == ["accepted"]

    result = await world.review().accept("p1", None)
    assert result.applied and world.editor.documents.buffers[world.app].text == TEXT.replace(
        "line 3\n", "line 3 (checked)\n"
    ).replace("line 15\n", "line 15 (checked)\n")

    world.answer({"answer": codex_patch(20)})
    outcome = await world.ask().run(world.request())
    assert outcome.proposals == ["p2"]  # type: ignore[union-attr]
    assert world.state.proposals.get("p2").session == "s2", "ids count on past the restored ones"


async def test_a_restored_proposal_whose_file_changed_is_stale(world: World) -> None:
    world.answer({"answer": codex_patch(3)})
    await world.ask().run(world.request())
    restart(world)
    world.editor.documents.edit(world.app, TEXT.replace("line 3\n", "line three\n"))

    assert world.review().show("p1").state == "stale"
    result = await world.review().accept("p1", None)
    assert not result.applied and result.stale == ["p1-h1"]


async def test_a_restored_proposal_can_be_refined(world: World) -> None:
    world.answer({"answer": codex_patch(3)}, {"match": "line 4 instead", "answer": codex_patch(4)})
    await world.ask().run(world.request())
    restart(world)

    conversation = Conversation(world.state, world.editor.ports(), world.registry, MemoryProgress())
    await conversation.refine(FollowUpRequest("p1", feedback="line 4 instead"))

    proposal = world.state.proposals.get("p1")
    assert proposal.revision == 2 and proposal.pending_ids() == ["p1-h2"]
    session = world.state.sessions.get("s1")
    assert session is not None and [t.kind for t in session.turns] == ["ask", "refine"]
    restart(world)
    assert world.review().show("p1").revision == 2, "the refine turn was saved too"


async def test_broken_and_foreign_files_are_skipped_with_a_log_line(world: World) -> None:
    world.answer({"answer": codex_patch(3)})
    await world.ask().run(world.request())
    folder = files_of(world)[0].parent
    (folder / "s7.json").write_text("{not json", encoding="utf-8")
    foreign = json.loads((folder / "s1.json").read_text(encoding="utf-8"))
    foreign["root"] = "/elsewhere"
    (folder / "s8.json").write_text(json.dumps(foreign), encoding="utf-8")
    lines: list[str] = []
    sink = logger.add(lines.append, level="WARNING", format="{message}")
    try:
        restart(world)
        assert world.review().show("p1").restored
    finally:
        logger.remove(sink)

    assert any("skipped" in line and "s7.json" in line for line in lines)
    assert any("s8.json" in line and "another workspace folder" in line for line in lines)
    assert [s.id for s in world.state.sessions] == ["s1"]


def _session(number: int, root: str, answer: str = "a") -> Session:
    session = Session(
        id=f"s{number}", root=root, uri="file:///x.py", provider="replay", action="ask", title="t", system="sys"
    )
    session.add_turn(Turn(kind="ask", prompt="p", answer=answer))
    return session


def test_each_workspace_keeps_at_most_max_sessions(tmp_path: Path) -> None:
    files = SessionFiles(tmp_path)
    limits = SessionSettings(max_sessions=2)
    for number in range(1, 4):
        assert files.write(_session(number, "/ws"), None, limits)
        os.utime(files.folder_for("/ws") / f"s{number}.json", (number, number))  # saved in this order
    files.write(_session(9, "/other"), None, limits)

    assert [s.id for s, _ in files.load("/ws")] == ["s2", "s3"]
    assert [s.id for s, _ in files.load("/other")] == ["s9"]


def test_a_session_past_max_session_bytes_loses_its_oldest_answers_first(tmp_path: Path) -> None:
    files = SessionFiles(tmp_path)
    session = _session(1, "/ws", answer="x" * 8_000)
    session.add_turn(Turn(kind="refine", prompt="q", answer="y" * 8_000))
    assert files.write(session, None, SessionSettings(max_session_bytes=12_000))

    [(kept, _)] = files.load("/ws")
    assert [t.answer for t in kept.turns] == [DROPPED_ANSWER, "y" * 8_000]
    assert len(session.turns[0].answer) == 8_000, "the session in memory keeps everything"

    session.turns[-1].answer = "z" * 20_000
    assert not files.write(session, None, SessionSettings(max_session_bytes=12_000))
    assert files.load("/ws")[0][0].turns[-1].answer == "y" * 8_000, "the last good file stays"


def test_a_proposal_snapshot_round_trips(world: World) -> None:
    proposal = world.state.proposals.get(world.propose(3, 15))
    proposal.reject(["p1-h2"])
    proposal.session, proposal.answer = "s4", "the answer"

    again = type(proposal).from_snapshot(json.loads(json.dumps(proposal.snapshot())))

    assert again.restored and again.state is ProposalState.PARTIAL
    assert dict(again.hunk_states) == dict(proposal.hunk_states)
    assert again.patch == proposal.patch and again.session == "s4" and again.answer == "the answer"
    with pytest.raises(ValueError, match="hunk states do not match"):
        broken = proposal.snapshot()
        broken["hunk_states"] = {}
        type(proposal).from_snapshot(broken)


def test_no_setting_chooses_the_directory() -> None:
    assert set(SessionSettings.model_fields) == {"max_sessions", "max_session_bytes"}
