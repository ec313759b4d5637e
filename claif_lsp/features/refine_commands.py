"""``claif.refine`` and ``claif.retry`` as JSON-RPC: arguments to a
:class:`~claif_lsp.core.refine.FollowUpRequest`, run and cancelled as an ask is
(:func:`~claif_lsp.features.ask_command.run_cancellable`)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from claif_lsp.core.ask import AskOutcome
from claif_lsp.core.refine import Conversation, FollowUpRequest
from claif_lsp.features.arguments import parse_args
from claif_lsp.features.ask_command import diagnostic_view, run_cancellable
from claif_lsp.features.editor_ports import EditorProgress, editor_for
from claif_lsp.protocol.models import RefineArgs, RetryArgs
from claif_lsp.server import ClaifLanguageServer


def _conversation(ls: ClaifLanguageServer, progress: EditorProgress) -> Conversation:
    return Conversation(ls.state, editor_for(ls), ls.registry, progress)


async def refine(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.refine``: the proposal's next revision from the user's feedback (or a diagnostic still there)."""
    args = parse_args(RefineArgs, raw)

    def work(progress: EditorProgress, request_id: str) -> Awaitable[AskOutcome]:
        request = FollowUpRequest(
            proposal=args.proposal,
            feedback=args.feedback,
            hunks=args.hunks,
            diagnostic=diagnostic_view(args.diagnostic) if args.diagnostic else None,
            request_id=request_id,
        )
        return _conversation(ls, progress).refine(request)

    return await run_cancellable(ls, args.request_id, work)


async def retry(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.retry``: the proposal's ask again, past the cache, as its next revision."""
    args = parse_args(RetryArgs, raw)

    def work(progress: EditorProgress, request_id: str) -> Awaitable[AskOutcome]:
        request = FollowUpRequest(proposal=args.proposal, request_id=request_id)
        return _conversation(ls, progress).retry(request)

    return await run_cancellable(ls, args.request_id, work)
