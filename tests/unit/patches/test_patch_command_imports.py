"""``claif-lsp patch`` is mostly start-up: it imports neither pydantic nor loguru (no timing here; see
bench/patch_cli_startup.py for the figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from claif_lsp import cli, logs

_PROBE = """
import json, sys
from claif_lsp.cli import main
code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "loguru", "pygls", "lsprotocol"})
sys.stderr.write("\\n" + json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


def _probe(*args: str) -> dict[str, object]:
    run = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=False)
    return dict(json.loads(run.stderr.strip().splitlines()[-1]))


def test_checking_and_writing_a_patch_import_no_heavy_package(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\nb\n")
    (tmp_path / "p.diff").write_text("--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n")
    assert _probe("patch", "--root", str(tmp_path), str(tmp_path / "p.diff")) == {"code": 0, "heavy": []}
    assert _probe("patch", "--root", str(tmp_path), "--write", str(tmp_path / "p.diff")) == {"code": 0, "heavy": []}
    assert (tmp_path / "f.txt").read_text() == "a\nB\n"
    refused = _probe("patch", "--root", str(tmp_path), str(tmp_path / "p.diff"))
    assert refused == {"code": 1, "heavy": []}


def test_the_command_line_offers_loguru_s_levels() -> None:
    assert cli.LEVELS == logs.LEVELS
