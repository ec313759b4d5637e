"""Engine behaviour beyond Codex conformance: extraction, ambiguity, safety, whole files, re-anchoring, writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import (
    Snapshot,
    apply_hunks,
    disk_reader,
    parse_answer,
    reanchor,
    resolve_patch,
    write_proposal,
)
from claif_lsp.patches.model import ResolvedPatch
from claif_lsp.patches.render import render_proposal


def _resolve(answer: str, files: dict[str, str], default_path: str | None = None) -> ResolvedPatch:
    def read(path: str) -> Snapshot:
        return Snapshot(path=path, text=files.get(path), version=1)

    return resolve_patch(parse_answer(answer, default_path=default_path), Path("/ws"), read)


def test_free_form_answer_with_several_diff_fences() -> None:
    answer = (
        "I changed two files.\n\n```diff\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x\n-y\n+Y\n```\n"
        "And then:\n```patch\ndiff --git a/b.py b/b.py\n--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-q\n+Q\n```\nDone.\n"
    )
    proposal = _resolve(answer, {"a.py": "x\ny\n", "b.py": "q\n"})
    assert [f.new_text for f in proposal.files] == ["x\nY\n", "Q\n"]
    assert proposal.summary() == ["M a.py", "M b.py"]


def test_codex_patch_inside_prose_and_nested_headers() -> None:
    text = "class A:\n    def f(self):\n        return 1\nclass B:\n    def f(self):\n        return 1\n"
    answer = (
        "Here:\n```\n*** Begin Patch\n*** Update File: m.py\n@@ class B:\n@@     def f(self):\n"
        "-        return 1\n+        return 2\n*** End Patch\n```\n"
    )
    assert _resolve(answer, {"m.py": text}).files[0].new_text == text[: -len("1\n")] + "2\n"


def test_ambiguous_chunk_is_an_error_naming_lines() -> None:
    text = "a\nreturn 1\nb\nreturn 1\n"
    answer = "*** Begin Patch\n*** Update File: m.py\n@@\n-return 1\n+return 2\n*** End Patch"
    with pytest.raises(PatchError, match=r"Ambiguous hunk 1 in m.py: its lines match at lines 2, 4"):
        _resolve(answer, {"m.py": text})
    eof = "*** Begin Patch\n*** Update File: m.py\n@@\n-return 1\n+return 2\n*** End of File\n*** End Patch"
    assert _resolve(eof, {"m.py": text}).files[0].new_text == "a\nreturn 1\nb\nreturn 2\n"


def test_unified_line_numbers_break_ties() -> None:
    text = "a\nreturn 1\nb\nreturn 1\n"
    diff = "--- a/m.py\n+++ b/m.py\n@@ -4 +4 @@\n-return 1\n+return 2\n"
    assert _resolve(diff, {"m.py": text}).files[0].new_text == "a\nreturn 1\nb\nreturn 2\n"


def test_unified_placed_by_content_when_numbers_are_wrong() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -40,2 +40,2 @@\n b\n-c\n+C\n"
    assert _resolve(diff, {"m.py": "a\nb\nc\n"}).files[0].new_text == "a\nb\nC\n"


def test_git_rename_add_and_delete() -> None:
    diff = (
        "diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\nrename to new.py\n"
        "--- a/old.py\n+++ b/new.py\n@@ -1 +1 @@\n-x\n+y\n"
        "diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+1\n+2\n"
        "diff --git a/d.txt b/d.txt\ndeleted file mode 100644\n--- a/d.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
    )
    proposal = _resolve(diff, {"old.py": "x\n", "d.txt": "gone\n"})
    assert [(f.operation, f.path, f.new_path, f.new_text) for f in proposal.files] == [
        ("move", "old.py", "new.py", "y\n"),
        ("add", "n.txt", None, "1\n2\n"),
        ("delete", "d.txt", None, None),
    ]
    assert proposal.summary() == ["A n.txt", "M new.py", "D d.txt"]


def test_search_replace_blocks_with_fences() -> None:
    answer = (
        "src/app.py\n```python\n<<<<<<< SEARCH\ndef f():\n    return 1\n=======\n"
        "def f():\n    return 2\n>>>>>>> REPLACE\n```\n"
    )
    proposal = _resolve(answer, {"src/app.py": "import os\n\ndef f():\n    return 1\n"})
    assert proposal.files[0].new_text == "import os\n\ndef f():\n    return 2\n"
    assert [(h.start_line, h.old_lines, h.new_lines) for h in proposal.files[0].hunks] == [
        (3, ["    return 1"], ["    return 2"])
    ]


def test_whole_file_fallback_and_refusals() -> None:
    old = "def f():\n    return 1\n"
    ok = _resolve("New version:\n```python\ndef f():\n    return 2\n```\n", {"a.py": old}, default_path="a.py")
    assert ok.files[0].new_text == "def f():\n    return 2\n"
    assert len(ok.files[0].hunks) == 1
    with pytest.raises(PatchError, match="elides code"):
        parse_answer("```python\ndef f():\n    # ... existing code ...\n    return 2\n```", default_path="a.py")
    with pytest.raises(PatchError, match="cut off"):
        parse_answer("```python\ndef f():\n    return 2\n", default_path="a.py")
    with pytest.raises(PatchError, match="unclosed brackets"):
        _resolve("```python\ndef f(\n    return 2\n```\n", {"a.py": old}, default_path="a.py")
    with pytest.raises(PatchError, match="no patch found"):
        parse_answer("Just some prose, no code.")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("../out.txt", "leaves the workspace"),
        (".git/config", ".git/"),
        (".GIT/config", ".git/"),
        ("sub/.Git/hooks/pre-commit", ".git/"),
        (".git./config", ".git/"),
        ("a/../../x", "leaves"),
    ],
)
def test_unsafe_paths_are_refused(tmp_path: Path, path: str, reason: str) -> None:
    answer = f"*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch"
    with pytest.raises(PatchError, match=reason):
        resolve_patch(parse_answer(answer), tmp_path, disk_reader(tmp_path))


def test_symlink_out_of_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "ws"
    root.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(PatchError, match="symlink"):
        resolve_patch(parse_answer("*** Begin Patch\n*** Add File: link/x\n+x\n*** End Patch"), root, disk_reader(root))
    assert not (outside / "x").exists()


def test_bom_crlf_and_final_newline_are_kept() -> None:
    text = "\ufeffone\r\ntwo\r\nthree"
    diff = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n"
    assert _resolve(diff, {"f": text}).files[0].new_text == "\ufeffONE\r\ntwo\r\nthree"
    codex = "*** Begin Patch\n*** Update File: f\n@@\n-one\n+ONE\n*** End Patch"
    assert _resolve(codex, {"f": text}).files[0].new_text == "\ufeffONE\r\ntwo\r\nthree"


def test_reanchor_after_accepting_some_hunks_and_after_user_edits() -> None:
    old = "".join(f"line {i}\n" for i in range(30))
    answer = (
        "*** Begin Patch\n*** Update File: f\n@@\n line 4\n-line 5\n+LINE 5\n line 6\n-line 7\n+LINE 7\n"
        "@@\n line 19\n-line 20\n+LINE 20\n*** End Patch"
    )
    file = _resolve(answer, {"f": old}).files[0]
    first, second, third = file.hunks
    accepted = apply_hunks(old, [first])
    rest = reanchor(file, [second.id, third.id], accepted)
    assert apply_hunks(accepted, rest) == file.new_text
    edited = "inserted by the user\n" * 3 + accepted
    moved = reanchor(file, [second.id, third.id], edited)
    assert [h.start_line for h in moved] == [second.start_line + 3, third.start_line + 3]
    assert apply_hunks(edited, moved) == "inserted by the user\n" * 3 + (file.new_text or "")
    with pytest.raises(PatchError, match="stale"):
        reanchor(file, [third.id], edited.replace("line 20\n", "changed 20\n"))
    with pytest.raises(PatchError, match="stale"):
        apply_hunks(edited, [third])


def test_write_is_atomic_when_a_rename_fails(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "blocker").write_text("a file where a directory is needed\n")
    answer = "*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** Add File: blocker/sub/new.txt\n+x\n*** End Patch"
    proposal = resolve_patch(parse_answer(answer), tmp_path, disk_reader(tmp_path))
    with pytest.raises(PatchError, match="nothing was changed"):
        write_proposal(proposal, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "blocker"]
    assert (tmp_path / "a.txt").read_text() == "a\n"


def test_write_refuses_when_disk_changed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    proposal = resolve_patch(
        parse_answer("*** Begin Patch\n*** Update File: a.txt\n@@\n-a\n+A\n*** End Patch"),
        tmp_path,
        disk_reader(tmp_path),
    )
    (tmp_path / "a.txt").write_text("a\nmore\n")
    with pytest.raises(PatchError, match="changed on disk"):
        write_proposal(proposal, tmp_path)
    assert (tmp_path / "a.txt").read_text() == "a\nmore\n"


def test_unified_hunk_counts_too_small_do_not_end_the_hunk() -> None:
    diff = "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n x\n-y\n+Y\n z"
    assert _resolve(diff, {"f": "x\ny\nz\n"}).files[0].new_text == "x\nY\nz\n"
    blank_inside = "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n x\n\n-y\n+Y\n"
    assert _resolve(blank_inside, {"f": "x\n\ny\n"}).files[0].new_text == "x\n\nY\n"


def test_unified_hunk_counts_too_large_do_not_swallow_the_next_file() -> None:
    diff = "--- a/a\n+++ b/a\n@@ -1,9 +1,9 @@\n-a\n+A\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-b\n+B\n"
    proposal = _resolve(diff, {"a": "a\n", "b": "b\n"})
    assert [(f.path, f.new_text) for f in proposal.files] == [("a", "A\n"), ("b", "B\n")]


def test_unified_removed_dashes_line_is_not_a_file_header() -> None:
    diff = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n x\n--- y\n+++ Y\n z\n"
    assert _resolve(diff, {"f": "x\n-- y\nz\n"}).files[0].new_text == "x\n++ Y\nz\n"


def test_unified_hunk_that_changes_nothing_is_an_error() -> None:
    with pytest.raises(PatchError, match="changes nothing"):
        parse_answer("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n y\n")


def test_context_header_after_the_only_matches_does_not_pick_the_first() -> None:
    text = "x = 1\nx = 1\ndef g():\n    pass\n"
    answer = "*** Begin Patch\n*** Update File: m.py\n@@ def g():\n-x = 1\n+x = 2\n*** End Patch"
    with pytest.raises(PatchError, match=r"Ambiguous hunk 1 in m.py: its lines match at lines 1, 2"):
        _resolve(answer, {"m.py": text})
    unique = "x = 1\ny = 1\ndef g():\n    pass\n"
    assert _resolve(answer, {"m.py": unique}).files[0].new_text == "x = 2\ny = 1\ndef g():\n    pass\n"
    after = "def g():\n    x = 1\n    x = 1\n"
    # After the header, the first match wins, as in Codex.
    pinned = "*** Begin Patch\n*** Update File: m.py\n@@ def g():\n-    x = 1\n+    x = 2\n*** End Patch"
    assert _resolve(pinned, {"m.py": after}).files[0].new_text == "def g():\n    x = 2\n    x = 1\n"


def test_context_header_sought_again_from_the_top_must_be_unique() -> None:
    text = "class A:\n    v = 1\nclass A:\n    v = 1\nend = 0\n"
    answer = (
        "*** Begin Patch\n*** Update File: m.py\n@@\n-end = 0\n+end = 1\n@@ class A:\n-    v = 1\n+    v = 2\n"
        "*** End Patch"
    )
    with pytest.raises(PatchError, match=r"Ambiguous hunk 2 in m.py: its context 'class A:' matches at lines 1, 3"):
        _resolve(answer, {"m.py": text})


def test_unified_delete_checks_the_removed_lines(tmp_path: Path) -> None:
    diff = "--- a/d.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-gone\n-too\n"
    assert _resolve(diff, {"d.txt": "gone\ntoo\n"}).files[0].operation == "delete"
    with pytest.raises(PatchError, match=r"Failed to delete d.txt: line 2 of the file is 'kept'"):
        _resolve(diff, {"d.txt": "gone\nkept\n"})
    with pytest.raises(PatchError, match=r"the file has 3 lines, the patch removes 2"):
        _resolve(diff, {"d.txt": "gone\ntoo\nmore\n"})
    (tmp_path / "d.txt").write_text("other\n")
    run = subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(tmp_path), "--write", "-"],
        input=diff,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "Failed to delete d.txt" in run.stderr
    assert (tmp_path / "d.txt").read_text() == "other\n"


def _cli(root: Path, patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claif_lsp", "patch", "--root", str(root), *args, "-"],
        input=patch,
        capture_output=True,
        text=True,
        check=False,
    )


def test_unified_add_onto_an_existing_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("mine\n")
    diff = "--- /dev/null\n+++ b/d.txt\n@@ -0,0 +1 @@\n+theirs\n"
    with pytest.raises(PatchError, match=r"refusing to create d\.txt: it already exists"):
        _resolve(diff, {"d.txt": "mine\n"})
    run = _cli(tmp_path, diff, "--write")
    assert run.returncode == 1
    assert "refusing to create d.txt: it already exists" in run.stderr
    assert (tmp_path / "d.txt").read_text() == "mine\n"


def test_codex_add_onto_an_existing_file_shows_the_overwrite(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("old one\nold two\n")
    patch = "*** Begin Patch\n*** Add File: d.txt\n+new\n*** End Patch\n"
    proposal = resolve_patch(parse_answer(patch), tmp_path, disk_reader(tmp_path))
    shown = render_proposal(proposal)
    assert "-old one\n-old two\n+new\n" in shown
    assert "--- a/d.txt\n+++ b/d.txt\n" in shown
    run = _cli(tmp_path, patch)
    assert run.returncode == 0, run.stderr
    assert "A d.txt\n" in run.stdout
    assert "# overwrites the existing d.txt\n" in run.stdout
    assert "-old one\n-old two\n+new\n" in run.stdout
    assert (tmp_path / "d.txt").read_text() == "old one\nold two\n"


def test_rename_onto_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b.txt").write_text("bee\n")
    git = "diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n"
    run = _cli(tmp_path, git, "--write")
    assert run.returncode == 1
    assert "refusing to rename a.txt to b.txt: b.txt already exists" in run.stderr
    codex = "*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-a\n+A\n*** End Patch\n"
    run = _cli(tmp_path, codex)
    assert run.returncode == 0, run.stderr
    assert "# overwritten by the move of a.txt\n--- a/b.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bee\n" in run.stdout
    assert "rename from a.txt\nrename to b.txt\n--- a/a.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-a\n+A\n" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "b.txt").read_text() == "bee\n"
    assert _cli(tmp_path, codex, "--write").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]
    assert (tmp_path / "b.txt").read_text() == "A\n"


def test_write_refuses_when_a_destination_appeared(tmp_path: Path) -> None:
    proposal = resolve_patch(
        parse_answer("*** Begin Patch\n*** Add File: n.txt\n+x\n*** End Patch"), tmp_path, disk_reader(tmp_path)
    )
    (tmp_path / "n.txt").write_text("created meanwhile\n")
    with pytest.raises(PatchError, match=r"n\.txt changed on disk"):
        write_proposal(proposal, tmp_path)
    assert (tmp_path / "n.txt").read_text() == "created meanwhile\n"


def test_check_output_shows_a_final_newline_change(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\nb")
    diff = "--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    run = _cli(tmp_path, diff)
    assert run.returncode == 0, run.stderr
    assert "M f.txt\n" in run.stdout
    assert "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n" in run.stdout
    assert (tmp_path / "f.txt").read_text() == "a\nb"
    (tmp_path / "g.txt").write_text("x\n")
    dropped = _resolve("--- a/g\n+++ b/g\n@@ -1 +1 @@\n-x\n+y\n\\ No newline at end of file\n", {"g": "x\n"})
    assert render_proposal(dropped).endswith("-x\n+y\n\\ No newline at end of file\n")


def test_editor_proposal_adds_no_final_newline_hunk_the_patch_command_does(tmp_path: Path) -> None:
    text = "".join(f"line {i}\n" for i in range(10)) + "last"
    codex = "*** Begin Patch\n*** Update File: f.txt\n@@\n line 1\n-line 2\n+LINE 2\n line 3\n*** End Patch"
    [file] = _resolve(codex, {"f.txt": text}).files
    # Only the hunk the model wrote: a hunk adding the final newline would go stale when the user types on "last".
    assert [(h.start_line, h.end_line, h.new_lines) for h in file.hunks] == [(2, 3, ["LINE 2"])]
    assert file.new_text == text.replace("line 2", "LINE 2")
    (tmp_path / "f.txt").write_text(text)
    run = _cli(tmp_path, codex, "--write")
    assert run.returncode == 0, run.stderr
    # The command keeps Codex's CLI rule, as its conformance suite wants.
    assert (tmp_path / "f.txt").read_text() == text.replace("line 2", "LINE 2") + "\n"
