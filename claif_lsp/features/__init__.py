"""LSP glue: one module per LSP surface, each with a ``register(server)`` function."""

from __future__ import annotations

from collections.abc import Mapping

from claif_lsp.features import ask, code_actions, code_lens, conversation, follow_edits, lifecycle, providers, review
from claif_lsp.server import ClaifLanguageServer


def register_all(server: ClaifLanguageServer) -> None:
    """Register every feature's handlers on ``server``."""
    for feature in (lifecycle, providers, code_actions, code_lens, follow_edits, ask, review, conversation):
        feature.register(server)


def create_server(environ: Mapping[str, str] | None = None) -> ClaifLanguageServer:
    """A server with every feature registered."""
    server = ClaifLanguageServer(environ)
    register_all(server)
    return server
