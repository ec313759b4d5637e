"""The JSONL transcript format shared by the replay provider and the ``record`` setting.

One JSON object per line::

    {"action": "ask", "prompt": "...", "match": "substring", "turn": 2, "answer": "...",
     "chunks": ["...", "..."], "delayMs": 20, "usage": {"input_tokens": 10, "output_tokens": 5},
     "error": "message", "errorAfterChunks": 1, "provider": "anthropic", "model": "..."}

``answer`` (or ``chunks``, streamed piece by piece) is what the model said. ``prompt`` matches a prompt
exactly, ``match`` as a substring; entries with neither are served in order. ``turn`` (1-based) answers only
that turn of a conversation: 1 for an ask, 2 for the first refine, retry or repair after it, and so on
(``len(history) // 2 + 1``), so a transcript can answer a refine differently from the ask; an entry with a
``turn`` is preferred to one without for that turn. ``error`` makes the entry fail after ``errorAfterChunks``
chunks, for rehearsing failures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from claif_lsp.sdk import ConfigurationError, Usage


class TranscriptEntry(BaseModel):
    """One recorded exchange."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    action: str | None = None
    prompt: str | None = None
    match: str | None = None
    turn: int | None = Field(default=None, ge=1)
    answer: str | None = None
    chunks: list[str] | None = None
    delay_ms: float = Field(default=0, alias="delayMs")
    usage: Usage | None = None
    error: str | None = None
    error_after_chunks: int = Field(default=0, alias="errorAfterChunks")
    provider: str | None = None
    model: str | None = None

    def pieces(self) -> list[str]:
        """The answer as streamed pieces: the recorded chunks, or the answer line by line."""
        if self.chunks is not None:
            return list(self.chunks)
        return (self.answer or "").splitlines(keepends=True)


def load_transcript(path: Path) -> list[TranscriptEntry]:
    """Entries of a transcript file; a bad line is an error naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read transcript {path}: {exc.strerror}", provider="replay") from None
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            entries.append(TranscriptEntry.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValueError) as exc:
            raise ConfigurationError(f"{path}:{number}: not a transcript entry ({exc})", provider="replay") from None
    return entries


def append_entry(path: Path, entry: dict[str, Any]) -> None:
    """Append one exchange to a transcript, creating it and its folder when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
