"""The provider registry's readiness: fresh for asks, cached for code actions."""

from __future__ import annotations

from collections.abc import AsyncIterator

from claif_lsp.provider import BaseProvider
from claif_lsp.registry import OFFLINE_PROVIDER, ProviderEntry, ProviderRegistry
from claif_lsp.settings import Settings
from claif_lsp.types import ClaifOptions, ProviderState, ProviderStatus, StreamEvent

STATUS_CALLS: list[str] = []


class CountingProvider(BaseProvider):
    """A plugin whose status() is counted, standing in for one that reads its login state from disk."""

    name = "counting"

    def status(self) -> ProviderStatus:
        STATUS_CALLS.append(self.name)
        return ProviderStatus(state=ProviderState.READY)

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError
        yield  # pragma: no cover


def registry() -> ProviderRegistry:
    entry = ProviderEntry(name="counting", value=f"{__name__}:CountingProvider", distribution="tests", version="0")
    return ProviderRegistry(entries={"counting": entry}, environ={})


def test_auto_resolves_to_the_first_ready_provider_and_checks_each_time() -> None:
    STATUS_CALLS.clear()
    registry_ = registry()
    settings = Settings(provider="auto", auto_order=["missing", "counting"])
    assert registry_.resolve(settings=settings) == "counting"
    assert registry_.resolve(settings=settings) == "counting"
    assert len(STATUS_CALLS) == 2
    assert registry_.resolve(settings=Settings(provider="auto", auto_order=["missing"])) == OFFLINE_PROVIDER


def test_cached_resolve_checks_status_once_within_the_cache_age() -> None:
    STATUS_CALLS.clear()
    registry_ = registry()
    settings = Settings(provider="auto", auto_order=["counting"])
    for _ in range(5):
        assert registry_.resolve(settings=settings, cached=True) == "counting"
    assert len(STATUS_CALLS) == 1
    registry_.update_settings(settings)  # new settings clear the cache: the next resolve looks again
    assert registry_.resolve(settings=settings, cached=True) == "counting"
    assert len(STATUS_CALLS) == 2
