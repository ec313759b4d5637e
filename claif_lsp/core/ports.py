"""What the use cases need from the editor and the providers, as small protocols; ``features`` backs them.

Each port is what a use case calls, nothing more: tests back them in memory, the language server with its client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from lsprotocol import types

from claif_lsp.context import DocumentView
from claif_lsp.core.proposals import Proposal
from claif_lsp.provider import BaseProvider
from claif_lsp.settings import Settings


@dataclass(frozen=True)
class ClientCapabilities:
    """What the editor said it can do, as far as the use cases care."""

    document_changes: bool = False
    """``workspace.workspaceEdit.documentChanges``: versioned edits and file operations."""
    resource_operations: tuple[str, ...] = ()
    """Which file operations (``create``, ``rename``, ``delete``) a workspace edit may carry."""
    change_annotations: bool = False
    """Annotated edits are shown for confirmation (VS Code's refactor preview)."""
    show_document: bool = False
    position_encoding: str = types.PositionEncodingKind.Utf16.value
    """How positions count characters (``utf-8``, ``utf-16``, ``utf-32``)."""


@dataclass
class EditOutcome:
    """What the editor said about an edit: applied, refused (False) or unconfirmed (None), and why."""

    applied: bool | None
    reason: str | None = None


class Documents(Protocol):
    """The files as the editor has them: open buffers first (unsaved text and version), then the disk."""

    def buffer(self, path: Path) -> DocumentView | None:
        """The open buffer for the absolute ``path``, or None when it is not open."""

    def document(self, uri: str) -> DocumentView:
        """The document at ``uri``, from its buffer or the disk; OSError when it cannot be read."""

    def is_open(self, uri: str) -> bool:
        """True when the editor has the document open."""

    def open_views(self, except_uri: str | None = None) -> list[DocumentView]:
        """Every open buffer but ``except_uri``."""

    def folders(self) -> list[Path]:
        """The workspace folders the client declared."""

    def uri_for(self, path: Path) -> str:
        """The file URI of an absolute path."""

    def path_for(self, uri: str) -> Path | None:
        """The path of a file URI (None for other schemes)."""


class Progress(Protocol):
    """One ask's progress as the editor shows it; every call is a no-op without progress support."""

    def report(self, message: str, *, force: bool = False) -> None:
        """Say how it goes (throttled unless forced)."""

    def end(self, message: str) -> None:
        """End with the outcome; later calls do nothing."""

    def elapsed(self) -> float:
        """Seconds since it began."""


class ProgressStarter(Protocol):
    """Begins an ask's progress; its cancel button cancels the ask's task."""

    async def begin(self, title: str, message: str) -> Progress:
        """Show progress with a cancel button."""


class Providers(Protocol):
    """The provider registry."""

    def names(self) -> list[str]:
        """Every installed provider."""

    def resolve(self, requested: str | None = None, settings: Settings | None = None) -> str:
        """The provider to use: ``requested``, the configured one, or for ``auto`` the first ready one."""

    async def connected(self, name: str, settings: Settings | None = None) -> BaseProvider:
        """The provider, connected; a ClaifError naming what is missing otherwise."""

    def display_name(self, name: str) -> str:
        """The provider's human name."""


class EditSender(Protocol):
    """Sends a workspace edit to the editor and waits, bounded, for its answer."""

    async def apply(
        self,
        edit: types.WorkspaceEdit,
        label: str,
        timeout: float,
        on_late_answer: Callable[[EditOutcome], None],
    ) -> EditOutcome:
        """Applied, refused or no answer within ``timeout`` seconds; a later answer goes to ``on_late_answer``."""


class User(Protocol):
    """Talking to the person at the editor."""

    def info(self, message: str) -> None:
        """An information message."""

    def warning(self, message: str) -> None:
        """A warning message."""

    async def show_document(self, uri: str) -> bool:
        """Open ``uri`` in the editor; False when it was not shown."""

    async def choose(self, message: str, choices: list[str]) -> str | None:
        """One of ``choices`` (None when dismissed); InvalidRequest when the editor cannot ask."""

    def proposals_changed(self, proposal: Proposal) -> None:
        """Tell the editor a proposal changed state (plugins redraw, lenses refresh)."""

    def answer(self, request_id: str | None, text: str, *, done: bool) -> None:
        """Show an explain-type answer as it streams: the whole text so far, ``done`` on the last update."""


@dataclass
class Editor:
    """Every port to the editor one use case needs."""

    documents: Documents
    user: User
    edits: EditSender
    capabilities: ClientCapabilities
