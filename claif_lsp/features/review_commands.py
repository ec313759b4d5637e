"""The review commands as JSON-RPC: arguments to :class:`~claif_lsp.core.review.Review` calls, its errors to
JSON-RPC errors."""

from __future__ import annotations

from typing import Any

from claif_lsp.core.review import Review
from claif_lsp.errors import ClaifError
from claif_lsp.features.arguments import parse_args
from claif_lsp.features.editor_ports import editor_for
from claif_lsp.features.rpc_errors import jsonrpc_error
from claif_lsp.protocol.models import ApplyPatchArgs, DecisionArgs, ProposalArgs
from claif_lsp.server import ClaifLanguageServer


def _review(ls: ClaifLanguageServer) -> Review:
    return Review(ls.state, editor_for(ls))


def show(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.proposal``: the proposal as editor plugins see it."""
    args = parse_args(ProposalArgs, raw)
    try:
        return _review(ls).show(args.proposal).wire()
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None


async def accept(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.accept``: apply some hunks (all pending ones by default)."""
    args = parse_args(DecisionArgs, raw)
    try:
        return (await _review(ls).accept(args.proposal, args.hunks)).wire()
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None


def reject(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.reject``: drop some hunks (all undecided ones by default)."""
    args = parse_args(DecisionArgs, raw)
    try:
        return _review(ls).reject(args.proposal, args.hunks).wire()
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None


async def apply_patch(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.applyPatch``: a pasted patch becomes a proposal."""
    args = parse_args(ApplyPatchArgs, raw)
    try:
        return (await _review(ls).apply_patch(args.patch, args.root)).wire()
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None
