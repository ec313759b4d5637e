"""Shared test helpers: the server command, editor capability presets, and workspace builders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_COMMAND = [sys.executable, "-m", "claif_lsp", "--log-level", "DEBUG"]
EDITORS = ["visual_studio_code", "neovim"]
"""pytest-lsp capability presets every end-to-end test runs against (VS Code 1.65, Neovim 0.11)."""


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a server under test: ours, minus real API keys, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("CLAIF_")}
    env["XDG_CONFIG_HOME"] = extra.pop("XDG_CONFIG_HOME", env.get("CLAIF_TEST_XDG", "/nonexistent-claif-config"))
    env.update(extra)
    return env


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    root = tmp_path / "ws"
    root.mkdir()
    return root
