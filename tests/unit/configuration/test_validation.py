"""Validating key by key: each bad value is named and falls back alone; foreign keys and typos."""

from __future__ import annotations

from typing import Any

from claif_lsp.configuration.validation import KNOWN_KEYS, validate_leniently, without_foreign_keys
from claif_lsp.settings import ApprovalMode, Settings


def test_only_the_bad_keys_fall_back_and_each_is_named() -> None:
    problems: list[str] = []
    data: dict[str, Any] = {
        "approval": "confirm",
        "context": {"budgetTokens": 10, "surroundingLines": 5},
        "cache": {"ttlSeconds": -1},
    }
    settings = validate_leniently(data, problems)
    assert settings.approval is ApprovalMode.CONFIRM
    assert settings.context.surrounding_lines == 5
    assert settings.context.budget_tokens == Settings().context.budget_tokens
    assert settings.cache.ttl_seconds == Settings().cache.ttl_seconds
    assert [p.split(":")[0] for p in problems] == ["claif.context.budgetTokens", "claif.cache.ttlSeconds"]
    assert all(p.endswith("; using the default") for p in problems)
    assert data["context"]["budgetTokens"] == 10  # the caller's data is left as it was


def test_an_action_missing_a_required_key_is_dropped_and_the_others_kept() -> None:
    problems: list[str] = []
    actions = [{"title": "Explain"}, {"title": "Tidy", "prompt": "Tidy this"}]
    settings = validate_leniently({"actions": actions}, problems)
    assert [action.title for action in settings.actions] == ["Tidy"]
    assert problems == ["claif.actions.0.prompt: Field required; using the default"]


def test_a_typo_gets_the_nearest_key_beside_it() -> None:
    problems: list[str] = []
    validate_leniently({"providers": {"openai": {"modle": "m"}}, "contxt": {}}, problems)
    assert problems[0] == "claif.providers.openai.modle: not a claif setting (did you mean 'model'?); ignored"
    assert problems[1] == "claif.contxt: not a claif setting (did you mean 'context'?); ignored"


def test_initialization_options_keep_only_claif_settings() -> None:
    problems: list[str] = []
    kept = without_foreign_keys({"provider": "openai", "editorInfo": {"name": "x"}, "budgetToken": 5}, problems)
    assert kept == {"provider": "openai"}
    assert problems == [
        "initializationOptions: 'budgetToken' is not a claif setting (did you mean 'context.budgetTokens'?); "
        "it was ignored"
    ]


def test_known_keys_suggest_where_a_nested_name_lives() -> None:
    assert KNOWN_KEYS["baseurl"] == "providers.<name>.baseUrl"
    assert KNOWN_KEYS["exclude"] == "context.exclude"
    assert KNOWN_KEYS["provider"] == "provider"
    assert "options" not in KNOWN_KEYS
