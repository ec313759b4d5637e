"""``claif.ask`` and ``claif.cancel``: registration over :mod:`claif_lsp.features.ask_command`.

The command module (and through it the core: context, prompts, providers, the patch engine, pydantic) is
imported on first use, so none of it is loaded before the server has answered ``initialize``.
"""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.ask`` and ``claif.cancel``."""

    @server.command(protocol.ASK)
    async def ask_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.ask_command import run_ask  # deferred: keeps start-up lean (see above)

        return await run_ask(ls, raw)

    @server.command(protocol.CANCEL)
    def cancel_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.ask_command import cancel  # deferred: keeps start-up lean (see above)

        return cancel(ls, raw)
