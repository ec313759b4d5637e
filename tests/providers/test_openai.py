"""The OpenAI-compatible provider driven for real: official SDK against a loopback Chat Completions SSE server."""

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
from claif_openai.provider import DEFAULT_MODEL, LOCAL_PLACEHOLDER_KEY, OpenAIProvider, is_local_url

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
from claif_lsp.types import ClaifOptions, Message, ProviderState, Role, StreamEvent, TextDelta, Usage
from tests.fakes.helpers import EVENT_TIMEOUT
from tests.fakes.http_servers import OpenAIServer, Reply

KEY = "sk-loopback-0123456789abcdef"
ENV = {"OPENAI_API_KEY": KEY}


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def provider_for(server: OpenAIServer, environ: dict[str, str] | None = None, **settings: Any) -> OpenAIProvider:
    provider = OpenAIProvider()
    settings.setdefault("base_url", server.base_url)
    provider.configure(ProviderSettings(**settings), environ=ENV if environ is None else environ)
    return provider


async def recorded(events: AsyncIterator[StreamEvent], seen: list[StreamEvent]) -> AsyncIterator[StreamEvent]:
    """Pass the provider's events through, keeping them so a test can check what came before a failure."""
    async for event in events:
        seen.append(event)
        yield event


async def fails_with(
    provider: OpenAIProvider, expected: type[ProviderError], options: ClaifOptions | None = None
) -> ProviderError:
    """Run one query through collect_answer, expecting ``expected`` and no final message before it."""
    seen: list[StreamEvent] = []
    with pytest.raises(expected) as caught:
        await collect_answer("openai", recorded(provider.query("Fix this", options), seen))
    assert not any(isinstance(event, Message) for event in seen), "a partial answer was presented as complete"
    assert caught.value.provider == "openai"
    assert KEY not in str(caught.value)
    return caught.value


async def test_streams_deltas_in_order_then_a_message_with_usage(server: OpenAIServer) -> None:
    chunks = ["def add(a, b):", "\n    return", " a + b\n"]
    server.script(Reply(chunks=chunks, input_tokens=40, output_tokens=11))
    provider = provider_for(server)
    pieces: list[str] = []
    seen: list[StreamEvent] = []

    answer = await collect_answer("openai", recorded(provider.query("Write add"), seen), on_text=pieces.append)

    assert pieces == chunks
    assert [e.text for e in seen if isinstance(e, TextDelta)] == chunks
    assert answer.text == "".join(chunks)
    assert answer.usage == Usage(input_tokens=40, output_tokens=11)
    assert answer.model == DEFAULT_MODEL
    final = seen[-1]
    assert isinstance(final, Message)
    assert final.metadata["stop_reason"] == "stop"
    await provider.disconnect()


async def test_request_carries_model_system_prompt_max_tokens_usage_option_and_key(server: OpenAIServer) -> None:
    provider = provider_for(server, model="qwen2.5-coder:7b", max_tokens=321, temperature=0.2)

    await collect_answer("openai", provider.query("Explain this", ClaifOptions(system_prompt="You review code.")))

    request = server.last_request
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == "qwen2.5-coder:7b"
    assert request.body["max_tokens"] == 321  # the field local OpenAI-compatible servers understand
    assert "max_completion_tokens" not in request.body
    assert request.body["temperature"] == 0.2
    assert request.body["messages"] == [
        {"role": "system", "content": "You review code."},
        {"role": "user", "content": "Explain this"},
    ]
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    await provider.disconnect()


async def test_defaults_send_no_limits_and_options_override_settings(server: OpenAIServer) -> None:
    provider = provider_for(server, options={"maxTokensField": "max_completion_tokens"})

    await collect_answer("openai", provider.query("a"))
    await collect_answer("openai", provider.query("b", ClaifOptions(model="gpt-other", max_tokens=50)))

    first, second = server.requests
    assert first.body["model"] == DEFAULT_MODEL
    assert {"max_tokens", "max_completion_tokens", "temperature"}.isdisjoint(first.body)
    assert first.body["messages"] == [{"role": "user", "content": "a"}]
    assert second.body["model"] == "gpt-other"
    assert second.body["max_completion_tokens"] == 50
    await provider.disconnect()


def test_openai_itself_gets_max_completion_tokens() -> None:
    provider = OpenAIProvider()
    provider.configure(ProviderSettings(max_tokens=10), environ=ENV)
    params = provider.request_params("hi", provider.resolve_options(None), provider.base_url())
    assert provider.base_url() == "https://api.openai.com/v1"
    assert params["max_completion_tokens"] == 10 and "max_tokens" not in params


async def test_server_without_usage_reporting_still_answers(server: OpenAIServer) -> None:
    provider = provider_for(server, options={"streamUsage": False})

    answer = await collect_answer("openai", provider.query("hi"))

    assert "stream_options" not in server.last_request.body
    assert answer.text == "Hello, world"
    assert answer.usage == Usage()
    await provider.disconnect()


