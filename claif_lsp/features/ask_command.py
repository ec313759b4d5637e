"""``claif.ask`` and ``claif.cancel`` as JSON-RPC: arguments to an :class:`~claif_lsp.core.ask.AskRequest`, the
outcome to a result, the core's errors to JSON-RPC errors, and every cancel path wired to the ask's task.

pygls does not cancel command tasks on ``$/cancelRequest`` (the request id maps to pygls' own wrapper
future), nor on ``window/workDoneProgress/cancel`` (it only marks the token's future). Both are wired to the
ask's task here, as is ``claif.cancel``; the core then stops at whichever ``await`` it is in.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pygls.exceptions import JsonRpcRequestCancelled

from claif_lsp.context import DiagnosticView
from claif_lsp.core.ask import Ask, AskOutcome, AskRequest, Selection
from claif_lsp.errors import ClaifError
from claif_lsp.features.arguments import parse_args
from claif_lsp.features.editor_ports import EditorProgress, editor_for
from claif_lsp.features.rpc_errors import jsonrpc_error
from claif_lsp.protocol.models import AskArgs, AskCancelledResult, CancelArgs, CancelResult, Diagnostic
from claif_lsp.server import CURRENT_COMMAND, ClaifLanguageServer
from claif_lsp.state import RunningAsk

SEVERITIES = {1: "error", 2: "warning", 3: "information", 4: "hint"}


def cancel(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """Stop the running asks the argument names (all of them when it names none)."""
    args = parse_args(CancelArgs, raw, optional=True)
    cancelled = []
    for running in list(ls.state.running.values()):
        if args.request is None or args.request in (running.request_id, running.token):
            running.stop()
            cancelled.append(running.request_id)
    return CancelResult(cancelled=cancelled).wire()


def diagnostic_view(diagnostic: Diagnostic) -> DiagnosticView:
    """The core's view of a diagnostic the client sent."""
    return DiagnosticView(
        start_line=diagnostic.range.start.line,
        end_line=diagnostic.range.end.line,
        message=diagnostic.message,
        severity=SEVERITIES.get(diagnostic.severity or 0),
        source=diagnostic.source,
        code=str(diagnostic.code) if diagnostic.code is not None else None,
    )


def ask_request(args: AskArgs, request_id: str | None = None) -> AskRequest:
    """The core's request for the command's arguments."""
    diagnostics = [diagnostic_view(d) for d in args.diagnostics or []]
    if args.diagnostic is not None:
        diagnostics.insert(0, diagnostic_view(args.diagnostic))
    rng = args.range
    return AskRequest(
        uri=args.uri,
        selection=Selection(rng.start.line, rng.start.character, rng.end.line, rng.end.character),
        action=args.action,
        instruction=args.instruction,
        provider=args.provider,
        providers=args.providers,
        diagnostics=diagnostics,
        request_id=request_id,
    )


def _link_request_cancellation(ls: ClaifLanguageServer, task: asyncio.Task[Any]) -> bool:
    """Cancel ``task`` on ``$/cancelRequest``; False when the request was cancelled already."""
    # Private pygls API (see pygls-2 notes, 1.6); tests/lsp/test_cancel.py guards it.
    msg_id = ls.protocol.msg_id
    if msg_id is None:
        return True
    # pygls pops the request's future when the cancel arrives, so a missing one was cancelled before we ran.
    outer = ls.protocol._request_futures.get(msg_id)
    if outer is None or outer.cancelled():
        return False
    outer.add_done_callback(lambda f: f.cancelled() and task.cancel())
    return True


async def run_ask(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """Run one ask and answer its proposal ids or its answer."""
    args = parse_args(AskArgs, raw)

    def work(progress: EditorProgress, request_id: str) -> Awaitable[AskOutcome]:
        ask = Ask(ls.state, editor_for(ls), ls.registry, progress)
        return ask.run(ask_request(args, request_id))

    return await run_cancellable(ls, args.request_id, work)


async def run_cancellable(
    ls: ClaifLanguageServer,
    request_id: str | None,
    work: Callable[[EditorProgress, str], Awaitable[AskOutcome]],
) -> dict[str, Any]:
    """Run an ask-like command (an ask, a refine, a retry) that every cancel path can stop, and answer its outcome.

    It is registered for every cancel path before its first ``await``, so a cancel that arrives while it waits
    on settings, a picker or progress creation stops it too.
    """
    request_id = request_id or str(uuid.uuid4())
    command = CURRENT_COMMAND.get()
    client_token = command.work_done_token if command else None
    task = asyncio.current_task()
    assert task is not None
    running = RunningAsk(request_id=request_id, task=task, token=client_token)
    ls.state.running[request_id] = running
    try:
        if not _link_request_cancellation(ls, task):
            raise asyncio.CancelledError
        return (await work(EditorProgress(ls, running, client_token), request_id)).wire()
    except asyncio.CancelledError:
        if running.stopped_by_user:
            # Some clients (Neovim) drop RequestCancelled replies without calling back; a plain answer
            # lets every plugin see the outcome of a cancel it asked for.
            return AskCancelledResult(proposals=[], cancelled=True).wire()
        raise JsonRpcRequestCancelled("cancelled") from None
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None
    finally:
        ls.state.running.pop(request_id, None)
