"""An editor held in memory behind the core's ports: buffers, messages, and an applyEdit answer the test chooses.

Edits the editor applies change its buffers (and their versions) as a real editor would, so a later accept
reads the text the earlier one produced. Every await a port makes can be held open by the test (``hold``) to
cancel the use case exactly there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lsprotocol import types

from claif_lsp.context import DocumentView
from claif_lsp.core.ports import ClientCapabilities, Editor, EditOutcome
from claif_lsp.core.proposals import Proposal

Answer = Literal["apply", "refuse", "silent"]
BOUND = 30.0
"""Seconds a test waits for something to happen before it fails: generous, the machine is shared."""


class Gate:
    """A point a port stops at until the test opens it; ``reached`` tells the test it got there."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def pass_through(self) -> None:
        self.reached.set()
        await self.opened.wait()

    async def wait_reached(self) -> None:
        await asyncio.wait_for(self.reached.wait(), BOUND)


@dataclass
class Buffer:
    text: str
    version: int = 1
    language_id: str = "python"


def _offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(line) for line in lines[: position.line]) + position.character


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with ``edits`` applied (ASCII positions, which every encoding counts alike)."""
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = _offset(text, edit.range.start), _offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


class MemoryDocuments:
    """Open buffers by path; anything else is read from the disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.buffers: dict[Path, Buffer] = {}

    def open(self, path: Path, text: str) -> str:
        self.buffers[path] = Buffer(text)
        return self.uri_for(path)

    def buffer(self, path: Path) -> DocumentView | None:
        found = self.buffers.get(path)
        if found is None:
            return None
        return DocumentView(
            uri=self.uri_for(path), path=path, text=found.text, language_id=found.language_id, version=found.version
        )

    def document(self, uri: str) -> DocumentView:
        path = self.path_for(uri)
        assert path is not None
        view = self.buffer(path)
        if view is not None:
            return view
        return DocumentView(uri=uri, path=path, text=path.read_text(encoding="utf-8"))

    def is_open(self, uri: str) -> bool:
        path = self.path_for(uri)
        return path is not None and path in self.buffers

    def open_views(self, except_uri: str | None = None) -> list[DocumentView]:
        views = [self.buffer(path) for path in self.buffers]
        return [v for v in views if v is not None and v.uri != except_uri]

    def folders(self) -> list[Path]:
        return [self.root]

    def uri_for(self, path: Path) -> str:
        return path.as_uri()

    def path_for(self, uri: str) -> Path | None:
        return Path(uri.removeprefix("file://")) if uri.startswith("file://") else None

    def edit(self, path: Path, text: str) -> None:
        """The user typed: the buffer's text and version change."""
        buffer = self.buffers[path]
        buffer.text, buffer.version = text, buffer.version + 1


@dataclass
class MemoryUser:
    """Messages and notifications the user would see; the picker answers ``choice``."""

    choice: str | None = "Improve this code"
    messages: list[tuple[str, str]] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)
    answers: list[tuple[str | None, str, bool]] = field(default_factory=list)
    picker: Gate | None = None
    show_gate: Gate | None = None

    def info(self, message: str) -> None:
        self.messages.append(("info", message))

    def warning(self, message: str) -> None:
        self.messages.append(("warning", message))

    async def show_document(self, uri: str) -> bool:
        if self.show_gate is not None:
            await self.show_gate.pass_through()
        self.shown.append(uri)
        return True

    async def choose(self, message: str, choices: list[str]) -> str | None:
        if self.picker is not None:
            await self.picker.pass_through()
        return self.choice

    def proposals_changed(self, proposal: Proposal) -> None:
        self.changes.append((proposal.id, proposal.state.value))

    def answer(self, request_id: str | None, text: str, *, done: bool) -> None:
        self.answers.append((request_id, text, done))


class MemoryEdits:
    """The editor's answers to ``workspace/applyEdit``, one per edit, in order (``apply`` when none is left).

    ``silent`` never answers within the timeout; :meth:`answer_late` then delivers the answer it gives after all.
    """

    def __init__(self, documents: MemoryDocuments) -> None:
        self.documents = documents
        self.answers: list[Answer] = []
        self.sent: list[types.WorkspaceEdit] = []
        self.gate: Gate | None = None
        self._late: list[tuple[types.WorkspaceEdit, Callable[[EditOutcome], None]]] = []

    async def apply(
        self, edit: types.WorkspaceEdit, label: str, timeout: float, on_late_answer: Callable[[EditOutcome], None]
    ) -> EditOutcome:
        self.sent.append(edit)
        if self.gate is not None:
            await self.gate.pass_through()
        answer = self.answers.pop(0) if self.answers else "apply"
        if answer == "refuse":
            return EditOutcome(False, "the user declined the edit")
        if answer == "silent":
            self._late.append((edit, on_late_answer))
            return EditOutcome(None, f"the editor did not answer the edit within {timeout:g} s")
        self._apply(edit)
        return EditOutcome(True)

    def answer_late(self) -> None:
        """The editor applies every edit it left unanswered, and says so."""
        for edit, on_late_answer in self._late:
            self._apply(edit)
            on_late_answer(EditOutcome(True))
        self._late.clear()

    def _apply(self, edit: types.WorkspaceEdit) -> None:
        by_uri: dict[str, list[types.TextEdit]] = dict(edit.changes or {})
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit), f"only text edits are applied here, not {change}"
            by_uri.setdefault(change.text_document.uri, []).extend(
                e for e in change.edits if isinstance(e, types.TextEdit)
            )
        for uri, edits in by_uri.items():
            path = self.documents.path_for(uri)
            assert path is not None
            self.documents.edit(path, apply_text_edits(self.documents.buffers[path].text, edits))


@dataclass
class MemoryEditor:
    """The editor's ports and the state a test inspects."""

    documents: MemoryDocuments
    user: MemoryUser
    edits: MemoryEdits
    capabilities: ClientCapabilities

    def ports(self) -> Editor:
        return Editor(documents=self.documents, user=self.user, edits=self.edits, capabilities=self.capabilities)


def memory_editor(root: Path, capabilities: ClientCapabilities | None = None) -> MemoryEditor:
    """An editor with no buffer open yet."""
    documents = MemoryDocuments(root)
    return MemoryEditor(documents, MemoryUser(), MemoryEdits(documents), capabilities or ClientCapabilities())


@dataclass
class MemoryProgress:
    """Progress the user would see; ``gate`` holds ``begin`` open."""

    gate: Gate | None = None
    begun: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)

    async def begin(self, title: str, message: str) -> MemoryProgress:
        self.begun.append(message)
        if self.gate is not None:
            await self.gate.pass_through()
        return self

    def report(self, message: str, *, force: bool = False) -> None:
        self.reports.append(message)

    def end(self, message: str) -> None:
        if not self.ended:
            self.ended.append(message)

    def elapsed(self) -> float:
        return 0.0
