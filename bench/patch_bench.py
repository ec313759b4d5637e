"""Benchmark: claif-lsp's patch engine (parse + match + edit building) against ``git apply --check``.

Builds 50 files of 5,000 lines and a patch of 1,000 hunks over them (unified diff and Codex form), then the same at
2x and 4x (more files, same density). Before timing, each size is checked for correctness: the files ``git apply``
writes from the unified diff must equal what our proposals give for both forms (and what their hunks give when
applied). Prints PASS/MISS against the targets (at most 3x ``git apply --check``; 4x input at most 4.5x time); it
reports, it never asserts. Run: ``.venv/bin/python bench/patch_bench.py``.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from claif_lsp.lsp_edits import to_workspace_edit
from claif_lsp.patches import ResolvedPatch, Snapshot, apply_hunks, parse_answer, resolve_patch

LINES_PER_FILE = 5000
HUNKS_PER_FILE = 20
FILES = 50
CONTEXT = 3
RATIO_TARGET = 3.0
GROWTH_TARGET = 4.5


def make_file(index: int, rng: random.Random) -> list[str]:
    """Code-like lines: mostly unique statements, with the blank lines and braces real code repeats."""
    lines = []
    for i in range(LINES_PER_FILE):
        kind = rng.random()
        if kind < 0.12:
            lines.append("")
        elif kind < 0.2:
            lines.append("    }")
        else:
            lines.append(f"    let value_{index}_{i} = compute({i}, {rng.randint(0, 99)});")
    return lines


def make_changes(lines: list[str], rng: random.Random) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping (start, end, new lines) replacements, spread through the file."""
    step = len(lines) // HUNKS_PER_FILE
    changes = []
    for h in range(HUNKS_PER_FILE):
        start = h * step + rng.randint(CONTEXT, step - CONTEXT - 4)
        end = start + rng.randint(0, 2)
        new = [f"    changed_{h}_{k} = {rng.randint(0, 999)};" for k in range(rng.randint(0 if end > start else 1, 3))]
        changes.append((start, end, new))
    return changes


def unified(path: str, lines: list[str], changes: list[tuple[int, int, list[str]]]) -> str:
    """A unified diff with 3 lines of context and correct headers."""
    out = [f"diff --git a/{path} b/{path}", f"--- a/{path}", f"+++ b/{path}"]
    shift = 0
    for start, end, new in changes:
        lo, hi = max(0, start - CONTEXT), min(len(lines), end + CONTEXT)
        old_count, new_count = hi - lo, hi - lo - (end - start) + len(new)
        out.append(f"@@ -{lo + 1},{old_count} +{lo + 1 + shift},{new_count} @@")
        out += [f" {line}" for line in lines[lo:start]]
        out += [f"-{line}" for line in lines[start:end]]
        out += [f"+{line}" for line in new]
        out += [f" {line}" for line in lines[end:hi]]
        shift += len(new) - (end - start)
    return "\n".join(out) + "\n"


def codex(path: str, lines: list[str], changes: list[tuple[int, int, list[str]]]) -> str:
    """The same change as a Codex ``*** Update File`` section."""
    out = [f"*** Update File: {path}"]
    for start, end, new in changes:
        lo, hi = max(0, start - CONTEXT), min(len(lines), end + CONTEXT)
        out.append("@@")
        out += [f" {line}" for line in lines[lo:start]]
        out += [f"-{line}" for line in lines[start:end]]
        out += [f"+{line}" for line in new]
        out += [f" {line}" for line in lines[end:hi]]
    return "\n".join(out) + "\n"


def build(scale: int, seed: int = 7) -> tuple[dict[str, str], str, str]:
    """Files (path -> text), the unified diff and the Codex patch."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    diffs, patches = [], []
    for index in range(FILES * scale):
        path = f"src/module_{index:03}.rs"
        lines = make_file(index, rng)
        changes = make_changes(lines, rng)
        files[path] = "\n".join(lines) + "\n"
        diffs.append(unified(path, lines, changes))
        patches.append(codex(path, lines, changes))
    return files, "".join(diffs), "*** Begin Patch\n" + "".join(patches) + "*** End Patch\n"


def _cpu() -> float:
    """CPU seconds of this process and its finished children (``git``): what a busy machine inflates least."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best_of(repeat: int, *actions: Callable[[], object]) -> tuple[list[float], list[float]]:
    """The fastest of ``repeat`` runs of each action, in wall and in CPU seconds; the actions take turns, so a burst
    of load from elsewhere on the machine hits them alike. Each run starts from a collected heap (the collector stays
    on)."""
    best = [float("inf")] * len(actions)
    best_cpu = [float("inf")] * len(actions)
    for _ in range(repeat):
        for k, action in enumerate(actions):
            # Without this, garbage left by the previous run or by building the inputs can trigger a full
            # collection inside the timed run, whose cost is that of the whole interpreter heap, not of the patch.
            gc.collect()
            began, cpu = time.perf_counter(), _cpu()
            action()
            best[k] = min(best[k], time.perf_counter() - began)
            best_cpu[k] = min(best_cpu[k], _cpu() - cpu)
    return best, best_cpu


