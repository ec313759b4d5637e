"""gather_context on real workspaces in temporary directories."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.context import Context, DiagnosticView, DocumentRefusedError, DocumentView, refusal_reason
from claif_lsp.context.windows import line_texts, omitted_marker, render_ranges, window_ranges
from claif_lsp.privacy.redaction import REDACTED
from claif_lsp.token_counts import estimate_tokens
from tests.unit.context.workspace import ask, view, write

OPENAI_KEY = "sk-" + "proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"


def paths(context: Context, kind: str) -> list[str | None]:
    return [section.path for section in context.sections if section.kind == kind]


def text_of(context: Context, kind: str, path: str) -> str:
    return next(s.text for s in context.sections if s.kind == kind and s.path == path)


def test_small_file_is_sent_whole_with_selection_and_diagnostics_in_range(workspace: Path) -> None:
    source = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - c\n"
    path = write(workspace, "pkg/calc.py", source)
    diagnostics = [
        DiagnosticView(5, 5, "undefined name 'c'", "error", "ruff", "F821"),
        DiagnosticView(0, 0, "missing docstring", "warning", "pylint", None),
    ]
    context = ask(workspace, view(path, language_id="python"), 4, 5, diagnostics=[diagnostics[0], *diagnostics])

    assert context.path == "pkg/calc.py"
    assert context.base_dir == workspace.resolve()
    assert context.language == "python"
    assert context.selection.text == "def sub(a, b):\n    return a - c"
    assert context.selection.line_ranges == ((4, 5),)
    assert context.of_kind("diagnostics")[0].text == "line 6 error [ruff F821]: undefined name 'c'"
    file_section = context.of_kind("file")[0]
    assert file_section.text == source.rstrip("\n")
    assert not file_section.partial
    assert context.cut == []
    assert context.cut_summary == ""
    assert context.total_tokens == sum(s.tokens for s in context.sections)


def test_python_imports_resolve_to_workspace_files(workspace: Path) -> None:
    write(workspace, "pkg/__init__.py", "")
    write(workspace, "pkg/models.py", "class User:\n    name: str\n")
    write(workspace, "pkg/util/__init__.py", "def slug(s):\n    return s.lower()\n")
    write(workspace, "pkg/helpers.py", "def helper():\n    return 1\n")
    write(workspace, "pkg/api/__init__.py", "")
    write(workspace, "pkg/api/routes.py", "ROUTES = []\n")
    write(workspace, "pkg/api/schemas.py", "SCHEMA = {}\n")
    source = (
        "import os\n"
        "import pkg.util\n"
        "from pkg.models import User\n"
        "from .. import helpers\n"
        "from .routes import (\n    ROUTES,\n)\n"
        "\n\ndef handler():\n    return User()\n"
    )
    path = write(workspace, "pkg/api/views.py", source)

    context = ask(workspace, view(path), 9, 10)

    related = paths(context, "related_file")
    assert related[:4] == ["pkg/util/__init__.py", "pkg/models.py", "pkg/helpers.py", "pkg/api/routes.py"]
    assert "pkg/api/schemas.py" in related  # a same-directory neighbour
    assert text_of(context, "related_file", "pkg/models.py") == "class User:\n    name: str\n"
    assert all(section.language == "python" for section in context.of_kind("related_file"))


def test_src_layout_imports_resolve(workspace: Path) -> None:
    write(workspace, "src/app/core.py", "VALUE = 1\n")
    path = write(workspace, "scripts/run.py", "from app.core import VALUE\nprint(VALUE)\n")
    context = ask(workspace, view(path))
    assert paths(context, "related_file") == ["src/app/core.py"]


def test_js_and_ts_relative_imports(workspace: Path) -> None:
    write(workspace, "web/a.ts", "export const a = 1;\n")
    write(workspace, "web/b.js", "module.exports = 2;\n")
    write(workspace, "web/c.ts", "export default 3;\n")
    write(workspace, "web/lib/index.ts", "export const lib = 4;\n")
    write(workspace, "shared/types.ts", "export type T = string;\n")
    source = (
        "import React from 'react';\n"
        "import { a } from './a';\n"
        "const b = require('./b');\n"
        "import c from './c.js';\n"
        "import {\n  lib,\n} from './lib';\n"
        'import type { T } from "../shared/types";\n'
        "export const main = () => a + b + c + lib;\n"
    )
    path = write(workspace, "web/main.ts", source)

    context = ask(workspace, view(path, language_id="typescript"), 8, 8)

    related = paths(context, "related_file")
    assert related[:5] == ["web/a.ts", "web/b.js", "web/c.ts", "web/lib/index.ts", "shared/types.ts"]
    assert context.of_kind("related_file")[1].language == "javascript"


def test_test_file_and_module_are_neighbours(workspace: Path) -> None:
    module = write(workspace, "pkg/parser.py", "def parse(s):\n    return s.split()\n")
    write(workspace, "tests/unit/test_parser.py", "from pkg.parser import parse\n")
    write(workspace, "tests/unit/test_other.py", "x = 1\n")

    context = ask(workspace, view(module))

    assert paths(context, "related_file") == ["tests/unit/test_parser.py"]


def test_other_languages_use_same_extension_neighbours(workspace: Path) -> None:
    write(workspace, "svc/server_test.go", "package svc\n")
    write(workspace, "svc/handler.go", "package svc\n")
    write(workspace, "svc/README.md", "# svc\n")
    path = write(workspace, "svc/server.go", "package svc\n\nfunc Serve() {}\n")

    context = ask(workspace, view(path))

    assert paths(context, "related_file") == ["svc/server_test.go", "svc/handler.go"]


def test_open_buffers_use_unsaved_text_and_never_disk(workspace: Path) -> None:
    helper = write(workspace, "pkg/helper.py", "def old():\n    pass\n")
    other = write(workspace, "notes/todo.py", "saved on disk\n")
    path = write(workspace, "pkg/main.py", "from pkg.helper import new\n")
    buffers = [
        view(other, "TODO: unsaved edit\n"),
        view(helper, "def new():\n    return 'unsaved'\n"),
    ]

    context = ask(workspace, view(path), open_documents=buffers)

    # Imported buffers come before unrelated ones; both carry the editor's text.
    assert paths(context, "open_buffer") == ["pkg/helper.py", "notes/todo.py"]
    assert text_of(context, "open_buffer", "pkg/helper.py") == "def new():\n    return 'unsaved'\n"
    assert text_of(context, "open_buffer", "notes/todo.py") == "TODO: unsaved edit\n"
    assert paths(context, "related_file") == []

    without_buffers = ask(workspace, view(path), open_documents=buffers, open_buffers=False)
    assert paths(without_buffers, "open_buffer") == []
    # Still the editor's text for the imported file, not the stale disk copy.
    assert text_of(without_buffers, "related_file", "pkg/helper.py") == "def new():\n    return 'unsaved'\n"


def test_secrets_and_excluded_files_are_never_sent(workspace: Path, tmp_path: Path) -> None:
    write(workspace, "app/settings.py", "DEBUG = True\n")
    write(workspace, "app/keys.py", "PEM = '''-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'''\n")
    write(workspace, "app/generated.py", "GENERATED = 1\n")
    binary = workspace / "app/blob.py"
    binary.write_bytes(b"\x00\x01\x02binary")
    dotenv = write(workspace, ".env", f"OPENAI_API_KEY={OPENAI_KEY}\n")
    git_file = write(workspace, ".git/COMMIT_EDITMSG", "wip\n")
    outside = write(tmp_path, "elsewhere/private.py", "SECRET_PLAN = 1\n")
    (workspace / "app/linked.py").symlink_to(outside)
    path = write(workspace, "app/main.py", "from app import settings, keys, generated, blob, linked\n")
    buffers = [view(dotenv), view(git_file), view(outside), view(workspace / "app/generated.py")]

    context = ask(workspace, view(path), open_documents=buffers, exclude=["app/generated.py"])

    sent = [s.path for s in context.sections if s.kind != "selection"]
    assert "app/settings.py" in sent
    for never in ("app/keys.py", "app/generated.py", "app/blob.py", "app/linked.py", ".env", ".git/COMMIT_EDITMSG"):
        assert never not in sent
    everything = "\n".join(s.text for s in context.sections)
    assert OPENAI_KEY not in everything
    assert "SECRET_PLAN" not in everything
    assert "PRIVATE KEY" not in everything
    assert "open buffer .env (" in "\n".join(context.cut)
    assert "related file app/keys.py (0 tokens) left out: contains a private key" in context.cut
    assert "related file app/blob.py (0 tokens) left out: binary" in context.cut


def test_selection_is_redacted(workspace: Path) -> None:
    path = write(workspace, "client.py", f'client = OpenAI(api_key="{OPENAI_KEY}")\n')
    context = ask(workspace, view(path))
    assert context.selection.text == f'client = OpenAI(api_key="{REDACTED}")'
    assert OPENAI_KEY not in context.of_kind("file")[0].text


@pytest.mark.parametrize(
    ("relative", "text", "exclude", "reason"),
    [
        (".env", f"DEBUG=1\nOPENAI_API_KEY={OPENAI_KEY}\n", [], "secret file"),
        ("deploy/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", [], "secret file"),
        ("notes.py", 'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEvQ"""\n', [], "contains a private key"),
        ("generated/schema.py", "x = 1\n", ["generated/"], "excluded"),
    ],
)
def test_secret_current_document_is_refused_whole(
    workspace: Path, relative: str, text: str, exclude: list[str], reason: str
) -> None:
    path = write(workspace, relative, text)
    assert refusal_reason(path, workspace, text, exclude) == reason
    with pytest.raises(DocumentRefusedError, match=rf"never sends {relative} to a provider \({reason}\)"):
        ask(workspace, view(path), 0, 1, exclude=exclude)


