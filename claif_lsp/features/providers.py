"""``claif.providers`` (every installed provider with its status) and ``claif.settings`` (what is in effect)."""

from __future__ import annotations

from typing import Any

from claif_lsp import protocol
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.providers`` and ``claif.settings``."""

    @server.command(protocol.PROVIDERS)
    async def list_providers(ls: ClaifLanguageServer, *args: Any) -> dict[str, Any]:
        """Providers as seen from the folder of ``{"uri": ...}`` (the first folder without one)."""
        from claif_lsp.features.arguments import parse_args  # pydantic: not at start-up
        from claif_lsp.protocol.models import ProvidersResult, UriArgs

        uri = parse_args(UriArgs, args, optional=True).uri
        await ls.state.wait_for_settings()
        settings = ls.state.settings_for(uri)
        return ProvidersResult(
            active=ls.registry.active(settings),
            configured=settings.provider,
            providers=ls.registry.reports(settings),
        ).wire()

    @server.command(protocol.SETTINGS)
    async def effective_settings(ls: ClaifLanguageServer, *args: Any) -> dict[str, Any]:
        """The settings in effect for the folder of ``{"uri": ...}`` and the problems found reading them."""
        from claif_lsp.features.arguments import parse_args  # pydantic: not at start-up
        from claif_lsp.protocol.models import SettingsResult, UriArgs

        uri = parse_args(UriArgs, args, optional=True).uri
        await ls.state.wait_for_settings()
        loaded = ls.state.loaded_for(uri)
        return SettingsResult(
            settings=loaded.settings.model_dump(mode="json", by_alias=True), problems=loaded.problems
        ).wire()
