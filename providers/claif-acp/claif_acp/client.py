"""claif-lsp's side of an ACP session: files from the shadow workspace, permissions by policy, updates as progress.

The agent's ``fs/*`` calls are answered from the shadow copy (seeded with the unsaved buffers), so nothing it
writes reaches the user's files. Permission requests are granted for work inside the copy (reading, searching,
editing) and refused for anything else (running a command, fetching a URL, a path outside the copy) unless the
user allowed being asked, in which case ``window/showMessageRequest`` names what the agent wants to do. Every
handler records what it does before its first ``await``: the SDK runs one task per message, so handlers interleave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from acp import RequestError
from acp.schema import (
    AgentMessageChunk,
    AgentPlanUpdate,
    AllowedOutcome,
    DeniedOutcome,
    PermissionOption,
    ReadTextFileResponse,
    RequestPermissionResponse,
    TextContentBlock,
    ToolCallProgress,
    ToolCallStart,
    ToolCallUpdate,
    UsageUpdate,
    WriteTextFileResponse,
)
from loguru import logger

from claif_acp.shadow import OutsideWorkspace, ShadowWorkspace
from claif_lsp.sdk import ClaifError

AskUser = Callable[[str, list[str]], Awaitable[str | None]]
"""Ask the user to pick one of the choices (``window/showMessageRequest``); None when dismissed."""

ALLOW_CHOICE = "Allow once"
REFUSE_CHOICE = "Refuse"
INSIDE_KINDS = frozenset({"read", "edit", "delete", "move", "search", "think"})
"""Tool kinds that only touch files; granted when every location they name lies inside the copy."""
_VERBS = {"read": "Reading", "edit": "Editing", "delete": "Deleting", "move": "Moving", "search": "Searching"}


class CommandPolicy(str, Enum):
    """What happens when the agent asks to run a command, fetch a URL or reach outside the copy."""

    REFUSE = "refuse"
    ASK = "ask"


@dataclass
class Progress:
    """A line for the progress report (not part of the answer)."""

    text: str


@dataclass
class Activity:
    """What the agent did during the turn, for the answer's record."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        """Record one thing the agent did."""
        self.lines.append(line)
        logger.info("acp: {}", line)


