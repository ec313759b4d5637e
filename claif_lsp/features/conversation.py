"""``claif.refine``, ``claif.retry``, ``claif.sessions`` and ``claif.dropSession``: registration over
:mod:`claif_lsp.features.refine_commands` and :mod:`claif_lsp.features.sessions_commands`, imported on first use
to keep start-up lean."""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register the conversation commands."""

    @server.command(protocol.REFINE)
    async def refine_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.refine_commands import refine  # deferred: keeps start-up lean

        return await refine(ls, raw)

    @server.command(protocol.RETRY)
    async def retry_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.refine_commands import retry  # deferred: keeps start-up lean

        return await retry(ls, raw)

    @server.command(protocol.SESSIONS)
    def sessions_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.sessions_commands import sessions  # deferred: keeps start-up lean

        return sessions(ls, raw)

    @server.command(protocol.DROP_SESSION)
    def drop_session_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.sessions_commands import drop_session  # deferred: keeps start-up lean

        return drop_session(ls, raw)
