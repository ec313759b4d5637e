"""``claif.proposal``, ``claif.accept``, ``claif.reject``, ``claif.applyPatch``: thin handlers over
:mod:`claif_lsp.features.review_flow`, imported on first use to keep start-up lean."""

from __future__ import annotations

from typing import Any

from claif_lsp import commands
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register the review commands."""

    @server.command(commands.PROPOSAL)
    def proposal_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import ProposalArgs, parse_args
        from claif_lsp.features.review_flow import show

        return show(ls, parse_args(ProposalArgs, raw))

    @server.command(commands.ACCEPT)
    async def accept_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import DecisionArgs, parse_args
        from claif_lsp.features.review_flow import accept, decide

        record, hunk_ids = decide(ls, parse_args(DecisionArgs, raw))
        return await accept(ls, record, hunk_ids)

    @server.command(commands.REJECT)
    def reject_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import DecisionArgs, parse_args
        from claif_lsp.features.review_flow import reject

        return reject(ls, parse_args(DecisionArgs, raw))

    @server.command(commands.APPLY_PATCH)
    async def apply_patch_command(ls: ClaifLanguageServer, *raw: Any) -> dict[str, Any]:
        from claif_lsp.command_args import ApplyPatchArgs, parse_args
        from claif_lsp.features.review_flow import apply_patch

        return await apply_patch(ls, parse_args(ApplyPatchArgs, raw))
