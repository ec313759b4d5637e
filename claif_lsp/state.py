"""Mutable state the server keeps between requests."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claif_lsp.configuration import LoadedSettings
    from claif_lsp.core.fix_again import FixTracker
    from claif_lsp.core.proposals import ProposalStore
    from claif_lsp.core.sessions import SessionStore
    from claif_lsp.settings import Settings


@dataclass
class RunningAsk:
    """An ask in flight: its task and the names it can be cancelled by."""

    request_id: str
    task: asyncio.Task[Any]
    token: str | int | None = None
    stopped_by_user: bool = False
    """Set when the user stopped it through our own means (`claif.cancel`, the progress cancel button)."""

    def stop(self) -> None:
        """Cancel the ask on the user's behalf; it then answers `{cancelled: true}` instead of an error."""
        self.stopped_by_user = True
        self.task.cancel()


@dataclass
class ServerState:
    """Settings per workspace folder and the bookkeeping features share."""

    initialization_options: Any = None
    workspace_roots: list[Path] = field(default_factory=list)
    loaded: dict[str, LoadedSettings] = field(default_factory=dict)
    """Validated settings by folder URI ("" when the client has no folders)."""
    shown_problems: set[str] = field(default_factory=set)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    _proposals: ProposalStore | None = None
    _sessions: SessionStore | None = None
    _fixes: FixTracker | None = None
    settings_ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the client's settings were pulled (or could not be), so asks never run on defaults."""
    running: dict[str, RunningAsk] = field(default_factory=dict)
    """Asks in flight by request id, for `claif.cancel`."""
    turns_running: set[str] = field(default_factory=set)
    """Proposals with a refine or retry in flight (one at a time each)."""
    restored: bool = False
    """Set once the sessions kept by an earlier server were taken back (or there were none to take)."""
    _kept_sessions: bool | None = None

    @property
    def proposals(self) -> ProposalStore:
        """Every proposal of this session (the store loads the patch engine, so only on first use)."""
        if self._proposals is None:
            from claif_lsp.core.proposals import ProposalStore

            self._proposals = ProposalStore()
        return self._proposals

    @property
    def sessions(self) -> SessionStore:
        """Every conversation (loaded on first use, like the proposals), kept on disk in the user's state directory."""
        if self._sessions is None:
            from claif_lsp.core.session_files import SessionFiles
            from claif_lsp.core.sessions import SessionStore

            self._sessions = SessionStore(SessionFiles())
        return self._sessions

    @property
    def fixes(self) -> FixTracker:
        """The accepted fixes that may be tried again (the tracker loads the core, so only on first use)."""
        if self._fixes is None:
            from claif_lsp.core.fix_again import FixTracker

            self._fixes = FixTracker()
        return self._fixes

    def fixes_in(self, path: Path) -> bool:
        """True when a fix was proposed for the file at ``path`` (False before any was)."""
        return self._fixes is not None and self._fixes.has(path)

    def proposals_touching(self, path: Path) -> bool:
        """True when a proposal touches the file at ``path``; before any was made or restored, True only when an
        earlier server kept sessions for this workspace (so the first look at a file restores them)."""
        if self._proposals is None:
            if self.restored or not self.workspace_roots:
                return False
            if self._kept_sessions is None:
                # Deferred like the other imports here; it loads only platformdirs and hashlib.
                from claif_lsp.session_folders import has_kept_sessions

                self._kept_sessions = has_kept_sessions(self.workspace_roots)
            return self._kept_sessions
        return bool(self._proposals.touching(path))

    async def wait_for_settings(self, timeout: float = 10.0) -> None:
        """Wait (bounded) until the client's settings have been pulled once."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settings_ready.wait(), timeout)

    def settings_for(self, uri: str | None = None) -> Settings:
        """Settings of the workspace folder holding ``uri`` (the longest matching folder)."""
        return self.loaded_for(uri).settings

    def loaded_for(self, uri: str | None = None) -> LoadedSettings:
        """Validated settings plus problems for the folder holding ``uri``."""
        best = ""
        if uri:
            for folder in self.loaded:
                if folder and uri.startswith(folder.rstrip("/") + "/") and len(folder) > len(best):
                    best = folder
        if best:
            return self.loaded[best]
        if "" in self.loaded:
            return self.loaded[""]
        if self.loaded:
            return next(iter(self.loaded.values()))
        # Deferred: settings load pydantic, which the server avoids until `initialize` is answered.
        from claif_lsp.configuration import LoadedSettings
        from claif_lsp.settings import Settings

        return LoadedSettings(settings=Settings())

    def root_for(self, path: Path | None = None) -> Path | None:
        """The workspace root holding ``path``, or the first root."""
        if path is not None:
            for root in sorted(self.workspace_roots, key=lambda p: len(str(p)), reverse=True):
                if path == root or root in path.parents:
                    return root
        return self.workspace_roots[0] if self.workspace_roots else None
