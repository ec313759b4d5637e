"""The conformance checks catch the mistakes they name: each bad provider here fails exactly one check."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest

from claif_lsp.sdk import (
    AuthenticationError,
    BaseProvider,
    ClaifOptions,
    ConfigurationError,
    Message,
    ProviderState,
    ProviderStatus,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)
from claif_lsp.testing.conformance import (
    Wire,
    check_a_later_turn,
    check_cancel_closes_the_wire,
    check_refusal,
    check_streams_then_one_message,
    check_unconfigured,
    configured,
)

SECRET = "sk-leaky"


class Good(BaseProvider):
    name = "good"

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        yield TextDelta(text="Hel")
        yield TextDelta(text="lo")
        yield Message(role=Role.ASSISTANT, content="Hello", usage=Usage(input_tokens=2, output_tokens=1))


class WholeMessagesOnly(Good):
    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        yield Message(role=Role.ASSISTANT, content="Hello", usage=Usage(output_tokens=1))


class NoUsage(Good):
    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        yield TextDelta(text="Hello")
        yield Message(role=Role.ASSISTANT, content="Hello")


class Prints(Good):
    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        print("debugging")
        async for event in super().query(prompt, options):
            yield event


class Swallows(Good):
    """Keeps going after a cancellation, as a bare ``except BaseException`` would."""

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        yield TextDelta(text="Hel")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass
        yield Message(role=Role.ASSISTANT, content="Hel", usage=Usage(output_tokens=1))


class LeaksTheKey(Good):
    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise AuthenticationError(f"key {SECRET} was rejected", provider=self.name)
        yield  # pragma: no cover


class BreaksOnHistory(Good):
    """Answers a first turn, fails on a later one (e.g. a history message sent in a shape the API rejects)."""

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        if options is not None and options.history:
            raise KeyError("history")
        async for event in super().query(prompt, options):
            yield event


class ReadyWithoutKey(Good):
    def status(self) -> ProviderStatus:
        return ProviderStatus(state=ProviderState.READY)

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise ConfigurationError("MY_KEY is not set", provider=self.name)
        yield  # pragma: no cover


class PlainException(Good):
    def status(self) -> ProviderStatus:
        return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason="MY_KEY is not set")

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise KeyError("MY_KEY")
        yield  # pragma: no cover


async def test_a_conforming_provider_passes_the_stream_check() -> None:
    final = await check_streams_then_one_message(Wire(configured(Good, {})))
    assert final.text == "Hello"


@pytest.mark.parametrize(
    ("provider_class", "complaint"),
    [(WholeMessagesOnly, "no TextDelta"), (NoUsage, "needs usage"), (Prints, "wrote to stdout")],
)
async def test_stream_check_fails_a_provider_that(provider_class: type[BaseProvider], complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        await check_streams_then_one_message(Wire(configured(provider_class, {})))


async def test_cancel_check_fails_a_provider_that_swallows_the_cancellation() -> None:
    with pytest.raises(AssertionError, match="swallowed the cancellation"):
        await check_cancel_closes_the_wire(Wire(configured(Swallows, {})))


async def test_cancel_check_fails_when_the_far_side_never_sees_the_provider_leave() -> None:
    wire = Wire(configured(Good, {}), closed=lambda: False)
    with pytest.raises(AssertionError, match="never saw the provider leave"):
        await check_cancel_closes_the_wire(wire, close=True, timeout=0.2)


async def test_refusal_check_fails_an_error_that_contains_the_key() -> None:
    with pytest.raises(AssertionError, match="contains the key"):
        await check_refusal(Wire(configured(LeaksTheKey, {}), secret=SECRET))


async def test_unconfigured_check_fails_a_provider_ready_without_its_key() -> None:
    with pytest.raises(AssertionError, match=re.escape("reported ready")):
        await check_unconfigured(Wire(configured(ReadyWithoutKey, {})))


async def test_unconfigured_check_fails_a_provider_raising_a_plain_exception() -> None:
    with pytest.raises(KeyError):
        await check_unconfigured(Wire(configured(PlainException, {})))


async def test_the_later_turn_check_passes_a_conforming_provider_and_fails_one_that_breaks_on_history() -> None:
    final = await check_a_later_turn(Wire(configured(Good, {})))
    assert final.text == "Hello"
    with pytest.raises(KeyError, match="history"):
        await check_a_later_turn(Wire(configured(BreaksOnHistory, {})))
