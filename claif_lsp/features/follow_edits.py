"""``textDocument/didChange``: once the user's typing settles, the proposals in that document follow its text.

Checked after a short quiet spell rather than on each keystroke: re-placing hunks costs a search of the file per
hunk, and an undo arrives as one change anyway. Code actions and lenses also follow at once when asked (see
:meth:`claif_lsp.core.review.Review.follow`), so what they show never waits for this.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import to_fs_path

from claif_lsp.server import ClaifLanguageServer

QUIET_SECONDS = 0.3
"""How long a document stays unchanged before its proposals follow it."""


def follow_now(ls: ClaifLanguageServer, uri: str) -> None:
    """Re-place the document's proposals on its text now (and reopen undone hunks)."""
    path = _path(uri)
    if path is None or not ls.state.proposals_touching(path):  # code actions come on every cursor move
        return
    # Deferred: the core (pydantic, the patch engine) loads with the first proposal, not at start-up.
    from claif_lsp.core.review import Review
    from claif_lsp.features.editor_ports import editor_for

    Review(ls.state, editor_for(ls)).follow(uri)


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def register(server: ClaifLanguageServer) -> None:
    """Register the change listener."""
    waiting: dict[str, asyncio.TimerHandle] = {}

    def follow_later(ls: ClaifLanguageServer, uri: str) -> None:
        waiting.pop(uri, None)
        if unquote(uri) in ls.workspace.text_documents:  # closed meanwhile: nothing to follow
            follow_now(ls, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ClaifLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        earlier = waiting.pop(uri, None)
        if earlier is not None:
            earlier.cancel()
        path = _path(uri)
        if path is None or not ls.state.proposals_touching(path):
            return
        waiting[uri] = asyncio.get_running_loop().call_later(QUIET_SECONDS, follow_later, ls, uri)