def test_ordinary_current_document_is_not_refused(workspace: Path) -> None:
    path = write(workspace, "app/env.py", "import os\n")
    assert refusal_reason(path, workspace, "import os\n") is None
    assert refusal_reason(None, None, "plain text") is None


def test_big_file_is_windowed_around_the_selection(workspace: Path) -> None:
    lines = [f"def function_{i}(value):  # line {i}" if i % 2 == 0 else f"    return value + {i}" for i in range(3000)]
    path = write(workspace, "big.py", "\n".join(lines) + "\n")

    context = ask(workspace, view(path), 1500, 1503, budget_tokens=2000, surrounding_lines=10)

    file_section = context.of_kind("file")[0]
    assert file_section.partial
    (head_start, head_end), (low, high) = file_section.line_ranges
    assert head_start == 0 and head_end == 19  # imports and module header
    assert low <= 1490 and high >= 1513  # the surrounding lines are in
    assert omitted_marker(low - head_end - 1) in file_section.text
    assert omitted_marker(3000 - high - 1) in file_section.text
    assert "def function_1500(value):  # line 1500" in file_section.text
    assert context.total_tokens <= 2000
    assert any(note.startswith("file big.py (") and "shortened: budget" in note for note in context.cut)
    assert context.cut_summary == "shortened: file"


