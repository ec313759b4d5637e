"""Shared test helpers: the server command, editor capability presets, and workspace builders."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_COMMAND = [sys.executable, "-m", "claif_lsp", "--log-level", "DEBUG"]
EDITORS = ["visual_studio_code", "neovim"]
"""pytest-lsp capability presets every end-to-end test runs against (VS Code 1.65, Neovim 0.11)."""


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a server under test: ours, minus real API keys, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("CLAIF_")}
    env["XDG_CONFIG_HOME"] = extra.pop("XDG_CONFIG_HOME", "/nonexistent-claif-config")
    # Previews and answers go under the cache folder; keep them out of the real home.
    env["XDG_CACHE_HOME"] = extra.pop("XDG_CACHE_HOME", str(_test_cache_home()))
    env.update(extra)
    return env


def _test_cache_home() -> Path:
    path = Path(tempfile.gettempdir()) / f"claif-tests-{os.getpid()}" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    root = tmp_path / "ws"
    root.mkdir()
    return root
