"""The claif-lsp language server: a pygls server whose features live in :mod:`claif_lsp.features`."""

from __future__ import annotations

import asyncio
import contextvars
import os
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from loguru import logger
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from claif_lsp import __version__
from claif_lsp.state import ServerState

if TYPE_CHECKING:
    from claif_lsp.registry import ProviderRegistry

EXPECTED_ERROR_CODES = {-32602, -32800, -32803}
"""InvalidParams, RequestCancelled, RequestFailed: outcomes the user caused or should read, not bugs."""

CURRENT_COMMAND: contextvars.ContextVar[types.ExecuteCommandParams | None] = contextvars.ContextVar(
    "CURRENT_COMMAND", default=None
)
"""The params of the ``workspace/executeCommand`` request being handled.

pygls unpacks command arguments and hides the params, so the work-done token would be lost; the
command's task inherits this variable from the protocol handler that sets it.
"""


class ClaifProtocol(LanguageServerProtocol):
    """pygls' protocol, keeping the executeCommand params visible to the command."""

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Generator[Any, Any, Any]:
        """Remember the params, then let pygls dispatch the command."""
        CURRENT_COMMAND.set(params)
        return (yield from super().lsp_workspace__execute_command(params))


class ClaifLanguageServer(LanguageServer):
    """The server object features hang their handlers and state on."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        super().__init__(
            "claif-lsp",
            __version__,
            protocol_cls=ClaifProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=4,
        )
        self.environ: dict[str, str] = dict(environ if environ is not None else os.environ)
        self.state = ServerState()
        self._registry: ProviderRegistry | None = None

    @property
    def registry(self) -> ProviderRegistry:
        """The provider registry, built on first use (it reads package metadata and loads pydantic)."""
        if self._registry is None:
            from claif_lsp.registry import ProviderRegistry

            self._registry = ProviderRegistry(environ=self.environ)
        return self._registry

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log errors instead of popping a dialog for each provider hiccup.

        Errors we raise on purpose (bad arguments, a failed or cancelled ask) already reach the client as the
        request's error response, so they are logged quietly; anything else is a bug and logged loudly.
        """
        if isinstance(error, JsonRpcException) and error.code in EXPECTED_ERROR_CODES:
            logger.debug("request failed: {}", error)
            return
        logger.opt(exception=error).error("internal error in {}: {}", getattr(source, "__name__", source), error)

    def run_soon(self, coro: Any) -> asyncio.Task[Any]:
        """Start a background task that logs its failure instead of losing it."""
        task = asyncio.ensure_future(coro)

        def _done(t: asyncio.Task[Any]) -> None:
            if not t.cancelled() and t.exception() is not None:
                logger.opt(exception=t.exception()).error("background task failed: {}", t.exception())

        task.add_done_callback(_done)
        self.state.background.add(task)
        task.add_done_callback(self.state.background.discard)
        return task


def create_server(environ: Mapping[str, str] | None = None) -> ClaifLanguageServer:
    """A server with every feature registered."""
    from claif_lsp import features

    server = ClaifLanguageServer(environ)
    features.register_all(server)
    return server
