"""The generated editors/neovim/lua/claif/protocol.lua loads in real Neovim and names every command."""

from __future__ import annotations

import json
import subprocess

from claif_lsp.protocol import documents
from claif_lsp.protocol.models import COMMANDS, NOTIFICATIONS
from tests.editors.neovim_harness import require_nvim

PRINT_NAMES = (
    "lua local p = require('claif.protocol');"
    " io.stdout:write(vim.json.encode({commands = p.commands, notifications = p.notifications}))"
)


def test_the_lua_protocol_module_loads_and_names_every_command() -> None:
    nvim = require_nvim()
    runtime = documents.REPO / "editors" / "neovim"
    result = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "--cmd", f"set rtp^={runtime}", "-c", PRINT_NAMES, "-c", "qa!"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    names = json.loads(result.stdout)
    assert sorted(names["commands"].values()) == sorted(command.name for command in COMMANDS)
    assert sorted(names["notifications"].values()) == sorted(NOTIFICATIONS)
