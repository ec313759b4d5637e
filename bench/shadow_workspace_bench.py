"""The ACP provider's shadow workspace beside a plain copy, for a workspace of 10,000 files.

Two generated workspaces: ``sources`` (10,000 source files of 200 B to 8 KB in 200 folders) and ``with-heavy``
(the same 10,000 plus a ``.git`` and a ``node_modules`` of 2,000 files each, which the shadow copy leaves out). For
each, in the same run and on the same disk: ``shutil.copytree`` of the whole tree (the baseline), and the shadow
workspace's set-up (``ShadowWorkspace(root, buffers)`` with one unsaved buffer), its turn-end diff after the agent
edited one file, and its removal. Printed per row: the median of the runs, the files and bytes on disk in the copy;
and the load average before and after, since other work on the machine moves the times.
It prints, never asserts. Run: `uv run python bench/shadow_workspace_bench.py [runs]`.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

try:
    from claif_acp.shadow import ShadowWorkspace
except ImportError:  # the ACP provider is not installed in this checkout: only the baseline is measured
    ShadowWorkspace = None  # type: ignore[assignment,misc]

FILES = 10_000
FOLDERS = 200
HEAVY = 2_000
"""Files each in ``.git/objects`` and ``node_modules`` for the ``with-heavy`` workspace."""


def make_workspace(root: Path, heavy: bool, seed: int = 16) -> Path:
    """Write the generated workspace under ``root``; returns the file the bench edits and buffers."""
    chooser = random.Random(seed)
    line = "def handler(request, response):  # a line of source code to pad files with\n"
    for number in range(FILES):
        folder = root / "src" / f"pkg{number % FOLDERS:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        size = chooser.randint(200, 8_000)
        (folder / f"module{number:05d}.py").write_text(line * (size // len(line) + 1), encoding="utf-8")
    if heavy:
        for number in range(HEAVY):
            objects = root / ".git" / "objects" / f"{number % 256:02x}"
            objects.mkdir(parents=True, exist_ok=True)
            (objects / f"{number:038x}").write_bytes(chooser.randbytes(chooser.randint(100, 4_000)))
            package = root / "node_modules" / f"package{number % 100:03d}"
            package.mkdir(parents=True, exist_ok=True)
            (package / f"index{number:05d}.js").write_text("module.exports = {};\n" * 40, encoding="utf-8")
    return root / "src" / "pkg000" / "module00000.py"


def on_disk(root: Path) -> tuple[int, int]:
    """Files under ``root`` and the bytes their blocks take on disk."""
    files = used = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            files += 1
            used += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return files, used


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: the copy times swing with what else the machine is doing."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``action`` took, and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def plain_copy(root: Path, scratch: Path, runs: int) -> dict[str, float]:
    """``shutil.copytree`` of the whole tree: copy and removal times, and the copy's size."""
    copies, removals = [], []
    files = used = 0
    for run in range(runs):
        target = scratch / f"copy{run}"
        seconds, _ = timed(lambda target=target: shutil.copytree(root, target, symlinks=True))  # type: ignore[misc]
        copies.append(seconds)
        files, used = on_disk(target)
        removals.append(timed(lambda target=target: shutil.rmtree(target))[0])  # type: ignore[misc]
    return {"setup": statistics.median(copies), "diff": 0.0, "remove": statistics.median(removals),
            "files": files, "bytes": used}  # fmt: skip


def shadow(root: Path, edited: Path, runs: int) -> dict[str, float]:
    """The shadow workspace: set-up with one unsaved buffer, the diff after one edit, and removal."""
    setups, diffs, removals = [], [], []
    files = used = 0
    buffer = edited.read_text(encoding="utf-8") + "# unsaved in the editor\n"
    for _run in range(runs):
        seconds, made = timed(lambda: ShadowWorkspace(root, buffers={edited: buffer}))
        setups.append(seconds)
        assert isinstance(made, ShadowWorkspace)
        files, used = on_disk(made.copy)
        in_copy = made.copy / edited.relative_to(root)
        in_copy.write_text(buffer + "# the agent's edit\n", encoding="utf-8")
        seconds, diff = timed(made.diff)
        diffs.append(seconds)
        if "the agent's edit" not in str(diff):
            print(f"  (the shadow diff missed the edit: {str(diff)[:200]!r})")
        removals.append(timed(made.close)[0])
    return {"setup": statistics.median(setups), "diff": statistics.median(diffs),
            "remove": statistics.median(removals), "files": files, "bytes": used}  # fmt: skip


def row(workspace: str, method: str, numbers: dict[str, float]) -> str:
    """One printed line."""
    return (
        f"{workspace:<11} {method:<17} {numbers['setup'] * 1000:>9.0f} {numbers['diff'] * 1000:>8.0f} "
        f"{numbers['remove'] * 1000:>9.0f} {int(numbers['files']):>7} {numbers['bytes'] / 1e6:>9.1f}"
    )


def main(runs: int) -> None:
    """Generate both workspaces, measure each method on each, print the table."""
    print(f"shadow workspace bench: {FILES} source files (+{HEAVY} .git, +{HEAVY} node_modules), median of {runs}")
    print(f"load average at start: {load_average()}")
    head = f"{'workspace':<11} {'method':<17} {'setup ms':>9} {'diff ms':>8} {'remove ms':>9}"
    print(f"{head} {'files':>7} {'MB disk':>9}")
    with tempfile.TemporaryDirectory(prefix="claif-shadow-bench-") as scratch_name:
        scratch = Path(scratch_name)
        for workspace, heavy in (("sources", False), ("with-heavy", True)):
            root = scratch / workspace
            root.mkdir()
            edited = make_workspace(root, heavy)
            files, used = on_disk(root)
            print(f"{workspace:<11} {'(the workspace)':<17} {'':>9} {'':>8} {'':>9} {files:>7} {used / 1e6:>9.1f}")
            print(row(workspace, "shutil.copytree", plain_copy(root, scratch, runs)))
            if ShadowWorkspace is None:
                print(f"{workspace:<11} {'ShadowWorkspace':<17} (claif_acp is not installed here)")
            else:
                print(row(workspace, "ShadowWorkspace", shadow(root, edited, runs)))
            shutil.rmtree(root)
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
