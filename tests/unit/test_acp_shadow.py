"""The ACP provider's shadow workspace: a private, copy-on-write view of the workspace and its diff."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from claif_acp.shadow import MAX_FILE_BYTES, OutsideWorkspace, ShadowWorkspace

from claif_lsp.patches import parse_answer


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "pkg").mkdir(parents=True)
    (root / "app.py").write_text("a = 1\nb = 2\n")
    (root / "pkg" / "mod.py").write_text("x = 1")
    (root / ".env").write_text("TOKEN=secret\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("//\n")
    return root


def test_the_copy_holds_the_tree_and_the_buffers_but_no_secrets_or_caches(root: Path) -> None:
    with ShadowWorkspace(root, {root / "app.py": "a = 10\n"}) as shadow:
        assert (shadow.copy / "app.py").read_text() == "a = 10\n"
        assert (shadow.copy / "pkg" / "mod.py").read_text() == "x = 1"
        assert not (shadow.copy / ".env").exists()
        assert not (shadow.copy / ".git").exists()
        assert not (shadow.copy / "node_modules").exists()
        assert shadow.home.is_dir() and not shadow.home.is_relative_to(shadow.copy)
        assert shadow.diff() == ""


def test_files_are_copies_so_writing_in_place_never_reaches_the_user(root: Path) -> None:
    with ShadowWorkspace(root) as shadow:
        assert os.stat(shadow.copy / "app.py").st_ino != os.stat(root / "app.py").st_ino
        with open(shadow.copy / "app.py", "r+") as handle:  # an agent editing in place
            handle.write("z")
        assert (root / "app.py").read_text() == "a = 1\nb = 2\n"


def test_changes_become_a_unified_diff_against_the_buffers(root: Path) -> None:
    with ShadowWorkspace(root, {root / "app.py": "a = 10\nb = 2\n"}) as shadow:
        shadow.write_text("app.py", "a = 10\nb = 20\n")
        (shadow.copy / "pkg" / "new.py").write_text("n = 1\n")
        (shadow.copy / "pkg" / "mod.py").unlink()
        diff = shadow.diff()
    assert "--- a/app.py\n+++ b/app.py\n" in diff and "-b = 2\n+b = 20\n" in diff
    assert "--- /dev/null\n+++ b/pkg/new.py\n" in diff
    assert "--- a/pkg/mod.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n\\ No newline at end of file\n" in diff
    patch = parse_answer(f"```diff\n{diff}```")
    assert sorted(f.path for f in patch.files) == ["app.py", "pkg/mod.py", "pkg/new.py"]


def test_reads_serve_the_buffer_with_line_and_limit(root: Path) -> None:
    with ShadowWorkspace(root, {root / "app.py": "one\ntwo\nthree\n"}) as shadow:
        assert shadow.read_text(root / "app.py") == "one\ntwo\nthree\n"
        assert shadow.read_text(shadow.copy / "app.py", line=2, limit=1) == "two\n"
        assert shadow.read_text("app.py", line=3) == "three\n"


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.txt", ".env", ".git/config"])
def test_paths_outside_the_workspace_or_never_sent_are_refused(root: Path, path: str) -> None:
    with ShadowWorkspace(root) as shadow:
        with pytest.raises(OutsideWorkspace):
            shadow.read_text(path)
        with pytest.raises(OutsideWorkspace):
            shadow.write_text(path, "x")
    assert not (root.parent / "outside.txt").exists()


def test_a_symlink_out_of_the_copy_is_neither_followed_nor_proposed(root: Path, tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("outside\n")
    with ShadowWorkspace(root) as shadow:
        (shadow.copy / "link.txt").symlink_to(tmp_path / "target.txt")
        with pytest.raises(OutsideWorkspace):
            shadow.read_text("link.txt")
        with pytest.raises(OutsideWorkspace):
            shadow.write_text("link.txt", "pwned\n")
        assert "link.txt" not in shadow.diff()
    assert (tmp_path / "target.txt").read_text() == "outside\n"


def test_a_new_secret_file_is_never_proposed(root: Path) -> None:
    with ShadowWorkspace(root) as shadow:
        (shadow.copy / ".env.local").write_text("KEY=1\n")
        (shadow.copy / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        assert shadow.diff() == ""


def test_large_and_binary_files_are_left_alone(root: Path) -> None:
    (root / "big.bin").write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with ShadowWorkspace(root) as shadow:
        assert not (shadow.copy / "big.bin").exists()
        (shadow.copy / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xff")
        assert shadow.diff() == ""


def test_close_removes_the_copy_and_the_home(root: Path) -> None:
    shadow = ShadowWorkspace(root)
    base = shadow.base
    (shadow.home / ".agent-state").write_text("x")
    shadow.close()
    shadow.close()
    assert not base.exists()
    assert (root / "app.py").exists()


def test_the_copy_keeps_bytes_and_permission_bits_of_every_file(root: Path) -> None:
    script = root / "run.sh"
    script.write_bytes(b"#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    (root / "pkg" / "big.txt").write_bytes(b"0123456789" * 300_000)  # several copy_file_range blocks
    with ShadowWorkspace(root) as shadow:
        assert (shadow.copy / "run.sh").read_bytes() == script.read_bytes()
        assert os.stat(shadow.copy / "run.sh").st_mode & 0o777 == 0o755
        assert (shadow.copy / "pkg" / "big.txt").read_bytes() == (root / "pkg" / "big.txt").read_bytes()
        assert shadow.diff() == ""


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a tmpfs at /dev/shm")
def test_a_copy_on_another_filesystem_holds_the_same_bytes(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TMPDIR on a tmpfs and the workspace on disk: the kernel may refuse copy_file_range across them."""
    monkeypatch.setattr(tempfile, "tempdir", "/dev/shm")
    with ShadowWorkspace(root) as shadow:
        assert os.stat(shadow.copy).st_dev != os.stat(root).st_dev
        assert (shadow.copy / "app.py").read_text() == "a = 1\nb = 2\n"
        assert (shadow.copy / "pkg" / "mod.py").read_text() == "x = 1"
        shadow.write_text("app.py", "a = 1\n")
        assert "-b = 2\n" in shadow.diff()
