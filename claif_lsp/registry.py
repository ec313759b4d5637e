"""Find providers through ``claif.providers`` entry points, import each on first use, isolate failures.

Discovery reads package metadata only; no provider module is imported until a provider is asked for its
status or a query. A provider that fails to import, construct or connect is reported with its reason and
never takes the server down.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from loguru import logger
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from claif_lsp.errors import ProviderError, ProviderInitError, ProviderNotFoundError
from claif_lsp.provider import BaseProvider
from claif_lsp.settings import AUTO_PROVIDER, OFFLINE_PROVIDER, Settings
from claif_lsp.types import ProviderState, ProviderStatus

ENTRY_POINT_GROUP = "claif.providers"
NO_PROVIDER = "none"
"""What ``active`` says when no provider can answer."""


class NoProviderReadyError(ProviderNotFoundError):
    """``auto`` found no provider that can answer; the message says what to set."""


@dataclass(frozen=True)
class ProviderEntry:
    """A discovered, not yet imported, provider."""

    name: str
    value: str
    distribution: str
    version: str


class ProviderReport(BaseModel):
    """What ``claif-lsp providers`` and the ``claif.providers`` command show for one provider."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    name: str
    display_name: str
    distribution: str
    version: str
    state: ProviderState
    reason: str
    enabled: bool = True


def discover_entries() -> dict[str, ProviderEntry]:
    """Entry points of the ``claif.providers`` group, by name, without importing them."""
    found: dict[str, ProviderEntry] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, _entry(ep))
    return found


def _entry(ep: EntryPoint) -> ProviderEntry:
    dist = ep.dist
    return ProviderEntry(
        name=ep.name,
        value=ep.value,
        distribution=dist.name if dist else "?",
        version=dist.version if dist else "?",
    )


