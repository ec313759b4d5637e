"""The README's install command works as written: run in a scratch uv tool folder, then ``claif-lsp providers``.

Offline from uv's cache here (``uv sync`` filled it); under ``CI=true`` (``.ci/run``) with PyPI, and never skipped.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, server_env

pytestmark = pytest.mark.timeout(600)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def readme_install_command() -> list[str]:
    """The ``uv tool install`` line of the README's "Editor setup" section, split as a shell would."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Editor setup\n", 1)[1].split("\n### ", 1)[0]
    [line] = re.findall(r"^uv tool install .*$", section, re.MULTILINE)
    return shlex.split(line.split("#", 1)[0])


def uv_executable() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        if in_ci():
            pytest.fail("CI=true but uv is not on PATH")
        pytest.skip("uv is not on PATH")
    return uv


def test_readme_names_replay_and_python() -> None:
    command = readme_install_command()
    assert command[:3] == ["uv", "tool", "install"]
    assert "./providers/claif-replay" in command, "without replay, `auto` has no offline fallback"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    vscode = (ROOT / "editors" / "vscode" / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or later" in readme and "Python 3.11+" in vscode
    assert "3.10" not in readme.split("## Writing a provider plugin")[0] and "3.10" not in vscode
    assert "pip install claif-lsp" not in readme + vscode, "claif-lsp is not on PyPI"


def test_readme_install_command_gives_a_working_claif_lsp(tmp_path: Path) -> None:
    _, *arguments = readme_install_command()
    # The scratch home of server_env would give uv an empty cache: keep the machine's.
    cache = subprocess.run([uv_executable(), "cache", "dir"], capture_output=True, text=True, timeout=60).stdout.strip()
    env = server_env(UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"), UV_CACHE_DIR=cache)
    env.pop("VIRTUAL_ENV", None)
    if not in_ci():
        env["UV_OFFLINE"] = "1"
    installed = subprocess.run(
        [uv_executable(), *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=540
    )
    assert installed.returncode == 0, installed.stderr
    claif_lsp = tmp_path / "bin" / "claif-lsp"
    assert claif_lsp.exists(), f"no claif-lsp in the tool bin folder: {installed.stderr}"
    listed = subprocess.run(
        [str(claif_lsp), "providers"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    table = listed.stdout.split("\n\n", 1)[0]
    names = [row.split()[0] for row in table.splitlines()[1:]]
    assert names == ["anthropic", "replay"], listed.stdout
    python = subprocess.run(
        [
            str(tmp_path / "tools" / "claif-lsp" / "bin" / "python"),
            "-c",
            "import sys; print(sys.version_info >= (3, 11))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert python.stdout.strip() == "True", python.stdout
