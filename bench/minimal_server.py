"""The baseline: the smallest pygls 2 server that answers initialize, codeAction and a no-op command."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("minimal", "1")


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """One fixed action, like a server that answers from the request alone."""
    return [types.CodeAction(title="Do nothing", kind=types.CodeActionKind.RefactorRewrite)]


@server.command("bench.noop")
async def noop(ls: LanguageServer, *args: Any) -> dict[str, Any]:
    """Answer at once: the floor under any ``workspace/executeCommand`` round trip."""
    return {"proposals": []}


if __name__ == "__main__":
    server.start_io()
