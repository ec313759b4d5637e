"""The Gemini API through the official ``google-genai`` SDK, streaming with ``generate_content_stream``.

``google.genai`` is imported only when a query runs, so the server starts without it.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from pydantic import SecretStr

from claif_lsp.sdk import (
    AuthenticationError,
    BaseProvider,
    ClaifError,
    ClaifOptions,
    ConnectionFailedError,
    Deadline,
    Message,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    ProviderTimeoutError,
    RateLimitError,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
    module_installed,
    parse_retry_after,
    scrub,
)

DEFAULT_MODEL = "gemini-2.5-flash"
KEY_ENVS = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
BLOCKED_FINISH = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"}


def install_hint(version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor)) -> str:
    """Why google-genai is missing and how to get it, for a server running on Python ``version``."""
    if version < (3, 11):
        return (
            f"google-genai is not installed: it needs Python >= 3.11 and this server runs on Python "
            f"{version[0]}.{version[1]}; run claif-lsp with Python 3.11 or newer, then pip install google-genai"
        )
    return "google-genai is not installed; install it with pip install google-genai"


def _retry_after(exc: Any) -> float | None:
    """Seconds from a ``retry-after`` header on the SDK error's response, if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return parse_retry_after(headers, milliseconds=False, http_date=False) if headers is not None else None


def conversation_contents(history: Sequence[Message], prompt: str) -> str | list[dict[str, Any]]:
    """The earlier turns (answers as role ``model``), oldest first and unchanged, then ``prompt``; just ``prompt``
    without history."""
    if not history:
        return prompt
    contents: list[dict[str, Any]] = [
        {"role": "model" if m.role is Role.ASSISTANT else "user", "parts": [{"text": m.text}]} for m in history
    ]
    contents.append({"role": "user", "parts": [{"text": prompt}]})
    return contents


