"""Locating the shared Codex apply_patch conformance fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "codex-apply-patch"
SCENARIOS = FIXTURES / "scenarios"


def fixtures_or_skip() -> Path:
    """The fixture folder, or skip the test with the reason when it is missing."""
    if not SCENARIOS.is_dir():
        pytest.skip(f"conformance fixtures not found at {FIXTURES.resolve()}")
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
    """A JSON fixture file, skipping when the folder is missing."""
    return json.loads((fixtures_or_skip() / name).read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under root, by relative POSIX path."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def prepare(name: str, tmp_path: Path) -> tuple[Path, str]:
    """A temp workspace holding the scenario's input, and the patch text."""
    source = fixtures_or_skip() / "scenarios" / name
    root = tmp_path / "ws"
    if (source / "input").is_dir():
        shutil.copytree(source / "input", root)
    else:
        root.mkdir()
    return root, (source / "patch.txt").read_bytes().decode("utf-8")
