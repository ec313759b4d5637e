"""The servers a test starts see a home and a cache of that test's own, never the machine's or another test's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import server_env
from tests.lsp import scenario
from tests.lsp.conftest import start_client


async def test_a_login_in_the_real_home_does_not_reach_the_server(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for a developer's machine: a Claude Code login in the home of the process running the tests.
    real_home = tmp_path / "real-home"
    real_home.mkdir()
    (real_home / ".claude.json").write_text(json.dumps({"oauthAccount": {"emailAddress": "dev@example.invalid"}}))
    monkeypatch.setenv("HOME", str(real_home))
    client, _ = await start_client("neovim", workspace)
    try:
        listed = await scenario.command(client, "claif.providers")
    finally:
        await client.shutdown_session()
        await client.stop()
    statuses = {p["name"]: p["state"] for p in listed["providers"]}
    assert statuses["claude-code"] != "ready", "the server read the login in the real home"
    assert listed["active"] == "replay"
    assert list(real_home.iterdir()) == [real_home / ".claude.json"], "the server wrote into the real home"


@pytest.mark.parametrize("turn", ["first", "second"])
def test_no_test_sees_what_another_left_in_the_server_home_or_cache(turn: str) -> None:
    env = server_env()
    for name in ("HOME", "XDG_CACHE_HOME"):
        folder = Path(env[name])
        assert folder.is_dir() and not any(folder.iterdir()), f"{name} holds what others left: {list(folder.iterdir())}"
        (folder / f"left-by-the-{turn}-test").write_text("cached answer")
