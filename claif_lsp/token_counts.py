"""Token counts: the estimate every budget uses, and how a count is printed for people."""

from __future__ import annotations

CHARS_PER_TOKEN = 4
"""The rule of thumb lsp-ai uses: deterministic, free, and close enough for English and code with every tokenizer."""


def estimate_tokens(text: str) -> int:
    """Estimated token count: one token per four characters, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def format_tokens(tokens: int) -> str:
    """A token count for people: ``850``, ``1.2k``, ``12k`` (three figures at most: it is an estimate)."""
    if tokens < 1000:
        return str(tokens)
    if tokens < 10_000:
        return f"{tokens / 1000:.1f}k"
    return f"{round(tokens / 1000)}k"
