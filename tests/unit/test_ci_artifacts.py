"""The CI artefacts folder: .ci/collect-artifacts.sh and .ci/run's call of it, run in a scratch copy of the tree."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("collect-artifacts.sh", "run")


def _scratch(tmp_path: Path, *, vsix: bytes | None = b"PK vsix") -> Path:
    tree = tmp_path / "repo"
    (tree / ".ci").mkdir(parents=True)
    for script in SCRIPTS:
        shutil.copy2(ROOT / ".ci" / script, tree / ".ci" / script)
    (tree / "editors" / "vscode").mkdir(parents=True)
    if vsix is not None:
        (tree / "editors" / "vscode" / "claif-vscode.vsix").write_bytes(vsix)
    screens = tree / "test-artifacts" / "vscode" / "screens"
    screens.mkdir(parents=True)
    (screens / "ask progress.png").write_bytes(b"\x89PNG one")
    (tree / "test-artifacts" / "vscode" / "driver.log").write_text("log\n", encoding="utf-8")
    return tree


def _collect(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(tree / ".ci" / "collect-artifacts.sh")], capture_output=True, text=True, timeout=60, check=False
    )


def _manifest(tree: Path) -> dict[str, tuple[int, str]]:
    lines = (tree / ".ci" / "artifacts" / "MANIFEST").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# file\tsize\tsha256")
    rows = [line.split("\t") for line in lines[1:]]
    return {name: (int(size), digest) for name, size, digest in rows}


def test_the_vsix_and_the_screenshots_land_in_one_folder_with_a_manifest(tmp_path: Path) -> None:
    tree = _scratch(tmp_path)
    out = tree / ".ci" / "artifacts"
    out.mkdir()
    (out / "from-an-earlier-run.png").write_bytes(b"old")

    proc = _collect(tree)

    assert proc.returncode == 0, proc.stderr
    expected = {
        "claif-vscode.vsix": tree / "editors" / "vscode" / "claif-vscode.vsix",
        "vscode/screens/ask progress.png": tree / "test-artifacts" / "vscode" / "screens" / "ask progress.png",
        "vscode/driver.log": tree / "test-artifacts" / "vscode" / "driver.log",
    }
    manifest = _manifest(tree)
    assert set(manifest) == set(expected)
    for name, source in expected.items():
        data = source.read_bytes()
        assert (out / name).read_bytes() == data
        assert manifest[name] == (len(data), hashlib.sha256(data).hexdigest())
    assert not (out / "from-an-earlier-run.png").exists()
    assert f"3 files in {out}" in proc.stdout
    assert str(out / "claif-vscode.vsix") in proc.stdout


def test_a_run_without_a_vsix_says_so(tmp_path: Path) -> None:
    tree = _scratch(tmp_path, vsix=None)

    proc = _collect(tree)

    assert proc.returncode == 0, proc.stderr
    assert "claif-vscode.vsix" not in _manifest(tree)
    assert "no editors/vscode/claif-vscode.vsix was built" in proc.stdout


def test_ci_run_collects_after_a_failure_and_keeps_its_exit_status(tmp_path: Path) -> None:
    tree = _scratch(tmp_path)
    # .ci/run's first step is `python3 -m pip install uv`: a python3 that fails there ends the run early.
    fakes = tmp_path / "bin"
    fakes.mkdir()
    python3 = fakes / "python3"
    python3.write_text("#!/bin/sh\nexit 5\n", encoding="utf-8")
    python3.chmod(0o755)
    env = {**os.environ, "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}"}

    proc = subprocess.run(
        ["bash", str(tree / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "== artefacts: 3 files" in proc.stdout
    assert "claif-vscode.vsix" in _manifest(tree)
