"""The generated editors/vscode/src/protocol.ts type-checks with the extension that uses it (tsc, no VS Code).

Needs editors/vscode/node_modules (``.ci/setup-editors.sh``); without it the test is skipped, unless ``CI=true``.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from claif_lsp.protocol import documents
from tests.editors import vscode_harness as harness

EXTENSION = documents.REPO / "editors" / "vscode"


def test_the_extension_type_checks_against_the_generated_protocol() -> None:
    tsc = EXTENSION / "node_modules" / ".bin" / "tsc"
    if not tsc.exists() or shutil.which("node") is None:
        if harness.in_ci():
            pytest.fail("CI=true but editors/vscode/node_modules is missing (run .ci/setup-editors.sh)")
        pytest.skip("editors/vscode/node_modules is missing (run .ci/setup-editors.sh)")
    assert documents.TYPESCRIPT_FILE.read_text(encoding="utf-8") == documents.typescript(), "protocol.ts is stale"
    result = subprocess.run(
        [str(tsc), "--noEmit", "-p", "."], cwd=EXTENSION, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"tsc failed:\n{result.stdout}\n{result.stderr}"
