"""The ACP providers in a conversation: ``session/load`` when the agent can, else the rebuilt prompt; the agent's
actions in the final message. Against the fake agent (tests/fakes/acp_agent.py) as a real subprocess."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.sdk import Message, Role
from tests.providers.test_acp import ORIGINAL, ask, scripted

HISTORY = [
    Message(role=Role.USER, content="Rename greet to hi."),
    Message(role=Role.ASSISTANT, content="```diff\n-def greet():\n+def hi():\n```"),
]
EDIT = {"write": "app.py", "content": ORIGINAL.replace("greet", "hello")}


async def test_the_final_message_lists_the_agents_tool_calls_and_their_status(tmp_path: Path) -> None:
    steps = [
        {"tool": "read", "title": "Read app.py", "path": "app.py"},
        {"tool": "execute", "title": "pytest -q", "status": "failed"},
        {"permission": "execute", "title": "rm -rf build"},
        EDIT,
    ]
    with scripted(tmp_path, steps) as run:
        _, final = await ask(run)

    assert final.metadata["actions"] == [
        {"kind": "read", "title": "Read app.py", "status": "completed"},
        {"kind": "execute", "title": "pytest -q", "status": "failed"},
        {"kind": "execute", "title": "rm -rf build", "status": "refused"},
    ]


async def test_an_agent_without_load_session_gets_the_conversation_in_one_prompt(tmp_path: Path) -> None:
    with scripted(tmp_path, [EDIT]) as run:
        _, final = await ask(run, history=HISTORY, resume="fake-session")
        report = run.report()

    assert "loaded" not in report
    prompt = report["prompt"]
    assert prompt.index("Rename greet to hi.") < prompt.index("+def hi():") < prompt.index("Rename greet to hello.")
    assert final.metadata["session_id"] == "fake-session"


async def test_a_session_the_agent_still_has_is_loaded_and_sent_only_the_new_prompt(tmp_path: Path) -> None:
    sessions = tmp_path / "agent-sessions"
    with scripted(tmp_path, [EDIT, {"say": "Renamed."}], sessions=str(sessions)) as run:
        _, first = await ask(run)
        session = first.metadata["session_id"]
        assert session and (sessions / session).is_file()
        assert run.leftovers() == [], "the private HOME goes with every turn"

        await ask(run, history=[*HISTORY[:1], Message(role=Role.ASSISTANT, content=first.text)])
        assert "loaded" not in run.report(), "no resume given: a new session"
        assert run.report()["prompt"].startswith("<earlier_request>\nRename greet to hi.")

        _, third = await ask(run, history=HISTORY, resume=session)
        report = run.report()

    assert report["loaded"] == session and report["session"] == session
    assert report["prompt"].startswith("Rename greet to hello.")
    assert "Rename greet to hi." not in report["prompt"]
    assert "(an earlier answer)" not in third.text, "the replayed conversation is not this turn's answer"
    assert "Renamed." in third.text and "+def hello():" in third.text
    assert third.metadata["session_id"] == session


async def test_a_session_the_agent_no_longer_has_falls_back_to_the_rebuilt_prompt(tmp_path: Path) -> None:
    with scripted(tmp_path, [EDIT], sessions=str(tmp_path / "agent-sessions")) as run:
        _, final = await ask(run, history=HISTORY, resume="fake-session-gone")
        report = run.report()

    assert "loaded" not in report
    assert report["prompt"].index("Rename greet to hi.") < report["prompt"].index("Rename greet to hello.")
    assert final.metadata["session_id"] != "fake-session-gone"
    assert "+def hello():" in final.text
