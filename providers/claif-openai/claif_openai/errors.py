"""Turn what the OpenAI SDK and its HTTP layer raise into claif-lsp errors with actionable messages."""

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

PROVIDER = "openai"


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
        detail = scrub(api_message(exc, plain_error=True), key)
        return status_error(
            status,
            detail,
            provider=PROVIDER,
            key_source=key_source,
            base_url=base_url,
            headers=exc.response.headers,
            request_id=exc.request_id,
            server="the server",
            keyless=keyless,
        )
    if isinstance(exc, (openai.APITimeoutError, httpx2.TimeoutException, TimeoutError)):
        return ProviderTimeoutError(f"no answer from {base_url} in time", provider=PROVIDER)
    if isinstance(exc, (openai.APIConnectionError, httpx2.TransportError)):
        cause = exc.__cause__ if isinstance(exc, openai.APIConnectionError) and exc.__cause__ else exc
        return connection_error(
            cause,
            provider=PROVIDER,
            base_url=base_url,
            streaming=streaming,
            hint="is the server running? check baseUrl",
        )
    if isinstance(exc, (openai.APIResponseValidationError, ValueError)):
        return ProviderRuntimeError(f"malformed event in the answer stream: {exc}", provider=PROVIDER)
    if isinstance(exc, openai.APIError):
        # An error object inside a 200 stream: the server failed while answering.
        detail = scrub(api_message(exc, plain_error=True), key)
        return ProviderRuntimeError(f"the server reported an error mid-answer: {detail}", provider=PROVIDER)
    return ProviderRuntimeError(f"{type(exc).__name__}: {scrub(str(exc), key)}", provider=PROVIDER)