async def test_local_server_needs_no_key(server: OpenAIServer) -> None:
    provider = provider_for(server, environ={})

    status = provider.status()
    answer = await collect_answer("openai", provider.query("hi"))

    assert status.state is ProviderState.READY
    assert status.reason == f"local server at {server.base_url} (no key needed)"
    assert answer.text == "Hello, world"
    assert server.last_request.headers["authorization"] == f"Bearer {LOCAL_PLACEHOLDER_KEY}"
    await provider.disconnect()


async def test_local_server_that_wants_a_key_says_so(server: OpenAIServer) -> None:
    server.script(Reply(status=401, error_message="missing key"))
    error = await fails_with(provider_for(server, environ={}), AuthenticationError)
    assert f"the server at {server.base_url} requires a key (401): set OPENAI_API_KEY" in str(error)


async def test_base_url_comes_from_the_given_environment(server: OpenAIServer) -> None:
    provider = provider_for(server, environ={"OPENAI_BASE_URL": server.base_url, **ENV}, base_url=None)

    answer = await collect_answer("openai", provider.query("hi"))

    assert answer.text == "Hello, world"
    assert server.last_request.headers["authorization"] == f"Bearer {KEY}"
    await provider.disconnect()


async def test_api_key_command_supplies_the_key(server: OpenAIServer) -> None:
    command = [sys.executable, "-c", "print('key-from-command')"]
    provider = provider_for(server, environ={}, api_key_command=command)

    await collect_answer("openai", provider.query("hi"))

    assert server.last_request.headers["authorization"] == "Bearer key-from-command"
    await provider.disconnect()


async def test_401_is_an_authentication_error_naming_the_variable(server: OpenAIServer) -> None:
    server.script(Reply(status=401, error_message=f"Incorrect API key provided: {KEY}"))
    error = await fails_with(provider_for(server), AuthenticationError)
    assert "OPENAI_API_KEY was rejected (401): check the key" in str(error)


async def test_429_is_a_rate_limit_error_with_retry_after(server: OpenAIServer) -> None:
    server.script(Reply(status=429, headers={"retry-after": "12"}, error_message="Rate limit reached"))
    error = await fails_with(provider_for(server), RateLimitError)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    assert "429" in str(error) and "Rate limit reached" in str(error)


async def test_500_is_a_transport_error_with_the_status(server: OpenAIServer) -> None:
    server.script(Reply(status=500, error_message=f"The server had an error; key {KEY}"))
    error = await fails_with(provider_for(server), TransportError)
    assert "500" in str(error) and "The server had an error" in str(error)
    assert error.details["status"] == 500


async def test_unknown_model_names_the_settings_to_check(server: OpenAIServer) -> None:
    server.script(Reply(status=404, error_message="model 'nope' not found"))
    provider = provider_for(server, model="nope")
    with pytest.raises(ConfigurationError, match=r"providers\.openai\.model"):
        await collect_answer("openai", provider.query("hi"))


async def test_stream_cut_mid_event_fails_without_a_final_message(server: OpenAIServer) -> None:
    server.script(Reply(chunks=["one ", "two ", "three"], cut_after=2))
    error = await fails_with(provider_for(server), ConnectionFailedError)
    assert "stream ended before the answer was complete" in str(error)


async def test_stream_ending_without_a_finish_reason_fails(server: OpenAIServer) -> None:
    server.script(Reply(chunks=["one ", "two ", "three"], end_early_after=1))
    error = await fails_with(provider_for(server), ConnectionFailedError)
    assert "stream ended before the answer was complete" in str(error)


async def test_stalled_stream_times_out(server: OpenAIServer) -> None:
    server.script(Reply(chunks=["one ", "two"], hang_after=1))
    error = await fails_with(provider_for(server), ProviderTimeoutError, ClaifOptions(timeout=0.5))
    assert "0.5 s" in str(error)
    assert await anyio.to_thread.run_sync(server.wait_for_disconnect)


async def test_keepalives_without_an_answer_hit_the_whole_answer_deadline(server: OpenAIServer) -> None:
    # Keep-alives arrive every 0.1 s, so no read timeout ever fires; only the whole-answer deadline stops this.
    server.script(Reply(chunks=["one ", "two"], keepalive_after=1))
    await fails_with(provider_for(server), ProviderTimeoutError, ClaifOptions(timeout=0.5))
    assert await anyio.to_thread.run_sync(server.wait_for_disconnect)


async def test_server_that_never_answers_times_out(server: OpenAIServer) -> None:
    server.script(Reply(hang_before_headers=True))
    await fails_with(provider_for(server, timeout=0.5), ProviderTimeoutError)


async def test_malformed_chunk_is_a_runtime_error(server: OpenAIServer) -> None:
    server.script(Reply(malformed_after=1))
    error = await fails_with(provider_for(server), ProviderRuntimeError)
    assert "malformed event" in str(error)


