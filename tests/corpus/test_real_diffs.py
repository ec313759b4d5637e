"""Every commit of the real-diff corpus, in every form a model may give it, through the engine's own path
(``resolve_patch(parse_answer(...))``, as the server and ``claif-lsp patch`` call it): 0 wrong results.

A form may be refused only where it is genuinely ambiguous (a hunk whose lines occur more than once in the file)
and ``git apply`` refuses it too; the exact diff always applies, and is also written to disk and compared there.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from claif_lsp.errors import PatchError
from claif_lsp.patches import Snapshot, disk_reader, parse_answer, resolve_patch, write_proposal
from claif_lsp.patches.model import ResolvedPatch
from tests.corpus.forms import FORMS, UNIFIED_FORMS, derive, digest, parse_git_diff, reference_apply, with_final_newline

DATA = Path(__file__).parent / "data"
CORPORA = sorted(p.stem for p in DATA.glob("*.jsonl"))
ROOT = Path("/corpus-root-never-read")
_AMBIGUOUS = re.compile(r"^Ambiguous hunk (\d+) in (.+?): its lines match at lines")


@cache
def entries(name: str) -> list[dict[str, Any]]:
    """The corpus' commits."""
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def _result(proposal: ResolvedPatch, pre: dict[str, str | None]) -> dict[str, str | None]:
    after = dict(pre)
    for file in proposal.files:
        if file.operation in ("delete", "move"):
            after[file.path] = None
        if file.operation != "delete":
            after[file.target_path] = file.new_text
    return after


def _expected(form: str, entry: dict[str, Any], post: dict[str, str | None], *, codex_cli: bool) -> dict[str, Any]:
    """The post-image as far as the form can say it: Codex and SEARCH/REPLACE cannot say "no final newline", nor
    give a new file CRLF line endings (an updated file keeps its own)."""
    pre: dict[str, str | None] = entry["pre"]
    expected = {**pre, **post}
    if form not in ("codex", "search_replace"):
        return expected
    # Where a moved file's text comes from: its old path, unless Codex gives a pure rename as a delete and an add.
    source = {f.new_path: f.old_path for f in parse_git_diff(entry["diff"]) if f.kind == "rename" and f.hunks}
    for path, text in post.items():
        before = pre.get(source.get(path, path))
        if text is None:
            continue
        if before is None:
            # Both formats read lines as Codex does (a CR before LF is dropped), so a new file cannot be CRLF.
            expected[path] = with_final_newline(text.replace("\r\n", "\n"), True)
        elif form == "codex" and codex_cli:
            expected[path] = with_final_newline(text, True)
        else:
            expected[path] = with_final_newline(text, before == "" or before.endswith("\n"))
    return expected


def _genuinely_ambiguous(error: PatchError, entry: dict[str, Any]) -> bool:
    """Whether the refusal names a hunk whose old lines really occur more than once in its file."""
    match = _AMBIGUOUS.match(str(error))
    if match is None:
        return False
    number, path = int(match.group(1)), match.group(2)
    text = entry["pre"].get(path)
    [file] = [f for f in parse_git_diff(entry["diff"]) if f.old_path == path]
    if text is None or number > len(file.hunks):
        return False
    lines, old = text.split("\n"), file.hunks[number - 1].old_lines()
    return sum(lines[i : i + len(old)] == old for i in range(len(lines) - len(old) + 1)) > 1


def _check(form: str, text: str, entry: dict[str, Any], post: dict[str, str | None], *, codex_cli: bool) -> str | None:
    """What went wrong with one form of one commit, or None."""
    pre: dict[str, str | None] = entry["pre"]

    def read(path: str) -> Snapshot:
        return Snapshot(path=path, text=pre.get(path))

    try:
        proposal = resolve_patch(parse_answer(text), ROOT, read, codex_final_newline=codex_cli)
    except PatchError as error:
        applies_with_git = form in UNIFIED_FORMS and entry["git_apply"][form]
        if applies_with_git or not _genuinely_ambiguous(error, entry):
            return f"refused: {error}"
        return None
    got = _result(proposal, pre)
    want = _expected(form, entry, post, codex_cli=codex_cli)
    wrong = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
    return f"wrong result for {', '.join(wrong)}" if wrong else None


@pytest.mark.parametrize("name", CORPORA)
@pytest.mark.parametrize("form", FORMS)
def test_every_commit_in_this_form_applies_right(name: str, form: str) -> None:
    problems, applied = [], 0
    for entry in entries(name):
        post = reference_apply(entry["pre"], entry["diff"])
        text = derive(entry["pre"], post, entry["diff"], entry["subject"])[form]
        assert digest(text) == entry["digests"][form], f"{entry['commit']}: the {form} derivation changed; regenerate"
        if text is None:
            continue
        for codex_cli in (False, True) if form == "codex" else (False,):
            problem = _check(form, text, entry, post, codex_cli=codex_cli)
            if problem:
                problems.append(
                    f"{entry['commit'][:10]} {entry['subject']!r}{' (cli)' if codex_cli else ''}: {problem}"
                )
        applied += 1
    assert not problems, f"{len(problems)} of {applied} commits:\n" + "\n".join(problems)
    assert applied >= len(entries(name)) // 2


@pytest.mark.parametrize("name", CORPORA)
def test_every_exact_diff_writes_the_post_image_to_disk(name: str, tmp_path: Path) -> None:
    for number, entry in enumerate(entries(name)):
        root = tmp_path / str(number)
        for path, text in entry["pre"].items():
            if text is not None:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(text.encode("utf-8"))
        root.mkdir(exist_ok=True)
        write_proposal(resolve_patch(parse_answer(entry["diff"]), root, disk_reader(root)), root)
        for path, text in reference_apply(entry["pre"], entry["diff"]).items():
            on_disk = (root / path).read_bytes().decode("utf-8") if (root / path).is_file() else None
            assert on_disk == text, f"{entry['commit']}: {path}"


def test_the_corpus_is_there_and_real() -> None:
    assert CORPORA == ["itsdangerous", "markupsafe"]
    for name in CORPORA:
        assert len(entries(name)) >= 90
        assert all(entry["git_apply"]["exact"] for entry in entries(name))
