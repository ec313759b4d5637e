"""A fake ACP agent written with the SDK's agent side, run as a real subprocess speaking the real protocol.

Scripted by the JSON file named in ``FAKE_ACP_SCRIPT`` (the provider passes it through ``env``: agents get a
bare environment) or, without it, by the file named as the first argument (an editor's ``extraArgs``). Keys:

- ``initialize``: ``"ok"`` (default) or ``"hang"`` (never answers ``initialize``);
- ``modes``: session modes offered by ``session/new``;
- ``report``: a file where the agent writes ``{pid, start, cwd, home, env, mode, mcp_servers, prompt}`` as JSON, once at
  start and again after ``session/new``, ``set_mode`` and ``prompt``;
- ``steps``: run in order by ``session/prompt``, each one object:
  ``{"say": text}`` a message chunk; ``{"read": path}`` an ``fs/read_text_file`` whose text (or error) it says
  (the text also reported as ``read_<step number>``); ``{"write": path, "content": text}`` an
  ``fs/write_text_file``, outcome said; ``{"disk": path, "content": text}``
  writes the file itself, relative to its cwd (an agent that edits on disk); ``{"delete": path}`` removes it;
  ``{"permission": kind, "title": text, "path": optional}`` asks and says the chosen option;
  ``{"tool": kind, "title": text, "path": p}`` a tool call start and completion; ``{"wait_cancel": true}`` waits
  until ``session/cancel`` and ends the turn ``cancelled``; ``{"hang": true}`` never ends the turn;
  ``{"crash": code}`` exits at once; ``{"stderr": n}`` writes n bytes to stderr; ``{"stop": reason}`` ends the
  turn with that stop reason (``end_turn`` by default); ``{"usage": [in, out]}`` reports usage with the answer;
  ``{"auth": true}`` fails the prompt with ACP's auth-required error; ``{"plan": [[text, status], ...]}`` sends a
  plan. ``stderr_at_start``: bytes written to stderr before serving (before ``initialize``).
- ``sessions``: a folder where the agent keeps its sessions (each a file named by its id holding the prompts it was
  sent, one JSON string a line), outside the private HOME so that they outlive the turn; with it ``initialize``
  advertises ``loadSession`` and ``session/new`` makes a fresh id. ``session/load`` of a kept id replays the
  earlier prompts as user message chunks and an agent message chunk (which the client must not take for this
  turn's answer) and reports ``loaded``; an unknown id is a resource-not-found error. ``tool`` steps may give
  ``"status"`` (the completion's).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from acp import (
    PROTOCOL_VERSION,
    Agent,
    RequestError,
    plan_entry,
    run_agent,
    start_tool_call,
    text_block,
    update_agent_message,
    update_plan,
    update_tool_call,
    update_user_message,
)
from acp.schema import (
    AgentCapabilities,
    InitializeResponse,
    LoadSessionResponse,
    NewSessionResponse,
    PermissionOption,
    PromptResponse,
    SessionMode,
    SessionModeState,
    SetSessionModeResponse,
    ToolCallLocation,
    ToolCallUpdate,
    Usage,
)

SCRIPT_PATH = os.environ.get("FAKE_ACP_SCRIPT") or (sys.argv[1] if len(sys.argv) > 1 else None)
SCRIPT: dict[str, Any] = json.loads(Path(SCRIPT_PATH).read_text()) if SCRIPT_PATH else {}
START = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]
"""This process's start time (as tests.fakes.helpers.start_time reads it), so a reused pid is not taken for it."""
REPORT: dict[str, Any] = {
    "start": START,
    "pid": os.getpid(),
    "cwd": os.getcwd(),
    "home": os.environ.get("HOME"),
    "env": dict(os.environ),
}


def report(**values: Any) -> None:
    REPORT.update(values)
    if SCRIPT.get("report"):
        # Atomically: the test polls the file while the agent writes it (a cancel arrives mid-turn).
        target = Path(SCRIPT["report"])
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        partial.write_text(json.dumps(REPORT))
        os.replace(partial, target)


