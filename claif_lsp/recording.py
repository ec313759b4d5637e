"""The `record` setting: every provider exchange appended to a JSONL transcript the replay provider reads.

A recorded session replays for demos and bug reports with no key and no network. The line format is the
replay provider's (`providers/claif-replay`): `action`, `prompt`, `answer`, `usage`, `provider`, `model`.
The prompt went to the provider already redacted, so the transcript holds nothing the provider did not see.
"""

from __future__ import annotations

import json
from pathlib import Path

from loguru import logger

from claif_lsp.streaming import Answer


def record_exchange(path: str | Path, *, action: str, prompt: str, system: str, answer: Answer) -> None:
    """Append one exchange; a failure to record is logged, never raised into the ask."""
    entry = {
        "action": action,
        "prompt": prompt,
        "system": system,
        "answer": answer.text,
        "usage": answer.usage.model_dump(),
        "provider": answer.provider,
        "model": answer.model,
    }
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        logger.warning("cannot record to {}: {}", path, exc)
