"""Cases transcribed from Codex's parser, seek_sequence and apply unit tests, plus the newer CRLF scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import (
    Operation,
    Patch,
    disk_reader,
    parse_answer,
    parse_codex,
    resolve_patch,
    seek_sequence,
    write_proposal,
)
from claif_lsp.patches.codex import parse_chunk
from claif_lsp.patches.render import render_proposal
from tests.conformance.conftest import load_json, snapshot


def _hunks(patch: Patch) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for file in patch.files:
        if file.operation is Operation.ADD:
            result.append({"type": "add", "path": file.path, "contents": file.contents})
        elif file.operation is Operation.DELETE:
            result.append({"type": "delete", "path": file.path})
        else:
            chunks = [
                {
                    "change_context": c.contexts[0] if c.contexts else None,
                    "old_lines": c.old_lines,
                    "new_lines": c.new_lines,
                    "is_end_of_file": c.is_end_of_file,
                }
                for c in file.chunks
            ]
            result.append({"type": "update", "path": file.path, "move_path": file.new_path, "chunks": chunks})
    return result


def test_parse_cases() -> None:
    cases = load_json("unit-cases.json")["parse"]
    previous: list[dict[str, Any]] | None = None
    for case in cases:
        mode = case["mode"]
        if "error" in case:
            with pytest.raises(PatchError) as error:
                parse_codex(case["patch"], mode=mode)
            assert case["error"]["message"] in str(error.value)
            if "line_number" in case["error"]:
                assert f"at line {case['error']['line_number']}," in str(error.value)
            continue
        hunks = _hunks(parse_codex(case["patch"], mode=mode))
        if case.get("hunks_same_as_previous"):
            assert hunks == previous
        elif "hunks" in case:
            expected = [{k: v for k, v in h.items()} for h in case["hunks"]]
            for hunk in expected:
                if hunk["type"] == "update":
                    hunk.setdefault("move_path", None)
            assert hunks == expected
        if "strict_error" in case:
            with pytest.raises(PatchError, match="must be"):
                parse_codex(case["patch"], mode="strict")
        previous = hunks


def test_update_chunk_cases() -> None:
    for case in load_json("unit-cases.json")["update_chunk"]:
        if "error" in case:
            with pytest.raises(PatchError) as error:
                parse_chunk(case["lines"], case["line_number"], allow_missing_context=case["allow_missing_context"])
            assert case["error"]["message"] in str(error.value)
            assert f"at line {case['error']['line_number']}," in str(error.value)
            continue
        chunk, used = parse_chunk(case["lines"], case["line_number"], allow_missing_context=False)
        want = case["chunk"]
        assert (chunk.contexts[0] if chunk.contexts else None) == want["change_context"]
        assert chunk.old_lines == want["old_lines"]
        assert chunk.new_lines == want["new_lines"]
        assert chunk.is_end_of_file == want["is_end_of_file"]
        assert used == case["lines_consumed"]


def test_seek_sequence_cases() -> None:
    for case in load_json("unit-cases.json")["seek_sequence"]:
        assert seek_sequence(case["lines"], case["pattern"], case["start"], case["eof"]) == case["result"]


def _apply(tmp_path: Path, files: dict[str, str], patch: str) -> tuple[dict[str, bytes | None], list[str], str]:
    root = tmp_path / "ws"
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_bytes(text.encode("utf-8"))
    proposal = resolve_patch(parse_answer(patch), root, disk_reader(root), codex_final_newline=True)
    diff = render_proposal(proposal, context=1)
    write_proposal(proposal, root)
    return snapshot(root), proposal.summary(), diff


def test_apply_cases(tmp_path: Path) -> None:
    for number, case in enumerate(load_json("unit-cases.json")["apply"]):
        tree, summary, diff = _apply(tmp_path / str(number), case["files"], case["patch"])
        assert tree == {k: v.encode("utf-8") for k, v in case["expected"].items()}, case["patch"]
        if "stdout" in case:
            assert "Success. Updated the following files:\n" + "".join(f"{s}\n" for s in summary) == case["stdout"]
        if "unified_diff_context_1" in case:
            assert case["unified_diff_context_1"] in diff


def test_newer_upstream_line_ending_scenarios(tmp_path: Path) -> None:
    for number, case in enumerate(load_json("newer-upstream-scenarios.json")["scenarios"]):
        assert case["expect"] in ("success", "error"), case["name"]
        if case["expect"] == "error":
            root = tmp_path / str(number)
            root.mkdir()
            for name, text in case["input"].items():
                (root / name).write_bytes(text.encode("utf-8"))
            with pytest.raises(PatchError):
                write_proposal(
                    resolve_patch(parse_answer(case["patch"]), root, disk_reader(root), codex_final_newline=True), root
                )
            assert snapshot(root) == {k: v.encode("utf-8") for k, v in case["input"].items()}, case["name"]
            continue
        tree, _, _ = _apply(tmp_path / str(number), case["input"], case["patch"])
        assert tree == {k: v.encode("utf-8") for k, v in case["expected"].items()}, case["name"]
