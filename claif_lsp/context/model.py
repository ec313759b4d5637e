"""The data of one ask's context: what the editor has (documents, diagnostics), what is sent, what was cut."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from claif_lsp.context.windows import shown_lines
from claif_lsp.settings import ContextSettings
from claif_lsp.token_counts import format_tokens

SectionKind = Literal["selection", "diagnostics", "file", "open_buffer", "related_file"]


@dataclass(frozen=True)
class DocumentView:
    """One document as the editor has it (unsaved text included)."""

    uri: str
    path: Path | None
    text: str
    language_id: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class DiagnosticView:
    """One diagnostic of the current document, lines 0-based."""

    start_line: int
    end_line: int
    message: str
    severity: str | None = None
    source: str | None = None
    code: str | None = None

    def describe(self) -> str:
        """One line for the prompt: ``line 12 error [ruff F401]: message`` (lines 1-based)."""
        lines = f"line {self.start_line + 1}"
        if self.end_line > self.start_line:
            lines = f"lines {self.start_line + 1}-{self.end_line + 1}"
        origin = " ".join(part for part in (self.source, self.code) if part)
        parts = [lines]
        if self.severity:
            parts.append(self.severity)
        if origin:
            parts.append(f"[{origin}]")
        message = " ".join(self.message.split())
        return f"{' '.join(parts)}: {message}"


@dataclass
class ContextRequest:
    """Everything :func:`gather_context` needs; lines are 0-based and inclusive."""

    document: DocumentView
    start_line: int
    end_line: int
    root: Path | None
    diagnostics: list[DiagnosticView]
    open_documents: list[DocumentView]
    settings: ContextSettings


@dataclass(frozen=True)
class ContextSection:
    """One piece of context, already redacted; ``path`` is relative to the workspace root."""

    kind: SectionKind
    path: str | None
    language: str | None
    text: str
    tokens: int
    line_ranges: tuple[tuple[int, int], ...] = ()
    """0-based inclusive line ranges of the source shown (selection and file sections)."""
    total_lines: int | None = None
    """Line count of the whole source, so a partial view can say "of N"."""

    @property
    def partial(self) -> bool:
        """True when the section shows only part of its source."""
        if self.total_lines is None or not self.line_ranges:
            return False
        return shown_lines(self.line_ranges) < self.total_lines


@dataclass(frozen=True)
class Omission:
    """Something left out or shortened, for :attr:`Context.cut` and :attr:`Context.cut_summary`."""

    kind: SectionKind
    name: str
    tokens: int
    reason: str
    shortened: bool = False

    def __str__(self) -> str:
        label = {
            "selection": "selection",
            "diagnostics": "diagnostic",
            "file": "file",
            "open_buffer": "open buffer",
            "related_file": "related file",
        }[self.kind]
        verb = "shortened" if self.shortened else "left out"
        return f"{label} {self.name} ({format_tokens(self.tokens)} tokens) {verb}: {self.reason}"


@dataclass
class Context:
    """The context of one ask: sections in priority order, within budget, plus notes on what was cut."""

    uri: str
    path: str
    """Path of the current document for the prompt and the patch: relative to :attr:`base_dir`."""
    language: str | None
    start_line: int
    end_line: int
    base_dir: Path | None
    """Directory patch paths are relative to: the workspace root, or the document's folder outside it."""
    budget_tokens: int
    sections: list[ContextSection] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        """Estimated tokens of all sections."""
        return sum(section.tokens for section in self.sections)

    @property
    def cut(self) -> list[str]:
        """Human notes on what was dropped or shortened, e.g. "related file a.py (1.2k tokens) left out: budget"."""
        return [str(omission) for omission in self.omissions]

    @property
    def cut_summary(self) -> str:
        """One short line for progress messages, e.g. "left out: 3 related files; shortened: file"; "" if none."""
        if not self.omissions:
            return ""
        parts: list[str] = []
        for shortened, label in ((False, "left out"), (True, "shortened")):
            counts = Counter(o.kind for o in self.omissions if o.shortened is shortened)
            if counts:
                items = [_count_label(kind, count) for kind, count in counts.items()]
                parts.append(f"{label}: {', '.join(items)}")
        return "; ".join(parts)

    @property
    def selection(self) -> ContextSection:
        """The selection section (always present)."""
        return next(section for section in self.sections if section.kind == "selection")

    def of_kind(self, kind: SectionKind) -> list[ContextSection]:
        """Sections of one kind, in order."""
        return [section for section in self.sections if section.kind == kind]


def _count_label(kind: SectionKind, count: int) -> str:
    noun = {"open_buffer": "open buffer", "related_file": "related file", "diagnostics": "diagnostic"}.get(kind, kind)
    if kind in ("file", "selection"):
        return noun
    return f"{count} {noun}{'s' if count != 1 else ''}"
