"""build_prompt over contexts gathered from real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.context import Context, ContextRequest, DiagnosticView, DocumentView, gather_context
from claif_lsp.privacy.redaction import REDACTED
from claif_lsp.prompts import (
    EDIT_ACTIONS,
    EXPLAIN_ACTIONS,
    EXPLAIN_SYSTEM_PROMPT,
    PATCH_SYSTEM_PROMPT,
    build_prompt,
    fence,
    fill_template,
)
from claif_lsp.settings import ContextSettings

SOURCE = '''"""Geometry helpers."""

from shapes.base import Shape


def area(width, height):
    return width * heigth


def perimeter(width, height):
    return 2 * (width + height)
'''
DIAGNOSTIC = DiagnosticView(6, 6, "undefined name 'heigth'", "error", "pyflakes", None)


@pytest.fixture
def context(workspace: Path) -> Context:
    (workspace / "shapes").mkdir()
    (workspace / "shapes/base.py").write_text("class Shape:\n    pass\n")
    path = workspace / "shapes/geometry.py"
    path.write_text(SOURCE)
    return gather_context(
        ContextRequest(
            document=DocumentView(path.as_uri(), path, SOURCE, "python", 3),
            start_line=5,
            end_line=6,
            root=workspace,
            diagnostics=[DIAGNOSTIC],
            open_documents=[],
            settings=ContextSettings(),
        )
    )


def test_builtin_action_sets() -> None:
    assert {"ask", "refactor", "docstrings", "tests", "fix"} == EDIT_ACTIONS
    assert {"explain"} == EXPLAIN_ACTIONS


def test_edit_prompt_asks_for_one_apply_patch_block(context: Context) -> None:
    prompt = build_prompt(context, action="refactor", instruction=None)
    assert prompt.expects_patch
    assert prompt.system == PATCH_SYSTEM_PROMPT
    for required in ("*** Begin Patch", "*** End Patch", "*** Update File: ", "@@", "3 lines", "relative"):
        assert required in prompt.system
    assert "Refactor the selected code" in prompt.user


def test_user_prompt_layout(context: Context) -> None:
    prompt = build_prompt(context, action="ask", instruction="Use math.prod here")
    user = prompt.user
    assert user.startswith("## Task\nUse math.prod here\n")
    assert "File: shapes/geometry.py (python)" in user
    assert "## Selection (lines 6-7)\n```python\ndef area(width, height):\n    return width * heigth\n```" in user
    assert "- line 7 error [pyflakes]: undefined name 'heigth'" in user
    assert "Current file: shapes/geometry.py (python)\n```python\n" + SOURCE.rstrip("\n") + "\n```" in user
    assert "Related file: shapes/base.py (python)\n```python\nclass Shape:\n    pass\n```" in user
    order = [user.index(marker) for marker in ("## Task", "File:", "## Selection", "## Diagnostics", "## Context")]
    assert order == sorted(order)
    assert "## Context left out" not in user


def test_fix_names_the_diagnostic(context: Context) -> None:
    prompt = build_prompt(context, action="fix", instruction=None, diagnostic=DIAGNOSTIC)
    assert prompt.expects_patch
    assert "Fix this problem with the smallest change that solves it: line 7 error [pyflakes]: undefined name" in (
        prompt.user
    )


def test_explain_asks_for_markdown(context: Context) -> None:
    prompt = build_prompt(context, action="explain", instruction="focus on units")
    assert not prompt.expects_patch
    assert prompt.system == EXPLAIN_SYSTEM_PROMPT
    assert "Markdown" in prompt.system
    assert "*** Begin Patch" not in prompt.system
    assert "Explain what the selected code does" in prompt.user
    assert "Additional instruction from the user: focus on units" in prompt.user


def test_unknown_builtin_action_is_an_error(context: Context) -> None:
    with pytest.raises(ValueError, match="unknown action 'translate'"):
        build_prompt(context, action="translate", instruction=None)


def test_custom_template_fills_known_placeholders_only(context: Context) -> None:
    template = "Port {path} ({language}) to {target}: {instruction}\n{selection}\nKeep dict literals like {'a': 1}."
    prompt = build_prompt(
        context, action="port", instruction="keep names", custom_template=template, custom_kind="explain"
    )
    assert not prompt.expects_patch
    assert (
        "Port shapes/geometry.py (python) to {target}: keep names\n"
        "def area(width, height):\n    return width * heigth\nKeep dict literals like {'a': 1}."
    ) in prompt.user
    edit = build_prompt(context, action="port", instruction=None, custom_template="Tidy {selection}")
    assert edit.expects_patch


def test_fill_template_does_not_reinterpret_filled_values() -> None:
    filled = fill_template(
        "{selection} in {language}", selection="print('{path}')", language="python", path="x.py", instruction=""
    )
    assert filled == "print('{path}') in python"


def test_cut_notes_are_in_the_prompt(workspace: Path) -> None:
    (workspace / "dep.py").write_text("x = 1\n" * 2000)
    path = workspace / "main.py"
    path.write_text("import dep\n")
    context = gather_context(
        ContextRequest(
            document=DocumentView(path.as_uri(), path, "import dep\n", "python", 1),
            start_line=0,
            end_line=0,
            root=workspace,
            diagnostics=[],
            open_documents=[],
            settings=ContextSettings(budget_tokens=256),
        )
    )
    user = build_prompt(context, action="docstrings", instruction=None).user
    assert "## Context left out\n- related file dep.py (3.0k tokens) left out: budget\n" in user


def test_instruction_and_diagnostic_secrets_are_redacted(context: Context) -> None:
    key = "sk-" + "ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0Ed"
    leaky = DiagnosticView(6, 6, f"invalid key {key}", "error", None, None)
    prompt = build_prompt(context, action="fix", instruction=f"my key is {key}", diagnostic=leaky)
    assert key not in prompt.user
    assert f"my key is {REDACTED}" in prompt.user


def test_fence_outgrows_backticks_in_the_text() -> None:
    text = "Example:\n```python\nx = 1\n```"
    assert fence(text, "markdown") == f"````markdown\n{text}\n````"
