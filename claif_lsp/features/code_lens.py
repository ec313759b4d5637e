"""``textDocument/codeLens``: Accept / Reject / Accept all / Reject all above every pending hunk, and Drop stale
hunk above a hunk whose lines the user changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from claif_lsp import protocol
from claif_lsp.features.follow_edits import follow_now
from claif_lsp.server import ClaifLanguageServer


def _lens(line: int, title: str, command: str, argument: dict[str, Any]) -> types.CodeLens:
    position = types.Position(line=line, character=0)
    return types.CodeLens(
        range=types.Range(start=position, end=position),
        command=types.Command(title=title, command=command, arguments=[argument]),
    )


def code_lenses(ls: ClaifLanguageServer, uri: str) -> list[types.CodeLens]:
    """Lenses for the pending and stale hunks of the document at ``uri``."""
    fs_path = to_fs_path(uri)
    if not fs_path:
        return []
    follow_now(ls, uri)
    lenses = []
    doc = ls.workspace.text_documents.get(uri)
    last_line = max(0, len(doc.lines) - 1) if doc is not None else None
    for record, _file, hunk in ls.state.proposals.reviewable_in(Path(fs_path)):
        line = hunk.start_line
        one = {"proposal": record.id, "hunks": [hunk.id]}
        whole = {"proposal": record.id}
        if record.is_stale(hunk.id):
            # Its last known place; the buffer may have shrunk below it since.
            line = min(line, last_line) if last_line is not None else line
            lenses.append(_lens(line, "Drop stale hunk", protocol.REJECT, one))
            continue
        lenses += [
            _lens(line, "Accept", protocol.ACCEPT, one),
            _lens(line, "Reject", protocol.REJECT, one),
            _lens(line, "Accept all", protocol.ACCEPT, whole),
            _lens(line, "Reject all", protocol.REJECT, whole),
        ]
    return lenses


def register(server: ClaifLanguageServer) -> None:
    """Register the code lens provider."""

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def on_code_lens(ls: ClaifLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        # Built from the client's settings, as the menu is, not from the defaults of the first moments after start.
        await ls.state.wait_for_settings()
        return code_lenses(ls, params.text_document.uri)
