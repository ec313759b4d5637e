"""The README's settings table is generated from the settings model; fail when it drifts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema  # claude-agent-sdk's dependency, in the development group
import pytest

from claif_lsp.schema import README_END, README_START, markdown_table, vscode_configuration

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_matches_the_model() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(README_START) + len(README_START)
    end = text.index(README_END)
    assert text[start:end].strip() == markdown_table().strip(), (
        "README settings table is stale: regenerate it with `claif-lsp schema --format markdown`"
    )


def test_readme_documents_every_command() -> None:
    from claif_lsp import protocol

    text = README.read_text(encoding="utf-8")
    names = [v for k, v in vars(protocol).items() if k.isupper() and isinstance(v, str)]
    missing = [name for name in names if f"`{name}`" not in text]
    assert not missing, f"README lacks {missing}"


def test_settings_table_lists_each_providers_keys_and_the_fields_of_an_action() -> None:
    table = markdown_table()
    for key in ("model", "baseUrl", "apiKeyEnv", "apiKeyCommand", "path", "extraArgs", "env", "timeout", "options"):
        assert f"| `claif.providers.<name>.{key}` |" in table, key
    assert "| `claif.providers.<name>.extraArgs` | array of string | `[]` |" in table, "default_factory defaults shown"
    assert "| `claif.actions[].title` | string |  | Required. Title in the code action menu. |" in table
    assert "| `claif.actions[].prompt` |" in table and '| `claif.actions[].kind` | string | `"edit"` |' in table


def vscode_settings() -> dict[str, Any]:
    package = json.loads((README.parent / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    return dict(package["contributes"]["configuration"][0]["properties"])


def test_vscode_package_json_holds_the_generated_configuration() -> None:
    package = json.loads((README.parent / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    assert package["contributes"]["configuration"][0] == vscode_configuration(), (
        "package.json is stale: run `npm run sync-settings` in editors/vscode"
    )


def test_vscode_accepts_a_correct_action_and_flags_a_wrong_one() -> None:
    actions = vscode_settings()["claif.actions"]
    good = [{"title": "Translate", "prompt": "Translate {selection}", "kind": "explain"}, {"title": "T", "prompt": "P"}]
    jsonschema.validate(good, actions)
    for bad in ([{"title": "T"}], [{"title": "T", "prompt": "P", "colour": "red"}], [{"prompt": "P"}]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, actions)


def bundled_provider_names() -> list[str]:
    names = []
    for pyproject in sorted((README.parent / "providers").glob("*/pyproject.toml")):
        names.extend(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["entry-points"]["claif.providers"])
    return names


def test_vscode_suggests_every_bundled_provider_and_accepts_a_third_party_one() -> None:
    provider = vscode_settings()["claif.provider"]
    [suggested] = [option for option in provider["anyOf"] if "enum" in option]
    assert sorted(suggested["enum"]) == sorted(["auto", *bundled_provider_names()])
    assert len(suggested["enumDescriptions"]) == len(suggested["enum"])
    for name in ("auto", "anthropic", "my-own-plugin"):
        jsonschema.validate(name, provider)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(3, provider)
