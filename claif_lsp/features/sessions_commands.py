"""``claif.sessions`` and ``claif.dropSession`` as JSON-RPC over :mod:`claif_lsp.core.session_list`."""

from __future__ import annotations

from typing import Any

from claif_lsp.core.session_list import Sessions
from claif_lsp.errors import ClaifError
from claif_lsp.features.arguments import parse_args
from claif_lsp.features.editor_ports import editor_for
from claif_lsp.features.rpc_errors import jsonrpc_error
from claif_lsp.protocol.models import SessionArgs, UriArgs
from claif_lsp.server import ClaifLanguageServer


def sessions(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.sessions``: the conversations, newest first (of one document's folder when ``uri`` is given)."""
    args = parse_args(UriArgs, raw, optional=True)
    return Sessions(ls.state, editor_for(ls)).list(args.uri).wire()


def drop_session(ls: ClaifLanguageServer, raw: tuple[Any, ...]) -> dict[str, Any]:
    """``claif.dropSession``: forget a conversation; its proposals are discarded."""
    args = parse_args(SessionArgs, raw)
    try:
        return Sessions(ls.state, editor_for(ls)).drop(args.session).wire()
    except ClaifError as exc:
        raise jsonrpc_error(exc) from None
