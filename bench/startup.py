"""Time from spawn to the `initialize` answer: claif-lsp beside a minimal pygls server, same run.

Target: ratio <= 1.25 (no provider SDK is imported before it is used).
Run: `uv run python bench/startup.py [runs]`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CLAIF, MINIMAL, median, ms, start, stop


async def measure(command: list[str], runs: int, root: Path) -> list[float]:
    """Spawn-to-initialize times of ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        client, elapsed = await start(command, root)
        times.append(elapsed)
        await stop(client)
    return times


async def main(runs: int) -> None:
    """Measure both servers, interleaved so load changes hit both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        claif: list[float] = []
        minimal: list[float] = []
        for _ in range(runs):
            minimal += await measure(MINIMAL, 1, root)
            claif += await measure(CLAIF, 1, root)
    ratio = median(claif) / median(minimal)
    print(f"spawn -> initialize answer, median of {runs} runs each")
    print(f"  minimal pygls server {ms(median(minimal))}")
    print(f"  claif-lsp            {ms(median(claif))}")
    print(f"  ratio                {ratio:8.2f}   (target <= 1.25)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 15))