class ClaifClient:
    """The ACP ``Client`` the agent talks to during one ask."""

    def __init__(
        self,
        shadow: ShadowWorkspace,
        events: asyncio.Queue[str | Progress],
        *,
        agent: str,
        policy: CommandPolicy,
        ask_user: AskUser | None,
    ) -> None:
        self.shadow = shadow
        self.events = events
        self.agent = agent
        self.policy = policy
        self.ask_user = ask_user
        self.activity = Activity()
        self.cancelled = asyncio.Event()
        self.usage: tuple[int, int] | None = None
        self.replaying = False
        """True while ``session/load`` replays an earlier conversation: its updates are not this turn's answer."""
        self._tool_titles: dict[str, str] = {}
        self._actions: dict[str, dict[str, str]] = {}

    @property
    def actions(self) -> list[dict[str, str]]:
        """The agent's tool calls this turn, in order: ``{"kind", "title", "status"}`` (status as last reported,
        or ``refused`` when claif-lsp refused its permission)."""
        return [dict(action) for action in self._actions.values()]

    def _action(self, call_id: str, kind: str | None, title: str | None, status: str | None) -> None:
        """Record or update the tool call ``call_id``."""
        action = self._actions.setdefault(call_id, {"kind": "other", "title": "tool call", "status": "pending"})
        if kind:
            action["kind"] = kind
        if title:
            action["title"] = title
        if status:
            action["status"] = status

    def _shown(self, path: str) -> str:
        try:
            return self.shadow.relative(path)
        except OutsideWorkspace:
            return path

    async def read_text_file(
        self, path: str, session_id: str, limit: int | None = None, line: int | None = None, **kwargs: Any
    ) -> ReadTextFileResponse:
        """``fs/read_text_file``: the copy's text (the unsaved buffer for open documents)."""
        try:
            content = self.shadow.read_text(path, line=line, limit=limit)
        except OutsideWorkspace as exc:
            self.activity.add(f"refused to read {path}: {exc}")
            raise RequestError.invalid_params({"path": path, "reason": str(exc)}) from None
        except OSError:
            self.activity.add(f"read {self._shown(path)}: no such file")
            raise RequestError.resource_not_found(path) from None
        self.activity.add(f"read {self._shown(path)}")
        return ReadTextFileResponse(content=content)

    async def write_text_file(
        self, content: str, path: str, session_id: str, **kwargs: Any
    ) -> WriteTextFileResponse | None:
        """``fs/write_text_file``: written into the copy, proposed when the turn ends."""
        try:
            rel = self.shadow.write_text(path, content)
        except OutsideWorkspace as exc:
            self.activity.add(f"refused to write {path}: {exc}")
            raise RequestError.invalid_params({"path": path, "reason": str(exc)}) from None
        self.activity.add(f"wrote {rel} (held as a proposal)")
        return WriteTextFileResponse()

    def _inside(self, tool_call: ToolCallUpdate) -> bool:
        paths = [loc.path for loc in tool_call.locations or []]
        paths += [c.path for c in tool_call.content or [] if getattr(c, "type", None) == "diff"]
        try:
            for path in paths:
                self.shadow.relative(path)
        except OutsideWorkspace:
            return False
        return True

    async def request_permission(
        self, options: list[PermissionOption], session_id: str, tool_call: ToolCallUpdate, **kwargs: Any
    ) -> RequestPermissionResponse:
        """``session/request_permission``: granted inside the copy, else refused or asked of the user."""
        title = tool_call.title or self._tool_titles.get(tool_call.tool_call_id) or "a tool call"
        kind = tool_call.kind or "other"
        if self.cancelled.is_set():
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        self._action(tool_call.tool_call_id, kind, title, None)
        if kind in INSIDE_KINDS and self._inside(tool_call):
            self.activity.add(f"allowed {kind}: {title}")
            return _select(options, allow=True)
        if self.policy is CommandPolicy.ASK and self.ask_user is not None:
            self.activity.add(f"asked the user about {kind}: {title}")
            choice = await self._ask(f"{self.agent} wants to {_describe(kind)}: {title}")
            if self.cancelled.is_set():
                return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
            allowed = choice == ALLOW_CHOICE
            self.activity.add(f"{'the user allowed' if allowed else 'the user refused'} {kind}: {title}")
            if not allowed:
                self._action(tool_call.tool_call_id, None, None, "refused")
            return _select(options, allow=allowed)
        self.activity.add(f"refused {kind}: {title}")
        self._action(tool_call.tool_call_id, None, None, "refused")
        return _select(options, allow=False)

    async def _ask(self, message: str) -> str | None:
        assert self.ask_user is not None
        asking = asyncio.ensure_future(self.ask_user(message, [ALLOW_CHOICE, REFUSE_CHOICE]))
        waiting = asyncio.ensure_future(self.cancelled.wait())
        try:
            done, _ = await asyncio.wait({asking, waiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        if asking not in done:
            asking.cancel()
            return None
        try:
            return asking.result()
        except ClaifError as exc:
            logger.warning("acp: could not ask the user: {}", exc)
            return None

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        """``session/update``: message chunks become answer text, tool calls and plans progress lines."""
        if self.replaying:
            return
        if isinstance(update, AgentMessageChunk):
            if isinstance(update.content, TextContentBlock):
                self.events.put_nowait(update.content.text)
        elif isinstance(update, ToolCallStart):
            self._tool_titles[update.tool_call_id] = update.title
            self._action(update.tool_call_id, update.kind, update.title, update.status)
            line = _tool_line(update.kind, update.title, [loc.path for loc in update.locations or []], self._shown)
            self.activity.add(f"tool call: {line}")
            self.events.put_nowait(Progress(line))
        elif isinstance(update, ToolCallProgress):
            if self._actions.get(update.tool_call_id, {}).get("status") != "refused" or update.status == "completed":
                self._action(update.tool_call_id, update.kind, update.title, update.status)
            if update.status in ("completed", "failed"):
                title = update.title or self._tool_titles.get(update.tool_call_id, "tool call")
                self.activity.add(f"{title}: {update.status}")
                self.events.put_nowait(Progress(f"{title}: {update.status}"))
        elif isinstance(update, AgentPlanUpdate):
            done = sum(entry.status == "completed" for entry in update.entries)
            current = next((e.content for e in update.entries if e.status == "in_progress"), "")
            self.events.put_nowait(Progress(f"plan {done}/{len(update.entries)}" + (f": {current}" if current else "")))
        elif isinstance(update, UsageUpdate):
            self.events.put_nowait(Progress(f"context {update.used:,}/{update.size:,} tokens"))

    async def create_terminal(self, *args: Any, **kwargs: Any) -> None:
        """Terminals are not offered (the capability is not advertised)."""
        raise RequestError.method_not_found("terminal/create")


def _select(options: list[PermissionOption], *, allow: bool) -> RequestPermissionResponse:
    """The option of the wanted kind (once before always), or a cancelled outcome when the agent offers none."""
    kinds = ("allow_once", "allow_always") if allow else ("reject_once", "reject_always")
    for kind in kinds:
        for option in options:
            if option.kind == kind:
                return RequestPermissionResponse(outcome=AllowedOutcome(outcome="selected", option_id=option.option_id))
    return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))


def _describe(kind: str) -> str:
    return {"execute": "run a command", "fetch": "fetch a URL"}.get(kind, "reach outside its private copy")


def _tool_line(kind: str | None, title: str, paths: list[str], shown: Callable[[str], str]) -> str:
    verb = _VERBS.get(kind or "")
    if verb and paths:
        return f"{verb} {', '.join(shown(p) for p in paths)}"
    return title
