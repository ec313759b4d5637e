"""LSP latency: claif-lsp beside a minimal pygls server, measured in the same run.

1. Code-action latency on a 10,000-line file, p50 and p99 of 500 requests (target: p99 <= 1.5x the baseline).
2. `claif.ask` to proposal with an instant provider (replay, no delay): claif-lsp's own overhead, beside a
   no-op `workspace/executeCommand` round trip on the minimal server (the floor of any command).
3. Code-action p99 while 8 asks stream at once (target: <= 3x the idle p99).
4. A request for a method the server does not serve (MethodNotFound), which probing clients send by the
   hundred: claif-lsp beside the minimal server.
Run: `uv run python bench/lsp_bench.py [requests]`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CLAIF, MINIMAL, QuietClient, median, ms, percentile, start, stop
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound

SAMPLE = "def f(x):\n    return x + 1\n\n\n"
PATCH = (
    "*** Begin Patch\n*** Update File: small.py\n@@ def f(x):\n-    return x + 1\n+    return x + 2\n*** End Patch\n"
)


ASKS = 30
"""Asks (and no-op commands on the baseline) timed for the overhead comparison."""


def big_file(lines: int = 10_000) -> str:
    """A Python file of ``lines`` lines."""
    body = [f"def function_{i}(value):\n    return value * {i}\n\n" for i in range(lines // 3 + 1)]
    return "".join(body)


def open_file(client: QuietClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=path.read_text())
        )
    )
    return uri


async def code_action_times(client: QuietClient, uri: str, count: int) -> list[float]:
    """Round-trip times of ``count`` code action requests at spread-out lines."""
    times = []
    for i in range(count):
        line = (i * 37) % 9_000
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=line, character=0), end=types.Position(line=line + 2, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
        began = time.perf_counter()
        await client.text_document_code_action_async(params)
        times.append(time.perf_counter() - began)
    return times


def settings(transcript: Path) -> dict[str, Any]:
    return {
        "provider": "replay",
        "preview": "none",
        "cache": {"enabled": False},
        "providers": {"replay": {"options": {"transcript": str(transcript)}}},
    }


async def ask(client: QuietClient, uri: str) -> dict[str, Any]:
    arguments = {
        "uri": uri,
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}},
        "instruction": "bump",
    }
    result: dict[str, Any] = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="claif.ask", arguments=[arguments])
    )
    return result


async def noop_times(client: QuietClient, count: int) -> list[float]:
    """Round-trip times of ``count`` no-op commands on the minimal server."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="bench.noop", arguments=[{}]))
        times.append(time.perf_counter() - began)
    return times


UNKNOWN = 200
"""MethodNotFound round trips timed on each server."""


async def unknown_method_times(client: QuietClient, count: int) -> list[float]:
    """Round-trip times of ``count`` requests for a method no server serves (each answered MethodNotFound)."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        try:
            await asyncio.wrap_future(client.protocol.send_request("bench/noSuchMethod", {}))
        except JsonRpcMethodNotFound:
            pass
        else:
            raise AssertionError("bench/noSuchMethod was answered")
        times.append(time.perf_counter() - began)
    return times


async def main(count: int) -> None:
    """Run the three measurements and print them."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big = root / "big.py"
        big.write_text(big_file())
        small = root / "small.py"
        small.write_text(SAMPLE)
        instant = root / "instant.jsonl"
        instant.write_text(json.dumps({"action": "ask", "answer": PATCH}) + "\n")
        streaming = root / "streaming.jsonl"
        streaming.write_text(
            json.dumps({"action": "ask", "chunks": ["Thinking about it.\n"] * 400 + [PATCH], "delayMs": 10}) + "\n"
        )

        baseline, _ = await start(MINIMAL, root)
        base_uri = open_file(baseline, big)
        await code_action_times(baseline, base_uri, 20)
        base_times = await code_action_times(baseline, base_uri, count)
        await noop_times(baseline, 5)
        noop = await noop_times(baseline, ASKS)
        await unknown_method_times(baseline, 20)
        base_unknown = await unknown_method_times(baseline, UNKNOWN)
        await stop(baseline)

        claif, _ = await start(CLAIF, root, settings(instant))
        uri = open_file(claif, big)
        await code_action_times(claif, uri, 20)
        idle = await code_action_times(claif, uri, count)

        await unknown_method_times(claif, 20)
        unknown = await unknown_method_times(claif, UNKNOWN)

        small_uri = open_file(claif, small)
        await ask(claif, small_uri)  # warm: loads the flow and the patch engine
        ask_times = []
        for _ in range(ASKS):
            began = time.perf_counter()
            result = await ask(claif, small_uri)
            ask_times.append(time.perf_counter() - began)
            assert result["proposals"], result
        await stop(claif)

        claif, _ = await start(CLAIF, root, settings(streaming))
        uri = open_file(claif, big)
        small_uri = open_file(claif, small)
        await code_action_times(claif, uri, 20)
        busy_asks = [asyncio.ensure_future(ask(claif, small_uri)) for _ in range(8)]
        await asyncio.sleep(0.3)
        busy = await code_action_times(claif, uri, count)
        still_streaming = sum(not t.done() for t in busy_asks)
        await asyncio.gather(*busy_asks)
        await stop(claif)

    print(f"code actions on a 10,000-line file, {count} requests")
    print(f"{'':28}{'p50':>12}{'p99':>12}")
    print(f"{'minimal pygls server':28}{ms(percentile(base_times, 50)):>12}{ms(percentile(base_times, 99)):>12}")
    print(f"{'claif-lsp, idle':28}{ms(percentile(idle, 50)):>12}{ms(percentile(idle, 99)):>12}")
    print(
        f"{'claif-lsp, 8 asks streaming':28}{ms(percentile(busy, 50)):>12}{ms(percentile(busy, 99)):>12}"
        f"   ({still_streaming} of 8 still streaming at the end)"
    )
    print(f"p99 idle / baseline      {percentile(idle, 99) / percentile(base_times, 99):6.2f}   (target <= 1.5)")
    print(f"p99 busy / idle          {percentile(busy, 99) / percentile(idle, 99):6.2f}   (target <= 3)")
    print(f"\n{'command round trip, ' + str(ASKS) + ' each':40}{'median':>12}{'p90':>12}")
    print(f"{'minimal pygls server, no-op command':40}{ms(median(noop)):>12}{ms(percentile(noop, 90)):>12}")
    print(
        f"{'claif.ask -> proposal, instant provider':40}{ms(median(ask_times)):>12}{ms(percentile(ask_times, 90)):>12}"
    )
    print(f"claif-lsp's own overhead per ask (median) {ms(median(ask_times) - median(noop))}")
    print(f"\n{'MethodNotFound round trip, ' + str(UNKNOWN) + ' each':40}{'median':>12}{'p90':>12}")
    print(f"{'minimal pygls server':40}{ms(median(base_unknown)):>12}{ms(percentile(base_unknown, 90)):>12}")
    print(f"{'claif-lsp':40}{ms(median(unknown)):>12}{ms(percentile(unknown, 90)):>12}")
    print(f"median claif-lsp / minimal {median(unknown) / median(base_unknown):6.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
