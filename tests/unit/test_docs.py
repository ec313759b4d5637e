"""The README's settings table is generated from the settings model; fail when it drifts."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.schema import README_END, README_START, markdown_table

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
