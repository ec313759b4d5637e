"""The base of providers that call an HTTP API through a vendor SDK imported only when a query runs.

:class:`HttpApiProvider` holds what such providers share: whether the SDK is installed (checked without
importing it), the base URL from settings or the vendor's variable, how messages name the key's source, and
one SDK client reused across queries per base URL and key (:class:`ReusedClient`), and a :class:`Deadline`
for the whole answer, however the stream trickles.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from typing import ClassVar, Generic, Protocol, TypeVar

import anyio

from claif_lsp.errors import ConfigurationError, ProviderInitError
from claif_lsp.provider import BaseProvider
from claif_lsp.types import ProviderState, ProviderStatus


def module_installed(module: str) -> bool:
    """True when ``module`` (``anthropic``, ``google.genai``) can be imported; checked without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a dotted name whose parent package is missing
        return False


ItemT = TypeVar("ItemT")


class Deadline:
    """The time by which a whole answer must have arrived (None: no limit); past it, waits raise TimeoutError."""

    def __init__(self, seconds: float | None) -> None:
        self.at = None if seconds is None else anyio.current_time() + seconds

    def scope(self) -> AbstractContextManager[anyio.CancelScope]:
        """A scope raising TimeoutError when the deadline passes (``with deadline.scope(): await ...``)."""
        return anyio.fail_after(None if self.at is None else max(self.at - anyio.current_time(), 0.0))

    async def next(self, stream: AsyncIterator[ItemT]) -> ItemT | None:
        """The stream's next item, or None at its end, within the deadline."""
        item: ItemT | None = None
        with self.scope():
            try:
                item = await stream.__anext__()
            except StopAsyncIteration:
                pass
        return item


class _Closable(Protocol):
    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class ReusedClient(Generic[ClientT]):
    """One SDK client per identity (base URL and key), kept across queries for connection pooling."""

    def __init__(self) -> None:
        self._client: ClientT | None = None
        self._identity: tuple[str, ...] | None = None

    async def get(self, identity: tuple[str, ...], make: Callable[[], ClientT]) -> ClientT:
        """The client made for ``identity``; a different identity closes the old client and makes a new one."""
        if self._client is not None and self._identity == identity:
            return self._client
        await self.close()
        self._client, self._identity = make(), identity
        return self._client

    async def close(self) -> None:
        """Close the client and its pooled connections, if there is one."""
        client, self._client, self._identity = self._client, None, None
        if client is not None:
            await client.close()


class HttpApiProvider(BaseProvider):
    """A provider for an HTTP API; subclasses set the SDK module, the install hint and the default base URL."""

    sdk_module: ClassVar[str] = ""
    """The vendor SDK's import name, imported only by queries; ``connect`` fails without it (empty: none)."""
    not_installed_reason: ClassVar[str] = ""
    """Why the provider cannot run without the SDK, and how to install it."""
    default_base_url: ClassVar[str] = ""
    base_url_env: ClassVar[str | None] = None
    """The vendor's variable for the base URL (``OPENAI_BASE_URL``), read when ``baseUrl`` is unset."""

    def sdk_installed(self) -> bool:
        """True when the SDK can be imported (checked without importing it), or when there is none to check."""
        return not self.sdk_module or module_installed(self.sdk_module)

    def require_sdk(self) -> None:
        """Raise ProviderInitError with the install hint when the SDK is missing."""
        if not self.sdk_installed():
            raise ProviderInitError(self.not_installed_reason, provider=self.name)

    async def connect(self) -> None:
        """Fail early with a clear reason when the SDK is missing."""
        self.require_sdk()

    def base_url(self) -> str:
        """``baseUrl`` from settings, else the vendor's variable from the environment, else the public API."""
        from_env = self.environ.get(self.base_url_env) if self.base_url_env else None
        return self.settings.base_url or from_env or self.default_base_url

    def key_source(self) -> str:
        """How messages name the key (the variable or the command, never the key)."""
        if self.settings.api_key_command:
            return "the key from apiKeyCommand"
        return self.api_key_env or "the API key"

    def key_origin(self) -> str:
        """Where the key comes from, for status lines: ``apiKeyCommand`` or the variable's name."""
        return "apiKeyCommand" if self.settings.api_key_command else (self.api_key_env or "settings")

    def ready_status(self) -> ProviderStatus:
        """READY naming the base URL and the key's origin."""
        return ProviderStatus(state=ProviderState.READY, reason=f"{self.base_url()}, key from {self.key_origin()}")

    def missing_key_error(self, alternative: str = "") -> ConfigurationError:
        """The error for a missing key, naming the variable, ``apiKeyCommand`` and any ``alternative``."""
        command = f"providers.{self.name}.apiKeyCommand"
        ways = f"set {command}, or {alternative}" if alternative else f"or set {command}"
        return ConfigurationError(f"{self.api_key_env} is not set: export it, {ways}", provider=self.name)

    async def require_key(self) -> str:
        """The key's value, or :meth:`missing_key_error`; a cancelled ask kills a running ``apiKeyCommand``."""
        secret = await self.api_key_async()
        if secret is None:
            raise self.missing_key_error()
        return secret.get_secret_value()
