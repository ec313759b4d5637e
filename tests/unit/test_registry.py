"""The provider registry's readiness: fresh for asks, cached for code actions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from claif_lsp.provider import BaseProvider
from claif_lsp.registry import NO_PROVIDER, OFFLINE_PROVIDER, NoProviderReadyError, ProviderEntry, ProviderRegistry
from claif_lsp.settings import ProviderSettings, Settings
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
    nothing_ready = Settings(
        provider="auto", auto_order=["missing"], providers={"counting": ProviderSettings(enabled=False)}
    )
    # Nothing ready and no offline provider installed: the ask says what each provider needs.
    with pytest.raises(
        NoProviderReadyError, match=r"^no provider is ready: every installed one is disabled in settings \(counting\)"
    ) as e:
        registry_.resolve(settings=nothing_ready)
    assert "missing" not in str(e.value)
    assert registry_.resolve(settings=nothing_ready, cached=True) == OFFLINE_PROVIDER, "code actions still list"
    assert registry_.active(nothing_ready) == NO_PROVIDER


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


class OptionProvider(BaseProvider):
    """A plugin that is ready when its settings say ``options.ready``."""

    def status(self) -> ProviderStatus:
        ready = bool(self.settings.options.get("ready"))
        return ProviderStatus(state=ProviderState.READY if ready else ProviderState.NEEDS_CONFIG)

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError
        yield  # pragma: no cover


def plugins(*names: str) -> ProviderRegistry:
    value = f"{__name__}:OptionProvider"
    entries = {name: ProviderEntry(name=name, value=value, distribution="tests", version="0") for name in names}
    return ProviderRegistry(entries=entries, environ={})


def ready(*names: str) -> dict[str, ProviderSettings]:
    return {name: ProviderSettings(options={"ready": True}) for name in names}


def test_auto_chooses_a_ready_provider_missing_from_auto_order() -> None:
    registry_ = plugins("zeta", "alpha", "ordered", OFFLINE_PROVIDER)
    only_third_party = Settings(provider="auto", auto_order=["ordered"], providers=ready("zeta", OFFLINE_PROVIDER))
    assert registry_.resolve(settings=only_third_party) == "zeta"
    assert registry_.resolve(settings=only_third_party, cached=True) == "zeta"
    # Several outside autoOrder: name order, so the choice never depends on installation order.
    two = Settings(provider="auto", auto_order=["ordered"], providers=ready("zeta", "alpha"))
    assert registry_.resolve(settings=two) == "alpha"
    assert registry_.ready_providers(two) == ["alpha", "zeta"]
    # autoOrder still comes first, and the offline provider stays the last resort.
    listed = Settings(provider="auto", auto_order=["ordered"], providers=ready("zeta", "ordered"))
    assert registry_.resolve(settings=listed) == "ordered"
    assert registry_.resolve(settings=Settings(provider="auto", providers=ready(OFFLINE_PROVIDER))) == OFFLINE_PROVIDER
    assert registry_.resolve(settings=Settings(provider="auto", auto_order=[])) == OFFLINE_PROVIDER


def test_nothing_ready_names_each_enabled_providers_reason_in_auto_order() -> None:
    registry_ = plugins("zeta", "alpha", "ordered")
    settings = Settings(provider="auto", auto_order=["ordered"], providers={"alpha": ProviderSettings(enabled=False)})
    message = registry_.nothing_ready_message(settings)
    assert message.startswith("no provider is ready: ordered: ")
    assert message.index("ordered: ") < message.index("zeta: ") and "alpha" not in message
    assert "no provider is ready: none is installed" in ProviderRegistry(entries={}, environ={}).nothing_ready_message()
