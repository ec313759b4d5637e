"""Server memory for one big answer: a 20 MB answer beside a 20 KB baseline, from the loopback OpenAI server.

Each size runs in a fresh claif-lsp process over stdio with the real OpenAI provider. A small warm-up ask first
loads everything an ask needs (SDK, patch engine), then the measured ask streams an answer that adds one file of
the given size as a Codex patch. Printed per size: how the ask ended, the growth of the server's peak resident
memory (VmHWM) over its resident memory before the ask, and what it still holds after (VmRSS).
Run: `uv run python bench/answer_memory_bench.py [big_mb]`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import CLAIF, QuietClient, start, stop
from lsprotocol import types

from tests.fakes.http_servers import OpenAIServer, Reply

CHUNK = 1000
"""Characters per streamed delta (real servers send a few; this keeps the bench's own SSE cost down)."""


def patch_answer(size: int) -> str:
    """An answer of about ``size`` characters: a Codex patch adding ``big.txt``."""
    line = "+" + "x" * 78 + "\n"
    return "*** Begin Patch\n*** Add File: big.txt\n" + line * max(1, size // len(line)) + "*** End Patch\n"


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in kB."""
    fields = {}
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = row.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def reset_peak(pid: int) -> None:
    """Reset VmHWM, the process' lifetime peak, so that it measures one ask alone (Linux >= 4.0)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def ask(client: QuietClient, uri: str) -> str:
    """Run one ask; how it ended."""
    rng = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    params = types.ExecuteCommandParams(
        command="claif.ask", arguments=[{"uri": uri, "range": rng, "instruction": "add big.txt"}]
    )
    try:
        result: Any = await client.workspace_execute_command_async(params)
    except Exception as exc:
        return f"error: {str(exc)[:90]}"
    return f"{len(result['proposals'])} proposal(s)"


async def measure(size: int) -> tuple[str, int, int]:
    """How a ``size``-character answer ended, peak growth and retained growth in kB."""
    with tempfile.TemporaryDirectory() as folder, OpenAIServer() as server:
        root = Path(folder)
        (root / "app.py").write_text("x = 1\n")
        options = {
            "provider": "openai",
            "cache": {"enabled": False},
            "providers": {"openai": {"baseUrl": server.base_url}},
        }
        client, _ = await start(CLAIF, root, options)
        try:
            uri = (root / "app.py").as_uri()
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text="x = 1\n")
                )
            )
            pid = client._server.pid  # type: ignore[union-attr]
            server.script(Reply(chunks=[patch_answer(200)]))
            await ask(client, uri)  # warm-up: imports and first connection
            text = patch_answer(size)
            server.script(Reply(chunks=[text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]))
            before = memory_kb(pid)
            reset_peak(pid)
            outcome = await ask(client, uri)
            after = memory_kb(pid)
        finally:
            await stop(client)
    return outcome, after["VmHWM"] - before["VmRSS"], after["VmRSS"] - before["VmRSS"]


async def main() -> None:
    big_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    print(f"{'answer':>10}  {'peak growth':>12}  {'retained':>10}  outcome")
    for label, size in (("20 KB", 20_000), (f"{big_mb:g} MB", int(big_mb * 1_000_000))):
        outcome, peak, kept = await measure(size)
        print(f"{label:>10}  {peak / 1024:9.1f} MB  {kept / 1024:7.1f} MB  {outcome}")


if __name__ == "__main__":
    asyncio.run(main())
