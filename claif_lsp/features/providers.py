"""The ``claif.providers`` command: every installed provider with its status."""

from __future__ import annotations

from typing import Any

from claif_lsp.server import ClaifLanguageServer

PROVIDERS_COMMAND = "claif.providers"


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.providers``."""

    @server.command(PROVIDERS_COMMAND)
    def list_providers(ls: ClaifLanguageServer, *args: Any) -> dict[str, Any]:
        settings = ls.state.settings_for()
        return {
            "active": ls.registry.resolve(),
            "configured": settings.provider,
            "providers": [r.model_dump(mode="json", by_alias=True) for r in ls.registry.reports()],
        }
