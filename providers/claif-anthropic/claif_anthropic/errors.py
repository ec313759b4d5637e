"""Turn what the Anthropic SDK and its HTTP layer raise into claif-lsp errors with actionable messages."""

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
    ProviderTimeoutError,
    RateLimitError,
    TransportError,
)

PROVIDER = "anthropic"


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``retry-after`` as seconds or an HTTP date."""
    raw_ms = headers.get("retry-after-ms")
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
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def scrub(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` masked, so a server echoing the key never leaks it."""
    return text.replace(secret, "***") if secret else text


def api_message(exc: BaseException) -> str:
    """The server's own ``error.message`` (or the raw body) of an SDK error, else the exception text."""
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
            kind = error.get("type")
            if isinstance(message, str) and message:
                return f"{kind}: {message}" if isinstance(kind, str) and kind else message
    return str(exc)


def translate(exc: BaseException, *, key_source: str, base_url: str, key: str | None, streaming: bool) -> ClaifError:
    """A ClaifError for ``exc``; ``streaming`` tells whether the answer had started to arrive."""
    import anthropic
    import httpx2

    if isinstance(exc, ClaifError):
        return exc
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        detail = scrub(api_message(exc), key)
        if streaming and status == 200:
            # An `event: error` inside a 200 stream: the API failed while answering (e.g. overloaded_error).
            return ProviderRuntimeError(f"the API reported an error mid-answer: {detail}", provider=PROVIDER)
        details = {"status": status, "request_id": exc.request_id}
        if status == 401:
            return AuthenticationError(f"{key_source} was rejected (401): check the key", provider=PROVIDER)
        if status == 403:
            return AuthenticationError(
                f"{key_source} is not allowed to do this (403): {detail}", provider=PROVIDER, details=details
            )
        if status == 429:
            wait = parse_retry_after(exc.response.headers)
            hint = f"retry in {wait:g} s" if wait is not None else "retry later"
            return RateLimitError(
                f"rate limited (429): {hint}; {detail}", provider=PROVIDER, retry_after=wait, details=details
            )
        if status == 404:
            return ConfigurationError(
                f"not found (404) at {base_url}: check providers.anthropic.model and baseUrl; {detail}",
                provider=PROVIDER,
                details=details,
            )
        if status >= 500:
            return TransportError(
                f"the API failed with status {status} (server side; try again): {detail}",
                provider=PROVIDER,
                details=details,
            )
        message = f"the API refused the request ({status}): {detail}"
        return ProviderRuntimeError(message, provider=PROVIDER, details=details)
    if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException, TimeoutError)):
        return ProviderTimeoutError(f"no answer from {base_url} in time", provider=PROVIDER)
    if isinstance(exc, (anthropic.APIConnectionError, httpx2.TransportError)):
        cause = exc.__cause__ if isinstance(exc, anthropic.APIConnectionError) and exc.__cause__ else exc
        if streaming:
            return ConnectionFailedError(
                f"stream ended before the answer was complete ({type(cause).__name__}: {cause})", provider=PROVIDER
            )
        return ConnectionFailedError(
            f"cannot reach {base_url} ({type(cause).__name__}: {cause}); check the network or baseUrl",
            provider=PROVIDER,
        )
    if isinstance(exc, (ValueError, anthropic.APIResponseValidationError)):
        return ProviderRuntimeError(f"malformed event in the answer stream: {exc}", provider=PROVIDER)
    return ProviderRuntimeError(f"{type(exc).__name__}: {scrub(str(exc), key)}", provider=PROVIDER)
