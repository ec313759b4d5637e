"""The language table: the editor's id wins, else the suffix decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.context.languages import LANGUAGE_BY_SUFFIX, language_for


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/a.py", "python"),
        ("types.pyi", "python"),
        ("App.TSX", "typescriptreact"),
        ("lib.MJS", "javascript"),
        ("main.rs", "rust"),
        ("build.sh", "shellscript"),
        (".github/ci.yml", "yaml"),
        ("Makefile", None),
        ("data.unknown", None),
    ],
)
def test_the_suffix_names_the_language_whatever_its_case(path: str, expected: str | None) -> None:
    assert language_for(Path(path)) == expected
    assert language_for(path) == expected


def test_the_editor_s_language_id_wins_over_the_suffix() -> None:
    assert language_for(Path("script.py"), "django-html") == "django-html"
    assert language_for(None, "plaintext") == "plaintext"


def test_no_path_and_no_id_has_no_language() -> None:
    assert language_for(None) is None
    assert language_for(Path("a.py"), "") == "python"


def test_the_table_keys_are_lower_case_suffixes() -> None:
    assert all(suffix.startswith(".") and suffix == suffix.lower() for suffix in LANGUAGE_BY_SUFFIX)
