"""Turn whatever a provider yields into one answer, streaming the text as it comes.

Providers either stream ``TextDelta`` pieces and close with a whole ``Message`` (which then only
confirms the text and carries usage), or yield whole messages only (Claif's plugin guide). Both become a
sequence of text pieces for progress and one final :class:`Answer`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from claif_lsp.errors import ClaifError, ProviderRuntimeError
from claif_lsp.types import Message, Role, StreamEvent, TextDelta, Usage


@dataclass
class Answer:
    """A provider's complete answer."""

    provider: str
    text: str
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    duration: float = 0.0
    messages: list[Message] = field(default_factory=list)
    session_id: str | None = None
    """The provider's own session id (its final message's ``metadata["session_id"]``), to resume it next turn."""
    cached: bool = False
    """Served from the response cache, not the provider."""


def usage_from_metadata(message: Message) -> Usage | None:
    """Usage a guide-style provider put in ``metadata`` (``usage`` dict or ``tokens`` total)."""
    meta = message.metadata
    raw = meta.get("usage")
    if isinstance(raw, Usage):
        return raw
    if isinstance(raw, dict):
        return Usage.model_validate(raw)
    tokens = meta.get("tokens")
    if isinstance(tokens, int):
        return Usage(output_tokens=tokens)
    return None


class AnswerTooLongError(ProviderRuntimeError):
    """The answer crossed ``maxAnswerChars``; reading stopped there."""


async def collect_answer(
    provider: str,
    events: AsyncIterator[StreamEvent],
    on_text: Callable[[str], None] | None = None,
    max_chars: int | None = None,
) -> Answer:
    """Consume a provider's stream and return its answer; ``on_text`` sees each new piece of text.

    Past ``max_chars`` characters it raises :class:`AnswerTooLongError` without reading on; the caller closes
    ``events``, which closes the provider's stream or kills its process.
    """
    started = time.monotonic()
    message_texts: list[str] = []
    pending_deltas: list[str] = []
    messages: list[Message] = []
    usage: Usage | None = None
    model: str | None = None
    session_id: str | None = None
    size = 0

    def count(chars: int) -> None:
        nonlocal size
        size += chars
        if max_chars is not None and size > max_chars:
            raise AnswerTooLongError(
                f"the answer grew past maxAnswerChars ({max_chars:,} characters), so reading stopped there and "
                "nothing was proposed; ask about less, or raise maxAnswerChars",
                provider=provider,
                details={"max_answer_chars": max_chars},
            )

    async for event in events:
        if isinstance(event, TextDelta):
            if event.text:
                count(len(event.text))
                pending_deltas.append(event.text)
                if on_text:
                    on_text(event.text)
            continue
        if not isinstance(event, Message):
            raise ProviderRuntimeError(
                f"yielded {type(event).__name__}, expected TextDelta or Message", provider=provider
            )
        messages.append(event)
        if event.role not in (Role.ASSISTANT, Role.RESULT):
            continue
        text = event.text
        if pending_deltas:
            # The message restates what was streamed; keep the message's text as the authoritative one.
            streamed = "".join(pending_deltas)
            count(max(len(text) - len(streamed), 0))
            message_texts.append(text or streamed)
            pending_deltas.clear()
        elif text:
            count(len(text))
            message_texts.append(text)
            if on_text:
                on_text(text)
        usage = event.usage or usage_from_metadata(event) or usage
        model = event.metadata.get("model", model)
        reported = event.metadata.get("session_id")
        session_id = reported if isinstance(reported, str) and reported else session_id
    full_text = "".join(message_texts) + "".join(pending_deltas)
    return Answer(
        provider=provider,
        text=full_text,
        usage=usage or Usage(),
        model=model,
        duration=time.monotonic() - started,
        messages=messages,
        session_id=session_id,
    )


def describe_failure(exc: BaseException, provider: str) -> ClaifError:
    """Wrap an unexpected exception from provider code into a ProviderRuntimeError with its name."""
    if isinstance(exc, ClaifError):
        if exc.provider is None:
            exc.provider = provider
        return exc
    return ProviderRuntimeError(f"{type(exc).__name__}: {exc}", provider=provider)
