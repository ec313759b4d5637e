"""Benchmark: one ``claif-lsp patch`` check of a small patch, beside ``git apply --check`` and ``python -c pass``.

Nearly all of a small check is start-up (imports), so this is the figure a script calling the command per patch
sees. Runs interleaved so load changes hit every command alike; prints wall median and minimum, CPU time (which a
busy machine inflates least) and PASS/MISS of the wall median against the target (claif-lsp at most 100 ms); it
reports, it never asserts.
Run: ``.venv/bin/python bench/patch_cli_startup.py [runs]``.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.100
DIFF = "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run; CPU time is what a busy machine inflates least."""
    began, cpu = time.perf_counter(), _cpu()
    run = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - began
    if run.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {run.stderr.decode(errors='replace')}")
    return elapsed, _cpu() - cpu


def main(runs: int) -> None:
    """Time each command ``runs`` times, interleaved."""
    script = Path(sys.executable).with_name("claif-lsp")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "f.txt").write_text("a\nb\nc\n")
        (root / "p.diff").write_text(DIFF)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "git apply --check": ["git", "apply", "--check", "p.diff"],
            "claif-lsp patch": [str(script), "patch", "--root", ".", "p.diff"],
            "python -m claif_lsp patch": [sys.executable, "-m", "claif_lsp", "patch", "--root", ".", "p.diff"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                wall, used = _time(command, root)
                times[name].append(wall)
                cpu[name].append(used)
    print(f"one small patch check, {runs} runs each (interleaved); load average {os.getloadavg()[0]:.2f}")
    for name, values in times.items():
        print(
            f"  {name:26} median {statistics.median(values) * 1000:7.1f} ms   min {min(values) * 1000:7.1f} ms"
            f"   cpu median {statistics.median(cpu[name]) * 1000:7.1f} ms"
        )
    claif = statistics.median(times["claif-lsp patch"])
    floor = statistics.median(times["python -c pass"])
    verdict = "PASS" if claif <= TARGET else "MISS"
    print(f"  claif-lsp patch minus python start-up: {(claif - floor) * 1000:.1f} ms")
    print(f"  {verdict}: claif-lsp patch {claif * 1000:.1f} ms (target <= {TARGET * 1000:.0f} ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
