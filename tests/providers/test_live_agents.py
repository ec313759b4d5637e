"""Opt-in live checks against the real agent CLIs and the Gemini API.

Skipped unless CLAIF_LIVE_TESTS=1 and the CLI (logged in) or the key is present. They send one tiny prompt each
and only check that an answer arrives; they never run in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from claif_claude_code.provider import ClaudeCodeProvider
from claif_codex.provider import CodexProvider
from claif_gemini.api_provider import GeminiApiProvider
from claif_gemini.cli_provider import GeminiCliProvider

from claif_lsp.provider import BaseProvider
from claif_lsp.settings import ProviderSettings
from claif_lsp.streaming import collect_answer
from claif_lsp.types import ClaifOptions

LIVE = os.environ.get("CLAIF_LIVE_TESTS") == "1"
PROVIDERS: list[type[BaseProvider]] = [ClaudeCodeProvider, CodexProvider, GeminiCliProvider, GeminiApiProvider]


@pytest.mark.skipif(not LIVE, reason="set CLAIF_LIVE_TESTS=1 to run live checks against real services")
@pytest.mark.parametrize("cls", PROVIDERS, ids=lambda cls: cls.name)
async def test_live_answer(cls: type[BaseProvider], tmp_path: Path) -> None:
    provider = cls()
    provider.configure(ProviderSettings(timeout=180), os.environ)
    status = provider.status()
    if not status.ready:
        pytest.skip(f"{cls.name}: {status.reason}")
    answer = await collect_answer(
        cls.name, provider.query("Reply with the single word: pong", ClaifOptions(workspace_root=tmp_path))
    )
    assert "pong" in answer.text.lower()
