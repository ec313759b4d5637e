"""Every upstream Codex apply_patch scenario, through the library and through ``claif-lsp patch --write``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import disk_reader, parse_answer, resolve_patch, write_proposal
from tests.conformance.conftest import FIXTURES, SCENARIOS, expectations, load_json, prepare, scenario_names, snapshot

NAMES = scenario_names() or ["fixtures-missing"]
EXPECT = expectations()


def _expected_tree(name: str, before: dict[str, bytes | None]) -> dict[str, bytes | None]:
    if name.startswith("015"):
        return before  # claif-lsp applies atomically: the failed patch leaves the tree as it was
    return snapshot(SCENARIOS / name / "expected")


@pytest.mark.parametrize("name", NAMES)
def test_scenario_through_library(name: str, tmp_path: Path) -> None:
    root, patch_text = prepare(name, tmp_path)
    before = snapshot(root)
    expect = EXPECT[name]
    if expect["expect"] == "success":
        proposal = resolve_patch(parse_answer(patch_text), root, disk_reader(root), codex_final_newline=True)
        assert write_proposal(proposal, root) == expect["summary"]
    else:
        with pytest.raises(PatchError) as error:
            write_proposal(
                resolve_patch(parse_answer(patch_text), root, disk_reader(root), codex_final_newline=True), root
            )
        assert expect["error_contains"] in str(error.value)
    assert snapshot(root) == _expected_tree(name, before)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_through_cli(name: str, tmp_path: Path) -> None:
    root, patch_text = prepare(name, tmp_path)
    before = snapshot(root)
    patch_file = tmp_path / "patch.txt"
    patch_file.write_bytes(patch_text.encode("utf-8"))
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(root), "--write", str(patch_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    expect = EXPECT[name]
    if expect["expect"] == "success":
        assert run.returncode == 0, run.stderr
        assert run.stdout == "Success. Updated the following files:\n" + "".join(f"{s}\n" for s in expect["summary"])
    else:
        assert run.returncode == 1
        assert expect["error_contains"] in run.stderr
        assert run.stdout == ""
    assert snapshot(root) == _expected_tree(name, before)


def _newer_names() -> list[str]:
    path = FIXTURES / "newer-upstream-scenarios.json"
    if not path.is_file():
        return ["fixtures-missing"]
    return [case["name"] for case in json.loads(path.read_text(encoding="utf-8"))["scenarios"]]


@pytest.mark.parametrize("name", _newer_names())
def test_newer_upstream_scenario_through_cli(name: str, tmp_path: Path) -> None:
    [case] = [c for c in load_json("newer-upstream-scenarios.json")["scenarios"] if c["name"] == name]
    root = tmp_path / "ws"
    root.mkdir()
    for path, text in case["input"].items():
        (root / path).write_bytes(text.encode("utf-8"))
    before = snapshot(root)
    patch_file = tmp_path / "patch.txt"
    patch_file.write_bytes(case["patch"].encode("utf-8"))
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(root), "--write", str(patch_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if case["expect"] == "success":
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("Success. Updated the following files:\n")
        assert snapshot(root) == {k: v.encode("utf-8") for k, v in case["expected"].items()}
    else:
        assert case["expect"] == "error", f"unknown expect {case['expect']!r}"
        assert run.returncode == 1
        assert run.stderr.startswith("claif-lsp patch: ")
        assert snapshot(root) == before


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    root, patch_text = prepare("002_multiple_operations", tmp_path)
    before = snapshot(root)
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(root), "-"],
        input=patch_text,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "A nested/new.txt\nM modify.txt\nD delete.txt\n" in run.stdout
    assert "-line2\n+changed\n" in run.stdout
    assert snapshot(root) == before


def test_cli_usage_errors(tmp_path: Path) -> None:
    missing = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path / "nope"), "-"],
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    unreadable = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path), str(tmp_path / "no-such.patch")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert unreadable.returncode == 2
    assert "cannot read" in unreadable.stderr


def test_non_utf8_patch_is_an_invalid_patch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    patch = "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+\xe9\n*** End Patch\n".encode("latin-1")
    (tmp_path / "latin1.patch").write_bytes(patch)
    for source, stdin in ((str(tmp_path / "latin1.patch"), None), ("-", patch)):
        run = subprocess.run(
            [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path), "--write", source],
            input=stdin,
            capture_output=True,
            check=False,
        )
        assert run.returncode == 1
        assert b"invalid patch:" in run.stderr
        assert b"is not UTF-8 text (byte 0xe9 at offset 46)" in run.stderr
    assert (tmp_path / "a.txt").read_text() == "a\n"