class FakeAgent(Agent):
    def __init__(self) -> None:
        self.conn: Any = None
        self.cancelled = asyncio.Event()

    def on_connect(self, conn: Any) -> None:
        self.conn = conn

    async def initialize(
        self, protocol_version: int, client_capabilities: Any = None, **kwargs: Any
    ) -> InitializeResponse:
        if SCRIPT.get("initialize") == "hang":
            await asyncio.Event().wait()
        fs = client_capabilities.fs if client_capabilities else None
        report(client_fs=bool(fs and fs.read_text_file and fs.write_text_file))
        capabilities = AgentCapabilities(load_session=bool(SCRIPT.get("sessions")))
        return InitializeResponse(protocol_version=PROTOCOL_VERSION, agent_capabilities=capabilities)

    async def new_session(self, cwd: str, mcp_servers: Any = None, **kwargs: Any) -> NewSessionResponse:
        report(session_cwd=cwd, mcp_servers=[s.model_dump(mode="json", exclude_none=True) for s in mcp_servers or []])
        modes = SCRIPT.get("modes")
        state = (
            SessionModeState(current_mode_id=modes[0], available_modes=[SessionMode(id=m, name=m) for m in modes])
            if modes
            else None
        )
        session_id = "fake-session"
        if SCRIPT.get("sessions"):
            session_id = f"fake-session-{uuid.uuid4().hex[:12]}"
            self.kept(session_id).write_text("")
        return NewSessionResponse(session_id=session_id, modes=state)

    def kept(self, session_id: str) -> Path:
        folder = Path(SCRIPT["sessions"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder / session_id

    async def load_session(
        self, cwd: str, session_id: str, mcp_servers: Any = None, **kwargs: Any
    ) -> LoadSessionResponse:
        if not SCRIPT.get("sessions") or not self.kept(session_id).is_file():
            raise RequestError.resource_not_found(session_id)
        for earlier in map(json.loads, self.kept(session_id).read_text().splitlines()):
            await self.conn.session_update(session_id, update_user_message(text_block(earlier)))
            await self.conn.session_update(session_id, update_agent_message(text_block("(an earlier answer)")))
        report(loaded=session_id, session_cwd=cwd)
        return LoadSessionResponse()

    async def set_session_mode(self, mode_id: str, session_id: str, **kwargs: Any) -> SetSessionModeResponse:
        report(mode=mode_id)
        return SetSessionModeResponse()

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        report(cancelled=True)
        self.cancelled.set()

    async def say(self, session_id: str, text: str) -> None:
        await self.conn.session_update(session_id, update_agent_message(text_block(text)))

    async def prompt(self, prompt: list[Any], session_id: str, **kwargs: Any) -> PromptResponse:
        text = "".join(getattr(block, "text", "") for block in prompt)
        report(prompt=text, session=session_id)
        if SCRIPT.get("sessions"):
            with self.kept(session_id).open("a") as kept:
                kept.write(json.dumps(text) + "\n")
        usage = None
        for number, step in enumerate(SCRIPT.get("steps", [])):
            if "say" in step:
                await self.say(session_id, step["say"])
            elif "read" in step:
                try:
                    result = await self.conn.read_text_file(session_id=session_id, path=step["read"])
                    report(**{f"read_{number}": result.content})
                    await self.say(session_id, f"[read {step['read']}: {result.content}]")
                except RequestError as exc:
                    await self.say(session_id, f"[read {step['read']} failed: {exc}]")
            elif "write" in step:
                try:
                    await self.conn.write_text_file(session_id=session_id, path=step["write"], content=step["content"])
                    await self.say(session_id, f"[wrote {step['write']}]")
                except RequestError as exc:
                    await self.say(session_id, f"[write {step['write']} failed: {exc}]")
            elif "disk" in step:
                target = Path(step["disk"])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(step["content"])
            elif "delete" in step:
                Path(step["delete"]).unlink()
            elif "permission" in step:
                call = ToolCallUpdate(
                    tool_call_id=f"call-{number}",
                    title=step.get("title", step["permission"]),
                    kind=step["permission"],
                    locations=[ToolCallLocation(path=step["path"])] if step.get("path") else None,
                )
                options = [
                    PermissionOption(option_id="yes", name="Allow", kind="allow_once"),
                    PermissionOption(option_id="no", name="Reject", kind="reject_once"),
                ]
                answer = await self.conn.request_permission(session_id=session_id, tool_call=call, options=options)
                chosen = getattr(answer.outcome, "option_id", None) or answer.outcome.outcome
                report(**{f"permission_{number}": chosen})
                await self.say(session_id, f"[permission {step['permission']}: {chosen}]")
                if self.cancelled.is_set():
                    return PromptResponse(stop_reason="cancelled")
            elif "tool" in step:
                locations = [ToolCallLocation(path=step["path"])] if step.get("path") else None
                call_id = f"call-{number}"
                start = start_tool_call(
                    call_id, step["title"], kind=step["tool"], status="in_progress", locations=locations
                )
                await self.conn.session_update(session_id, start)
                await self.conn.session_update(
                    session_id, update_tool_call(call_id, status=step.get("status", "completed"))
                )
            elif "wait_cancel" in step:
                await self.cancelled.wait()
                return PromptResponse(stop_reason="cancelled")
            elif "hang" in step:
                await asyncio.Event().wait()
            elif "crash" in step:
                sys.stderr.write("fake agent: crashing on purpose\n")
                sys.stderr.flush()
                os._exit(step["crash"])
            elif "stderr" in step:
                sys.stderr.write("e" * step["stderr"] + "\n")
                sys.stderr.flush()
            elif "usage" in step:
                usage = Usage(
                    input_tokens=step["usage"][0], output_tokens=step["usage"][1], total_tokens=sum(step["usage"])
                )
            elif "plan" in step:
                entries = [plan_entry(text, status=status) for text, status in step["plan"]]
                await self.conn.session_update(session_id, update_plan(entries))
            elif "auth" in step:
                raise RequestError.auth_required({"reason": "fake agent: not logged in"})
            elif "stop" in step:
                return PromptResponse(stop_reason=step["stop"], usage=usage)
        return PromptResponse(stop_reason="end_turn", usage=usage)


if __name__ == "__main__":
    if SCRIPT.get("stderr_at_start"):
        sys.stderr.write("s" * SCRIPT["stderr_at_start"] + "\n")
        sys.stderr.flush()
    asyncio.run(run_agent(FakeAgent()))
