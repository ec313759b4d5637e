"""The VS Code extension's pure modules, unit-tested under Node's own runner (no VS Code needed).

``npm run unit`` in editors/vscode bundles each ``test/unit/*.test.ts`` with esbuild and runs it with
``node --test``; a module under test that imports ``vscode`` fails the bundle. Needs node and the extension's
node_modules (``.ci/setup-editors.sh``); skipped without them, unless ``CI=true``.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.editors import vscode_harness as harness

UNIT = harness.EXTENSION / "test" / "unit"
RUNNER = harness.EXTENSION / "scripts" / "unit.mjs"


def _declared_tests() -> int:
    """How many ``test(...)`` the unit test files declare: each must run and pass."""
    return sum(len(re.findall(r"^test\(", f.read_text(encoding="utf-8"), re.M)) for f in UNIT.glob("*.test.ts"))


def test_pure_modules_pass_their_node_unit_tests() -> None:
    node = shutil.which("node")
    if node is None or not (harness.EXTENSION / "node_modules" / "esbuild").is_dir():
        reason = "node or editors/vscode/node_modules missing (run .ci/setup-editors.sh)"
        if harness.in_ci():
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    proc = subprocess.run(
        [node, str(RUNNER)], cwd=harness.EXTENSION, capture_output=True, text=True, timeout=120, check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"node unit tests failed:\n{output[-6000:]}"
    passed = re.search(r"^# pass (\d+)$", proc.stdout, re.M)
    assert passed, f"no TAP summary in the output:\n{output[-3000:]}"
    declared = _declared_tests()
    assert declared > 0
    assert int(passed.group(1)) == declared, f"{passed.group(1)} passed of {declared} declared:\n{output[-3000:]}"
