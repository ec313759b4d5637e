"""Fix again: after a ``fix`` was accepted, the same diagnostic still at the fixed place offers another turn.

Each fix keeps the text it was asked on and the lines it is about there: the diagnostic's own range and the
old lines of each hunk. When a code action request later carries a diagnostic with the same source, code and
message, those lines are carried to the document's text now by a line diff (so the user's edits above them,
and the fix itself, move them), and a diagnostic overlapping them is the one the fix did not clear. The first
fix counts as attempt 1; each fix-again turn of the proposal's session as one more, up to ``fixAttempts``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claif_lsp.core.proposals import HunkState, ProposalState, ProposalStore
from claif_lsp.core.sessions import SessionStore
from claif_lsp.errors import PatchError
from claif_lsp.patches import ResolvedPatch

DiagnosticKey = tuple[str | None, str | None, str]
"""Source, code (as text) and message (whitespace collapsed): what makes two diagnostics the same one."""


def diagnostic_key(source: str | None, code: str | int | None, message: str) -> DiagnosticKey:
    """The key two diagnostics share when they are the same one."""
    return (source or None, None if code is None else str(code), " ".join(message.split()))


@dataclass(frozen=True)
class SeenDiagnostic:
    """A diagnostic as a code action request carries it, lines 0-based and inclusive."""

    message: str
    start_line: int
    end_line: int
    source: str | None = None
    code: str | int | None = None

    @property
    def key(self) -> DiagnosticKey:
        """What it is, wherever it is."""
        return diagnostic_key(self.source, self.code, self.message)


@dataclass(frozen=True)
class FixAgain:
    """Offer another fix turn of ``proposal`` for ``diagnostic`` (one of the request's), as attempt ``attempt``."""

    proposal: str
    diagnostic: int
    """Index of the diagnostic in the request's list."""
    attempt: int
    limit: int


@dataclass
class FixRecord:
    """One fix: the file's lines when it was asked, and the lines it is about there ([start, end) each)."""

    path: Path
    key: DiagnosticKey
    base: list[str]
    regions: list[tuple[int, int]]
    proposal: str = ""
    _moved: tuple[list[str], list[tuple[int, int]]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, resolved: ResolvedPatch, root: Path, path: Path, text: str, diagnostic: SeenDiagnostic) -> FixRecord:
        """The record of a fix of ``diagnostic`` in ``path`` (whose text was ``text``), before anything is applied."""
        base = text.splitlines()
        regions = [(diagnostic.start_line, diagnostic.end_line + 1)]
        for file in resolved.files:
            if root / file.path == path and file.old_text == text:
                regions += [(h.start_line, h.end_line) for h in file.hunks]
        return cls(path=path, key=diagnostic.key, base=base, regions=regions)

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON values, kept in its session's file."""
        return {"path": str(self.path), "key": list(self.key), "base": self.base, "regions": self.regions}

    @classmethod
    def from_json(cls, data: Any) -> FixRecord:
        """A record from :meth:`to_json`'s output; ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("a fix record is a JSON object")
        source, code, message = data["key"]
        base, regions = data["base"], data["regions"]
        if not isinstance(message, str) or not all(isinstance(line, str) for line in base):
            raise ValueError("a fix record's message and lines are strings")
        return cls(
            path=Path(data["path"]),
            key=diagnostic_key(source, code, message),
            base=list(base),
            regions=[(int(start), int(end)) for start, end in regions],
        )

    def where_now(self, lines: list[str]) -> list[tuple[int, int]]:
        """The regions carried to ``lines``, the document's lines now."""
        if lines == self.base:
            return self.regions
        if self._moved is not None and self._moved[0] == lines:
            return self._moved[1]
        moved = move_regions(self.base, lines, self.regions)
        self._moved = (lines, moved)
        return moved


def move_regions(old: Sequence[str], new: Sequence[str], regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line regions [start, end) of ``old`` carried to ``new`` by a line diff: a region whose lines were replaced
    becomes their replacement."""
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()

    def start_of(line: int) -> int:
        for tag, i1, i2, j1, _j2 in opcodes:
            if i1 <= line < i2:
                return j1 + (line - i1) if tag == "equal" else j1
        return len(new)

    def end_of(line: int) -> int:
        if line <= 0:
            return 0
        for tag, i1, i2, j1, j2 in opcodes:
            if i1 < line <= i2:
                return j1 + (line - i1) if tag == "equal" else j2
        return len(new)

    return [(start_of(start), end_of(end)) for start, end in regions]


def _overlaps(diagnostic: SeenDiagnostic, region: tuple[int, int]) -> bool:
    start, end = region
    end = max(end, start + 1)  # a pure insertion or deletion is about the line where it happened
    return diagnostic.start_line < end and diagnostic.end_line >= start


class FixTracker:
    """The fixes of this server, by proposal id (each also kept in its session, for the next server)."""

    def __init__(self) -> None:
        self._records: dict[str, FixRecord] = {}

    def keep(self, proposal_id: str, record: FixRecord) -> None:
        """Remember the fix ``proposal_id`` proposes."""
        record.proposal = proposal_id
        self._records[proposal_id] = record

    def has(self, path: Path) -> bool:
        """True when a fix was proposed in the file at ``path``."""
        return any(r.path == path for r in self._records.values())

    def offers(
        self,
        path: Path,
        text: str,
        diagnostics: Sequence[SeenDiagnostic],
        proposals: ProposalStore,
        sessions: SessionStore | None,
        limit: int,
    ) -> list[FixAgain]:
        """Fix-again turns to offer for the request's ``diagnostics`` in ``path`` (whose text is ``text``)."""
        records = [r for r in self._records.values() if r.path == path]
        wanted = {d.key for d in diagnostics}
        offers: list[FixAgain] = []
        lines: list[str] | None = None
        for record in records:
            if record.key not in wanted:
                continue
            try:
                proposal = proposals.get(record.proposal)
            except PatchError:
                continue
            if proposal.state is ProposalState.DISCARDED or not proposal.ids_in(HunkState.ACCEPTED):
                continue  # not accepted yet, or its conversation was dropped
            session = sessions.of_proposal(record.proposal) if sessions is not None else None
            done = 1 + (sum(t.kind == "fix" for t in session.turns) if session is not None else 0)
            if done >= limit:
                continue
            lines = text.splitlines() if lines is None else lines
            regions = record.where_now(lines)
            for index, diagnostic in enumerate(diagnostics):
                if diagnostic.key == record.key and any(_overlaps(diagnostic, r) for r in regions):
                    offers.append(FixAgain(proposal=record.proposal, diagnostic=index, attempt=done + 1, limit=limit))
                    break
        return offers
