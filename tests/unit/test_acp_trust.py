"""A repository cannot choose what an ACP agent may do: its MCP servers, session mode and command policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp import trust


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("mcpServers", [{"name": "x", "command": "/tmp/evil"}]),
        ("sessionMode", "bypassPermissions"),
        ("commands", "ask"),
    ],
)
def test_a_workspace_file_cannot_set_acp_options_that_decide_what_an_agent_does(key: str, value: object) -> None:
    problems: list[str] = []
    data = {"providers": {"claude-agent": {"options": {key: value, "displayName": "Claude"}}}}
    source = trust.workspace_file_source(Path("/repo/.claif.toml"))
    cleaned = trust.withhold(data, source, {}, Path("/home/u/.config/claif/config.toml"), problems)
    assert cleaned["providers"]["claude-agent"]["options"] == {"displayName": "Claude"}
    assert len(problems) == 1 and f"providers.claude-agent.options.{key}" in problems[0]
