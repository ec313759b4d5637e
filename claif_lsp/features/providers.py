"""``claif.providers`` (every installed provider with its status) and ``claif.settings`` (what is in effect)."""

from __future__ import annotations

from typing import Any

from claif_lsp import commands
from claif_lsp.server import ClaifLanguageServer


def register(server: ClaifLanguageServer) -> None:
    """Register ``claif.providers`` and ``claif.settings``."""

    @server.command(commands.PROVIDERS)
    async def list_providers(ls: ClaifLanguageServer, *args: Any) -> dict[str, Any]:
        """Providers as seen from the folder of ``{"uri": ...}`` (the first folder without one)."""
        await ls.state.wait_for_settings()
        settings = ls.state.settings_for(_uri(args))
        return {
            "active": ls.registry.resolve(settings=settings),
            "configured": settings.provider,
            "providers": [r.model_dump(mode="json", by_alias=True) for r in ls.registry.reports(settings)],
        }

    @server.command(commands.SETTINGS)
    async def effective_settings(ls: ClaifLanguageServer, *args: Any) -> dict[str, Any]:
        await ls.state.wait_for_settings()
        loaded = ls.state.loaded_for(_uri(args))
        return {"settings": loaded.settings.model_dump(mode="json", by_alias=True), "problems": loaded.problems}


def _uri(args: tuple[Any, ...]) -> str | None:
    from claif_lsp.command_args import UriArgs, parse_args

    return parse_args(UriArgs, args, optional=True).uri
