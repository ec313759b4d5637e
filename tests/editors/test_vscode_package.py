"""What the VS Code extension's .vsix carries for its users: a user's README, an icon, no development notes.

The .vsix is the zip ``npm run package`` builds in editors/vscode (``.ci/setup-editors.sh`` builds it too); the
Extensions view shows its README and icon. Skipped when it was not built, unless ``CI=true``.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile

import pytest

from tests.editors import vscode_harness as harness

VSIX = harness.EXTENSION / "claif-vscode.vsix"


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
