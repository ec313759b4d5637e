"""ResponseCache on a real temporary directory with an injected clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claif_lsp.cache import CachedAnswer, ResponseCache, default_cache_directory
from claif_lsp.settings import CacheSettings


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_cache(directory: Path, clock: Clock, **settings: object) -> ResponseCache:
    return ResponseCache(CacheSettings.model_validate(settings), directory=directory, clock=clock)


def key_for(cache: ResponseCache, prompt: str) -> str:
    return cache.key(provider="anthropic", model="claude-x", system="system", prompt=prompt)


def test_round_trip_persists_across_instances(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path, clock)
    key = key_for(cache, "explain this")
    assert cache.get(key) is None
    cache.put(key, "It adds.", {"input_tokens": 12, "output_tokens": 3}, "claude-x-2025")

    again = make_cache(tmp_path, clock).get(key)
    assert again == CachedAnswer("It adds.", {"input_tokens": 12, "output_tokens": 3}, "claude-x-2025", clock.now)
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.json"]


def test_key_covers_provider_model_system_and_prompt(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path, clock)
    keys = {
        cache.key(provider="openai", model="gpt", system="s", prompt="p"),
        cache.key(provider="anthropic", model="gpt", system="s", prompt="p"),
        cache.key(provider="openai", model=None, system="s", prompt="p"),
        cache.key(provider="openai", model="gpt", system="s2", prompt="p"),
        cache.key(provider="openai", model="gpt", system="s", prompt="p2"),
    }
    assert len(keys) == 5
    other = make_cache(tmp_path, clock)
    assert other.key(provider="openai", model="gpt", system="s", prompt="p") in keys


def test_entries_expire_after_the_ttl(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path, clock, ttl_seconds=60)
    key = key_for(cache, "p")
    cache.put(key, "answer", {}, None)
    clock.now += 59
    assert cache.get(key) is not None
    clock.now += 1
    assert cache.get(key) is None
    assert not (tmp_path / f"{key}.json").exists()


def test_least_recently_used_is_evicted(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path, clock, max_entries=2)
    first, second, third = (key_for(cache, name) for name in ("first", "second", "third"))
    cache.put(first, "1", {}, None)
    clock.now += 1
    cache.put(second, "2", {}, None)
    clock.now += 1
    assert cache.get(first) is not None  # now first is the most recently used
    clock.now += 1
    cache.put(third, "3", {}, None)

    assert cache.get(second) is None
    assert cache.get(first) is not None
    assert cache.get(third) is not None
    assert len(cache) == 2


def test_disabled_cache_stores_and_serves_nothing(tmp_path: Path, clock: Clock) -> None:
    directory = tmp_path / "responses"
    cache = make_cache(directory, clock, enabled=False)
    key = key_for(cache, "p")
    cache.put(key, "answer", {}, None)
    assert not directory.exists()
    assert cache.get(key) is None

    make_cache(directory, clock).put(key, "answer", {}, None)
    assert cache.get(key) is None  # an existing entry is not served either
    assert make_cache(directory, clock, max_entries=0).get(key) is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        json.dumps({"v": 1, "text": 5, "usage": {}, "model": None, "created": 1.0}),
        json.dumps({"v": 99, "text": "old format", "usage": {}, "model": None, "created": 1.0}),
    ],
)
def test_corrupt_entries_are_ignored_and_removed(tmp_path: Path, clock: Clock, content: str) -> None:
    cache = make_cache(tmp_path, clock)
    key = key_for(cache, "p")
    (tmp_path / f"{key}.json").write_text(content)
    assert cache.get(key) is None
    assert not (tmp_path / f"{key}.json").exists()
    cache.put(key, "fresh", {}, None)
    fresh = cache.get(key)
    assert fresh is not None and fresh.text == "fresh"


def test_keys_that_are_not_hashes_never_touch_the_filesystem(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path / "responses", clock)
    cache.put("../escape", "answer", {}, None)
    assert cache.get("../escape") is None
    assert not (tmp_path / "escape.json").exists()
    assert not (tmp_path / "responses").exists()


def test_unwritable_directory_does_not_raise(tmp_path: Path, clock: Clock) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = make_cache(blocker / "responses", clock)
    key = key_for(cache, "p")
    cache.put(key, "answer", {}, None)
    assert cache.get(key) is None


def test_clear_removes_every_entry(tmp_path: Path, clock: Clock) -> None:
    cache = make_cache(tmp_path, clock)
    for name in ("a", "b", "c"):
        cache.put(key_for(cache, name), name, {}, None)
    assert cache.clear() == 3
    assert len(cache) == 0


def test_default_directory_is_the_user_cache() -> None:
    directory = default_cache_directory()
    assert directory.name == "responses"
    assert "claif-lsp" in directory.parts
