"""LSP values as the plain JSON command arguments and results carry (light: imported at start-up)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types


def range_json(rng: types.Range) -> dict[str, Any]:
    """An LSP range as plain JSON."""
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }
