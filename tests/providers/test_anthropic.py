"""The Anthropic provider driven for real: official SDK against a loopback server speaking the Messages SSE format."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from claif_anthropic.provider import DEFAULT_MAX_TOKENS, DEFAULT_MODEL, AnthropicProvider

from claif_lsp.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    ProviderError,
    ProviderRuntimeError,
    ProviderTimeoutError,
    RateLimitError,
    TransportError,
)
from claif_lsp.registry import ProviderRegistry
from claif_lsp.settings import ProviderSettings, Settings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions, Message, ProviderState, StreamEvent, TextDelta, Usage
from tests.fakes.helpers import EVENT_TIMEOUT
from tests.fakes.http_servers import AnthropicServer, RecordedRequest, Reply

KEY = "sk-ant-loopback-0123456789abcdef"
EPHEMERAL = {"type": "ephemeral"}
ENV = {"ANTHROPIC_API_KEY": KEY}


@pytest.fixture
def server() -> Iterator[AnthropicServer]:
    with AnthropicServer() as srv:
        yield srv


def sent_key(request: RecordedRequest) -> str | None:
    """The key a request carried: ``x-api-key``, or ``Authorization: Bearer`` as anthropic 2.x sends it."""
    if "x-api-key" in request.headers:
        return request.headers["x-api-key"]
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme == "Bearer" else None


def provider_for(server: AnthropicServer, environ: dict[str, str] | None = None, **settings: Any) -> AnthropicProvider:
    provider = AnthropicProvider()
    settings.setdefault("base_url", server.base_url)
    provider.configure(ProviderSettings(**settings), environ=ENV if environ is None else environ)
    return provider


async def recorded(events: AsyncIterator[StreamEvent], seen: list[StreamEvent]) -> AsyncIterator[StreamEvent]:
    """Pass the provider's events through, keeping them so a test can check what came before a failure."""
    async for event in events:
        seen.append(event)
        yield event


async def fails_with(
    provider: AnthropicProvider, expected: type[ProviderError], options: ClaifOptions | None = None
) -> ProviderError:
    """Run one query through collect_answer, expecting ``expected`` and no final message before it."""
    seen: list[StreamEvent] = []
    with pytest.raises(expected) as caught:
        await collect_answer("anthropic", recorded(provider.query("Fix this", options), seen))
    assert not any(isinstance(event, Message) for event in seen), "a partial answer was presented as complete"
    assert caught.value.provider == "anthropic"
    assert KEY not in str(caught.value)
    return caught.value


async def test_streams_deltas_in_order_then_a_message_with_usage(server: AnthropicServer) -> None:
    chunks = ["def add(a, b):", "\n    return", " a + b\n"]
    server.script(Reply(chunks=chunks, input_tokens=31, output_tokens=9))
    provider = provider_for(server)
    pieces: list[str] = []
    seen: list[StreamEvent] = []

    answer = await collect_answer("anthropic", recorded(provider.query("Write add"), seen), on_text=pieces.append)

    assert pieces == chunks
    assert [e.text for e in seen if isinstance(e, TextDelta)] == chunks
    assert answer.text == "".join(chunks)
    assert answer.usage == Usage(input_tokens=31, output_tokens=9)
    assert answer.model == DEFAULT_MODEL
    final = seen[-1]
    assert isinstance(final, Message)
    assert final.text == "".join(chunks)
    assert final.metadata["stop_reason"] == "end_turn"
    assert final.metadata["model"] == DEFAULT_MODEL
    await provider.disconnect()


async def test_request_carries_model_system_prompt_max_tokens_and_key(server: AnthropicServer) -> None:
    provider = provider_for(server, model="claude-test-model", max_tokens=321, temperature=0.2)

    await collect_answer("anthropic", provider.query("Explain this", ClaifOptions(system_prompt="You review code.")))

    request = server.last_request
    assert request.path == "/v1/messages"
    assert sent_key(request) == KEY
    assert request.body["model"] == "claude-test-model"
    assert request.body["max_tokens"] == 321
    assert request.body["temperature"] == 0.2
    assert request.body["system"] == [{"type": "text", "text": "You review code.", "cache_control": EPHEMERAL}]
    assert request.body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Explain this", "cache_control": EPHEMERAL}]}
    ]
    assert request.body["stream"] is True
    await provider.disconnect()


