"""A conformance suite any provider can run: the contract the server relies on, checked at the wire.

Subclass :class:`ProviderConformance` in a test module and implement its scenario hooks; pytest collects the
checks as tests. Each hook yields a :class:`Wire`: a configured provider and what its far side (a loopback server
from :mod:`claif_lsp.testing`, a fake executable) has seen::

    class TestMyProvider(ProviderConformance):
        @contextmanager
        def answering(self) -> Iterator[Wire]:
            with OpenAIServer(Reply(chunks=["Hel", "lo"])) as server:
                provider = configured(MyProvider, {"MY_KEY": "k"}, base_url=server.base_url)
                yield Wire(provider, requests=lambda: len(server.requests), secret="k")

What is checked:

- ``status()`` is READY for a configured provider and offline: it sends no request and starts no process;
- ``query()`` streams :class:`~claif_lsp.types.TextDelta` pieces, then exactly one final assistant
  :class:`~claif_lsp.types.Message` with the whole text and usage, and writes nothing to stdout (the server's
  stdout is JSON-RPC);
- a later turn of a conversation (``options.history`` with the first exchange, ``options.resume`` with the session
  id the first answer reported, if any) streams and ends the same way;
- cancelling the consuming task, or closing the stream early, closes the wire (the connection, the process);
- refused credentials raise :class:`~claif_lsp.errors.AuthenticationError` naming the provider, without the key;
- an unconfigured provider's ``status()`` is not ready and says why, and its ``query()`` raises a
  :class:`~claif_lsp.errors.ClaifError` with the provider's name and a message, before touching anything.

Each check is also an ``async`` function of its own, for use outside pytest. This module imports pytest.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from claif_lsp.errors import AuthenticationError, ClaifError
from claif_lsp.provider import BaseProvider
from claif_lsp.settings import ProviderSettings
from claif_lsp.testing.waiting import EVENT_TIMEOUT, async_wait_until
from claif_lsp.types import ClaifOptions, Message, Role, StreamEvent, TextDelta

PROMPT = "Say hello."
ProviderT = TypeVar("ProviderT", bound=BaseProvider)


def configured(provider_class: type[ProviderT], environ: Mapping[str, str], **settings: Any) -> ProviderT:
    """A provider built as the registry builds it: no-argument constructor, then settings and environment."""
    provider = provider_class()
    provider.configure(ProviderSettings(**settings), environ)
    return provider


@dataclass
class Wire:
    """A configured provider and what its far side has seen."""

    provider: BaseProvider
    requests: Callable[[], int] = lambda: 0
    """How many requests (or runs of the executable) the far side has seen so far."""
    closed: Callable[[], bool] | None = None
    """For a stalled answer: whether the far side saw the client leave (None: there is nothing to close)."""
    secret: str | None = None
    """The key the provider was given, which no error message may contain."""
    options: ClaifOptions | None = None
    """The options every query gets (e.g. a workspace root for agent CLIs)."""


async def check_streams_then_one_message(wire: Wire, prompt: str = PROMPT) -> Message:
    """Offline READY status, then text deltas and one final assistant Message with the text and usage."""
    before = wire.requests()
    status = wire.provider.status()
    assert status.ready, f"a configured provider should be ready: {status.state.value}: {status.reason}"
    assert wire.requests() == before, "status() reached the far side; it must stay offline"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        events: list[StreamEvent] = [event async for event in wire.provider.query(prompt, wire.options)]
    assert not stdout.getvalue(), f"query() wrote to stdout, which carries JSON-RPC: {stdout.getvalue()[:200]!r}"
    assert all(isinstance(event, (TextDelta, Message)) for event in events), events
    deltas = [event.text for event in events if isinstance(event, TextDelta)]
    messages = [event for event in events if isinstance(event, Message)]
    assert deltas, "no TextDelta: the answer should stream as it arrives"
    assert len(messages) == 1 and events[-1] is messages[0], "the stream should end with exactly one Message"
    final = messages[0]
    assert final.role is Role.ASSISTANT, final.role
    assert final.text and final.text == "".join(deltas), (final.text, deltas)
    assert final.usage is not None and final.usage.output_tokens > 0, f"the final Message needs usage: {final.usage}"
    assert wire.requests() > before or wire.closed is None, "query() never reached the far side"
    return final


async def check_a_later_turn(wire: Wire, prompt: str = PROMPT) -> Message:
    """An answer, then a later turn carrying it as history (and its session id as resume): deltas and one Message."""
    first = await check_streams_then_one_message(wire, prompt)
    options = (wire.options or ClaifOptions()).model_copy(
        update={
            "history": [Message(role=Role.USER, content=prompt), Message(role=Role.ASSISTANT, content=first.text)],
            "resume": first.metadata.get("session_id"),
        }
    )
    return await check_streams_then_one_message(Wire(wire.provider, wire.requests, options=options), "Once more.")


async def check_cancel_closes_the_wire(
    wire: Wire, prompt: str = PROMPT, *, close: bool = False, timeout: float = EVENT_TIMEOUT
) -> None:
    """After the first delta, cancel the consuming task (``close``: close the stream instead); the wire closes.

    ``timeout`` bounds each wait (for the first piece, for the far side to see the provider leave).
    """
    first = asyncio.Event()
    events = wire.provider.query(prompt, wire.options)

    async def consume() -> None:
        async for event in events:
            if isinstance(event, TextDelta):
                first.set()
                if close:
                    break

    task = asyncio.ensure_future(consume())
    waiter = asyncio.ensure_future(first.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task in done and not first.is_set():
        task.result()  # the provider failed before its first piece: show why
    assert first.is_set(), "no first TextDelta arrived from a stalling answer"
    if close:
        await task
        await events.aclose()  # type: ignore[attr-defined]
    else:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled(), "the provider swallowed the cancellation"
    if wire.closed is not None:
        assert await async_wait_until(wire.closed, timeout), "the far side never saw the provider leave"


async def check_refusal(wire: Wire, prompt: str = PROMPT) -> AuthenticationError:
    """Refused credentials raise AuthenticationError naming the provider, before any final Message."""
    events: list[StreamEvent] = []
    with pytest.raises(ClaifError) as raised:
        async for event in wire.provider.query(prompt, wire.options):
            events.append(event)
    exc = raised.value
    assert isinstance(exc, AuthenticationError), f"expected AuthenticationError, got {type(exc).__name__}: {exc}"
    assert not any(isinstance(event, Message) for event in events), "a refused query yielded a final Message"
    _check_error(exc, wire)
    return exc


async def check_unconfigured(wire: Wire, prompt: str = PROMPT) -> ClaifError:
    """Not ready with a reason; a query raises a ClaifError saying what to do, reaching nothing."""
    status = wire.provider.status()
    assert not status.ready, "a provider without its key, executable or settings reported ready"
    assert status.reason.strip(), "a provider that is not ready should say why"
    with pytest.raises(ClaifError) as raised:
        async for _ in wire.provider.query(prompt, wire.options):
            pass
    _check_error(raised.value, wire)
    assert wire.requests() == 0, "an unconfigured provider reached the far side"
    return raised.value


def _check_error(exc: ClaifError, wire: Wire) -> None:
    assert exc.provider == wire.provider.name, f"the error should name the provider: {exc.provider!r}"
    assert exc.message.strip(), "the error has no message"
    assert str(exc).startswith(f"{wire.provider.name}: ")
    if wire.secret:
        assert wire.secret not in str(exc) and wire.secret not in repr(exc.details), "the error contains the key"


def _run(wire: Wire, check: Callable[[Wire], Awaitable[Any]]) -> None:
    async def main() -> None:
        try:
            await check(wire)
        finally:
            await wire.provider.disconnect()

    asyncio.run(main())


class ProviderConformance:
    """The conformance checks as pytest tests; subclass it as ``Test<Provider>`` and implement the hooks.

    ``answering`` is required; return None from ``stalling`` or ``refusing`` when the provider has no such case
    (the test is then skipped, with the reason).
    """

    def answering(self) -> AbstractContextManager[Wire]:
        """A configured provider whose far side answers normally, in two or more pieces, with usage."""
        raise NotImplementedError

    def stalling(self) -> AbstractContextManager[Wire] | None:
        """A provider whose far side sends a first piece, then nothing until the client leaves."""
        return None

    def refusing(self) -> AbstractContextManager[Wire] | None:
        """A provider whose far side refuses its credentials."""
        return None

    def unconfigured(self) -> AbstractContextManager[Wire]:
        """A provider missing what it needs (key, executable, setting); its far side must see nothing."""
        raise NotImplementedError

    def test_streams_text_then_one_final_message_with_usage(self) -> None:
        with self.answering() as wire:
            _run(wire, check_streams_then_one_message)

    def test_a_later_turn_of_a_conversation_answers_the_same_way(self) -> None:
        with self.answering() as wire:
            _run(wire, check_a_later_turn)

    def test_cancelling_the_ask_closes_the_wire(self) -> None:
        with self._optional(self.stalling(), "no stalling case") as wire:
            _run(wire, check_cancel_closes_the_wire)

    def test_closing_the_stream_early_closes_the_wire(self) -> None:
        with self._optional(self.stalling(), "no stalling case") as wire:
            _run(wire, lambda w: check_cancel_closes_the_wire(w, close=True))

    def test_refused_credentials_raise_an_actionable_authentication_error(self) -> None:
        with self._optional(self.refusing(), "no credentials to refuse") as wire:
            _run(wire, check_refusal)

    def test_unconfigured_is_not_ready_and_says_why(self) -> None:
        with self.unconfigured() as wire:
            _run(wire, check_unconfigured)

    @staticmethod
    @contextlib.contextmanager
    def _optional(case: AbstractContextManager[Wire] | None, why: str) -> Iterator[Wire]:
        if case is None:
            pytest.skip(why)
        with case as wire:
            yield wire
