"""Unified-diff cases found on real commits (issue 11): each once gave a wrong result or a wrong refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import Snapshot, parse_answer, resolve_patch
from claif_lsp.patches.model import ResolvedPatch


def _resolve(answer: str, files: dict[str, str]) -> ResolvedPatch:
    return resolve_patch(parse_answer(answer), Path("/ws"), lambda path: Snapshot(path=path, text=files.get(path)))


def test_new_file_of_one_empty_line_is_written_with_that_line() -> None:
    diff = "diff --git a/blank.txt b/blank.txt\nnew file mode 100644\n--- /dev/null\n+++ b/blank.txt\n"
    diff += "@@ -0,0 +1 @@\n+\n"
    proposal = _resolve(diff, {})
    assert [(f.operation, f.path, f.new_text) for f in proposal.files] == [("add", "blank.txt", "\n")]


def test_new_file_of_empty_lines_without_final_newline_keeps_them() -> None:
    diff = "--- /dev/null\n+++ b/two.txt\n@@ -0,0 +1,2 @@\n+\n+\n\\ No newline at end of file\n"
    assert _resolve(diff, {}).files[0].new_text == "\n"


@pytest.mark.parametrize("fence_like", [" ~~~~~~~", " ```", " ```python", "+~~~", "-```"])
def test_bare_diff_whose_lines_look_like_fences_is_a_diff(fence_like: str) -> None:
    old_line = fence_like[1:] if fence_like[0] in " -" else None
    old = "Title\n" + (f"{old_line}\n" if old_line is not None else "") + "text\n"
    body = {" ": f" {fence_like[1:]}\n", "-": f"{fence_like}\n", "+": f"{fence_like}\n"}[fence_like[0]]
    diff = "--- a/doc.rst\n+++ b/doc.rst\n@@ -1,3 +1,3 @@\n Title\n" + body + "-text\n+TEXT\n"
    if fence_like[0] == "+":
        diff = diff.replace("@@ -1,3 +1,3 @@", "@@ -1,2 +1,3 @@")
    if fence_like[0] == "-":
        diff = diff.replace("@@ -1,3 +1,3 @@", "@@ -1,3 +1,2 @@")
    expected = {" ": old.replace("text", "TEXT"), "+": f"Title\n{fence_like[1:]}\nTEXT\n", "-": "Title\nTEXT\n"}
    answer = "The RST heading gets fixed:\n\n" + diff + "\nThat is all.\n"
    for text in (diff, answer):
        assert _resolve(text, {"doc.rst": old}).files[0].new_text == expected[fence_like[0]]


def test_a_fence_after_a_bare_diff_is_still_a_fence() -> None:
    answer = (
        "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a\n+A\n\nAnd b.py:\n```diff\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n"
        "-b\n+B\n```\n"
    )
    assert [f.new_text for f in _resolve(answer, {"a.py": "a\n", "b.py": "b\n"}).files] == ["A\n", "B\n"]


def test_git_delete_without_hunks_then_another_files_headers_is_an_error() -> None:
    diff = (
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex e69de29..0000000\n"
        "--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-a\n+b\n"
    )
    with pytest.raises(PatchError, match=r"gone\.txt.*other\.py"):
        parse_answer(diff)


def test_git_rename_without_hunks_then_another_files_headers_is_an_error() -> None:
    diff = (
        "diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\nrename to new.py\n"
        "--- a/third.py\n+++ b/third.py\n@@ -1 +1 @@\n-a\n+b\n"
    )
    with pytest.raises(PatchError, match=r"old\.py.*third\.py"):
        parse_answer(diff)


def test_git_sections_with_agreeing_headers_still_parse() -> None:
    diff = (
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex e69de29..0000000\n"
        "diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\nrename to new.py\n"
        "--- a/old.py\n+++ b/new.py\n@@ -1,2 +1,2 @@\n k\n-a\n+b\n"
        "diff --git a/my file.txt b/my file.txt\n--- a/my file.txt\n+++ b/my file.txt\n@@ -1 +1 @@\n-x\n+y\n"
        "diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n"
    )
    proposal = _resolve(diff, {"gone.txt": "", "old.py": "k\na\n", "my file.txt": "x\n"})
    assert [(f.operation, f.path, f.new_path, f.new_text) for f in proposal.files] == [
        ("delete", "gone.txt", None, None),
        ("move", "old.py", "new.py", "k\nb\n"),
        ("update", "my file.txt", None, "y\n"),
        ("add", "n.txt", None, "n\n"),
    ]


def test_bare_diff_with_fence_lines_around_a_later_hunk_is_one_diff() -> None:
    old = "Intro\n\n```python\nimport a\n```\n\nMiddle\n" + "".join(f"line {i}\n" for i in range(10)) + "~~~\nend\n"
    new = old.replace("import a", "import b").replace("end", "END")
    diff = (
        "--- a/README.md\n+++ b/README.md\n@@ -2,4 +2,4 @@\n \n ```python\n-import a\n+import b\n ```\n"
        "@@ -17,2 +17,2 @@\n ~~~\n-end\n+END\n"
        "--- a/setup.rst\n+++ b/setup.rst\n@@ -1,2 +1,2 @@\n Setup\n-~~~~~\n+=====\n"
    )
    files = {"README.md": old, "setup.rst": "Setup\n~~~~~\n"}
    for answer in (diff, f"Two files change.\n\n{diff}\nDone.\n"):
        proposal = _resolve(answer, files)
        assert [(f.path, f.new_text) for f in proposal.files] == [("README.md", new), ("setup.rst", "Setup\n=====\n")]


def test_git_diff_adding_a_crlf_file_keeps_its_crs() -> None:
    # git writes headers with LF and each line of a CRLF file with its CR: the CRs are the file's.
    diff = "diff --git a/ci.yml b/ci.yml\nnew file mode 100644\n--- /dev/null\n+++ b/ci.yml\n@@ -0,0 +1,2 @@\n"
    diff += "+trigger:\r\n+- master\r\n"
    assert _resolve(diff, {}).files[0].new_text == "trigger:\r\n- master\r\n"
    update = "--- a/ci.yml\n+++ b/ci.yml\n@@ -1,2 +1,2 @@\n trigger:\r\n-- master\r\n+- main\r\n"
    assert _resolve(update, {"ci.yml": "trigger:\r\n- master\r\n"}).files[0].new_text == "trigger:\r\n- main\r\n"
    # The same diff through a CRLF channel (every line CRLF): the CRs are the channel's.
    channel = diff.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    assert _resolve(channel, {}).files[0].new_text == "trigger:\n- master\n"
