"""The README's "Writing a provider plugin" works as written: built, installed and asked through the real server.

The guide's files are taken from README.md as they stand, built with their own ``[build-system]`` into a scratch
virtual environment (offline: uv's cache already holds hatchling from ``uv sync``), and the server is started from
that environment. Its HTTP provider talks to the loopback OpenAI server, its agent provider runs a small executable
speaking the guide's JSON lines; the guide's own conformance test runs there too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from claif_lsp.testing import OpenAIServer, Reply
from tests.conftest import ROOT, server_env
from tests.lsp import scenario
from tests.lsp.conftest import as_plugins_send
from tests.lsp.editor_client import EditorClient, make_editor_client

pytestmark = pytest.mark.timeout(600)

KEY = "sk-guide-key"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
AGENT = """#!{python}
import json, sys
assert sys.argv[1:] == ["--read-only", "--json"], sys.argv
prompt = sys.stdin.read()
for piece in ["The function ", "adds the values."]:
    print(json.dumps({{"type": "text", "text": piece}}), flush=True)
print("not json noise")
print(json.dumps({{"type": "done", "input_tokens": len(prompt.split()), "output_tokens": 5}}))
"""


def guide_blocks() -> list[tuple[str, str]]:
    """The fenced blocks of the README's plugin guide: (language, text)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a provider plugin\n", 1)[1].split("\n## ", 1)[0]
    return [(match[1], match[2]) for match in FENCE.finditer(section)]


def guide_files() -> dict[str, str]:
    """The blocks whose first line names a file (``# pyproject.toml``), by that path."""
    files = {}
    for _, text in guide_blocks():
        first, _, rest = text.partition("\n")
        if re.fullmatch(r"# [\w/.-]+\.(toml|py)", first):
            files[first.removeprefix("# ")] = rest
    return files


def guide_settings() -> dict[str, Any]:
    """The guide's settings block (the TOML block that names no file)."""
    [settings] = [text for lang, text in guide_blocks() if lang == "toml" and not text.startswith("# ")]
    return tomllib.loads(settings)


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the guide's plugin built and installed (and this checkout's packages visible)."""
    base = tmp_path_factory.mktemp("guide")
    plugin = base / "claif-myprovider"
    for path, text in guide_files().items():
        (plugin / path).parent.mkdir(parents=True, exist_ok=True)
        (plugin / path).write_text(text, encoding="utf-8")
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the guide's plugin"
    venv = base / "venv"
    run(uv, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # claif-lsp and its dependencies come from this checkout's environment; only the plugin is built here.
    ours = sysconfig.get_paths()["purelib"]
    (site_packages / "_claif_checkout.pth").write_text(f"import site; site.addsitedir({ours!r})\n", encoding="utf-8")
    run(uv, "pip", "install", "--quiet", "--offline", "--no-deps", "--python", python, plugin)
    return venv


def test_the_guide_names_its_files_and_settings() -> None:
    assert set(guide_files()) == {
        "pyproject.toml",
        "claif_myprovider/provider.py",
        "claif_myprovider/agent.py",
        "tests/test_myprovider.py",
    }
    project = tomllib.loads(guide_files()["pyproject.toml"])
    assert project["project"]["version"] and project["build-system"]["build-backend"]
    assert set(project["project"]["entry-points"]["claif.providers"]) == {"myprovider", "myagent"}
    # Settings are keyed by the entry-point name.
    assert guide_settings()["provider"] == "myprovider" and "myprovider" in guide_settings()["providers"]


def test_the_guides_conformance_test_passes_in_the_scratch_environment(scratch: Path) -> None:
    plugin = scratch.parent / "claif-myprovider"
    result = run(scratch / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=plugin)
    assert re.search(r"\b6 passed\b", result.stdout), result.stdout


@pytest_asyncio.fixture
async def guide_client(scratch: Path, workspace: Path, tmp_path: Path) -> AsyncIterator[tuple[EditorClient, Any]]:
    scenario.make_project(workspace)
    agent = tmp_path / "bin" / "myagent"
    agent.parent.mkdir()
    agent.write_text(AGENT.format(python=sys.executable), encoding="utf-8")
    agent.chmod(0o755)
    with OpenAIServer(Reply(chunks=scenario.pieces(scenario.PATCH), input_tokens=600, output_tokens=120)) as server:
        settings = guide_settings()
        settings["providers"]["myprovider"]["baseUrl"] = server.base_url
        settings["providers"]["myagent"] = {"path": str(agent)}
        settings["cache"] = {"enabled": False}
        shared, user_only = as_plugins_send(settings)
        config = ClientServerConfig(
            server_command=[str(scratch / "bin" / "python"), "-m", "claif_lsp", "--log-level", "DEBUG"],
            client_factory=make_editor_client,
            server_env=server_env(MYPROVIDER_API_KEY=KEY),
        )
        client = await config.start()
        assert isinstance(client, EditorClient)
        client.set_configuration(shared, section="claif", scope_uri=workspace.as_uri())
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual_studio_code"),
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)],
                initialization_options=user_only,
            )
        )
        try:
            yield client, server
        finally:
            await client.shutdown_session()
            await client.stop()


async def test_an_ask_goes_through_the_guides_plugins(guide_client: tuple[EditorClient, Any], workspace: Path) -> None:
    client, server = guide_client
    listed = {p["name"]: p for p in (await scenario.command(client, "claif.providers"))["providers"]}
    for name in ("myprovider", "myagent"):
        assert (listed[name]["state"], listed[name]["distribution"]) == ("ready", "claif-myprovider"), listed[name]
    assert listed["myprovider"]["displayName"] == "My Provider"

    uri = (workspace / "app.py").as_uri()
    client.open_document(uri, scenario.SAMPLE)
    [proposal_id] = (await scenario.ask(client, uri, instruction="tidy up"))["proposals"]
    proposal = await scenario.command(client, "claif.proposal", {"proposal": proposal_id})
    assert proposal["provider"] == "myprovider"
    assert proposal["files"][0]["proposedText"] == scenario.EXPECTED_BOTH
    request = server.last_request
    assert request.headers["authorization"] == f"Bearer {KEY}", "the key reached the server as its value"
    assert request.body["model"] == "my-model" and "tidy up" in json.dumps(request.body)

    explained = await scenario.ask(client, uri, action="explain", provider="myagent")
    assert explained["answer"] == "The function adds the values." and explained["errors"] == []
