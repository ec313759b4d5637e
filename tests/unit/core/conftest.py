"""The core's use cases without a server: real settings, the real registry with the replay provider, the real
patch engine, and the editor in memory (:mod:`tests.unit.core.editor`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from claif_lsp.configuration import LoadedSettings
from claif_lsp.core.ask import Ask, AskRequest, Selection
from claif_lsp.core.files import snapshot_reader
from claif_lsp.core.ports import ClientCapabilities
from claif_lsp.core.review import Review
from claif_lsp.patches import ResolvedPatch, parse_answer, resolve_patch
from claif_lsp.registry import ProviderEntry, ProviderRegistry, discover_entries
from claif_lsp.settings import Settings
from claif_lsp.state import ServerState
from tests.unit.core.editor import MemoryEditor, MemoryProgress, memory_editor

TEXT = "".join(f"line {n}\n" for n in range(1, 31))


def codex_patch(*lines: int, path: str = "app.py") -> str:
    """A Codex patch marking ``line n`` as checked for each ``n``."""
    hunks = "".join(f"@@\n line {n - 1}\n-line {n}\n+line {n} (checked)\n line {n + 1}\n" for n in lines)
    return f"*** Begin Patch\n*** Update File: {path}\n{hunks}*** End Patch\n"


@dataclass
class World:
    """One workspace folder with app.py open, its settings, the providers and the editor."""

    root: Path
    app: Path
    uri: str
    state: ServerState
    registry: ProviderRegistry
    editor: MemoryEditor
    progress: MemoryProgress
    transcripts: Path

    def configure(self, **values: Any) -> None:
        """Settings of the folder (camelCase keys as a client sends them), over the test defaults."""
        base: dict[str, Any] = {
            "provider": "replay",
            "cache": {"enabled": False},
            "preview": "none",
            "providers": {
                name: {"options": {"transcript": str(self.transcripts / f"{name}.jsonl")}}
                for name in ("replay", "replay-b")
            },
        }
        base.update(values)
        self.state.loaded = {"": LoadedSettings(settings=Settings.model_validate(base))}

    def answer(self, *entries: dict[str, Any], provider: str = "replay") -> None:
        """What the replay provider ``provider`` answers, one entry per ask."""
        path = self.transcripts / f"{provider}.jsonl"
        path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")

    def with_capabilities(self, **values: Any) -> None:
        self.editor.capabilities = ClientCapabilities(**values)

    def ask(self) -> Ask:
        return Ask(self.state, self.editor.ports(), self.registry, self.progress)

    def review(self) -> Review:
        return Review(self.state, self.editor.ports())

    def request(self, action: str = "refactor", **values: Any) -> AskRequest:
        return AskRequest(uri=self.uri, selection=Selection(0, 0, 29, 0), action=action, **values)

    def resolved(self, *lines: int) -> ResolvedPatch:
        """The patch engine's change marking ``line n`` of app.py as checked for each ``n``."""
        reader = snapshot_reader(self.editor.documents, self.root)
        return resolve_patch(parse_answer(codex_patch(*lines)), self.root, reader)

    def propose(self, *lines: int) -> str:
        """A proposal kept as review keeps one, not yet presented."""
        proposal = self.state.proposals.add(
            self.resolved(*lines), provider="user", action="applyPatch", title="Check", root=str(self.root)
        )
        return proposal.id


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # previews and answers land here
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # and sessions here
    root = tmp_path / "ws"
    root.mkdir()
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    app = root / "app.py"
    app.write_text(TEXT, encoding="utf-8")
    replay = discover_entries()["replay"]
    # A second name for the same provider: two providers, each with its own transcript.
    entries = {"replay": replay, "replay-b": ProviderEntry("replay-b", replay.value, replay.distribution, "1")}
    state = ServerState(workspace_roots=[root])
    state.settings_ready.set()
    editor = memory_editor(root)
    world = World(
        root=root,
        app=app,
        uri=editor.documents.open(app, TEXT),
        state=state,
        registry=ProviderRegistry(entries=entries, environ={}),
        editor=editor,
        progress=MemoryProgress(),
        transcripts=transcripts,
    )
    world.configure()
    yield world
