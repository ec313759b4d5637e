"""The action table: the validation, the prompts and the code actions all read it."""

from __future__ import annotations

import pytest

from claif_lsp import actions, prompts
from claif_lsp.features import code_actions


def test_the_prompts_read_the_table() -> None:
    assert {"ask", "refactor", "docstrings", "tests", "fix"} == prompts.EDIT_ACTIONS
    assert {"explain"} == prompts.EXPLAIN_ACTIONS
    assert {action.id: action.prompt for action in actions.BUILTIN} == prompts.ACTION_TEXTS
    assert prompts.is_explain("explain") and not prompts.is_explain("refactor")


def test_code_actions_offer_the_actions_that_need_no_input_per_selection() -> None:
    assert code_actions.BUILTIN_ACTIONS == (
        ("explain", "Explain"),
        ("refactor", "Refactor"),
        ("docstrings", "Add docstrings"),
        ("tests", "Write tests"),
    )
    assert actions.BY_ID["ask"].title.format(provider="Claude API") == "Ask Claude API…"
    assert actions.BY_ID["fix"].title.format(diagnostic="magic number") == "Fix: magic number"
    assert actions.menu_title("Refactor", "Claude API") == "Claif: Refactor (Claude API)"
    assert actions.menu_title("Ask Replay…") == "Claif: Ask Replay…"


def test_provider_labels_name_the_settings_id_where_the_display_name_reads_differently() -> None:
    assert actions.provider_label("Claude API", "anthropic") == "Claude API (anthropic)"
    assert actions.provider_label("Claude Code", "claude-code") == "Claude Code"
    assert actions.provider_label("Replay", "replay") == "Replay"
    assert [a.id for a in actions.BUILTIN if a.needs_diagnostic] == ["fix"]


def test_custom_actions_are_numbered() -> None:
    assert actions.custom_id(3) == "custom:3"
    assert actions.custom_index("custom:3") == 3
    assert actions.is_known("custom:3") and actions.is_known("tests") and not actions.is_known("summon")
    for bad in ("custom:x", "custom:", "custom:-1", "tests"):
        with pytest.raises(ValueError):
            actions.custom_index(bad)
