"""The response cache: a repeated ask (same provider, model, prompts and context) is answered from disk.

One small JSON file per answer under ``user_cache_dir("claif-lsp")/responses``, named by the SHA-256 key,
written atomically. Entries expire after ``ttl_seconds``; at most ``max_entries`` are kept, the least
recently used going first (use is recorded in the file's modification time). Files that cannot be read or
parsed count as misses and are removed. Nothing here raises on I/O trouble: a cache must never break an ask.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loguru import logger
from platformdirs import user_cache_dir

from claif_lsp.settings import CacheSettings

CACHE_FORMAT = 1
_KEY = re.compile(r"[0-9a-f]{64}")


def default_cache_directory() -> Path:
    """Where answers are kept unless told otherwise."""
    return Path(user_cache_dir("claif-lsp")) / "responses"


@dataclass(frozen=True)
class CachedAnswer:
    """An answer as the cache keeps it."""

    text: str
    usage: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    created: float = 0.0


class ResponseCache:
    """Answers on disk, keyed by provider, model, system prompt and user prompt."""

    def __init__(
        self,
        settings: CacheSettings,
        directory: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.directory = directory if directory is not None else default_cache_directory()
        self.clock = clock

    @property
    def enabled(self) -> bool:
        """True when answers are stored and served."""
        return self.settings.enabled and self.settings.max_entries > 0

    def key(self, *, provider: str, model: str | None, system: str, prompt: str) -> str:
        """The cache key of one exchange (hex SHA-256 over all four parts)."""
        payload = json.dumps(
            {"v": CACHE_FORMAT, "provider": provider, "model": model, "system": system, "prompt": prompt},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path | None:
        return self.directory / f"{key}.json" if _KEY.fullmatch(key) else None

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer for ``key``, or None when absent, expired, corrupt or the cache is off."""
        path = self._path(key)
        if not self.enabled or path is None:
            return None
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.debug("cache: cannot read {}: {}", path, exc)
            return None
        answer = _parse(raw)
        if answer is None:
            logger.debug("cache: ignoring corrupt entry {}", path.name)
            _remove(path)
            return None
        now = self.clock()
        if now - answer.created >= self.settings.ttl_seconds:
            _remove(path)
            return None
        try:
            os.utime(path, (now, now))
        except OSError:
            pass
        return answer

    def put(self, key: str, answer_text: str, usage: dict[str, Any], model: str | None) -> None:
        """Store an answer under ``key`` and evict the least recently used beyond ``max_entries``."""
        path = self._path(key)
        if not self.enabled or path is None:
            return
        now = self.clock()
        payload = {"v": CACHE_FORMAT, "text": answer_text, "usage": usage, "model": model, "created": now}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(payload, stream, ensure_ascii=False)
                os.utime(temporary, (now, now))
                os.replace(temporary, path)
            except BaseException:
                _remove(Path(temporary))
                raise
        except (OSError, TypeError, ValueError) as exc:
            logger.warning("cache: cannot store an answer in {}: {}", self.directory, exc)
            return
        self._evict(keep=path)

    def drop(self, key: str) -> bool:
        """Forget the answer stored under ``key`` (the user rejected it); True when there was one."""
        path = self._path(key)
        return path is not None and bool(_remove(path))

    def clear(self) -> int:
        """Remove every stored answer; returns how many were removed."""
        removed = 0
        for path in self._entries():
            removed += _remove(path)
        return removed

    def __len__(self) -> int:
        return len(self._entries())

    def _entries(self) -> list[Path]:
        try:
            return [p for p in self.directory.iterdir() if p.suffix == ".json" and _KEY.fullmatch(p.stem)]
        except OSError:
            return []

    def _evict(self, keep: Path) -> None:
        entries = self._entries()
        excess = len(entries) - self.settings.max_entries
        if excess <= 0:
            return
        aged: list[tuple[float, str, Path]] = []
        for path in entries:
            try:
                aged.append((path.stat().st_mtime, path.name, path))
            except OSError:
                continue
        aged.sort()
        for _, _, path in aged:
            if excess <= 0:
                break
            if path != keep:
                excess -= _remove(path)


def _parse(raw: str) -> CachedAnswer | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != CACHE_FORMAT:
        return None
    text, usage, model, created = data.get("text"), data.get("usage"), data.get("model"), data.get("created")
    if not isinstance(text, str) or not isinstance(usage, dict) or not isinstance(created, (int, float)):
        return None
    if isinstance(created, bool):
        return None
    if model is not None and not isinstance(model, str):
        return None
    return CachedAnswer(text=text, usage=usage, model=model, created=float(created))


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return 1