class GeminiApiProvider(BaseProvider):
    """Gemini models over the Gemini API (key in GEMINI_API_KEY or GOOGLE_API_KEY)."""

    name = "gemini"
    display_name = "Gemini"
    default_api_key_env = "GEMINI_API_KEY"

    def api_key(self) -> SecretStr | None:
        """The key from apiKeyCommand or apiKeyEnv when set, else GEMINI_API_KEY, else GOOGLE_API_KEY."""
        if self.settings.api_key_command or self.settings.api_key_env:
            return super().api_key()
        for name in KEY_ENVS:
            if self.environ.get(name):
                return SecretStr(self.environ[name])
        return None

    def key_source(self) -> str:
        """Where the key comes from, for messages (never the key itself)."""
        if self.settings.api_key_command:
            return "the key from apiKeyCommand"
        if self.settings.api_key_env:
            return self.settings.api_key_env
        return next((name for name in KEY_ENVS if self.environ.get(name)), "GEMINI_API_KEY")

    def status(self) -> ProviderStatus:
        """Not installed (no google-genai), needs a key, or ready; no network."""
        if not module_installed("google.genai"):
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=install_hint())
        if self.settings.api_key_command or self.api_key():
            return ProviderStatus(state=ProviderState.READY, reason=f"key from {self.key_source()}")
        wanted = self.settings.api_key_env or "GEMINI_API_KEY (or GOOGLE_API_KEY)"
        return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason=f"{wanted} is not set")

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the answer's text; the final Message carries usage and the model version."""
        options = self.resolve_options(options)
        key = await self.api_key_async()
        if key is None:
            raise AuthenticationError(
                f"{self.settings.api_key_env or 'GEMINI_API_KEY (or GOOGLE_API_KEY)'} is not set", provider=self.name
            )
        try:
            from google import genai
            from google.genai import types
        except ImportError as exc:
            raise ProviderInitError(f"{install_hint()} ({exc})", provider=self.name) from exc
        secret = key.get_secret_value()
        timeout = options.timeout
        http_options = types.HttpOptions(
            base_url=self.settings.base_url,
            timeout=int(timeout * 1000) if timeout else None,
        )
        client = genai.Client(api_key=secret, vertexai=False, http_options=http_options)
        config = types.GenerateContentConfig(
            system_instruction=options.system_prompt,
            temperature=options.temperature,
            max_output_tokens=options.max_tokens,
        )
        model = options.model or DEFAULT_MODEL
        deadline = Deadline(timeout or None)
        texts: list[str] = []
        usage = Usage()
        model_version: str | None = None
        finish: str | None = None
        stream: Any = None
        try:
            with deadline.scope():
                stream = await client.aio.models.generate_content_stream(
                    model=model, contents=conversation_contents(options.history, prompt), config=config
                )
            while (chunk := await deadline.next(stream)) is not None:
                feedback = getattr(chunk, "prompt_feedback", None)
                if feedback is not None and getattr(feedback, "block_reason", None):
                    raise ProviderRuntimeError(f"the prompt was blocked ({feedback.block_reason})", provider=self.name)
                model_version = chunk.model_version or model_version
                if chunk.usage_metadata is not None:
                    meta = chunk.usage_metadata
                    usage = Usage(
                        input_tokens=meta.prompt_token_count or 0,
                        output_tokens=meta.candidates_token_count or 0,
                        cache_read_tokens=meta.cached_content_token_count or 0,
                    )
                for candidate in chunk.candidates or []:
                    if candidate.finish_reason is not None:
                        finish = str(getattr(candidate.finish_reason, "value", candidate.finish_reason))
                    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
                    for part in parts:
                        if part.text and not part.thought:
                            texts.append(part.text)
                            yield TextDelta(text=part.text)
                    break  # only the first candidate is the answer
        except ClaifError:
            raise
        except Exception as exc:
            raise self._translate(exc, secret, timeout, streaming=bool(texts)) from None
        finally:
            if stream is not None:
                # Close the HTTP response now, on success, error and cancellation alike.
                with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                    await stream.aclose()
        if finish is None:
            raise ConnectionFailedError("the stream ended before the answer was complete", provider=self.name)
        if finish in BLOCKED_FINISH:
            raise ProviderRuntimeError(f"the answer was blocked (finishReason {finish})", provider=self.name)
        yield Message(
            role=Role.ASSISTANT,
            content="".join(texts),
            usage=usage,
            metadata={"model": model_version or model, "finish_reason": finish},
        )

    def _translate(self, exc: BaseException, secret: str, timeout: float | None, *, streaming: bool) -> ClaifError:
        """A ClaifError for what the SDK or its HTTP layer raised."""
        from google.genai import errors

        if isinstance(exc, TimeoutError):
            return ProviderTimeoutError(
                f"no complete answer within {timeout or 0:g}s (timeout setting)", provider=self.name
            )
        if isinstance(exc, errors.APIError):
            code = exc.code
            detail = scrub(exc.message or str(exc), secret)
            if code in (401, 403) or (code == 400 and "api key" in detail.lower()):
                return AuthenticationError(f"{self.key_source()} was rejected ({code}): {detail}", provider=self.name)
            if code == 429:
                wait = _retry_after(exc)
                hint = f"retry in {wait:g} s" if wait is not None else "retry later"
                return RateLimitError(f"rate limited (429): {hint}; {detail}", provider=self.name, retry_after=wait)
            return ProviderRuntimeError(f"the API failed with status {code}: {detail}", provider=self.name)
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "TimeoutException" in names:
            return ProviderTimeoutError(f"the API stopped answering: {type(exc).__name__}", provider=self.name)
        if names & {"TransportError", "NetworkError", "RemoteProtocolError", "ConnectError", "StreamError"}:
            where = "mid-answer" if streaming else "before answering"
            message = f"the connection failed {where}: {scrub(str(exc), secret)}"
            return ConnectionFailedError(message, provider=self.name)
        return ProviderRuntimeError(f"{type(exc).__name__}: {scrub(str(exc), secret)}", provider=self.name)
