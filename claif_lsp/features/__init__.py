"""LSP glue: one module per LSP surface, each with a ``register(server)`` function."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claif_lsp.server import ClaifLanguageServer


def register_all(server: ClaifLanguageServer) -> None:
    """Register every feature's handlers on ``server``."""
    from claif_lsp.features import ask, code_actions, code_lens, lifecycle, providers, review

    for feature in (lifecycle, providers, code_actions, code_lens, ask, review):
        feature.register(server)
