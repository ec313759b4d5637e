"""The baseline: the smallest pygls 2 server that answers initialize and codeAction."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("minimal", "1")


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """One fixed action, like a server that answers from the request alone."""
    return [types.CodeAction(title="Do nothing", kind=types.CodeActionKind.RefactorRewrite)]


if __name__ == "__main__":
    server.start_io()
