"""``apiKeyCommand`` run for synchronous callers (``BaseProvider.api_key()``, used by older plugins)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from claif_lsp.errors import ConfigurationError
from claif_lsp.key_command import KEY_COMMAND_TIMEOUT, run_key_command_blocking
from tests.fakes.helpers import alive, read_pids, wait_until


def script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "key"
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def test_the_key_is_its_stripped_output_even_when_called_on_a_running_loop(tmp_path: Path) -> None:
    command = [script(tmp_path, "#!/bin/sh\necho '  sk-from-command  '\n")]

    async def on_the_loop() -> str:
        return run_key_command_blocking(command, provider="p", environ={}).get_secret_value()

    assert asyncio.run(on_the_loop()) == "sk-from-command"
    assert run_key_command_blocking(command, provider="p", environ={}).get_secret_value() == "sk-from-command"


def test_a_command_that_hangs_is_stopped_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    command = [script(tmp_path, '#!/bin/sh\nsleep 600 &\necho "child $!" >> "$1"\necho "main $$" >> "$1"\nwait\n')]
    with pytest.raises(ConfigurationError, match=f"did not finish within {KEY_COMMAND_TIMEOUT:g} s"):
        run_key_command_blocking([*command, str(pid_file)], provider="p", environ={})
    pids = read_pids(pid_file)
    assert set(pids) == {"main", "child"}
    assert wait_until(lambda: not alive(pids["main"]) and not alive(pids["child"]), timeout=10)
