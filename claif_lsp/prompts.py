"""The prompts: a system prompt per answer kind, and a user prompt built from the action and the context.

Edit actions ask for exactly one Codex ``apply_patch`` block (``*** Begin Patch`` … ``*** End Patch``), the
format Codex models are trained on and our patch parser reads; explain actions ask for concise Markdown.
The user prompt is the task, the current file and selection (with 1-based line numbers), the context
sections in fenced blocks, and a note on what was left out. The whole user prompt is redacted once more at
the end, so a key typed into an instruction or a diagnostic message never leaves either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claif_lsp import actions
from claif_lsp.context import Context, ContextSection, DiagnosticView
from claif_lsp.privacy.redaction import REDACTED, redact

EDIT_ACTIONS = frozenset(action.id for action in actions.BUILTIN if action.answer == "edit")
"""Built-in actions whose answer is a patch."""
EXPLAIN_ACTIONS = frozenset(action.id for action in actions.BUILTIN if action.answer == "explain")
"""Built-in actions whose answer is a Markdown explanation."""

ACTION_TEXTS = {action.id: action.prompt for action in actions.BUILTIN}
"""The task each built-in action sends (``ask``'s only when the user gave no instruction)."""

_ROLE = (
    "You are a careful senior software engineer working inside the user's code editor. You receive a task, "
    "the code the user selected, and context from their workspace (the file, diagnostics, other open files, "
    "related files). Context may be partial; lines shown as `… N lines omitted …` exist but are not shown. "
    f"Values shown as `{REDACTED}` were hidden from you on purpose."
)

PATCH_SYSTEM_PROMPT = f"""{_ROLE}

Answer with exactly one patch in this format; no prose is needed outside it:

*** Begin Patch
*** Update File: path/relative/to/workspace.py
@@ def function_or_class_containing_the_change():
 context line (unchanged, starts with a space)
 context line
 context line
-removed line
+added line
 context line
 context line
 context line
*** End Patch

Rules:
- Use paths relative to the workspace, exactly as they appear in the context headers; never absolute paths.
- `*** Update File: <path>` changes a file, `*** Add File: <path>` creates one (every line starts with `+`),
  `*** Delete File: <path>` deletes one, and `*** Move to: <path>` right after an Update line renames it.
- Within a file, each change starts with `@@`. Show 3 lines of unchanged context before and after each
  change. When 3 lines are not enough to find the place uniquely, put the enclosing class or function on the
  `@@` line (`@@ class Parser`), nesting several `@@` lines if needed.
- Every line inside a change starts with one character: space (context), `-` (remove) or `+` (add),
  followed by the line exactly as in the file, indentation included. Do not write line numbers.
- Copy context lines exactly from the code you were shown; never invent or paraphrase them.
- Change only what the task needs. Keep the file's style, indentation and line endings.
- Never write `{REDACTED}` into a file: leave lines containing it unchanged.
- Put the whole answer in that single block. Anything you say outside it is not shown to the user,
  so explanations, if any, belong in code comments only when they help the reader of the code."""

EXPLAIN_SYSTEM_PROMPT = f"""{_ROLE}

Answer in concise Markdown for a developer reading it beside the code: start with a one-sentence summary,
then the details that matter (what it does, how, edge cases, risks). Use short paragraphs or bullet lists,
refer to code with `inline code` and 1-based line numbers, and quote code in fenced blocks only when it
helps. Do not rewrite the code or answer with a patch unless asked; do not repeat the question."""

_PLACEHOLDER = re.compile(r"\{(selection|language|path|instruction)\}")


@dataclass(frozen=True)
class Prompt:
    """What one ask sends: the system prompt, the user prompt, and whether a patch is expected back."""

    system: str
    user: str
    expects_patch: bool


def is_explain(action: str, custom_kind: str | None = None) -> bool:
    """True when the action's answer is Markdown rather than a patch."""
    if custom_kind is not None:
        return custom_kind.strip().lower() == "explain"
    return action in EXPLAIN_ACTIONS


def fence(text: str, info: str = "") -> str:
    """``text`` in a Markdown code fence longer than any backtick run inside it (one final newline dropped)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marker = "`" * max(3, longest + 1)
    body = text[:-1] if text.endswith("\n") else text
    return f"{marker}{info}\n{body}\n{marker}"


def fill_template(template: str, *, selection: str, language: str, path: str, instruction: str) -> str:
    """Fill ``{selection}``, ``{language}``, ``{path}``, ``{instruction}``; any other braces stay as written."""
    values = {"selection": selection, "language": language, "path": path, "instruction": instruction}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def task_text(action: str, instruction: str | None, diagnostic: DiagnosticView | None, context: Context) -> str:
    """The task of a built-in action: its standard text, the diagnostic to fix, the user's instruction."""
    instruction = (instruction or "").strip()
    if action == "ask":
        return instruction or ACTION_TEXTS["ask"]
    if action == "fix":
        if diagnostic is not None:
            text = f"Fix this problem with the smallest change that solves it: {diagnostic.describe()}"
        elif context.of_kind("diagnostics"):
            text = "Fix the problems listed under Diagnostics with the smallest change that solves them."
        else:
            text = ACTION_TEXTS["fix"]
    elif action in ACTION_TEXTS:
        text = ACTION_TEXTS[action]
    else:
        raise ValueError(f"unknown action {action!r}: use one of {sorted(EDIT_ACTIONS | EXPLAIN_ACTIONS)}")
    if instruction:
        text += f"\n\nAdditional instruction from the user: {instruction}"
    return text


def _line_label(section: ContextSection) -> str:
    if not section.line_ranges:
        return ""
    spans = [f"{start + 1}-{end + 1}" if end > start else f"{start + 1}" for start, end in section.line_ranges]
    word = "line" if len(spans) == 1 and "-" not in spans[0] else "lines"
    total = f" of {section.total_lines}" if section.total_lines is not None else ""
    return f"{word} {', '.join(spans)}{total}"


def _section_block(section: ContextSection) -> str:
    titles = {
        "file": "Current file",
        "open_buffer": "Open file (unsaved editor text)",
        "related_file": "Related file",
    }
    header = f"{titles.get(section.kind, section.kind)}: {section.path}"
    details = [part for part in (section.language, _line_label(section) if section.partial else "") if part]
    if details:
        header += f" ({', '.join(details)})"
    return f"{header}\n{fence(section.text, section.language or '')}"


def render_user_prompt(context: Context, task: str) -> str:
    """The user prompt: task, current file, selection, diagnostics, context sections, cut notes."""
    selection = context.selection
    language = context.language or "plain text"
    parts = [f"## Task\n{task.strip()}"]
    parts.append(f"File: {context.path} ({language})")
    first, last = context.start_line + 1, context.end_line + 1
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    parts.append(f"## Selection ({lines})\n{fence(selection.text, context.language or '')}")
    diagnostics = context.of_kind("diagnostics")
    if diagnostics:
        parts.append("## Diagnostics in the selection\n" + "\n".join(f"- {d.text}" for d in diagnostics))
    others = [s for s in context.sections if s.kind in ("file", "open_buffer", "related_file")]
    if others:
        parts.append("## Context\n" + "\n\n".join(_section_block(section) for section in others))
    if context.cut:
        parts.append("## Context left out\n" + "\n".join(f"- {note}" for note in context.cut))
    return "\n\n".join(parts) + "\n"


def build_prompt(
    context: Context,
    *,
    action: str,
    instruction: str | None,
    diagnostic: DiagnosticView | None = None,
    custom_template: str | None = None,
    custom_kind: str | None = None,
) -> Prompt:
    """The system and user prompts for ``action`` over ``context`` (a custom action when a template is given)."""
    if custom_template is not None:
        explain = is_explain(action, custom_kind or "edit")
        task = fill_template(
            custom_template,
            selection=context.selection.text,
            language=context.language or "plain text",
            path=context.path,
            instruction=(instruction or "").strip(),
        )
    else:
        explain = is_explain(action)
        task = task_text(action, instruction, diagnostic, context)
    system = EXPLAIN_SYSTEM_PROMPT if explain else PATCH_SYSTEM_PROMPT
    return Prompt(system=system, user=redact(render_user_prompt(context, task)), expects_patch=not explain)
