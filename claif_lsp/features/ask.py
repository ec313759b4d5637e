"""``claif.ask`` and ``claif.cancel``: thin handlers over :mod:`claif_lsp.features.ask_flow`.

The flow (context, prompts, providers, the patch engine) is imported on first use, so none of it, nor
pydantic, is loaded before the server has answered ``initialize``.
"""

from __future__ import annotations

from typing import Any

from claif_lsp import commands
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.ask`` and ``claif.cancel``."""

    @server.command(commands.ASK)
    async def ask_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import AskArgs, parse_args
        from claif_lsp.features.ask_flow import run_ask

        return await run_ask(ls, parse_args(AskArgs, raw))

    @server.command(commands.CANCEL)
    def cancel_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import CancelArgs, parse_args
        from claif_lsp.features.ask_flow import cancel

        return cancel(ls, parse_args(CancelArgs, raw, optional=True))
