"""The Gemini API provider (google-genai) against a loopback server speaking streamGenerateContent SSE."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from claif_gemini.api_provider import GeminiApiProvider, install_hint

from claif_lsp.errors import (
    AuthenticationError,
    ConnectionFailedError,
    ProviderRuntimeError,
    ProviderTimeoutError,
    RateLimitError,
)
from claif_lsp.registry import ProviderRegistry
from claif_lsp.settings import ProviderSettings, Settings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions, Message, ProviderState, Role, TextDelta
from tests.fakes.gemini_server import GeminiReply, GeminiServer
from tests.fakes.helpers import EVENT_TIMEOUT, collect_events

KEY = "test-key-0123456789"


def provider(server: GeminiServer, timeout: float = 30, **env: str) -> GeminiApiProvider:
    p = GeminiApiProvider()
    p.configure(
        ProviderSettings(base_url=server.base_url, model="gemini-test", timeout=timeout),
        {"GEMINI_API_KEY": KEY, **env} if "GOOGLE_API_KEY" not in env else env,
    )
    return p


async def test_streams_sse_chunks_and_reports_usage_and_model() -> None:
    with GeminiServer([GeminiReply(chunks=["Hel", "lo, ", "world"], cached_tokens=4)]) as server:
        pieces: list[str] = []
        answer = await collect_answer("gemini", provider(server).query("hi"), pieces.append)
    assert pieces == ["Hel", "lo, ", "world"] and answer.text == "Hello, world"
    assert (answer.usage.input_tokens, answer.usage.output_tokens, answer.usage.cache_read_tokens) == (11, 5, 4)
    assert answer.model == "gemini-fake-001"
    request = server.requests[0]
    assert request.path.endswith("/models/gemini-test:streamGenerateContent?alt=sse")
    assert request.headers["x-goog-api-key"] == KEY
    assert request.body["contents"][0]["parts"][0]["text"] == "hi"


async def test_system_prompt_and_sampling_options_reach_the_request() -> None:
    with GeminiServer() as server:
        opts = ClaifOptions(system_prompt="Be terse.", temperature=0.2, max_tokens=64)
        await collect_answer("gemini", provider(server).query("hi", opts))
    body = server.requests[0].body
    assert body["systemInstruction"]["parts"][0]["text"] == "Be terse."
    assert body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 64}


async def test_google_api_key_is_the_fallback() -> None:
    with GeminiServer() as server:
        p = provider(server, GOOGLE_API_KEY="google-key")
        assert p.status().state is ProviderState.READY
        await collect_answer("gemini", p.query("hi"))
    assert server.requests[0].headers["x-goog-api-key"] == "google-key"


@pytest.mark.parametrize(
    ("reply", "error", "says"),
    [
        (GeminiReply(status=401, error_message="Invalid credentials."), AuthenticationError, r"rejected \(401\)"),
        (GeminiReply(status=403, error_message="Permission denied."), AuthenticationError, r"rejected \(403\)"),
        (
            GeminiReply(
                status=400, error_message="API key not valid. Please pass a valid API key.", error_reason="API_KEY"
            ),
            AuthenticationError,
            "API key not valid",
        ),
        (GeminiReply(status=429, headers={"retry-after": "7"}), RateLimitError, "retry in 7 s"),
        (GeminiReply(status=500, error_message="Internal error encountered."), ProviderRuntimeError, "status 500"),
        (GeminiReply(finish_reason="SAFETY"), ProviderRuntimeError, r"blocked \(finishReason SAFETY\)"),
    ],
)  # fmt: skip
async def test_http_errors_are_mapped(reply: GeminiReply, error: type[Exception], says: str) -> None:
    with GeminiServer([reply]) as server, pytest.raises(error, match=says) as info:
        await collect_events(provider(server).query("hi"))
    assert KEY not in str(info.value)
    if isinstance(info.value, RateLimitError):
        assert info.value.retry_after == 7


async def test_cut_connection_mid_stream_is_a_connection_failure_without_final_message() -> None:
    events: list = []
    with (
        GeminiServer([GeminiReply(chunks=["a", "b", "c"], cut_after=1)]) as server,
        pytest.raises(ConnectionFailedError, match="mid-answer"),
    ):
        async for event in provider(server).query("hi"):
            events.append(event)
    assert events == [TextDelta(text="a")]


async def test_stream_ending_without_finish_reason_is_incomplete() -> None:
    with GeminiServer([GeminiReply(chunks=["a", "b", "c"], end_early_after=2)]) as server:
        events: list = []
        with pytest.raises(ConnectionFailedError, match="before the answer was complete"):
            async for event in provider(server).query("hi"):
                events.append(event)
    assert not any(isinstance(event, Message) for event in events)


async def test_hang_times_out_and_the_connection_is_closed() -> None:
    with GeminiServer([GeminiReply(chunks=["a", "b"], hang_after=1)]) as server:
        with pytest.raises(ProviderTimeoutError, match=r"within 1\.5s"):
            await collect_events(provider(server, timeout=1.5).query("hi"))
        assert await asyncio.to_thread(server.client_gone.wait, EVENT_TIMEOUT)


async def test_cancel_closes_the_connection() -> None:
    with GeminiServer([GeminiReply(chunks=["a", "b"], hang_after=1)]) as server:
        first = asyncio.Event()

        async def consume() -> None:
            async for event in provider(server, timeout=300).query("hi"):
                if isinstance(event, TextDelta):
                    first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), EVENT_TIMEOUT)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.client_gone.wait, EVENT_TIMEOUT)


def test_status_without_a_key_names_the_variables() -> None:
    p = GeminiApiProvider()
    p.configure(ProviderSettings(), {})
    status = p.status()
    assert status.state is ProviderState.NEEDS_CREDENTIAL
    assert status.reason == "GEMINI_API_KEY (or GOOGLE_API_KEY) is not set"


async def test_missing_key_fails_before_any_request() -> None:
    with GeminiServer() as server:
        p = GeminiApiProvider()
        p.configure(ProviderSettings(base_url=server.base_url), {})
        with pytest.raises(AuthenticationError, match="GEMINI_API_KEY"):
            await collect_events(p.query("hi"))
    assert server.requests == []


def test_the_sdk_is_not_imported_until_a_query_runs(tmp_path: Path) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from claif_gemini.api_provider import GeminiApiProvider\n"
        "from claif_gemini.cli_provider import GeminiCliProvider\n"
        "from claif_claude_code.provider import ClaudeCodeProvider\n"
        "from claif_codex.provider import CodexProvider\n"
        "for cls in (GeminiApiProvider, GeminiCliProvider, ClaudeCodeProvider, CodexProvider):\n"
        "    p = cls(); p.configure(p.settings, {'HOME': sys.argv[1], 'PATH': ''}); p.status()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('google.genai', 'claude_agent_sdk'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_registry_discovers_checks_and_queries() -> None:
    with GeminiServer() as server:
        registry = ProviderRegistry(environ={"GEMINI_API_KEY": KEY})
        registry.update_settings(Settings(providers={"gemini": ProviderSettings(base_url=server.base_url)}))
        assert registry.status("gemini").state is ProviderState.READY
        assert registry.display_name("gemini") == "Gemini"
        p = await registry.connected("gemini")
        answer = await collect_answer("gemini", p.query("hi"))
    assert answer.text == "Hello"
    assert "/models/gemini-2.5-flash:streamGenerateContent" in server.requests[0].path


def test_status_without_google_genai_names_the_install_command(tmp_path: Path) -> None:
    import subprocess

    # A plain `google` package first on the path hides the installed google.genai, as in an environment without it.
    (tmp_path / "google").mkdir()
    (tmp_path / "google" / "__init__.py").write_text("")
    code = (
        "from claif_gemini.api_provider import GeminiApiProvider\n"
        "p = GeminiApiProvider(); p.configure(p.settings, {'GEMINI_API_KEY': 'k'}); s = p.status()\n"
        "print(s.state.value); print(s.reason)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.splitlines() == [
        "not_installed",
        "google-genai is not installed; install it with pip install google-genai",
    ]


def test_install_hint_names_the_python_version_google_genai_needs() -> None:
    hint = install_hint((3, 10))
    assert "needs Python >= 3.11" in hint and "Python 3.10" in hint and "pip install google-genai" in hint


async def test_a_later_turn_sends_the_history_as_contents_with_model_answers() -> None:
    history = [
        Message(role=Role.USER, content="Fix app.py:\ndef f(): pass"),
        Message(role=Role.ASSISTANT, content="*** Begin Patch\n*** End Patch"),
    ]
    with GeminiServer([GeminiReply(chunks=["again"], cached_tokens=6)]) as server:
        answer = await collect_answer(
            "gemini", provider(server).query("Keep the name f.", ClaifOptions(history=history))
        )
    assert server.requests[0].body["contents"] == [
        {"role": "user", "parts": [{"text": "Fix app.py:\ndef f(): pass"}]},
        {"role": "model", "parts": [{"text": "*** Begin Patch\n*** End Patch"}]},
        {"role": "user", "parts": [{"text": "Keep the name f."}]},
    ]
    assert (answer.usage.input_tokens, answer.usage.cache_read_tokens) == (11, 6)
