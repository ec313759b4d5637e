"""The client side of ACP for driving a real agent directly (no claif-lsp): it records what the agent does.

Reads are served from disk; writes are captured, never written, so a test sees exactly which edits went through
the client (``fs/write_text_file``) and which the agent made on disk itself. Permission requests pick the first
option of ``permission_kind`` (``allow_once`` by default), or are answered cancelled when ``permission_kind`` is None.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acp import RequestError
from acp.schema import (
    AllowedOutcome,
    DeniedOutcome,
    PermissionOption,
    ReadTextFileResponse,
    RequestPermissionResponse,
    ToolCallUpdate,
    WriteTextFileResponse,
)


class RecordingClient:
    """An ACP ``Client`` that records every update, read, write and permission request."""

    def __init__(self, permission_kind: str | None = "allow_once") -> None:
        self.permission_kind = permission_kind
        self.updates: list[Any] = []
        self.reads: list[str] = []
        self.writes: dict[str, str] = {}
        self.permissions: list[ToolCallUpdate] = []

    async def request_permission(
        self, session_id: str, tool_call: ToolCallUpdate, options: list[PermissionOption], **kwargs: Any
    ) -> RequestPermissionResponse:
        """Allow (or refuse) as configured."""
        self.permissions.append(tool_call)
        chosen = [o for o in options if o.kind == self.permission_kind]
        if not chosen:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(outcome=AllowedOutcome(outcome="selected", option_id=chosen[0].option_id))

    async def session_update(self, session_id: str, update: Any, **kwargs: Any) -> None:
        """Record the update."""
        self.updates.append(update)

    async def read_text_file(
        self, session_id: str, path: str, line: int | None = None, limit: int | None = None, **kwargs: Any
    ) -> ReadTextFileResponse:
        """The file from disk, or the text already written to it through us."""
        self.reads.append(path)
        if path in self.writes:
            text = self.writes[path]
        else:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                raise RequestError.resource_not_found(path) from error
        if line is not None or limit is not None:
            lines = text.splitlines(keepends=True)
            start = max(0, (line or 1) - 1)
            text = "".join(lines[start : start + limit if limit is not None else None])
        return ReadTextFileResponse(content=text)

    async def write_text_file(
        self, session_id: str, path: str, content: str, **kwargs: Any
    ) -> WriteTextFileResponse | None:
        """Capture the write without touching the disk."""
        self.writes[path] = content
        return WriteTextFileResponse()

    def message_text(self) -> str:
        """The agent's answer text, joined from its message chunks."""
        return "".join(
            getattr(u.content, "text", "")
            for u in self.updates
            if getattr(u, "session_update", None) == "agent_message_chunk"
        )