async def test_error_object_mid_stream_is_a_runtime_error_with_its_message(server: OpenAIServer) -> None:
    server.script(Reply(stream_error_after=1, error_message="model crashed while generating"))
    error = await fails_with(provider_for(server), ProviderRuntimeError)
    assert "model crashed while generating" in str(error)


async def test_answer_cut_at_max_tokens_is_an_error(server: OpenAIServer) -> None:
    server.script(Reply(stop_reason="length"))
    error = await fails_with(provider_for(server, max_tokens=5), ProviderRuntimeError)
    assert "answer was cut at max_tokens (5" in str(error)


async def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = OpenAIProvider()
    provider.configure(ProviderSettings(base_url=f"http://127.0.0.1:{port}/v1"), environ={})
    seen: list[StreamEvent] = []
    with pytest.raises(ConnectionFailedError, match=f"cannot reach http://127.0.0.1:{port}/v1"):
        await collect_answer("openai", recorded(provider.query("hi"), seen))
    assert seen == []


async def test_remote_server_without_key_is_a_configuration_error() -> None:
    provider = OpenAIProvider()
    provider.configure(ProviderSettings(base_url="https://llm.example.invalid/v1"), environ={})
    assert provider.status().state is ProviderState.NEEDS_CREDENTIAL
    assert provider.status().reason == "OPENAI_API_KEY is not set"
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY is not set"):
        await collect_answer("openai", provider.query("hi"))


async def test_cancelling_the_consumer_closes_the_http_stream_at_once(server: OpenAIServer) -> None:
    server.script(Reply(chunks=["first ", "never sent"], hang_after=1), Reply())
    provider = provider_for(server)
    first_text = asyncio.Event()
    task = asyncio.create_task(
        collect_answer("openai", provider.query("long answer"), on_text=lambda _: first_text.set())
    )
    await asyncio.wait_for(first_text.wait(), EVENT_TIMEOUT)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await anyio.to_thread.run_sync(server.wait_for_disconnect), "the server never saw the client hang up"
    answer = await collect_answer("openai", provider.query("again"))
    assert answer.text == "Hello, world"
    await provider.disconnect()


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://[::1]:1234/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://192.168.1.20:8000/v1", False),
    ],
)
def test_local_url_detection(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_status_with_key_is_ready_and_never_shows_it(server: OpenAIServer) -> None:
    status = provider_for(server).status()
    assert status.state is ProviderState.READY
    assert KEY not in status.reason
    assert status.reason == f"{server.base_url}, key from OPENAI_API_KEY"


def test_status_is_not_installed_when_the_sdk_is_missing(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "openai" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    status = provider_for(server).status()
    assert status.state is ProviderState.NOT_INSTALLED
    assert "pip install claif-openai" in status.reason


def test_importing_the_provider_and_asking_status_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from claif_openai import OpenAIProvider\n"
        "p = OpenAIProvider(); p.configure(p.settings, environ={'OPENAI_API_KEY': 'x'})\n"
        "assert p.status().ready\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'openai', 'httpx2'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_registry_discovers_the_entry_point_and_queries_through_it(server: OpenAIServer) -> None:
    registry = ProviderRegistry(environ={})
    assert "openai" in registry.names()
    assert registry.status("openai").state is ProviderState.NEEDS_CREDENTIAL  # api.openai.com, no key

    registry.update_settings(Settings(providers={"openai": ProviderSettings(base_url=server.base_url)}))
    assert registry.status("openai").state is ProviderState.READY
    provider = await registry.connected("openai")
    answer = await collect_answer("openai", provider.query("hi"))

    assert isinstance(provider, OpenAIProvider)
    assert answer.text == "Hello, world"
    await registry.close()


async def test_a_later_turn_sends_the_history_as_messages_in_order_and_reports_cached_tokens(
    server: OpenAIServer,
) -> None:
    server.script(Reply(chunks=["second answer"], input_tokens=900, cached_tokens=768))
    provider = provider_for(server)
    history = [
        Message(role=Role.USER, content="Fix app.py:\ndef f(): pass"),
        Message(role=Role.ASSISTANT, content="*** Begin Patch\n*** End Patch"),
    ]

    answer = await collect_answer(
        "openai", provider.query("Keep the name f.", ClaifOptions(system_prompt="You edit code.", history=history))
    )

    assert server.last_request.body["messages"] == [
        {"role": "system", "content": "You edit code."},
        {"role": "user", "content": "Fix app.py:\ndef f(): pass"},
        {"role": "assistant", "content": "*** Begin Patch\n*** End Patch"},
        {"role": "user", "content": "Keep the name f."},
    ]
    assert answer.usage == Usage(input_tokens=900, output_tokens=7, cache_read_tokens=768)
    await provider.disconnect()
