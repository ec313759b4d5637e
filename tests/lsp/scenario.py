"""A small project, a recorded answer that edits it in two places, and helpers to run asks against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsprotocol import types

from tests.lsp.editor_client import EditorClient

SAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "demo" / "app.py").read_text(encoding="utf-8")
"""The demo's sample file, so the tests also guard what `claif-lsp demo` shows."""

PATCH = """Here is the change.

*** Begin Patch
*** Update File: app.py
@@ def area(r):
-    return math.pi * r * r
+    \"\"\"Area of a circle of radius r.\"\"\"
+    return math.pi * r ** 2
@@ def total(values):
-    s = 0
-    for v in values:
-        s = s + v
-    return s
+    return sum(values)
*** End Patch
"""

EXPECTED_BOTH = SAMPLE.replace(
    "    return math.pi * r * r\n", '    """Area of a circle of radius r."""\n    return math.pi * r ** 2\n'
).replace("    s = 0\n    for v in values:\n        s = s + v\n    return s\n", "    return sum(values)\n")
EXPECTED_FIRST = SAMPLE.replace(
    "    return math.pi * r * r\n", '    """Area of a circle of radius r."""\n    return math.pi * r ** 2\n'
)
EXPLANATION = "## What it does\n\n`total` adds the values one by one.\n"


def pieces(text: str, size: int = 40) -> list[str]:
    """``text`` cut into streaming chunks of ``size`` characters."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def write_transcript(path: Path, entries: list[dict[str, Any]]) -> Path:
    """Write a replay transcript."""
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def replay_settings(transcript: Path, **extra: Any) -> dict[str, Any]:
    """Settings that select the replay provider with ``transcript``."""
    return {
        "provider": "replay",
        "providers": {"replay": {"options": {"transcript": str(transcript)}}},
        "cache": {"enabled": False},
        **extra,
    }


def make_project(root: Path) -> Path:
    """Write the sample project; returns the sample file."""
    sample = root / "app.py"
    sample.write_text(SAMPLE, encoding="utf-8")
    return sample


def whole_range(line: int = 3, end_line: int = 16) -> dict[str, Any]:
    """A selection from ``line`` to ``end_line`` (0-based)."""
    return {"start": {"line": line, "character": 0}, "end": {"line": end_line, "character": 0}}


async def ask(client: EditorClient, uri: str, **arguments: Any) -> Any:
    """Run ``claif.ask`` and return its result."""
    payload = {"uri": uri, "range": whole_range(), **arguments}
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="claif.ask", arguments=[payload])
    )


async def command(client: EditorClient, name: str, argument: Any | None = None) -> Any:
    """Run any ``claif.*`` command with one object argument."""
    arguments = [argument] if argument is not None else []
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=name, arguments=arguments))


async def code_actions(
    client: EditorClient, uri: str, rng: types.Range, diagnostics: list[types.Diagnostic] | None = None
) -> list[types.CodeAction | types.Command]:
    """The server's code actions for ``rng`` in ``uri``, with ``diagnostics`` as the request's context."""
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=rng,
        context=types.CodeActionContext(diagnostics=diagnostics or []),
    )
    return await client.text_document_code_action_async(params) or []


REFINED = """*** Begin Patch
*** Update File: app.py
@@ def total(values):
-    s = 0
-    for v in values:
-        s = s + v
-    return s
+    return sum(values, start=0)
*** End Patch
"""
"""A second turn's answer: the refined loop, for conversations."""
EXPECTED_REFINED = EXPECTED_FIRST.replace(
    "    s = 0\n    for v in values:\n        s = s + v\n    return s\n", "    return sum(values, start=0)\n"
)
