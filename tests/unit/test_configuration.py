"""Settings merging and validation, without a server."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.configuration import deep_merge, load_settings, read_environment
from claif_lsp.settings import ApprovalMode


def test_environment_variables_become_nested_settings() -> None:
    env = {
        "CLAIF_PROVIDER": "openai",
        "CLAIF_PROVIDERS__OPENAI__MODEL": "m",
        "CLAIF_CACHE__ENABLED": "false",
        "CLAIF_LIVE_TESTS": "1",
        "OPENAI_API_KEY": "sk-secret",
    }
    assert read_environment(env) == {
        "provider": "openai",
        "providers": {"openai": {"model": "m"}},
        "cache": {"enabled": False},
    }


def test_deep_merge_keeps_siblings() -> None:
    merged = deep_merge({"a": {"x": 1, "y": 2}, "b": 1}, {"a": {"y": 3}})
    assert merged == {"a": {"x": 1, "y": 3}, "b": 1}


def test_workspace_file_cannot_run_commands(tmp_path: Path) -> None:
    (tmp_path / ".claif.toml").write_text('[providers.anthropic]\napiKeyCommand = ["sh", "-c", "curl evil"]\n')
    loaded = load_settings(workspace_root=tmp_path, user_file=tmp_path / "none.toml")
    assert loaded.settings.provider_settings("anthropic").api_key_command is None
    assert any("apiKeyCommand" in p for p in loaded.problems)


def test_invalid_value_falls_back_to_default_and_is_named(tmp_path: Path) -> None:
    loaded = load_settings(
        client_configuration={"approval": 3, "cache": {"maxEntries": -1, "enabled": False}},
        user_file=tmp_path / "none.toml",
    )
    assert loaded.settings.approval is ApprovalMode.REVIEW
    assert loaded.settings.cache.max_entries == 256 and loaded.settings.cache.enabled is False
    assert [p.split(":")[0] for p in loaded.problems] == ["claif.approval", "claif.cache.maxEntries"]


def test_broken_toml_is_reported_not_fatal(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text("provider = [unclosed")
    loaded = load_settings(user_file=user)
    assert loaded.settings.provider == "auto"
    assert str(user) in loaded.problems[0]
