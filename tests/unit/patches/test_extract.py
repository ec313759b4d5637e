"""Finding patches in free-form answers: several formats at once, whole-file blocks named by a path, lazy markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import Snapshot, parse_answer, resolve_patch
from claif_lsp.patches.model import ResolvedPatch


def _resolve(answer: str, files: dict[str, str], default_path: str | None = None) -> ResolvedPatch:
    def read(path: str) -> Snapshot:
        return Snapshot(path=path, text=files.get(path), version=1)

    return resolve_patch(parse_answer(answer, default_path=default_path), Path("/ws"), read)


def test_codex_patch_and_a_diff_block_for_another_file_are_both_used() -> None:
    answer = (
        "First a.py:\n\n*** Begin Patch\n*** Update File: a.py\n@@\n-a = 1\n+a = 2\n*** End Patch\n\n"
        "Then b.py:\n```diff\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-b = 1\n+b = 2\n```\n"
    )
    proposal = _resolve(answer, {"a.py": "a = 1", "b.py": "b = 1"})
    assert proposal.format == "mixed"
    # Neither adds a final newline the model did not write (Codex's CLI rule is the `patch` command's alone).
    assert [(f.path, f.new_text) for f in proposal.files] == [("a.py", "a = 2"), ("b.py", "b = 2")]


def test_search_replace_diff_and_codex_in_one_answer_keep_their_order() -> None:
    answer = (
        "```diff\n--- a/c.py\n+++ b/c.py\n@@ -1 +1 @@\n-c\n+C\n```\n"
        "a.py\n```python\n<<<<<<< SEARCH\na\n=======\nA\n>>>>>>> REPLACE\n```\n"
        "```\n*** Begin Patch\n*** Add File: n.txt\n+new\n*** End Patch\n```\n"
    )
    proposal = _resolve(answer, {"a.py": "a\n", "c.py": "c\n"})
    assert [(f.path, f.operation, f.new_text) for f in proposal.files] == [
        ("c.py", "update", "C\n"),
        ("a.py", "update", "A\n"),
        ("n.txt", "add", "new\n"),
    ]


def test_a_diff_block_without_a_diff_is_an_error_not_dropped() -> None:
    answer = "*** Begin Patch\n*** Delete File: a.py\n*** End Patch\n```diff\nNo changes needed for b.py.\n```\n"
    with pytest.raises(PatchError, match=r"the ```diff block at line 4 of the answer holds no diff"):
        parse_answer(answer)


def test_a_named_code_block_no_patch_touches_is_an_error() -> None:
    answer = "```diff\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a\n+A\n```\nsrc/b.py\n```python\nb = 2\n```\n"
    with pytest.raises(PatchError, match=r"also a whole code block for src/b\.py \(line 9\)"):
        parse_answer(answer)
    shown_result = "```diff\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a\n+A\n```\nResult, a.py:\n```python\nA\n```\n"
    assert [f.path for f in parse_answer(shown_result).files] == ["a.py"]


@pytest.mark.parametrize(
    "before",
    ["src/app.py\n", "# src/app.py\n", "**src/app.py**\n", "`src/app.py`:\n", "File: src/app.py\n", ""],
)
def test_whole_file_block_named_by_a_path(before: str) -> None:
    fence = "```python\n" if before else "```python src/app.py\n"
    answer = f"The new file:\n\n{before}{fence}def f():\n    return 2\n```\n"
    proposal = _resolve(answer, {"src/app.py": "def f():\n    return 1\n"})
    assert [(f.path, f.new_text) for f in proposal.files] == [("src/app.py", "def f():\n    return 2\n")]


def test_whole_file_block_named_by_a_path_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("function f() {\n  return 1;\n}\n")
    answer = "Here you go:\n\n```js app.js\nfunction f() {\n  return 2;\n}\n```\n"
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path), "--write", "-"],
        input=answer,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Success. Updated the following files:\nM app.js\n"
    assert (tmp_path / "app.js").read_text() == "function f() {\n  return 2;\n}\n"
    lazy = "app.js\n```js\nfunction f() {\n  // ...\n}\n```\n"
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path), "--write", "-"],
        input=lazy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "refusing to replace app.js: line 2 of the code block elides code ('// ...')" in run.stderr
    assert (tmp_path / "app.js").read_text() == "function f() {\n  return 2;\n}\n"


@pytest.mark.parametrize(
    ("lang", "body"),
    [
        ("python", "def f():\n    # ...\n    return 2"),
        ("js", "function f() {\n  // ...\n}"),
        ("python", "import os\n# rest unchanged"),
        ("js", "const a = 1;\n// ... keep the rest"),
        ("python", "class A:\n    # keep existing implementation\n    pass"),
        ("java", "class A {\n  /* other methods */\n}"),
        ("js", "function f() {\n  ...\n}"),
        ("go", "func f() {\n\t…\n}"),
        ("python", "class A:\n    x = 1\n    ...\n    y = 2"),
        ("rust", "fn f() {\n    // rest of the function is unchanged\n}"),
        ("python", "def f():\n    pass\n# remaining methods stay the same"),
        ("c", "int f(void) {\n  /* ... */\n}"),
        ("html", "<body>\n  <!-- other fields -->\n</body>"),
        ("python", "def f():\n    return 1\n# same as before"),
    ],
)
def test_lazy_markers_are_refused(lang: str, body: str) -> None:
    with pytest.raises(PatchError, match="elides code"):
        parse_answer(f"```{lang}\n{body}\n```\n", default_path="f")


@pytest.mark.parametrize(
    ("lang", "body"),
    [
        ("python", "def f(): ..."),
        ("python", "class P(Protocol):\n    def m(self) -> int:\n        ..."),
        ("python", "if TYPE_CHECKING:\n    ...\nx = 1"),
        ("python", "# Wait for the server...\nwait()"),
        ("python", "# value unchanged when None\nx = y or x"),
        ("python", "items = [1, 2]  # more to come\nprint(*items)"),
        ("js", "const y = { ...x };\nf(...args);"),
        ("c", "#include <stdio.h>\n#define N 3\nint main(void) { return 0; }"),
        ("python", "print('...')\nprint('…')"),
    ],
)
def test_legitimate_code_is_not_taken_for_lazy_markers(lang: str, body: str) -> None:
    patch = parse_answer(f"```{lang}\n{body}\n```\n", default_path="f")
    assert patch.files[0].contents == body + "\n"


def test_truncation_is_caught_in_small_files_too() -> None:
    old = "def f():\n    return 1\n\n\ndef g(x):\n    if x:\n        return 2\n    return 3\n"
    cut = "```python\ndef f():\n    return 1\n\n\ndef g(x):\n```\n"
    with pytest.raises(PatchError, match=r"ends mid-statement \('def g\(x\):'\); it looks truncated"):
        _resolve(cut, {"a.py": old}, default_path="a.py")
    shorter = "```python\ndef f():\n    return 1\n```\n"
    assert _resolve(shorter, {"a.py": old}, default_path="a.py").files[0].new_text == "def f():\n    return 1\n"
    cut_operator = "```python\ndef f():\n    return 1\n\n\ntotal = f() +\n```\n"
    with pytest.raises(PatchError, match="ends mid-statement"):
        _resolve(cut_operator, {"a.py": old}, default_path="a.py")
