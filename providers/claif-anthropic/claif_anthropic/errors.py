"""Turn what the Anthropic SDK and its HTTP layer raise into claif-lsp errors with actionable messages."""

from __future__ import annotations

from claif_lsp.sdk import (
    ClaifError,
    ProviderRuntimeError,
    ProviderTimeoutError,
    api_message,
    connection_error,
    scrub,
    status_error,
)

PROVIDER = "anthropic"


def translate(exc: BaseException, *, key_source: str, base_url: str, key: str | None, streaming: bool) -> ClaifError:
    """A ClaifError for ``exc``; ``streaming`` tells whether the answer had started to arrive."""
    import anthropic
    import httpx2

    if isinstance(exc, ClaifError):
        return exc
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        detail = scrub(api_message(exc, with_type=True), key)
        if streaming and status == 200:
            # An `event: error` inside a 200 stream: the API failed while answering (e.g. overloaded_error).
            return ProviderRuntimeError(f"the API reported an error mid-answer: {detail}", provider=PROVIDER)
        return status_error(
            status,
            detail,
            provider=PROVIDER,
            key_source=key_source,
            base_url=base_url,
            headers=exc.response.headers,
            request_id=exc.request_id,
        )
    if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException, TimeoutError)):
        return ProviderTimeoutError(f"no answer from {base_url} in time", provider=PROVIDER)
    if isinstance(exc, (anthropic.APIConnectionError, httpx2.TransportError)):
        cause = exc.__cause__ if isinstance(exc, anthropic.APIConnectionError) and exc.__cause__ else exc
        return connection_error(
            cause, provider=PROVIDER, base_url=base_url, streaming=streaming, hint="check the network or baseUrl"
        )
    if isinstance(exc, (ValueError, anthropic.APIResponseValidationError)):
        return ProviderRuntimeError(f"malformed event in the answer stream: {exc}", provider=PROVIDER)
    return ProviderRuntimeError(f"{type(exc).__name__}: {scrub(str(exc), key)}", provider=PROVIDER)
