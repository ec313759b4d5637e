"""Helpers for the VS Code end-to-end test: run .ci/setup-editors.sh, then the playwright-core driver.

The driver (editors/vscode/test/e2e.mjs) starts an isolated code-server with the extension installed from the
built .vsix, drives it with Debian's Chromium and prints a JSON result: ``{ok, checks: [{name, ok, ms, error?}],
timings, artifacts, screens}``. Screenshots and logs of a failure go to ``test-artifacts/vscode/``; a screenshot of
what each check asserts, at the 1400x900 window users tried, goes to ``test-artifacts/vscode/screens/`` on success
too (CI keeps it as an artefact).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / ".ci" / "setup-editors.sh"
EXTENSION = ROOT / "editors" / "vscode"
DRIVER = EXTENSION / "test" / "e2e.mjs"
ARTIFACTS = ROOT / "test-artifacts" / "vscode"
SCREENS = ARTIFACTS / "screens"
"""A screenshot of what each check asserts, written on success too (CI keeps it)."""
CHECKS = [
    "open-and-start",
    "hostile-workspace-settings-ignored",
    "ask-progress-diff",
    "review-side-by-side-title-and-buttons",
    "accept-one-hunk-via-codelens",
    "reject-remaining-hunk-via-codelens",
    "code-action-ask-then-reject-via-editor-title",
    "explain",
    "confirm-mode-refactor-preview",
    "accept-proposal-via-palette",
    "select-provider-quick-pick",
    "unready-provider-refused-before-the-instruction",
    "keybinding-ask",
    "failed-ask-keeps-the-instruction",
    "context-menu-show-log",
    "hostile-workspace-ask-reaches-the-users-server",
    "typing-while-a-proposal-opens-beside",
    "typing-while-a-proposal-is-announced",
    "undo-after-accept",
    # Needs the server's per-hunk staleness (issue 11, STALE-INTERFACE); fails at "hunk 2 in the buffer" before it.
    "stale-hunk-affects-only-itself",
    "server-missing-message",
    "server-path-setting",
    "log-each-line-once",
    "server-path-invalid",
    "server-not-on-path",
    "cancel-from-notification",
    "progress-keeps-the-instruction",
    # Issue 14: need the server's claif.refine (conv-core), partial answers (repair) and kept sessions.
    "refine-keeps-the-accepted-hunk",
    "partial-answer-shows-the-raw-answer",
    "retry-makes-the-next-revision",
    "proposals-restored-after-reload",
    # Issue 15: needs the server's claif/answer notifications (explain-stream).
    "explain-streams-into-a-rendered-view",
]
SETUP_IMPOSSIBLE = 3
"""Exit code of setup-editors.sh when it cannot install (not root / no apt-get)."""


@dataclass
class Outcome:
    """What happened: ``skip`` holds a reason when the editor tests cannot run on this machine."""

    result: dict[str, Any] = field(default_factory=dict)
    skip: str | None = None
    setup_seconds: float = 0.0
    log: str = ""

    def check(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.result.get("checks", []) if c["name"] == name), None)


def in_ci() -> bool:
    """True under CI (``.ci/run`` exports ``CI=true``): the editor tests must then run, never skip."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def artifact_files() -> list[Path]:
    """Screenshots and logs the driver left for the last failed run."""
    return sorted(ARTIFACTS.glob("*")) if ARTIFACTS.is_dir() else []


def run_setup() -> tuple[bool, str, float]:
    """Run the idempotent setup script; (ok, output, seconds). Not ok with output = the reason."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        return False, "node/npm are not installed", 0.0
    start = time.monotonic()
    proc = subprocess.run(["bash", str(SETUP)], cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    if proc.returncode == SETUP_IMPOSSIBLE:
        return False, output.strip().splitlines()[-1] if output.strip() else "setup impossible", seconds
    if proc.returncode != 0:
        raise RuntimeError(f".ci/setup-editors.sh failed (rc {proc.returncode}):\n{output[-4000:]}")
    return True, output, seconds


def run_e2e(result_file: Path, timeout: float = 420) -> dict[str, Any]:
    """Run the driver; its JSON result (a synthetic failure when it died without one)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(CLAIF_REPO=str(ROOT), CLAIF_ARTIFACTS=str(ARTIFACTS))
    # Artefacts of an earlier run would pass for this one's.
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    try:
        proc = subprocess.run(
            ["node", str(DRIVER), "--result", str(result_file)],
            cwd=EXTENSION,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        stderr = proc.stderr
    except subprocess.TimeoutExpired as exc:
        stderr = (exc.stderr or b"").decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return {"ok": False, "checks": [], "error": f"driver timed out after {timeout} s", "log": stderr[-6000:]}
    if result_file.is_file():
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    else:
        result = {"ok": False, "checks": [], "error": f"driver exited {proc.returncode} without a result"}
    result["log"] = stderr[-6000:]
    return result


def run_all(tmp_dir: Path) -> Outcome:
    """Setup (skipping or failing as the environment demands), then the end-to-end run."""
    ok, output, seconds = run_setup()
    if not ok:
        return Outcome(skip=f"VS Code e2e setup impossible here: {output}", setup_seconds=seconds)
    result = run_e2e(tmp_dir / "vscode-e2e.json")
    return Outcome(result=result, setup_seconds=seconds, log=result.get("log", ""))
