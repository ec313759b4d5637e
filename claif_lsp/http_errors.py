"""Shared helpers for HTTP providers (retry hints, key scrubbing, status codes as errors); no SDK imports."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping

from claif_lsp.errors import (
    AuthenticationError,
    ClaifError,
    ConfigurationError,
    ConnectionFailedError,
    ProviderRuntimeError,
    RateLimitError,
    TransportError,
)

__all__ = ["api_message", "connection_error", "parse_retry_after", "scrub", "status_error"]


def parse_retry_after(headers: Mapping[str, str], *, milliseconds: bool = True, http_date: bool = True) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), never negative."""
    raw_ms = headers.get("retry-after-ms") if milliseconds else None
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    if not http_date:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def scrub(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` masked, so a server echoing the key never leaks it."""
    return text.replace(secret, "***") if secret else text


def api_message(exc: BaseException, *, with_type: bool = False, plain_error: bool = False) -> str:
    """The server's ``error.message`` (``with_type``: as ``type: message``; ``plain_error``: or a string ``error``)."""
    body = getattr(exc, "body", None)
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body.strip() or str(exc)
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping):
            message = error.get("message")
            kind = error.get("type") if with_type else None
            if isinstance(message, str) and message:
                return f"{kind}: {message}" if isinstance(kind, str) and kind else message
        if plain_error and isinstance(error, str) and error:
            return error  # e.g. Ollama and llama.cpp answer {"error": "..."}
    return str(exc)


def status_error(
    status: int,
    detail: str,
    *,
    provider: str,
    key_source: str,
    base_url: str,
    headers: Mapping[str, str],
    request_id: str | None = None,
    server: str = "the API",
    keyless: bool = False,
) -> ClaifError:
    """The error for HTTP ``status`` with the server's scrubbed ``detail``; ``keyless``: no key was sent."""
    details = {"status": status, "request_id": request_id}
    if status == 401:
        if keyless:
            return AuthenticationError(
                f"the server at {base_url} requires a key (401): set {key_source}", provider=provider
            )
        return AuthenticationError(f"{key_source} was rejected (401): check the key", provider=provider)
    if status == 403:
        return AuthenticationError(
            f"{key_source} is not allowed to do this (403): {detail}", provider=provider, details=details
        )
    if status == 429:
        wait = parse_retry_after(headers)
        hint = f"retry in {wait:g} s" if wait is not None else "retry later"
        return RateLimitError(
            f"rate limited (429): {hint}; {detail}", provider=provider, retry_after=wait, details=details
        )
    if status == 404:
        return ConfigurationError(
            f"not found (404) at {base_url}: check providers.{provider}.model and baseUrl; {detail}",
            provider=provider,
            details=details,
        )
    if status >= 500:
        return TransportError(
            f"{server} failed with status {status} (server side; try again): {detail}",
            provider=provider,
            details=details,
        )
    message = f"{server} refused the request ({status}): {detail}"
    return ProviderRuntimeError(message, provider=provider, details=details)


def connection_error(
    cause: BaseException, *, provider: str, base_url: str, streaming: bool, hint: str
) -> ConnectionFailedError:
    """The error for a failed connection: cut mid-answer when ``streaming``, else unreachable (with ``hint``)."""
    if streaming:
        return ConnectionFailedError(
            f"stream ended before the answer was complete ({type(cause).__name__}: {cause})", provider=provider
        )
    return ConnectionFailedError(
        f"cannot reach {base_url} ({type(cause).__name__}: {cause}); {hint}", provider=provider
    )
