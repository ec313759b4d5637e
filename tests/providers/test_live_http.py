"""Opt-in checks against the real HTTP APIs: one tiny prompt each.

Skipped unless ``CLAIF_LIVE_TESTS=1`` and the provider's key variable is set, so CI never runs them.
``CLAIF_LIVE_ANTHROPIC_MODEL`` / ``CLAIF_LIVE_OPENAI_MODEL`` pick other models; ``OPENAI_BASE_URL``
points the OpenAI check at another compatible server.
"""

from __future__ import annotations

import os

import pytest
from claif_anthropic.provider import AnthropicProvider
from claif_openai.provider import OpenAIProvider

from claif_lsp.settings import ProviderSettings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions

LIVE = os.environ.get("CLAIF_LIVE_TESTS") == "1"
PROMPT = "Reply with the single word: pong"


def live_only(key_env: str) -> pytest.MarkDecorator:
    """Skip unless live tests are switched on and ``key_env`` is set."""
    return pytest.mark.skipif(
        not (LIVE and os.environ.get(key_env)), reason=f"live test: set CLAIF_LIVE_TESTS=1 and {key_env}"
    )


@live_only("ANTHROPIC_API_KEY")
async def test_anthropic_answers_a_tiny_prompt() -> None:
    provider = AnthropicProvider()
    provider.configure(ProviderSettings(model=os.environ.get("CLAIF_LIVE_ANTHROPIC_MODEL"), max_tokens=64))
    answer = await collect_answer("anthropic", provider.query(PROMPT, ClaifOptions(timeout=60)))
    await provider.disconnect()
    assert "pong" in answer.text.lower()
    assert answer.usage.input_tokens > 0 and answer.usage.output_tokens > 0


@live_only("OPENAI_API_KEY")
async def test_openai_answers_a_tiny_prompt() -> None:
    provider = OpenAIProvider()
    provider.configure(ProviderSettings(model=os.environ.get("CLAIF_LIVE_OPENAI_MODEL"), max_tokens=64))
    answer = await collect_answer("openai", provider.query(PROMPT, ClaifOptions(timeout=60)))
    await provider.disconnect()
    assert "pong" in answer.text.lower()
    assert answer.usage.output_tokens > 0
