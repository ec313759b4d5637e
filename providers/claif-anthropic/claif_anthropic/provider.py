"""The Anthropic Messages API provider: streams answers through the official ``anthropic`` SDK.

The SDK is imported only when a query runs, so starting claif-lsp never pays for it. Every failure
becomes a :class:`~claif_lsp.errors.ProviderError` subclass, and an answer that did not arrive whole
(cut stream, stall, truncation at ``max_tokens``) ends in an exception, never in a final message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from loguru import logger

from claif_anthropic.errors import PROVIDER, translate
from claif_anthropic.messages import conversation_messages, system_blocks, usage_from
from claif_lsp.sdk import (
    ClaifError,
    ClaifOptions,
    ConfigurationError,
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

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic
    from anthropic.types import RawMessageStreamEvent

DEFAULT_MODEL = "claude-sonnet-5"
DEFAULT_MAX_TOKENS = 4096
DEFAULT_BASE_URL = "https://api.anthropic.com"
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
NOT_INSTALLED_REASON = "the anthropic package is not installed: pip install claif-anthropic"
TRUNCATED_STOP_REASONS = frozenset({"max_tokens", "model_context_window_exceeded"})
PROMPT_CACHE_OPTION = "promptCache"
"""``providers.anthropic.options.promptCache``: mark the conversation for prompt caching (default true)."""


class AnthropicProvider(HttpApiProvider):
    """Claude through the Anthropic Messages API, streamed."""

    name = "anthropic"
    display_name = "Claude API"
    default_api_key_env = "ANTHROPIC_API_KEY"
    sdk_module = "anthropic"
    not_installed_reason = NOT_INSTALLED_REASON
    default_base_url = DEFAULT_BASE_URL
    base_url_env = BASE_URL_ENV

    def __init__(self) -> None:
        self._client: ReusedClient[AsyncAnthropic] = ReusedClient()

    def status(self) -> ProviderStatus:
        """NOT_INSTALLED without the SDK, NEEDS_CREDENTIAL without a key, else READY; offline and cheap."""
        if not self.sdk_installed():
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=NOT_INSTALLED_REASON)
        status = self.credential_status()
        return self.ready_status() if status.ready and not status.reason else status

    async def disconnect(self) -> None:
        """Close the HTTP client and its pooled connections."""
        await self._client.close()

    async def _client_for(self, base_url: str, key: str) -> AsyncAnthropic:
        """One client per base URL and key, reused across queries for connection pooling."""
        from anthropic import AsyncAnthropic  # deferred: the SDK is imported by the first query, not at start-up

        # max_retries=0: a retried stream could replay text the user has already seen; we report instead.
        return await self._client.get(
            (base_url, key), lambda: AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0)
        )

    def prompt_cache(self) -> bool:
        """Whether requests mark their stable prefix with ``cache_control`` (``options.promptCache``)."""
        value = self.settings.options.get(PROMPT_CACHE_OPTION, True)
        if not isinstance(value, bool):
            raise ConfigurationError(
                f"providers.anthropic.options.{PROMPT_CACHE_OPTION} must be true or false", provider=PROVIDER
            )
        return value

    def request_params(self, prompt: str, options: ClaifOptions) -> dict[str, Any]:
        """The body of the Messages API request: the earlier turns of ``options.history``, then ``prompt``."""
        cache = self.prompt_cache()
        params: dict[str, Any] = {
            "model": options.model or DEFAULT_MODEL,
            "max_tokens": options.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": conversation_messages(options.history, prompt, cache=cache),
            "stream": True,
        }
        if options.system_prompt:
            params["system"] = system_blocks(options.system_prompt, cache=cache)
        if options.temperature is not None:
            # The SDK no longer takes `temperature` as an argument; send it in the body for models that accept it.
            params["extra_body"] = {"temperature": options.temperature}
        return params

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the answer as text deltas, then one assistant message with usage, model and stop reason."""
        opts = self.resolve_options(options)
        self.require_sdk()
        key = await self.require_key()
        base_url = self.base_url()
        timeout = opts.timeout or self.settings.timeout
        params = self.request_params(prompt, opts)
        logger.debug(
            "anthropic: streaming {} from {} (max_tokens {}, timeout {} s)",
            params["model"],
            base_url,
            params["max_tokens"],
            timeout,
        )
        client = await self._client_for(base_url, key)
        deadline = Deadline(timeout)
        pieces: list[str] = []
        model: str = params["model"]
        message_id: str | None = None
        stop_reason: str | None = None
        usage = Usage()
        finished = False
        streaming = False

        def failure(exc: BaseException) -> ClaifError:
            return translate(exc, key_source=self.key_source(), base_url=base_url, key=key, streaming=streaming)

        try:
            with deadline.scope():
                stream = await client.messages.create(**params, timeout=timeout)
            streaming = True
            async with stream:
                event: RawMessageStreamEvent | None
                while (event := await deadline.next(stream)) is not None:
                    if event.type == "message_start":
                        model = event.message.model or model
                        message_id = event.message.id
                        usage = usage_from(event.message.usage)
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        if event.delta.text:
                            pieces.append(event.delta.text)
                            yield TextDelta(text=event.delta.text)
                    elif event.type == "message_delta":
                        stop_reason = event.delta.stop_reason or stop_reason
                        # message_delta usage counts are cumulative for the whole message.
                        usage = usage_from(event.usage, usage)
                    elif event.type == "message_stop":
                        finished = True
        except TimeoutError:
            raise ProviderTimeoutError(
                f"no complete answer from {base_url} within {timeout:g} s (timeout setting)", provider=PROVIDER
            ) from None
        except ClaifError:
            raise
        except Exception as exc:
            raise failure(exc) from exc
        if not finished:
            raise ConnectionFailedError("stream ended before the answer was complete", provider=PROVIDER)
        if stop_reason in TRUNCATED_STOP_REASONS:
            # A truncated answer may be half a patch; applying it would corrupt code, so it is an error.
            raise ProviderRuntimeError(
                f"answer was cut at max_tokens ({params['max_tokens']}, stop_reason {stop_reason}): "
                "raise providers.anthropic.maxTokens or ask for less",
                provider=PROVIDER,
                details={"stop_reason": stop_reason, "output_tokens": usage.output_tokens},
            )
        if stop_reason == "refusal":
            raise ProviderRuntimeError("the model declined to answer (stop_reason refusal)", provider=PROVIDER)
        yield Message(
            role=Role.ASSISTANT,
            content="".join(pieces),
            usage=usage,
            metadata={"model": model, "stop_reason": stop_reason, "id": message_id},
        )
