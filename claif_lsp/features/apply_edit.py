"""Sending ``workspace/applyEdit`` and reading the editor's answer, whatever it is, within a bounded wait.

Only an answer ``{applied: true}`` confirms an edit, and ``{applied: false}`` refuses it; ``null``, an answer
without ``applied``, an error or no answer within the wait leave it unconfirmed (``applied`` None). When the
wait runs out the request is cancelled with ``$/cancelRequest``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from loguru import logger
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from claif_lsp.core.ports import EditOutcome
from claif_lsp.server import ClaifLanguageServer


def _read(raw: Any) -> EditOutcome:
    """The outcome of a raw ``ApplyWorkspaceEditResult`` (a dict or pygls' namedtuple of one), or of ``null``."""
    if raw is None:
        return EditOutcome(None, "the editor answered the edit with null instead of a result")
    fields = raw._asdict() if hasattr(raw, "_asdict") else raw
    if not isinstance(fields, dict) or not isinstance(fields.get("applied"), bool):
        return EditOutcome(None, "the editor's answer to the edit has no `applied` true or false")
    if fields["applied"]:
        return EditOutcome(True)
    reason = fields.get("failureReason")
    return EditOutcome(False, str(reason) if reason else "the editor did not apply the edit")


def _outcome_of(answer: asyncio.Future[Any]) -> EditOutcome:
    if answer.cancelled():
        return EditOutcome(None, "the edit request was cancelled")
    exc = answer.exception()
    if isinstance(exc, JsonRpcException):
        return EditOutcome(None, f"the editor failed to apply the edit: {exc.message}")
    if exc is not None:
        return EditOutcome(None, f"the editor's answer to the edit could not be read: {exc}")
    return _read(answer.result())


def _log_unawaited(done: asyncio.Future[Any]) -> None:
    logger.debug("an edit was answered after its accept stopped: {}", _outcome_of(done))


async def send_edit(
    ls: ClaifLanguageServer,
    params: types.ApplyWorkspaceEditParams,
    timeout: float,
    on_late_answer: Callable[[EditOutcome], None],
) -> EditOutcome:
    """Send the edit and wait at most ``timeout`` seconds; an answer after that goes to ``on_late_answer``."""
    msg_id = str(uuid.uuid4())
    request = ls.protocol.send_request(types.WORKSPACE_APPLY_EDIT, params, msg_id=msg_id)
    # The answer arrives raw (ClaifProtocol.get_result_type), so one that does not fit is read, not dropped.
    answer = asyncio.wrap_future(request)
    try:
        await asyncio.wait_for(asyncio.shield(answer), timeout)
    except TimeoutError:
        # Ask the editor not to apply it after all; one that still does is recorded by ``on_late_answer``.
        ls.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))

        def late(done: asyncio.Future[Any]) -> None:
            outcome = _outcome_of(done)
            logger.info("the editor answered an edit after {:g} s: {}", timeout, outcome)
            on_late_answer(outcome)

        answer.add_done_callback(late)
        return EditOutcome(None, f"the editor did not answer the edit within {timeout:g} s")
    except asyncio.CancelledError:
        if answer.cancelled():  # pygls gave the request up (it does at shutdown); this task goes on
            return EditOutcome(None, "the edit request was cancelled before the editor answered")
        answer.add_done_callback(_log_unawaited)
        raise
    except JsonRpcException:
        pass  # read from the future below, like any other answer
    return _outcome_of(answer)
