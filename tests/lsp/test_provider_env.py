"""End to end: `providers.<name>.env` reaches the agent CLI with its variable names exactly as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.helpers import FAKES_BIN
from tests.lsp import scenario
from tests.lsp.editor_client import EditorClient

ENV = {"CLAUDE_CODE_MAX_RETRIES": "2", "HTTPS_PROXY": "http://proxy.example:3128", "lower_case": "x"}


@pytest.fixture
def lsp_settings(workspace: Path, tmp_path: Path) -> dict[str, Any]:
    scenario.make_project(workspace)
    (tmp_path / "answer.txt").write_text(scenario.PATCH)
    codex = {"path": str(FAKES_BIN / "codex"), "env": ENV}
    return {"provider": "codex", "cache": {"enabled": False}, "providers": {"codex": codex}}


@pytest.fixture
def lsp_env(tmp_path: Path) -> dict[str, str]:
    return {
        "FAKE_CLI_ANSWER_FILE": str(tmp_path / "answer.txt"),
        "FAKE_CLI_RECORD_FILE": str(tmp_path / "record.json"),
        "OPENAI_API_KEY": "test-key",
    }


@pytest.mark.parametrize("editor", ["neovim"], indirect=True)
async def test_env_setting_reaches_the_cli_unchanged(client: EditorClient, workspace: Path, tmp_path: Path) -> None:
    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    await scenario.ask(client, uri, instruction="tidy up")
    recorded = json.loads((tmp_path / "record.json").read_text())["env"]
    assert recorded.get("CLAUDE_CODE_MAX_RETRIES") == "2"
