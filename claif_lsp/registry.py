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
    """Providers by name: discovered eagerly, imported and configured lazily."""

    def __init__(self, entries: Mapping[str, ProviderEntry] | None = None, environ: Mapping[str, str] | None = None):
        self.entries: dict[str, ProviderEntry] = dict(entries if entries is not None else discover_entries())
        self.environ: Mapping[str, str] = dict(environ if environ is not None else os.environ)
        self._instances: dict[str, BaseProvider] = {}
        self._failures: dict[str, str] = {}
        self._connected: set[str] = set()
        self.settings = Settings()
        self._ready_cache: tuple[float, list[str]] | None = None

    def names(self) -> list[str]:
        """Names of all discovered providers, sorted."""
        return sorted(self.entries)

    def update_settings(self, settings: Settings) -> None:
        """Hand new settings to every provider already loaded."""
        self.settings = settings
        self._ready_cache = None
        for name, provider in self._instances.items():
            provider.configure(settings.provider_settings(name), self.environ)

    def get(self, name: str) -> BaseProvider:
        """The provider called ``name``, imported and configured on first use."""
        if name in self._instances:
            return self._instances[name]
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
            instance.configure(self.settings.provider_settings(name), self.environ)
        except Exception as exc:  # a broken plugin must never take the server down
            reason = f"failed to load {entry.value} from {entry.distribution}: {type(exc).__name__}: {exc}"
            logger.warning("provider {}: {}", name, reason)
            self._failures[name] = reason
            raise ProviderInitError(reason, provider=name) from exc
        self._instances[name] = instance
        return instance

    async def connected(self, name: str) -> BaseProvider:
        """The provider, connected once."""
        provider = self.get(name)
        if name not in self._connected:
            try:
                await provider.connect()
            except Exception as exc:
                raise ProviderInitError(f"connect failed: {exc}", provider=name) from exc
            self._connected.add(name)
        return provider

    async def close(self) -> None:
        """Disconnect every connected provider."""
        for name in list(self._connected):
            try:
                await self._instances[name].disconnect()
            except Exception as exc:
                logger.warning("provider {}: disconnect failed: {}", name, exc)
        self._connected.clear()

    def status(self, name: str) -> ProviderStatus:
        """A provider's status; import or status failures become ERROR with the reason."""
        try:
            provider = self.get(name)
        except ProviderNotFoundError as exc:
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=exc.message)
        except ProviderInitError as exc:
            return ProviderStatus(state=ProviderState.ERROR, reason=exc.message)
        if not self.settings.provider_settings(name).enabled:
            return ProviderStatus(state=ProviderState.ERROR, reason="disabled in settings")
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

    def reports(self) -> list[ProviderReport]:
        """One report per discovered provider."""
        reports = []
        for name in self.names():
            status = self.status(name)
            entry = self.entries[name]
            reports.append(
                ProviderReport(
                    name=name,
                    display_name=self.display_name(name),
                    distribution=entry.distribution,
                    version=entry.version,
                    state=status.state,
                    reason=status.reason,
                    enabled=self.settings.provider_settings(name).enabled,
                )
            )
        return reports

    def ready_providers(self) -> list[str]:
        """Names of providers that can answer now, in ``autoOrder`` then name order."""
        order = [*self.settings.auto_order, *self.names()]
        seen: list[str] = []
        for name in order:
            if name in self.entries and name not in seen and self.status(name).ready:
                seen.append(name)
        return seen

    def cached_ready(self, max_age: float = 30.0) -> list[str]:
        """Ready providers, recomputed at most every ``max_age`` seconds (code actions must answer at once)."""
        now = time.monotonic()
        if self._ready_cache is None or now - self._ready_cache[0] > max_age:
            self._ready_cache = (now, self.ready_providers())
        return self._ready_cache[1]

    def resolve(self, requested: str | None = None) -> str:
        """The provider to use: ``requested``, the configured one, or for ``auto`` the first ready one."""
        name = requested or self.settings.provider
        if name != AUTO_PROVIDER:
            return name
        for candidate in self.settings.auto_order:
            if candidate in self.entries and self.status(candidate).ready:
                return candidate
        return OFFLINE_PROVIDER