class ProviderRegistry:
    """Providers by name: discovered eagerly, imported and configured lazily.

    Every method that depends on settings takes the settings of the folder it works for (the window-wide
    ``self.settings`` when omitted). One instance exists per provider and distinct provider settings, so
    two folders with different models, base URLs or keys never share a configured client.
    """

    def __init__(self, entries: Mapping[str, ProviderEntry] | None = None, environ: Mapping[str, str] | None = None):
        self.entries: dict[str, ProviderEntry] = dict(entries if entries is not None else discover_entries())
        self.environ: Mapping[str, str] = dict(environ if environ is not None else os.environ)
        self._instances: dict[tuple[str, str], BaseProvider] = {}
        self._failures: dict[str, str] = {}
        """Import or construction failures by provider name (permanent: the code will not change)."""
        self._connect_failures: dict[tuple[str, str], str] = {}
        """Connect failures by instance; cleared when settings change, so the next use retries."""
        self._connected: set[tuple[str, str]] = set()
        self.settings = Settings()
        self._ready_cache: dict[str, tuple[float, list[str]]] = {}

    def names(self) -> list[str]:
        """Names of all discovered providers, sorted."""
        return sorted(self.entries)

    def update_settings(self, settings: Settings) -> None:
        """Use ``settings`` as the window-wide settings; providers that failed to connect may try again."""
        self.settings = settings
        self._ready_cache.clear()
        self._connect_failures.clear()

    def _key(self, name: str, settings: Settings | None) -> tuple[str, str]:
        chosen = (settings or self.settings).provider_settings(name)
        return name, chosen.model_dump_json()

    def get(self, name: str, settings: Settings | None = None) -> BaseProvider:
        """The provider called ``name`` configured with ``settings``, imported and configured on first use."""
        key = self._key(name, settings)
        if key in self._instances:
            return self._instances[key]
        entry = self.entries.get(name)
        if entry is None:
            known = ", ".join(self.names()) or "none"
            raise ProviderNotFoundError(f"no provider named {name!r} is installed (installed: {known})", provider=name)
        if name in self._failures:
            raise ProviderInitError(self._failures[name], provider=name)
        try:
            cls = EntryPoint(name=entry.name, value=entry.value, group=ENTRY_POINT_GROUP).load()
            instance = cls()
            if not isinstance(instance, BaseProvider):
                raise TypeError(f"{entry.value} is not a claif_lsp.provider.BaseProvider")
            instance.configure((settings or self.settings).provider_settings(name), self.environ)
        except Exception as exc:  # a broken plugin must never take the server down
            reason = f"failed to load {entry.value} from {entry.distribution}: {type(exc).__name__}: {exc}"
            logger.warning("provider {}: {}", name, reason)
            self._failures[name] = reason
            raise ProviderInitError(reason, provider=name) from exc
        self._instances[key] = instance
        return instance

    async def connected(self, name: str, settings: Settings | None = None) -> BaseProvider:
        """The provider, connected once; a failed connect is remembered until settings change."""
        key = self._key(name, settings)
        provider = self.get(name, settings)
        if key in self._connect_failures:
            raise ProviderInitError(self._connect_failures[key], provider=name)
        if key not in self._connected:
            try:
                await provider.connect()
            except Exception as exc:
                reason = f"connect failed: {exc or type(exc).__name__}"
                logger.warning("provider {}: {}", name, reason)
                self._connect_failures[key] = reason
                self._ready_cache.clear()
                raise ProviderInitError(f"{reason} (change its settings to try again)", provider=name) from exc
            self._connected.add(key)
        return provider

    async def close(self) -> None:
        """Disconnect every connected provider."""
        for key in list(self._connected):
            try:
                await self._instances[key].disconnect()
            except Exception as exc:
                logger.warning("provider {}: disconnect failed: {}", key[0], exc)
        self._connected.clear()

    def status(self, name: str, settings: Settings | None = None) -> ProviderStatus:
        """A provider's status; import, connect or status failures become ERROR with the reason."""
        try:
            provider = self.get(name, settings)
        except ProviderNotFoundError as exc:
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=exc.message)
        except ProviderInitError as exc:
            return ProviderStatus(state=ProviderState.ERROR, reason=exc.message)
        if not (settings or self.settings).provider_settings(name).enabled:
            return ProviderStatus(state=ProviderState.ERROR, reason="disabled in settings")
        failure = self._connect_failures.get(self._key(name, settings))
        if failure is not None:
            return ProviderStatus(state=ProviderState.ERROR, reason=failure)
        try:
            return provider.status()
        except Exception as exc:
            return ProviderStatus(state=ProviderState.ERROR, reason=f"status failed: {exc}")

    def display_name(self, name: str) -> str:
        """The provider's human name, falling back to its entry-point name."""
        try:
            provider = self.get(name)
        except ProviderError:
            return name
        return getattr(provider, "display_name", "") or name

    def reports(self, settings: Settings | None = None) -> list[ProviderReport]:
        """One report per discovered provider."""
        reports = []
        for name in self.names():
            status = self.status(name, settings)
            entry = self.entries[name]
            reports.append(
                ProviderReport(
                    name=name,
                    display_name=self.display_name(name),
                    distribution=entry.distribution,
                    version=entry.version,
                    state=status.state,
                    reason=status.reason,
                    enabled=(settings or self.settings).provider_settings(name).enabled,
                )
            )
        return reports

    def auto_candidates(self, settings: Settings | None = None) -> list[str]:
        """Installed providers in the order ``auto`` tries them: ``autoOrder``, then the others by name.

        A third-party provider missing from ``autoOrder`` is still chosen when it is the only one ready; the
        offline replay provider stays the last resort.
        """
        order = [*(settings or self.settings).auto_order, *self.names()]
        return [name for i, name in enumerate(order) if name in self.entries and name not in order[:i]]

    def ready_providers(self, settings: Settings | None = None) -> list[str]:
        """Names of providers that can answer now, in ``autoOrder`` then name order."""
        return [name for name in self.auto_candidates(settings) if self.status(name, settings).ready]

    def cached_ready(self, max_age: float = 30.0, settings: Settings | None = None) -> list[str]:
        """Ready providers, recomputed at most every ``max_age`` seconds (code actions must answer at once)."""
        now = time.monotonic()
        key = (settings or self.settings).model_dump_json(include={"auto_order", "providers"})
        cached = self._ready_cache.get(key)
        if cached is None or now - cached[0] > max_age:
            cached = self._ready_cache[key] = (now, self.ready_providers(settings))
        return cached[1]

    def resolve(self, requested: str | None = None, settings: Settings | None = None, *, cached: bool = False) -> str:
        """The provider to use: ``requested``, the configured one, or for ``auto`` the first ready one.

        ``cached`` reads readiness from :meth:`cached_ready`: code actions resolve on every cursor move, and a
        status check may read files (a CLI's login state) or search PATH. With nothing ready and no offline
        provider installed, an uncached resolve raises :class:`NoProviderReadyError` saying what to set.
        """
        chosen = settings or self.settings
        name = requested or chosen.provider
        if name != AUTO_PROVIDER:
            return name
        ready = set(self.cached_ready(settings=settings)) if cached else None
        for candidate in self.auto_candidates(settings):
            if candidate == OFFLINE_PROVIDER:
                continue
            if candidate in ready if ready is not None else self.status(candidate, settings).ready:
                return candidate
        if OFFLINE_PROVIDER not in self.entries and not cached:
            raise NoProviderReadyError(self.nothing_ready_message(settings))
        return OFFLINE_PROVIDER

    def active(self, settings: Settings | None = None) -> str:
        """The provider an ask without ``provider`` would use, or ``none`` when nothing can answer."""
        try:
            return self.resolve(settings=settings)
        except NoProviderReadyError:
            return NO_PROVIDER

    def nothing_ready_message(self, settings: Settings | None = None) -> str:
        """What to set when no provider is ready, from each enabled provider's status."""
        chosen = settings or self.settings
        statuses = {
            name: self.status(name, settings)
            for name in self.auto_candidates(settings)
            if chosen.provider_settings(name).enabled
        }
        needs = [f"{name}: {status.reason or status.state.value}" for name, status in statuses.items()]
        if not needs and self.entries:
            disabled = ", ".join(self.names())
            return f"no provider is ready: every installed one is disabled in settings ({disabled})"
        if not needs:
            return (
                "no provider is ready: none is installed; install one with claif-lsp "
                "(uv tool install ./ --with ./providers/claif-anthropic, for instance)"
            )
        return (
            f"no provider is ready: {'; or '.join(needs)} "
            f"(`claif-lsp providers` shows each one; claif-replay answers offline from a transcript)"
        )
