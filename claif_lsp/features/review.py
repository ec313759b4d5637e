"""``claif.proposal``, ``claif.accept``, ``claif.reject``, ``claif.applyPatch``: registration over
:mod:`claif_lsp.features.review_commands`, imported on first use to keep start-up lean."""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register the review protocol."""

    @server.command(protocol.PROPOSAL)
    def proposal_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_commands import show  # deferred: keeps start-up lean

        return show(ls, raw)

    @server.command(protocol.ACCEPT)
    async def accept_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_commands import accept  # deferred: keeps start-up lean

        return await accept(ls, raw)

    @server.command(protocol.REJECT)
    def reject_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_commands import reject  # deferred: keeps start-up lean

        return reject(ls, raw)

    @server.command(protocol.APPLY_PATCH)
    async def apply_patch_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_commands import apply_patch  # deferred: keeps start-up lean

        return await apply_patch(ls, raw)
