"""Build a real-diff corpus from a local git mirror: per commit, the pre-image of every touched text file and the
``git show`` diff, checked against git's own trees, with what ``git apply`` makes of each unified form.

    uv run python -m tests.corpus.generate /work/.mirror/pallets+itsdangerous/repo itsdangerous --count 100

Writes ``tests/corpus/data/<name>.jsonl`` (one commit a line). Deterministic for a given mirror and arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.corpus.forms import UNIFIED_FORMS, derive, digest, parse_git_diff, reference_apply

DATA = Path(__file__).parent / "data"
_GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
_SHOW = ["show", "--format=", "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--diff-algorithm=myers"]


def git(repo: Path, *args: str) -> bytes:
    """Output of a git command in ``repo``, with no user or system configuration."""
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, env=_GIT_ENV).stdout


def candidates(repo: Path, max_files: int, max_lines: int) -> list[tuple[str, str, str, bool]]:
    """(commit, parent, subject, unusual) of every single-parent commit touching few text files, oldest first.

    Unusual: it adds, deletes or renames a file, changes a mode, or touches a file without a final newline."""
    out = git(repo, "log", "--no-merges", "--reverse", "-M", "--format=@%H %P%x00%s", "--numstat", "--summary")
    patches = git(repo, "log", "--no-merges", "-M", "--format=@%H", "-p").decode("utf-8", "replace")
    no_newline = {part.partition("\n")[0] for part in patches.split("\n@") if "\n\\ No newline at end of file" in part}
    found = []
    for chunk in out.decode("utf-8", "replace").split("\n@"):
        head, _, stats = chunk.lstrip("@").partition("\n")
        ids, _, subject = head.partition("\0")
        parts = ids.split()
        if len(parts) != 2:
            continue  # a root commit has no parent to take pre-images from
        lines = [line for line in stats.split("\n") if line.strip()]
        rows = [line.split("\t") for line in lines if "\t" in line]
        if not rows or len(rows) > max_files or any(r[0] == "-" for r in rows):
            continue  # nothing, too much, or a binary file
        if sum(int(r[0]) + int(r[1]) for r in rows) > max_lines:
            continue
        unusual = len(rows) < len(lines) or parts[0] in no_newline
        found.append((parts[0], parts[1], subject, unusual))
    return found


def _text(repo: Path, rev: str, path: str) -> str | None:
    try:
        return git(repo, "show", f"{rev}:{path}").decode("utf-8")
    except (subprocess.CalledProcessError, UnicodeDecodeError):
        return None


def _git_apply(
    pre: dict[str, str | None], forms: dict[str, str | None], post: dict[str, str | None]
) -> dict[str, bool]:
    """Whether ``git apply --check`` accepts each unified form; the exact form must also give git's own tree."""
    verdicts = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, text in pre.items():
            if text is not None:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(text.encode("utf-8"))
        for form in UNIFIED_FORMS:
            text = forms[form]
            assert text is not None
            run = subprocess.run(
                ["git", "apply", "--check", "-"], input=text.encode(), cwd=root, capture_output=True, env=_GIT_ENV
            )
            verdicts[form] = run.returncode == 0
        exact = (forms["exact"] or "").encode()
        subprocess.run(["git", "apply", "-"], input=exact, cwd=root, check=True, capture_output=True, env=_GIT_ENV)
        for path, text in post.items():
            on_disk = (root / path).read_bytes().decode() if (root / path).is_file() else None
            assert on_disk == text, f"git apply gave another {path} than git's tree"
    return verdicts


def record(repo: Path, name: str, commit: str, parent: str, subject: str, max_bytes: int) -> dict[str, Any] | None:
    """The corpus entry of one commit, or None when it does not fit (non-UTF-8 text, too large, nothing to do)."""
    try:
        diff = git(repo, *_SHOW, commit).decode("utf-8")
    except UnicodeDecodeError:
        return None
    files = parse_git_diff(diff)
    if not files or not any(f.hunks or f.kind != "update" for f in files) or '"' in diff.partition("\n")[0]:
        return None
    pre: dict[str, str | None] = {}
    for file in files:
        if file.old_path is not None:
            pre[file.old_path] = text = _text(repo, parent, file.old_path)
            if text is None:
                return None
        if file.new_path is not None and file.new_path != file.old_path:
            pre.setdefault(file.new_path, None)
    if sum(len(t or "") for t in pre.values()) + len(diff) > max_bytes:
        return None
    truth = {p: _text(repo, commit, p) for f in files for p in (f.old_path, f.new_path) if p is not None}
    post = reference_apply(pre, diff)
    if {p: t for p, t in truth.items() if p in post} != post:
        raise AssertionError(f"{commit}: the reference applier disagrees with git's tree")
    forms = derive(pre, post, diff, subject)
    return {
        "repo": name,
        "commit": commit,
        "subject": subject,
        "pre": pre,
        "diff": diff,
        "git_apply": _git_apply(pre, forms, post),
        "digests": {form: digest(text) for form, text in forms.items()},
    }


def _fits(args: argparse.Namespace, candidate: tuple[str, str, str, bool]) -> dict[str, Any] | None:
    return record(args.mirror, args.name, *candidate[:3], args.max_bytes)


def _spread(args: argparse.Namespace, pool: list[tuple[str, str, str, bool]], count: int) -> list[dict[str, Any]]:
    """``count`` fitting commits spread over the pool; one that does not fit is replaced by the next one after it."""
    kept: list[dict[str, Any]] = []
    seen: set[int] = set()
    for start in range(count):
        index = start * len(pool) // count
        while index < len(pool) and (index in seen or (entry := _fits(args, pool[index])) is None):
            seen.add(index)
            index += 1
        if index < len(pool):
            seen.add(index)
            kept.append(entry)
    return kept


def main(argv: list[str] | None = None) -> int:
    """Write the corpus file for one mirror."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirror", type=Path, help="a local git repository (a bare mirror is fine)")
    parser.add_argument("name", help="corpus name: the data file is data/<name>.jsonl")
    parser.add_argument("--count", type=int, default=100, help="commits to keep, spread over the history")
    parser.add_argument("--max-files", type=int, default=8)
    parser.add_argument("--max-lines", type=int, default=400, help="most lines added plus removed per commit")
    parser.add_argument("--max-bytes", type=int, default=24_000, help="most pre-image plus diff bytes per commit")
    args = parser.parse_args(argv)
    pool = candidates(args.mirror, args.max_files, args.max_lines)
    # Up to a third unusual commits (adds, deletes, renames, missing final newlines), the rest from the whole history.
    unusual = _spread(args, [c for c in pool if c[3]], args.count // 3)
    taken = {entry["commit"] for entry in unusual}
    usual = _spread(args, [c for c in pool if c[0] not in taken], args.count - len(unusual))
    order = {c[0]: i for i, c in enumerate(pool)}
    kept = sorted(unusual + usual, key=lambda entry: order[entry["commit"]])
    DATA.mkdir(exist_ok=True)
    out = DATA / f"{args.name}.jsonl"
    out.write_text("".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in kept), encoding="utf-8")
    sys.stderr.write(f"{out}: {len(kept)} commits of {len(pool)} candidates, {out.stat().st_size} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
