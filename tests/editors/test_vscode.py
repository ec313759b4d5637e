"""The VS Code extension end to end, in real VS Code: code-server + Debian's Chromium via playwright-core.

The first test runs ``.ci/setup-editors.sh`` (idempotent; ~4-5 min on a fresh machine, seconds afterwards) and
then ``editors/vscode/test/e2e.mjs`` once; each test asserts on one of the driver's checks. When the machine
cannot install the tools (not root, no apt-get, no npm) the tests are skipped, unless ``CI=true`` (``.ci/run`` sets
it): then they fail. A failure message lists the screenshots and logs saved under ``test-artifacts/vscode/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.editors import vscode_harness as harness

pytestmark = pytest.mark.timeout(1500)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> harness.Outcome:
    outcome = harness.run_all(Path(tmp_path_factory.mktemp("vscode")))
    print(f"VS Code e2e screenshots: {harness.SCREENS}")
    if outcome.skip:
        if harness.in_ci():
            pytest.fail(f"CI=true but {outcome.skip}")
        pytest.skip(outcome.skip)
    return outcome


def _artifacts() -> str:
    files = harness.artifact_files()
    listing = "\n".join(f"  {f}" for f in files) if files else "  (none written)"
    return f"screenshots and logs in {harness.ARTIFACTS} (each check's screenshot in {harness.SCREENS}):\n{listing}"


@pytest.mark.parametrize("name", harness.CHECKS)
def test_vscode_e2e(e2e: harness.Outcome, name: str) -> None:
    check = e2e.check(name)
    if check is None:
        summary = {k: v for k, v in e2e.result.items() if k != "log"}
        pytest.fail(
            f"check {name} did not run: {json.dumps(summary)[:3000]}\n{_artifacts()}\n--- driver log ---\n{e2e.log}"
        )
    assert check["ok"], f"{name} failed: {check.get('error')}\n{_artifacts()}\n--- driver log ---\n{e2e.log}"
