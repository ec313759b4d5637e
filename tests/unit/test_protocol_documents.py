"""The README's command tables, editors/vscode/src/protocol.ts and editors/neovim/lua/claif/protocol.lua are
generated from the protocol models; fail when one drifts (regenerate with the command each message names)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from claif_lsp.protocol import documents
from claif_lsp.protocol.models import COMMANDS, ProvidersResult
from claif_lsp.registry import ProviderReport
from tests.conftest import server_env

README = documents.REPO / "README.md"


def fix(fmt: str, target: str) -> str:
    return f"{target} is stale: regenerate it with `claif-lsp schema --format {fmt} > {target}`"


def test_readme_command_tables_match_the_models() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(documents.README_START) + len(documents.README_START)
    end = text.index(documents.README_END)
    assert text[start:end].strip() == documents.markdown().strip(), (
        "README command tables are stale: paste `claif-lsp schema --format protocol-markdown` between the markers"
    )


def test_typescript_matches_the_models() -> None:
    written = documents.TYPESCRIPT_FILE.read_text(encoding="utf-8")
    assert written == documents.typescript(), fix("typescript", "editors/vscode/src/protocol.ts")


def test_lua_matches_the_models() -> None:
    written = documents.LUA_FILE.read_text(encoding="utf-8")
    assert written == documents.lua(), fix("lua", "editors/neovim/lua/claif/protocol.lua")


def test_every_command_is_in_each_document() -> None:
    ts, lua, markdown = documents.typescript(), documents.lua(), documents.markdown()
    for command in COMMANDS:
        assert f"'{command.name}'" in ts and f'"{command.name}"' in lua and f"| `{command.name}` |" in markdown
    for name in ("Hunk", "ProposalFile", "Proposal", "AcceptResult", "ProvidersResult", "ProposalsChangedParams"):
        assert f"export interface {name} {{" in ts
        assert f"---@class claif.{name}\n" in lua


def sent_types(schema: dict[str, Any]) -> set[str]:
    """The names of every type reachable from a command's result or a notification's params."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None and ref.rsplit("/", 1)[-1] not in found:
                found.add(ref.rsplit("/", 1)[-1])
                visit(schema["$defs"][ref.rsplit("/", 1)[-1]])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit([command["result"] for command in schema["commands"].values()])
    visit(list(schema["notifications"].values()))
    return found


def test_every_field_the_server_sends_is_required() -> None:
    schema = documents.json_schema()
    sent = sent_types(schema)
    assert {"Proposal", "Hunk", "AcceptResult", "ProviderReport", "ChangedProposal"} <= sent
    for name in sent:
        node = schema["$defs"][name]
        if documents._is_object(node):
            assert set(node.get("required", [])) == set(node["properties"]), f"{name} marks a sent field optional"
    # A field with a default is sent too: the generated types must not tell editors it may be missing.
    report = ProviderReport(
        name="replay", display_name="Replay", distribution="claif-lsp", version="0", state="ready", reason=""
    )
    wired = ProvidersResult(active="replay", configured="auto", providers=[report]).wire()
    assert wired["providers"][0]["enabled"] is True
    assert "  enabled: boolean;\n" in documents.typescript()
    assert "---@field enabled boolean\n" in documents.lua()


def test_arguments_keep_their_optional_fields() -> None:
    ask = documents.json_schema()["$defs"]["AskArgs"]
    assert set(ask["required"]) == {"uri", "range"}
    assert "  instruction?: string | null;\n" in documents.typescript()


@pytest.mark.parametrize("fmt", documents.FORMATS)
def test_the_cli_prints_each_document(fmt: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "schema", "--format", fmt],
        capture_output=True,
        text=True,
        timeout=120,
        env=server_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == documents.render(fmt)
