"""A conversation as Messages API ``system`` and ``messages``, marked for prompt caching, and usage read back.

Anthropic caches a prompt's prefix up to a block carrying ``cache_control``. The stable prefix (the system
prompt and the first user message, which holds the file context) is marked on every turn, so a refine reads
it from the cache that the first turn wrote; the latest assistant answer and the newest user message are
marked too, so each turn writes the conversation so far for the next one. That is four breakpoints, the
API's limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claif_lsp.sdk import Message, Role, Usage

EPHEMERAL: dict[str, str] = {"type": "ephemeral"}


def text_content(text: str, *, cached: bool) -> list[dict[str, Any]]:
    """One text block, marked as a cache breakpoint when ``cached``."""
    block: dict[str, Any] = {"type": "text", "text": text}
    if cached:
        block["cache_control"] = dict(EPHEMERAL)
    return [block]


def conversation_messages(history: Sequence[Message], prompt: str, *, cache: bool) -> list[dict[str, Any]]:
    """``history`` (user and assistant turns, oldest first, unchanged) then ``prompt``, as Messages API messages.

    With ``cache``, the first user message, the latest assistant answer and the newest user message are
    breakpoints; without it the content is sent as plain strings.
    """
    turns = [(m.role is Role.ASSISTANT, m.text) for m in history] + [(False, prompt)]
    last_answer = max((i for i, (assistant, _) in enumerate(turns) if assistant), default=None)
    marked = {0, len(turns) - 1} | ({last_answer} if last_answer is not None else set())
    messages: list[dict[str, Any]] = []
    for index, (assistant, text) in enumerate(turns):
        role = "assistant" if assistant else "user"
        content: str | list[dict[str, Any]] = text_content(text, cached=index in marked) if cache else text
        messages.append({"role": role, "content": content})
    return messages


def system_blocks(system_prompt: str, *, cache: bool) -> str | list[dict[str, Any]]:
    """The ``system`` parameter: a plain string, or one block marked as a cache breakpoint."""
    return text_content(system_prompt, cached=True) if cache else system_prompt


def usage_from(raw: Any, before: Usage | None = None) -> Usage:
    """Usage from a ``message_start`` or ``message_delta`` usage object, over what ``before`` already had.

    Anthropic's ``input_tokens`` counts only the tokens after the last cache breakpoint; cache reads and
    writes are added so that ``input_tokens`` is every input token, as :class:`Usage` defines it.
    """
    before = before or Usage()
    uncached = getattr(raw, "input_tokens", None)
    read = getattr(raw, "cache_read_input_tokens", None)
    written = getattr(raw, "cache_creation_input_tokens", None)
    output = getattr(raw, "output_tokens", None)
    read = before.cache_read_tokens if read is None else read
    written = before.cache_write_tokens if written is None else written
    if uncached is None:
        uncached = before.input_tokens - before.cache_read_tokens - before.cache_write_tokens
    return Usage(
        input_tokens=uncached + read + written,
        output_tokens=before.output_tokens if output is None else output,
        cache_read_tokens=read,
        cache_write_tokens=written,
    )
