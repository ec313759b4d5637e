"""The provider contract: what a ``claif.providers`` plugin implements.

A provider subclasses :class:`BaseProvider`, implements :meth:`BaseProvider.query` as an async generator
and registers its class under the ``claif.providers`` entry-point group. ``query`` may yield
:class:`~claif_lsp.types.TextDelta` pieces as the answer streams and finish with a whole
:class:`~claif_lsp.types.Message` carrying usage, or yield whole messages only, as Claif's plugin guide
shows; the server handles both (see :mod:`claif_lsp.streaming`). Plugins import it from :mod:`claif_lsp.sdk`.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from pydantic import SecretStr

from claif_lsp.key_command import run_key_command, run_key_command_blocking
from claif_lsp.settings import ProviderSettings
from claif_lsp.types import ClaifOptions, ProviderState, ProviderStatus, StreamEvent


class BaseProvider(ABC):
    """Base class of every provider.

    Subclasses may keep a no-argument ``__init__``; the registry hands them their settings and a
    snapshot of the environment through :meth:`configure` before the first query.
    """

    name: ClassVar[str] = ""
    """The provider's name, as users select it (``providers.<name>`` in settings)."""
    display_name: ClassVar[str] = ""
    """The name shown in code action titles ("Ask <display name>…")."""
    default_api_key_env: ClassVar[str | None] = None
    """Environment variable read for the API key when ``apiKeyEnv`` is not set."""

    settings: ProviderSettings = ProviderSettings()
    environ: Mapping[str, str] = os.environ

    def configure(self, settings: ProviderSettings, environ: Mapping[str, str] | None = None) -> None:
        """Give the provider its settings and the environment to read keys from (never mutated)."""
        self.settings = settings
        if environ is not None:
            self.environ = environ

    async def connect(self) -> None:  # noqa: B027 - optional hook
        """Prepare for queries (open clients, check executables)."""

    async def disconnect(self) -> None:  # noqa: B027 - optional hook
        """Release what :meth:`connect` acquired."""

    def status(self) -> ProviderStatus:
        """Whether the provider can answer now; cheap, never touches the network."""
        return ProviderStatus(state=ProviderState.READY)

    @abstractmethod
    def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Answer ``prompt``, yielding text deltas as they arrive and whole messages."""

    # Helpers for subclasses.

    @property
    def api_key_env(self) -> str | None:
        """The environment variable this provider reads its key from."""
        return self.settings.api_key_env or self.default_api_key_env

    def api_key(self) -> SecretStr | None:
        """The API key from the environment or the configured command, or None when there is none.

        Blocking while an ``apiKeyCommand`` runs: queries should ``await`` :meth:`api_key_async` instead.
        """
        if self.settings.api_key_command:
            return run_key_command_blocking(self.settings.api_key_command, provider=self.name, environ=self.environ)
        env = self.api_key_env
        value = self.environ.get(env, "") if env else ""
        return SecretStr(value) if value else None

    async def api_key_async(self) -> SecretStr | None:
        """:meth:`api_key` without blocking: a cancelled ask kills the ``apiKeyCommand``'s whole process group."""
        if self.settings.api_key_command:
            return await run_key_command(self.settings.api_key_command, provider=self.name, environ=self.environ)
        return self.api_key()  # subclasses may read other variables; no process runs here

    def credential_status(self) -> ProviderStatus:
        """READY when a key is available, else NEEDS_CREDENTIAL naming the variable to set."""
        if self.settings.api_key_command or self.api_key():
            return ProviderStatus(state=ProviderState.READY)
        return ProviderStatus(
            state=ProviderState.NEEDS_CREDENTIAL,
            reason=f"{self.api_key_env} is not set",
        )

    def resolve_options(self, options: ClaifOptions | None) -> ClaifOptions:
        """Options with the provider's settings filled in where the request left them unset."""
        options = options or ClaifOptions()
        updates: dict[str, Any] = {}
        if options.model is None and self.settings.model:
            updates["model"] = self.settings.model
        if options.timeout is None:
            updates["timeout"] = self.settings.timeout
        if options.max_tokens is None and self.settings.max_tokens:
            updates["max_tokens"] = self.settings.max_tokens
        if options.temperature is None and self.settings.temperature is not None:
            updates["temperature"] = self.settings.temperature
        return options.model_copy(update=updates) if updates else options
