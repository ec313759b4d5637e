"""End to end: settings typos reach the editor as one warning naming the file, the key and the nearest name."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from claif_lsp.testing.waiting import async_wait_until
from tests.lsp import scenario
from tests.lsp.conftest import start_client


async def test_typos_in_the_user_file_name_the_file_and_the_nearest_names(workspace: Path, tmp_path: Path) -> None:
    user = tmp_path / "config" / "claif" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('provider = "antropic"\n[providers.anthropic]\nmodle = "claude-sonnet-5"\n')
    client, _ = await start_client("neovim", workspace, env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    try:
        result = await scenario.command(client, "claif.settings", {})
        assert await async_wait_until(lambda: bool(client.messages))
        [message] = client.messages
        assert message.type == types.MessageType.Warning
        assert f"claif.provider (in {user}): no provider named 'antropic' is installed (did you mean 'anthropic'?" in (
            message.message
        )
        assert f"claif.providers.anthropic.modle (in {user}): not a claif setting (did you mean 'model'?)" in (
            message.message
        )
        assert "Extra inputs are not permitted" not in message.message
        assert len(result["problems"]) == 2, result["problems"]
    finally:
        await client.shutdown_session()
        await client.stop()
