"""The README's command tables, editors/vscode/src/protocol.ts and editors/neovim/lua/claif/protocol.lua are
generated from the protocol models; fail when one drifts (regenerate with the command each message names)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from claif_lsp.protocol import documents
from claif_lsp.protocol.models import COMMANDS
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