def test_priority_drops_related_files_before_buffers_before_the_file(workspace: Path) -> None:
    dep = write(workspace, "pkg/dep.py", "# dependency\n" + "x = 1\n" * 300)
    other = write(workspace, "pkg/other.py", "y = 2\n" * 300)
    path = write(workspace, "pkg/main.py", "from pkg import dep\n" + "z = 3\n" * 100)

    context = ask(workspace, view(path), 0, 0, open_documents=[view(other)], budget_tokens=900)

    assert [s.kind for s in context.sections] == ["selection", "file", "open_buffer"]
    assert context.total_tokens <= 900
    dep_tokens = estimate_tokens(dep.read_text())
    assert f"related file pkg/dep.py ({dep_tokens} tokens) left out: budget" in context.cut
    assert context.cut_summary.startswith("left out: 1 related file")


def test_shortened_buffer_keeps_its_head_with_a_marker(workspace: Path) -> None:
    other = write(workspace, "lib/huge.py", "".join(f"item_{i} = {i}\n" for i in range(2000)))
    path = write(workspace, "main.py", "print(1)\n")
    context = ask(workspace, view(path), open_documents=[view(other)], budget_tokens=1000)
    section = context.of_kind("open_buffer")[0]
    assert section.text.startswith("item_0 = 0\nitem_1 = 1\n")
    assert section.text.endswith(omitted_marker(2000 - section.line_ranges[0][1] - 1))
    assert context.total_tokens <= 1000


def test_untitled_and_outside_documents(workspace: Path, tmp_path: Path) -> None:
    untitled = DocumentView("untitled:Untitled-1", None, "print('hi')\n", None, 1)
    context = ask(workspace, untitled)
    assert context.path == "untitled:Untitled-1"
    assert context.base_dir is None
    assert [s.kind for s in context.sections] == ["selection", "file"]

    outside = write(tmp_path, "scratch/tool.py", "import json\n")
    context = ask(workspace, view(outside))
    assert context.path == "tool.py"
    assert context.base_dir == outside.parent
    assert paths(context, "related_file") == []


def test_no_root_sends_no_other_files(tmp_path: Path) -> None:
    write(tmp_path, "a/helper.py", "x = 1\n")
    path = write(tmp_path, "a/main.py", "import helper\n")
    buffer = view(tmp_path / "a/helper.py")
    context = ask(None, view(path), open_documents=[buffer])
    assert [s.kind for s in context.sections] == ["selection", "file"]
    assert context.path == "main.py"


def test_large_workspace_request(workspace: Path) -> None:
    # Per-ask work must stay linear: a 10,000-line file and 20 large open buffers.
    big = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(5000))
    path = write(workspace, "pkg/big.py", big)
    buffers = [view(write(workspace, f"pkg/mod{i}.py", big)) for i in range(20)]
    context = ask(workspace, view(path), 5000, 5010, open_documents=buffers)
    assert context.total_tokens <= 8000
    assert context.selection.line_ranges == ((5000, 5010),)
    assert len(context.of_kind("open_buffer")) >= 1
    assert sum(1 for o in context.omissions if o.kind == "open_buffer") >= 15


@pytest.mark.parametrize(
    ("text", "lines"),
    [("a\nb\n", ["a", "b"]), ("a\r\nb", ["a", "b"]), ("a\rb\r\n", ["a", "b"]), ("", [""]), ("\n", [""])],
)
def test_line_texts_counts_like_lsp(text: str, lines: list[str]) -> None:
    assert line_texts(text) == lines


def test_window_ranges_and_render() -> None:
    lines = [f"line {i}" for i in range(100)]
    assert window_ranges(lines, 50, 50, 10, 5) is None
    ranges = window_ranges(lines, 50, 51, 200, 3)
    assert ranges is not None
    ((low, high),) = ranges
    assert low <= 47 and high >= 54
    rendered = render_ranges(lines, ranges)
    assert rendered.splitlines()[0] == omitted_marker(low)
    assert rendered.splitlines()[-1] == omitted_marker(100 - high - 1)
    assert estimate_tokens(rendered) <= 50 + 1
