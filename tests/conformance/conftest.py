"""Locating the shared Codex apply_patch conformance fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "codex-apply-patch"
"""The fixtures as vendored with the tests (Apache-2.0 data, see its README), so every clone runs them."""
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "codex-apply-patch"
"""Where the team's copy lives beside the project, when it does; the vendored copy must equal it."""
SCENARIOS = FIXTURES / "scenarios"


def fixture_folder() -> Path:
    """The vendored fixture folder; a missing one fails the test rather than hiding the suite."""
    if not SCENARIOS.is_dir():
        pytest.fail(f"conformance fixtures not found at {FIXTURES.resolve()}")
    return FIXTURES


def scenario_names() -> list[str]:
    """Every scenario directory name, sorted; empty when the fixtures are missing."""
    return sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()) if SCENARIOS.is_dir() else []


def expectations() -> dict[str, dict[str, Any]]:
    """expectations.json, by scenario name."""
    if not (FIXTURES / "expectations.json").is_file():
        return {}
    data = json.loads((FIXTURES / "expectations.json").read_text(encoding="utf-8"))
    return {s["name"]: s for s in data["scenarios"]}


def load_json(name: str) -> dict[str, Any]:
    """A JSON fixture file from the vendored folder."""
    return json.loads((fixture_folder() / name).read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under root, by relative POSIX path."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def prepare(name: str, tmp_path: Path) -> tuple[Path, str]:
    """A temp workspace holding the scenario's input, and the patch text."""
    source = fixture_folder() / "scenarios" / name
    root = tmp_path / "ws"
    if (source / "input").is_dir():
        shutil.copytree(source / "input", root)
    else:
        root.mkdir()
    return root, (source / "patch.txt").read_bytes().decode("utf-8")