async def test_defaults_and_per_query_options_override_settings(server: AnthropicServer) -> None:
    provider = provider_for(server)

    await collect_answer("anthropic", provider.query("a"))
    await collect_answer("anthropic", provider.query("b", ClaifOptions(model="claude-other", max_tokens=50)))

    first, second = server.requests
    assert (first.body["model"], first.body["max_tokens"]) == (DEFAULT_MODEL, DEFAULT_MAX_TOKENS)
    assert "system" not in first.body and "temperature" not in first.body
    assert (second.body["model"], second.body["max_tokens"]) == ("claude-other", 50)
    await provider.disconnect()


async def test_base_url_and_key_come_from_the_given_environment_not_os_environ(server: AnthropicServer) -> None:
    environ = {"ANTHROPIC_BASE_URL": server.base_url, "MY_CLAUDE_KEY": "k-from-custom-env"}
    provider = provider_for(server, environ=environ, base_url=None, api_key_env="MY_CLAUDE_KEY")

    answer = await collect_answer("anthropic", provider.query("hi"))

    assert answer.text == "Hello, world"
    assert sent_key(server.last_request) == "k-from-custom-env"
    await provider.disconnect()


async def test_api_key_command_supplies_the_key(server: AnthropicServer) -> None:
    command = [sys.executable, "-c", "print('key-from-command')"]
    provider = provider_for(server, environ={}, api_key_command=command)

    await collect_answer("anthropic", provider.query("hi"))

    assert sent_key(server.last_request) == "key-from-command"
    await provider.disconnect()


async def test_401_is_an_authentication_error_naming_the_variable(server: AnthropicServer) -> None:
    server.script(Reply(status=401, error_message=f"invalid x-api-key {KEY}"))
    error = await fails_with(provider_for(server), AuthenticationError)
    assert "ANTHROPIC_API_KEY was rejected (401): check the key" in str(error)


async def test_403_is_an_authentication_error(server: AnthropicServer) -> None:
    server.script(Reply(status=403, error_message=f"this key cannot use that model ({KEY})"))
    error = await fails_with(provider_for(server), AuthenticationError)
    assert "403" in str(error) and "cannot use that model" in str(error)


async def test_429_is_a_rate_limit_error_with_retry_after(server: AnthropicServer) -> None:
    server.script(Reply(status=429, headers={"retry-after": "7"}, error_message="slow down"))
    error = await fails_with(provider_for(server), RateLimitError)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0
    assert "429" in str(error) and "retry in 7 s" in str(error)


async def test_500_is_a_transport_error_with_the_status(server: AnthropicServer) -> None:
    server.script(Reply(status=500, error_message="internal trouble"))
    error = await fails_with(provider_for(server), TransportError)
    assert "500" in str(error) and "internal trouble" in str(error)
    assert error.details["status"] == 500


async def test_404_names_the_settings_to_check(server: AnthropicServer) -> None:
    server.script(Reply(status=404, error_message="model: claude-nope"))
    provider = provider_for(server, model="claude-nope")
    with pytest.raises(ConfigurationError, match=r"providers\.anthropic\.model"):
        await collect_answer("anthropic", provider.query("hi"))


async def test_stream_cut_mid_event_fails_without_a_final_message(server: AnthropicServer) -> None:
    server.script(Reply(chunks=["one ", "two ", "three"], cut_after=2))
    error = await fails_with(provider_for(server), ConnectionFailedError)
    assert "stream ended before the answer was complete" in str(error)


async def test_stream_ending_before_message_stop_fails(server: AnthropicServer) -> None:
    server.script(Reply(chunks=["one ", "two ", "three"], end_early_after=1))
    error = await fails_with(provider_for(server), ConnectionFailedError)
    assert "stream ended before the answer was complete" in str(error)


async def test_stalled_stream_times_out(server: AnthropicServer) -> None:
    server.script(Reply(chunks=["one ", "two"], hang_after=1))
    error = await fails_with(provider_for(server), ProviderTimeoutError, ClaifOptions(timeout=0.5))
    assert "0.5 s" in str(error)
    # The provider hung up on the stalled server rather than leaving the connection open.
    assert await anyio.to_thread.run_sync(server.wait_for_disconnect)


async def test_keepalives_without_an_answer_hit_the_whole_answer_deadline(server: AnthropicServer) -> None:
    # Keep-alives arrive every 0.1 s, so no read timeout ever fires; only the whole-answer deadline stops this.
    server.script(Reply(chunks=["one ", "two"], keepalive_after=1))
    await fails_with(provider_for(server), ProviderTimeoutError, ClaifOptions(timeout=0.5))
    assert await anyio.to_thread.run_sync(server.wait_for_disconnect)


