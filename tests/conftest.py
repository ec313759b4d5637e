"""Shared test helpers: the server command, editor capability presets, and workspace builders."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_COMMAND = [sys.executable, "-m", "claif_lsp", "--log-level", "DEBUG"]
EDITORS = ["visual_studio_code", "neovim"]
"""pytest-lsp capability presets every end-to-end test runs against (VS Code 1.65, Neovim 0.11)."""


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a server under test: ours, minus real API keys, with a home and cache of the test's own.

    The real home holds the machine's agent CLI logins (``~/.claude.json``, ``~/.codex``), which would make ``auto``
    pick a real CLI; a cache shared between tests (or with another run that got the same pid) answers from another
    test's asks. ``extra`` overrides any of it.
    """
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("CLAIF_")}
    env["XDG_CONFIG_HOME"] = "/nonexistent-claif-config"
    env["HOME"] = str(_private_dir("home"))
    env["XDG_CACHE_HOME"] = str(_private_dir("cache"))  # previews and cached answers go there
    env["XDG_STATE_HOME"] = str(_private_dir("state"))  # and the sessions
    env.update(extra)
    return env


_private_dirs: dict[str, Path] = {}
_tmp_path_factory: list[pytest.TempPathFactory] = []


@pytest.fixture(autouse=True)
def _private_server_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Give each test its own server home and cache (created when a test first starts a server)."""
    _tmp_path_factory[:] = [tmp_path_factory]
    _private_dirs.clear()
    yield
    _private_dirs.clear()


def _private_dir(name: str) -> Path:
    if name not in _private_dirs:
        if _tmp_path_factory:
            _private_dirs[name] = _tmp_path_factory[0].mktemp(f"server-{name}")
        else:  # called outside a test (e.g. at import): still never shared
            _private_dirs[name] = Path(tempfile.mkdtemp(prefix=f"claif-tests-{name}-"))
    return _private_dirs[name]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    root = tmp_path / "ws"
    root.mkdir()
    return root
