"""The patch engine's data: what a parsed patch says (``Patch``) and what it resolves to (``ResolvedPatch``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Literal, TypeVar

from claif_lsp.patches.lines import Lines, split_lines

PatchFormat = Literal["codex", "unified", "search_replace", "whole_file", "mixed"]
"""``mixed``: an answer with patches in several formats; each ``FilePatch`` then says its own."""


class Operation(str, Enum):
    """What a patch does to one file."""

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    MOVE = "move"
    REPLACE = "replace"
    """Whole-file replacement (the last-resort fallback); resolves to ``add`` or ``update``."""


# The parse structures (Chunk, FilePatch, Patch) are plain slotted dataclasses, not models: a large patch makes
# thousands of them, and each pydantic model adds a dict and a set for the garbage collector to walk.


@dataclass(slots=True)
class Chunk:
    """One change of a parsed patch: lines to find and what replaces them, before any matching."""

    old_lines: list[str] = field(default_factory=list)
    new_lines: list[str] = field(default_factory=list)
    context_lines: list[int] = field(default_factory=list)
    """Old index, new index, old index, new index, ... of the lines the patch marks as unchanged context: flat, as
    a list of pairs would be one tuple for the collector per context line."""
    contexts: list[str] = field(default_factory=list)
    """``@@ class X`` / ``@@ def f():`` headers, sought in order before the old lines."""
    is_end_of_file: bool = False
    old_start: int | None = None
    """1-based first old line from a unified diff header; only breaks ties between matches."""
    final_newline: bool | None = None
    """True/False when the patch says whether the new text ends with a newline; None keeps the file's."""
    line_number: int | None = None
    """Line of the patch text this chunk starts on, for messages."""


@dataclass(slots=True)
class FilePatch:
    """What a patch asks of one path."""

    operation: Operation
    path: str
    new_path: str | None = None
    contents: str | None = None
    """Full new text for ``add`` and ``replace``."""
    chunks: list[Chunk] = field(default_factory=list)
    format: PatchFormat | None = None
    """The format this file's part was written in, when it differs from the patch's (``mixed``)."""


@dataclass(slots=True)
class Patch:
    """A parsed patch: file operations in the order the patch gives them."""

    format: PatchFormat
    files: list[FilePatch] = field(default_factory=list)


_Copy = TypeVar("_Copy", bound="_Copyable")


class _Copyable:
    """``model_copy`` as pydantic models have it, so callers need not know these are dataclasses."""

    __slots__ = ()

    def model_copy(self: _Copy, *, update: dict[str, Any] | None = None) -> _Copy:
        """A shallow copy with some fields replaced (not validated, as with pydantic)."""
        copy = dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]
        for name in getattr(self, "_keep_on_copy", ()):
            setattr(copy, name, getattr(self, name))
        return copy


# Plain dataclasses rather than pydantic models: importing pydantic and building their schemas is most of the
# start-up of ``claif-lsp patch`` (issue 11), and each model construction validates what the engine just built.


@dataclass(slots=True)
class Snapshot(_Copyable):
    """A file as the caller sees it now: editor buffer (with its version) or disk; text None = missing."""

    path: str
    text: str | None
    version: int | None = None


@dataclass(slots=True)
class Hunk(_Copyable):
    """One contiguous change placed in a file: old lines [start_line, end_line) become new_lines."""

    id: str
    index: int
    """1-based position among the file's hunks."""
    start_line: int
    end_line: int
    old_lines: list[str] = field(default_factory=list)
    new_lines: list[str] = field(default_factory=list)
    context_before: list[str] = field(default_factory=list)
    context_after: list[str] = field(default_factory=list)
    final_newline: bool | None = None
    """For a hunk reaching the end of the file: force (True) or drop (False) the final newline."""
    chunk: int | None = None
    """1-based number of the patch chunk (hunk) this came from, for messages."""


class _Split:
    """A text and its lines, kept beside a file change; never part of its value: any two compare equal."""

    __slots__ = ("lines", "text")

    def __init__(self, text: str | None = None, lines: Lines | None = None) -> None:
        self.text = text
        self.lines = lines

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Split)

    __hash__ = None  # type: ignore[assignment]


@dataclass(slots=True)
class FileChange(_Copyable):
    """The resolved change of one file, with the snapshot it was computed against."""

    operation: Literal["add", "update", "delete", "move"]
    path: str
    new_path: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    version: int | None = None
    hunks: list[Hunk] = field(default_factory=list)
    replaced_text: str | None = None
    """For a move onto an existing file (Codex ``*** Move to:`` allows it): the destination's text it overwrites."""
    _old_split: _Split = field(default_factory=_Split, init=False, repr=False, compare=False)
    _keep_on_copy: ClassVar[tuple[str, ...]] = ("_old_split",)

    def old_lines(self) -> Lines:
        """``old_text`` (empty when None) split into lines, once while it stays the same; never change the result."""
        text = self.old_text or ""
        split = self._old_split
        if split.lines is not None and split.text == text:
            return split.lines
        lines = split_lines(text)
        self._old_split = _Split(text, lines)
        return lines

    def keep_old_lines(self, lines: Lines) -> None:
        """Keep ``lines``, the caller's split of ``old_text``, for ``old_lines``."""
        self._old_split = _Split(self.old_text or "", lines)

    @property
    def target_path(self) -> str:
        """Where the file lives afterwards (the destination of a move)."""
        return self.new_path or self.path

    @property
    def summary_line(self) -> str:
        """The Codex summary line: ``A path``, ``M path`` or ``D path``."""
        letter = {"add": "A", "update": "M", "move": "M", "delete": "D"}[self.operation]
        return f"{letter} {self.target_path}"


@dataclass(slots=True)
class ResolvedPatch(_Copyable):
    """Every file change of a patch, all resolved; nothing has been written."""

    format: PatchFormat
    files: list[FileChange] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Codex summary lines, grouped added, modified, deleted."""
        order = {"add": 0, "update": 1, "move": 1, "delete": 2}
        return [f.summary_line for f in sorted(self.files, key=lambda f: order[f.operation])]

    def hunk(self, hunk_id: str) -> tuple[FileChange, Hunk]:
        """The file and hunk with this id (KeyError when none)."""
        for file in self.files:
            for hunk in file.hunks:
                if hunk.id == hunk_id:
                    return file, hunk
        raise KeyError(hunk_id)