async def test_server_that_never_answers_times_out(server: AnthropicServer) -> None:
    server.script(Reply(hang_before_headers=True))
    await fails_with(provider_for(server, timeout=0.5), ProviderTimeoutError)


async def test_malformed_event_is_a_runtime_error(server: AnthropicServer) -> None:
    server.script(Reply(malformed_after=1))
    error = await fails_with(provider_for(server), ProviderRuntimeError)
    assert "malformed event" in str(error)


async def test_error_event_mid_stream_is_a_runtime_error_with_its_message(server: AnthropicServer) -> None:
    server.script(Reply(stream_error_after=1, error_type="overloaded_error", error_message="Overloaded"))
    error = await fails_with(provider_for(server), ProviderRuntimeError)
    assert "overloaded_error: Overloaded" in str(error)


async def test_answer_cut_at_max_tokens_is_an_error(server: AnthropicServer) -> None:
    server.script(Reply(stop_reason="max_tokens"))
    error = await fails_with(provider_for(server, max_tokens=5), ProviderRuntimeError)
    assert "answer was cut at max_tokens (5" in str(error)


async def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = AnthropicProvider()
    provider.configure(ProviderSettings(base_url=f"http://127.0.0.1:{port}"), environ=ENV)
    seen: list[StreamEvent] = []
    with pytest.raises(ConnectionFailedError, match=f"cannot reach http://127.0.0.1:{port}"):
        await collect_answer("anthropic", recorded(provider.query("hi"), seen))
    assert seen == []


async def test_missing_key_is_a_configuration_error_before_any_request(server: AnthropicServer) -> None:
    provider = provider_for(server, environ={})
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY is not set"):
        await collect_answer("anthropic", provider.query("hi"))
    assert server.requests == []


async def test_cancelling_the_consumer_closes_the_http_stream_at_once(server: AnthropicServer) -> None:
    server.script(Reply(chunks=["first ", "never sent"], hang_after=1), Reply())
    provider = provider_for(server)
    first_text = asyncio.Event()
    task = asyncio.create_task(
        collect_answer("anthropic", provider.query("long answer"), on_text=lambda _: first_text.set())
    )
    await asyncio.wait_for(first_text.wait(), EVENT_TIMEOUT)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await anyio.to_thread.run_sync(server.wait_for_disconnect), "the server never saw the client hang up"
    # The client is still usable after the cancelled stream.
    answer = await collect_answer("anthropic", provider.query("again"))
    assert answer.text == "Hello, world"
    await provider.disconnect()


def test_status_needs_the_key_and_never_shows_it(server: AnthropicServer) -> None:
    without = provider_for(server, environ={})
    assert without.status().state is ProviderState.NEEDS_CREDENTIAL
    assert without.status().reason == "ANTHROPIC_API_KEY is not set"

    ready = provider_for(server).status()
    assert ready.state is ProviderState.READY
    assert KEY not in ready.reason
    assert ready.reason == f"{server.base_url}, key from ANTHROPIC_API_KEY"


def test_status_is_not_installed_when_the_sdk_is_missing(
    server: AnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "anthropic" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    status = provider_for(server).status()
    assert status.state is ProviderState.NOT_INSTALLED
    assert "pip install claif-anthropic" in status.reason


def test_importing_the_provider_and_asking_status_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from claif_anthropic import AnthropicProvider\n"
        "p = AnthropicProvider(); p.configure(p.settings, environ={'ANTHROPIC_API_KEY': 'x'})\n"
        "assert p.status().ready\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'anthropic', 'httpx2'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_registry_discovers_the_entry_point_and_queries_through_it(server: AnthropicServer) -> None:
    registry = ProviderRegistry(environ=ENV)
    assert "anthropic" in registry.names()
    registry.update_settings(Settings(providers={"anthropic": ProviderSettings(base_url=server.base_url)}))

    assert registry.status("anthropic").state is ProviderState.READY
    provider = await registry.connected("anthropic")
    answer = await collect_answer("anthropic", provider.query("hi"))

    assert isinstance(provider, AnthropicProvider)
    assert answer.text == "Hello, world"
    assert sent_key(server.last_request) == KEY
    await registry.close()

    keyless = ProviderRegistry(environ={})
    assert keyless.status("anthropic").state is ProviderState.NEEDS_CREDENTIAL
