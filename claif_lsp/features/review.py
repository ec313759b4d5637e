"""``claif.proposal``, ``claif.accept``, ``claif.reject``, ``claif.applyPatch``: thin handlers over
:mod:`claif_lsp.features.review_flow`, imported on first use to keep start-up lean."""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register the review commands."""

    @server.command(protocol.PROPOSAL)
    def proposal_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_flow import show
        from claif_lsp.protocol.models import ProposalArgs, parse_args

        return show(ls, parse_args(ProposalArgs, raw))

    @server.command(protocol.ACCEPT)
    async def accept_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_flow import accept, decide
        from claif_lsp.protocol.models import DecisionArgs, parse_args

        record, hunk_ids = decide(ls, parse_args(DecisionArgs, raw))
        return await accept(ls, record, hunk_ids)

    @server.command(protocol.REJECT)
    def reject_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_flow import reject
        from claif_lsp.protocol.models import DecisionArgs, parse_args

        return reject(ls, parse_args(DecisionArgs, raw))

    @server.command(protocol.APPLY_PATCH)
    async def apply_patch_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.features.review_flow import apply_patch
        from claif_lsp.protocol.models import ApplyPatchArgs, parse_args

        return await apply_patch(ls, parse_args(ApplyPatchArgs, raw))
