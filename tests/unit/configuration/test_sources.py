"""Reading each source: TOML files on disk, the environment, keys made camelCase."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.configuration.sources import normalise_keys, read_environment, read_toml, snake_to_camel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('provider = "openai"\n', {"provider": "openai"}),
        ('[claif]\nprovider = "openai"\n[other]\nx = 1\n', {"provider": "openai"}),
        ("claif = 3\n", {}),
    ],
)
def test_a_file_may_use_a_claif_table_or_the_top_level(tmp_path: Path, text: str, expected: dict[str, object]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    problems: list[str] = []
    assert read_toml(path, problems) == expected
    assert problems == []


def test_a_missing_file_is_no_settings_and_no_problem(tmp_path: Path) -> None:
    problems: list[str] = []
    assert read_toml(tmp_path / "absent.toml", problems) == {}
    assert problems == []


def test_a_broken_file_is_named_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / ".claif.toml"
    path.write_text("provider = \n")
    problems: list[str] = []
    assert read_toml(path, problems) == {}
    assert len(problems) == 1 and problems[0].startswith(f"{path}: cannot read (")
    assert problems[0].endswith("; its settings were ignored")


def test_environment_values_are_json_when_they_parse_and_text_otherwise() -> None:
    env = {
        "CLAIF_CONTEXT__EXCLUDE": '["dist/", "*.min.js"]',
        "CLAIF_CONTEXT__BUDGET_TOKENS": "4000",
        "CLAIF_PROVIDER": "claude-code",
        "CLAIF_PROVIDERS__OPENAI__BASE_URL": "http://localhost:11434/v1",
    }
    assert read_environment(env, provider_names=lambda: ["openai"]) == {
        "context": {"exclude": ["dist/", "*.min.js"], "budgetTokens": 4000},
        "provider": "claude-code",
        "providers": {"openai": {"baseUrl": "http://localhost:11434/v1"}},
    }


def test_a_nested_variable_wins_over_a_flat_one_for_the_same_key() -> None:
    env = {"CLAIF_PROVIDERS": "x", "CLAIF_PROVIDERS__OPENAI__MODEL": "m"}
    assert read_environment(env, provider_names=lambda: ["openai"]) == {"providers": {"openai": {"model": "m"}}}


def test_keys_become_camel_case_but_names_the_user_chose_stay_as_written() -> None:
    data = {
        "budget_tokens": 1,
        "context": {"surrounding_lines": 2},
        "providers": {"claude_code": {"api_key_env": "K", "options": {"some_option": 1}, "env": {"MY_VAR": "1"}}},
        "actions": [{"title": "t", "prompt": "p", "extra_key": 1}],
    }
    assert normalise_keys(data) == {
        "budgetTokens": 1,
        "context": {"surroundingLines": 2},
        "providers": {"claude_code": {"apiKeyEnv": "K", "options": {"some_option": 1}, "env": {"MY_VAR": "1"}}},
        "actions": [{"title": "t", "prompt": "p", "extraKey": 1}],
    }
    assert normalise_keys(["not", "a", "mapping"]) == ["not", "a", "mapping"]


def test_snake_to_camel() -> None:
    assert [snake_to_camel(n) for n in ("ttl_seconds", "provider", "api_key_command")] == [
        "ttlSeconds",
        "provider",
        "apiKeyCommand",
    ]
