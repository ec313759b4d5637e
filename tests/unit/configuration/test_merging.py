"""Merging layers: nested objects merge, other values replace, copies are taken, sources follow each value."""

from __future__ import annotations

from pathlib import Path

from claif_lsp import trust
from claif_lsp.configuration.merging import Layer, deep_merge, merge_into, merge_layers


def test_a_merge_copies_so_later_changes_leak_nowhere() -> None:
    override = {"context": {"exclude": ["a/"]}}
    base = {"context": {"budgetTokens": 1}}
    merged = deep_merge(base, override)
    override["context"]["exclude"].append("b/")
    merged["context"]["budgetTokens"] = 2
    assert merged == {"context": {"budgetTokens": 2, "exclude": ["a/"]}}
    assert base == {"context": {"budgetTokens": 1}}


def test_a_value_that_is_not_an_object_replaces_a_whole_subtree() -> None:
    target = {"providers": {"openai": {"model": "m"}}, "actions": [1, 2]}
    merge_into(target, {"providers": None, "actions": [3]})
    assert target == {"providers": None, "actions": [3]}
    merge_into(target, {"providers": {"x": {"model": "n"}}})
    assert target["providers"] == {"x": {"model": "n"}}


def test_layers_merge_lowest_first_and_name_the_source_of_each_value(tmp_path: Path) -> None:
    user_file = tmp_path / "config.toml"
    workspace = trust.workspace_file_source(tmp_path / ".claif.toml")
    layers = [
        Layer(workspace, {"provider": "openai", "context": {"budgetTokens": 100, "exclude": ["gen/"]}}),
        Layer(trust.user_file_source(user_file), {"context": {"budgetTokens": 200}}),
        Layer(trust.ENVIRONMENT, {"provider": "anthropic"}),
    ]
    problems: list[str] = []
    merged, sources = merge_layers(layers, user_file, problems)
    assert merged == {"provider": "anthropic", "context": {"budgetTokens": 200, "exclude": ["gen/"]}}
    assert sources == {
        "provider": "the environment",
        "context.budgetTokens": str(user_file),
        "context.exclude": str(tmp_path / ".claif.toml"),
    }
    assert problems == []


def test_an_untrusted_layer_loses_what_only_the_user_may_set_with_a_problem(tmp_path: Path) -> None:
    user_file = tmp_path / "config.toml"
    editor = trust.client_source("workspace/configuration")
    layers = [
        Layer(trust.user_file_source(user_file), {"providers": {"openai": {"baseUrl": "https://mine"}}}),
        Layer(editor, {"providers": None, "record": "/tmp/out.jsonl"}),
    ]
    problems: list[str] = []
    merged, sources = merge_layers(layers, user_file, problems)
    # The untrusted `providers: null` cannot drop the user's server; `record` is held back.
    assert merged == {"providers": {"openai": {"baseUrl": "https://mine"}}}
    assert sources["providers.openai.baseUrl"] == str(user_file)
    assert len(problems) == 1 and problems[0].startswith("'record' from workspace/configuration is ignored")
