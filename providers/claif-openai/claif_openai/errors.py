"""Turn what the OpenAI SDK and its HTTP layer raise into claif-lsp errors with actionable messages."""

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

PROVIDER = "openai"


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
            if isinstance(message, str) and message:
                return message
        if isinstance(error, str) and error:
            return error  # Ollama and llama.cpp answer {"error": "..."}
    return str(exc)


def translate(
    exc: BaseException,
    *,
    key_source: str,
    base_url: str,
    key: str | None,
    streaming: bool,
    keyless: bool = False,
) -> ClaifError:
    """A ClaifError for ``exc``; ``streaming`` tells whether the answer had started, ``keyless`` that no key was set."""
    import httpx2
    import openai

    if isinstance(exc, ClaifError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = scrub(api_message(exc), key)
        details = {"status": status, "request_id": exc.request_id}
        if status == 401:
            if keyless:
                return AuthenticationError(
                    f"the server at {base_url} requires a key (401): set {key_source}", provider=PROVIDER
                )
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
                f"not found (404) at {base_url}: check providers.openai.model and baseUrl; {detail}",
                provider=PROVIDER,
                details=details,
            )
        if status >= 500:
            return TransportError(
                f"the server failed with status {status} (server side; try again): {detail}",
                provider=PROVIDER,
                details=details,
            )
        message = f"the server refused the request ({status}): {detail}"
        return ProviderRuntimeError(message, provider=PROVIDER, details=details)
    if isinstance(exc, (openai.APITimeoutError, httpx2.TimeoutException, TimeoutError)):
        return ProviderTimeoutError(f"no answer from {base_url} in time", provider=PROVIDER)
    if isinstance(exc, (openai.APIConnectionError, httpx2.TransportError)):
        cause = exc.__cause__ if isinstance(exc, openai.APIConnectionError) and exc.__cause__ else exc
        if streaming:
            return ConnectionFailedError(
                f"stream ended before the answer was complete ({type(cause).__name__}: {cause})", provider=PROVIDER
            )
        return ConnectionFailedError(
            f"cannot reach {base_url} ({type(cause).__name__}: {cause}); is the server running? check baseUrl",
            provider=PROVIDER,
        )
    if isinstance(exc, (openai.APIResponseValidationError, ValueError)):
        return ProviderRuntimeError(f"malformed event in the answer stream: {exc}", provider=PROVIDER)
    if isinstance(exc, openai.APIError):
        # An error object inside a 200 stream: the server failed while answering.
        detail = scrub(api_message(exc), key)
        return ProviderRuntimeError(f"the server reported an error mid-answer: {detail}", provider=PROVIDER)
    return ProviderRuntimeError(f"{type(exc).__name__}: {scrub(str(exc), key)}", provider=PROVIDER)