def propose(files: dict[str, str], patch_text: str) -> ResolvedPatch:
    """Parse and match: the proposal."""
    return resolve_patch(
        parse_answer(patch_text), Path("/bench-root"), lambda p: Snapshot(path=p, text=files.get(p), version=1)
    )


def ours(files: dict[str, str], patch_text: str) -> int:
    """Parse, match and build the WorkspaceEdit; the number of hunks."""
    proposal = propose(files, patch_text)
    to_workspace_edit(
        proposal,
        document_changes=True,
        resource_operations=["create", "rename", "delete"],
        change_annotations=True,
        encoding="utf-16",
        uri_for=lambda p: f"file:///bench-root/{p}",
    )
    return sum(len(f.hunks) for f in proposal.files)


def write_tree(root: Path, files: dict[str, str], diff: str) -> None:
    """The files and the diff under root."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    (root / "bench.diff").write_text(diff)


def verify(git: str, files: dict[str, str], diff: str, codex_patch: str) -> list[str]:
    """Problems found comparing our results with ``git apply``'s files; empty when everything agrees."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files, diff)
        subprocess.run([git, "apply", "bench.diff"], cwd=root, check=True)
        expected = {path: (root / path).read_text() for path in files}
    problems: list[str] = []
    for form, text in (("unified", diff), ("codex", codex_patch)):
        proposal = propose(files, text)
        got = {f.path: f.new_text for f in proposal.files}
        if set(got) != set(expected):
            problems.append(f"{form}: changes {len(got)} files, git apply {len(expected)}")
        for file in proposal.files:
            if file.new_text != expected.get(file.path):
                problems.append(f"{form}: {file.path} differs from git apply's result")
            elif apply_hunks(file.old_text or "", file.hunks) != file.new_text:
                problems.append(f"{form}: the hunks of {file.path} do not give its new text")
    return problems


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def main() -> int:
    """Check correctness, run every size and print the table with PASS/MISS against the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    git = shutil.which("git")
    if git is None:
        print("git not found: cannot time git apply --check or verify results")
        return 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) at start: {load:.2f} on {os.cpu_count()} CPUs")
    rows = []
    cpu_rows = []
    problems: list[str] = []
    for scale in (1, 2, 4):
        files, diff, codex_patch = build(scale)
        found = verify(git, files, diff, codex_patch)
        problems += [f"{scale}x {p}" for p in found]
        print(f"{scale}x correctness vs git apply: {verdict(not found)} ({len(files)} files, both forms)")
        hunks = ours(files, diff)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_tree(root, files, diff)

            def check(root: Path = root) -> None:
                subprocess.run([git, "apply", "--check", "bench.diff"], cwd=root, check=True)

            (t_unified, t_codex, t_git), (c_unified, c_codex, c_git) = best_of(
                args.repeat,
                lambda f=files, d=diff: ours(f, d),  # type: ignore[misc]
                lambda f=files, c=codex_patch: ours(f, c),  # type: ignore[misc]
                check,
            )
        rows.append((scale, len(files), hunks, t_unified, t_codex, t_git))
        cpu_rows.append((scale, c_unified, c_codex, c_git))
    print(
        f"{'size':>4} {'files':>6} {'hunks':>6} {'ours udiff':>11} {'ours codex':>11} {'git apply':>10} "
        f"{'udiff/git':>10} {'codex/git':>10}"
    )
    for scale, n_files, hunks, t_u, t_c, t_g in rows:
        print(
            f"{scale:>3}x {n_files:>6} {hunks:>6} {t_u * 1000:>9.1f}ms {t_c * 1000:>9.1f}ms {t_g * 1000:>8.1f}ms "
            f"{t_u / t_g:>9.2f}x {t_c / t_g:>9.2f}x"
        )
    for scale, _, _, t_u, t_c, t_g in rows:
        print(
            f"{scale}x target <= {RATIO_TARGET:g}x git apply --check: unified {t_u / t_g:.2f}x "
            f"{verdict(t_u / t_g <= RATIO_TARGET)}, codex {t_c / t_g:.2f}x {verdict(t_c / t_g <= RATIO_TARGET)}"
        )
    for scale, c_u, c_c, c_g in cpu_rows:
        print(
            f"{scale}x CPU time (less load-sensitive): unified {c_u * 1000:.1f}ms, codex {c_c * 1000:.1f}ms, "
            f"git apply --check {c_g * 1000:.1f}ms: unified {c_u / c_g:.2f}x, codex {c_c / c_g:.2f}x"
        )
    base = rows[0]
    for scale, *_, t_u, t_c, t_g in rows[1:]:
        line = (
            f"{scale}x input: unified {t_u / base[3]:.2f}x time, codex {t_c / base[4]:.2f}x time, "
            f"git {t_g / base[5]:.2f}x time"
        )
        if scale == 4:
            line += (
                f"; target <= {GROWTH_TARGET:g}x: unified {verdict(t_u / base[3] <= GROWTH_TARGET)}, "
                f"codex {verdict(t_c / base[4] <= GROWTH_TARGET)}"
            )
        print(line)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) at end: {load:.2f}")
    for problem in problems:
        print(f"MISS correctness: {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
