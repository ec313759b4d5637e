"""``claif.ask`` and ``claif.cancel``: thin handlers over :mod:`claif_lsp.features.ask_flow`.

The flow (context, prompts, providers, the patch engine) is imported on first use, so none of it, nor
pydantic, is loaded before the server has answered ``initialize``.
"""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.ask`` and ``claif.cancel``."""

    @server.command(protocol.ASK)
    async def ask_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.ask_flow import run_ask
        from claif_lsp.protocol.models import AskArgs, parse_args

        return await run_ask(ls, parse_args(AskArgs, raw))

    @server.command(protocol.CANCEL)
    def cancel_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.ask_flow import cancel
        from claif_lsp.protocol.models import CancelArgs, parse_args

        return cancel(ls, parse_args(CancelArgs, raw, optional=True))
