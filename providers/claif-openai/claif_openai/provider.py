"""The OpenAI-compatible Chat Completions provider: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio.

Answers stream through the official ``openai`` SDK pointed at ``baseUrl``. A server on this machine
(localhost, 127.0.0.1, ::1) needs no key. The SDK is imported only when a query runs. An answer that did
not arrive whole (cut stream, stall, ``finish_reason: length``) ends in an exception, never in a final
message.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from loguru import logger

from claif_lsp.sdk import (
    ClaifError,
    ClaifOptions,
    ConnectionFailedError,
    Deadline,
    HttpApiProvider,
    Message,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    ProviderTimeoutError,
    ReusedClient,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)
from claif_openai.errors import PROVIDER, translate

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types.chat import ChatCompletionChunk

DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
LOCAL_PLACEHOLDER_KEY = "claif-local-no-key"
"""Sent to local servers when no key is set: the SDK insists on one, local servers ignore it."""
MAX_TOKENS_FIELD_OPTION = "maxTokensField"
STREAM_USAGE_OPTION = "streamUsage"
NOT_INSTALLED_REASON = "the openai package is not installed: pip install claif-openai"


def is_local_url(url: str) -> bool:
    """True when ``url`` points at this machine (localhost, a loopback address)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpenAIProvider(HttpApiProvider):
    """Any OpenAI-compatible Chat Completions server, streamed."""

    name = "openai"
    display_name = "OpenAI-compatible"
    default_api_key_env = "OPENAI_API_KEY"
    sdk_module = "openai"
    not_installed_reason = NOT_INSTALLED_REASON
    default_base_url = DEFAULT_BASE_URL
    base_url_env = BASE_URL_ENV

    def __init__(self) -> None:
        self._client: ReusedClient[AsyncOpenAI] = ReusedClient()

    def status(self) -> ProviderStatus:
        """NOT_INSTALLED without the SDK; READY with a key or a local server; else NEEDS_CREDENTIAL."""
        if not self.sdk_installed():
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=NOT_INSTALLED_REASON)
        base_url = self.base_url()
        status = self.credential_status()
        if status.ready:
            return self.ready_status()
        if is_local_url(base_url):
            return ProviderStatus(state=ProviderState.READY, reason=f"local server at {base_url} (no key needed)")
        return status

    async def disconnect(self) -> None:
        """Close the HTTP client and its pooled connections."""
        await self._client.close()

    async def _client_for(self, base_url: str, key: str) -> AsyncOpenAI:
        """One client per base URL and key, reused across queries for connection pooling."""
        from openai import AsyncOpenAI  # deferred: the SDK is imported by the first query, not at start-up

        # max_retries=0: a retried stream could replay text the user has already seen; we report instead.
        return await self._client.get(
            (base_url, key), lambda: AsyncOpenAI(api_key=key, base_url=base_url, max_retries=0)
        )

    async def _key(self, base_url: str) -> tuple[str, bool]:
        """The API key and whether it is the local placeholder; a cancelled ask kills a running apiKeyCommand."""
        secret = await self.api_key_async()
        if secret is not None:
            return secret.get_secret_value(), False
        if is_local_url(base_url):
            return LOCAL_PLACEHOLDER_KEY, True
        raise self.missing_key_error("point providers.openai.baseUrl at a local server")

    def max_tokens_field(self, base_url: str) -> str:
        """``max_completion_tokens`` for OpenAI itself (its newer models reject ``max_tokens``), else ``max_tokens``."""
        configured = self.settings.options.get(MAX_TOKENS_FIELD_OPTION)
        if configured in ("max_tokens", "max_completion_tokens"):
            return str(configured)
        host = (urlsplit(base_url).hostname or "").lower()
        return "max_completion_tokens" if host == "api.openai.com" else "max_tokens"

    def request_params(self, prompt: str, options: ClaifOptions, base_url: str) -> dict[str, Any]:
        """The body of the Chat Completions request: the earlier turns of ``options.history``, then ``prompt``.

        The earlier turns go unchanged and in order, so servers that cache prompt prefixes (OpenAI does so by
        itself, vLLM and llama.cpp with prefix caching) serve them from the cache.
        """
        messages: list[dict[str, str]] = []
        if options.system_prompt:
            messages.append({"role": "system", "content": options.system_prompt})
        for message in options.history:
            role = "assistant" if message.role is Role.ASSISTANT else "user"
            messages.append({"role": role, "content": message.text})
        messages.append({"role": "user", "content": prompt})
        params: dict[str, Any] = {
            "model": options.model or DEFAULT_MODEL,
            "messages": messages,
            "stream": True,
        }
        if self.settings.options.get(STREAM_USAGE_OPTION, True):
            params["stream_options"] = {"include_usage": True}
        if options.max_tokens:
            params[self.max_tokens_field(base_url)] = options.max_tokens
        if options.temperature is not None:
            params["temperature"] = options.temperature
        return params

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the answer as text deltas, then one assistant message with usage, model and finish reason."""
        opts = self.resolve_options(options)
        self.require_sdk()
        base_url = self.base_url()
        key, keyless = await self._key(base_url)
        timeout = opts.timeout or self.settings.timeout
        params = self.request_params(prompt, opts, base_url)
        logger.debug("openai: streaming {} from {} (timeout {} s)", params["model"], base_url, timeout)
        client = await self._client_for(base_url, key)
        deadline = Deadline(timeout)
        pieces: list[str] = []
        model: str = params["model"]
        completion_id: str | None = None
        finish_reason: str | None = None
        usage: Usage | None = None
        streaming = False

        def failure(exc: BaseException) -> ClaifError:
            return translate(
                exc, key_source=self.key_source(), base_url=base_url, key=key, streaming=streaming, keyless=keyless
            )

        try:
            with deadline.scope():
                stream = await client.chat.completions.create(**params, timeout=timeout)
            streaming = True
            async with stream:
                chunk: ChatCompletionChunk | None
                while (chunk := await deadline.next(stream)) is not None:
                    model = chunk.model or model
                    completion_id = chunk.id or completion_id
                    if chunk.usage is not None:
                        details = chunk.usage.prompt_tokens_details
                        usage = Usage(
                            input_tokens=chunk.usage.prompt_tokens or 0,
                            output_tokens=chunk.usage.completion_tokens or 0,
                            cache_read_tokens=(details.cached_tokens or 0) if details else 0,
                        )
                    for choice in chunk.choices:
                        if choice.index != 0:
                            continue  # n > 1 is never requested; ignore stray choices
                        text = choice.delta.content if choice.delta else None
                        if text:
                            pieces.append(text)
                            yield TextDelta(text=text)
                        if choice.finish_reason:
                            finish_reason = choice.finish_reason
        except TimeoutError:
            raise ProviderTimeoutError(
                f"no complete answer from {base_url} within {timeout:g} s (timeout setting)", provider=PROVIDER
            ) from None
        except ClaifError:
            raise
        except Exception as exc:
            raise failure(exc) from exc
        if finish_reason is None:
            raise ConnectionFailedError("stream ended before the answer was complete", provider=PROVIDER)
        if finish_reason == "length":
            # A truncated answer may be half a patch; applying it would corrupt code, so it is an error.
            limit = opts.max_tokens or "the server's limit"
            raise ProviderRuntimeError(
                f"answer was cut at max_tokens ({limit}, finish_reason length): "
                "raise providers.openai.maxTokens or ask for less",
                provider=PROVIDER,
                details={"finish_reason": finish_reason},
            )
        if finish_reason == "content_filter":
            raise ProviderRuntimeError(
                "the server withheld the answer (finish_reason content_filter)", provider=PROVIDER
            )
        yield Message(
            role=Role.ASSISTANT,
            content="".join(pieces),
            usage=usage,
            metadata={"model": model, "stop_reason": finish_reason, "id": completion_id},
        )
