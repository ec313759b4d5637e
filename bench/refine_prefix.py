"""Prompt-cache sharing of a refine: how much of its request repeats the first turn's, on a 2,000-line file.

One claif-lsp process over stdio with the real Anthropic provider against the loopback Messages server: an ask
on a 2,000-line file (the whole file in the context) answered with two hunks, the first hunk accepted, then a
refine of the second. Printed for both requests, the first turn being the baseline of the same run: the full
request size (bytes of prompt text, and tokens at about 4 bytes each), the share of it that repeats the first
request's prompt byte for byte from its start (system prompt, then each message), and from the loopback's prompt
cache the share of input tokens read from the cache and the tokens written to it. The target is >= 80% for the
refine.
Run: `uv run python bench/refine_prefix.py [lines]`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import CLAIF, QuietClient, start, stop
from lsprotocol import types

from claif_lsp.testing import AnthropicServer, Reply
from claif_lsp.testing.http_servers import approximate_tokens


def source(lines: int) -> str:
    """A Python file of ``lines`` lines: small functions ``f0``, ``f1``, ..."""
    return "".join(f"def f{n}(x):\n    return x + {n}\n" for n in range(lines // 2))


def patch(*changes: tuple[int, str]) -> str:
    """An answer: a Codex patch changing ``return x + n`` of each function ``n`` to the given line."""
    hunks = "".join(f"@@ def f{n}(x):\n-    return x + {n}\n+    {new}\n" for n, new in changes)
    return f"Here is the change.\n\n*** Begin Patch\n*** Update File: app.py\n{hunks}*** End Patch\n"


def prompt_text(body: dict[str, Any]) -> str:
    """The prompt a request carries, as the model reads it: the system prompt, then each message's text."""

    def text(content: Any) -> str:
        return content if isinstance(content, str) else "".join(block.get("text", "") for block in content)

    parts = [text(body.get("system") or "")] + [text(m["content"]) for m in body.get("messages", [])]
    return "\x00".join(parts)


def shared_prefix(a: str, b: str) -> int:
    """Bytes ``b`` shares with ``a`` from its start."""
    left, right = a.encode(), b.encode()
    n = 0
    for x, y in zip(left, right, strict=False):
        if x != y:
            break
        n += 1
    return n


async def command(client: QuietClient, name: str, argument: dict[str, Any]) -> Any:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=name, arguments=[argument]))


async def run(lines: int) -> list[dict[str, Any]]:
    """The two recorded requests (body and the loopback's usage) of an ask and a refine."""
    text = source(lines)
    first, middle, last = lines // 8, lines // 4, 3 * lines // 8
    replies = (
        Reply(chunks=[patch((first, f"return (x + {first})"), (last, f"return (x + {last})"))]),
        Reply(chunks=[patch((last, f"return x + {last}  # kept simple"))]),
    )
    with tempfile.TemporaryDirectory() as folder, AnthropicServer(*replies) as server:
        root = Path(folder)
        (root / "app.py").write_text(text)
        options = {
            "provider": "anthropic",
            "cache": {"enabled": False},
            "context": {"budgetTokens": approximate_tokens(text) * 2},
            "providers": {"anthropic": {"baseUrl": server.base_url}},
        }
        os.environ.setdefault("ANTHROPIC_API_KEY", "bench-key")
        client, _ = await start(CLAIF, root, options)
        try:
            uri = (root / "app.py").as_uri()
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
                )
            )
            selection = {"start": {"line": middle, "character": 0}, "end": {"line": middle + 2, "character": 0}}
            asked = await command(client, "claif.ask", {"uri": uri, "range": selection, "instruction": "add parens"})
            [proposal] = asked["proposals"]
            shown = await command(client, "claif.proposal", {"proposal": proposal})
            hunk_one, hunk_two = (h["id"] for h in shown["files"][0]["hunks"])
            await command(client, "claif.accept", {"proposal": proposal, "hunks": [hunk_one]})
            await command(
                client, "claif.refine", {"proposal": proposal, "feedback": "no parens here", "hunks": [hunk_two]}
            )
        finally:
            await stop(client)
        return [{"body": r.body, "usage": r.usage or {}} for r in server.requests]


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    ask, refine = asyncio.run(run(lines))
    first_prompt = prompt_text(ask["body"])
    print(f"refine on a {lines}-line file, Anthropic provider, loopback prompt cache (tokens: about 4 bytes each)")
    print(f"{'request':>8}  {'size':>10}  {'~tokens':>8}  {'repeats turn 1':>14}  {'from cache':>10}  {'written':>8}")
    for label, request in (("ask", ask), ("refine", refine)):
        prompt = prompt_text(request["body"])
        size = len(prompt.encode())
        shared = shared_prefix(first_prompt, prompt) / size
        usage = request["usage"]
        read, written = usage.get("cache_read_input_tokens", 0), usage.get("cache_creation_input_tokens", 0)
        total = usage.get("input_tokens", 0) + read + written
        print(
            f"{label:>8}  {size:>8} B  {approximate_tokens(prompt):>8}  {shared:>13.1%}  "
            f"{read / total if total else 0:>9.1%}  {written:>8}"
        )
    print("(the ask repeats itself whole; what matters is the refine's share, target >= 80%, and its reads)")


if __name__ == "__main__":
    main()
