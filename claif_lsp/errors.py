"""The error hierarchy every part of claif-lsp raises, and providers should raise too.

Every error carries the provider it concerns (when there is one) and a message a user can act on,
such as "ANTHROPIC_API_KEY is not set" or "codex not found on PATH". Messages never contain secrets.
"""

from __future__ import annotations

from typing import Any


class ClaifError(Exception):
    """Base of every claif-lsp error."""

    def __init__(self, message: str, *, provider: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}" if self.provider else self.message


class ConfigurationError(ClaifError):
    """A setting is missing or wrong; the message names it."""


class ProviderError(ClaifError):
    """A provider could not answer."""


class ProviderNotFoundError(ProviderError):
    """No provider of that name is installed."""


class ProviderInitError(ProviderError):
    """A provider failed to import, construct or connect."""


class ProviderRuntimeError(ProviderError):
    """A provider failed while answering (bad exit code, malformed stream, refusal)."""


class AuthenticationError(ProviderRuntimeError):
    """The provider refused the credentials (HTTP 401/403, CLI not logged in)."""


class TransportError(ProviderError):
    """The provider could not be reached or stopped answering.

    Transport errors are provider errors too, so callers that handle ``ProviderError`` see them.
    """


class ConnectionFailedError(TransportError):
    """The connection failed or was cut mid-stream."""


class ProviderTimeoutError(TransportError):
    """The provider did not answer within the configured timeout."""


class RateLimitError(TransportError):
    """The provider asked us to slow down (HTTP 429)."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        retry_after: float | None = None,
        details: dict[str, Any] | None = None,
    ):
        super().__init__(message, provider=provider, details=details)
        self.retry_after = retry_after


class PatchError(ClaifError):
    """A model's answer could not be turned into edits; nothing was changed."""
