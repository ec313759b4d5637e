"""Proposals the user has not decided on yet: their hunks, states and the bookkeeping of accept and reject.

A proposal wraps a resolved patch (:class:`claif_lsp.patches.Proposal`). Each file keeps the text its pending
hunks are placed on; accepting hunks moves that base text forward, and the hunks still pending are re-placed
by content on the new text, so they stay valid at their new positions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from claif_lsp.errors import PatchError
from claif_lsp.patches import FileProposal, Hunk, Proposal, apply_hunks, reanchor, render_proposal


class ProposalState(str, Enum):
    """Where a proposal stands."""

    PENDING = "pending"
    PARTIAL = "partial"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    STALE = "stale"
    DISCARDED = "discarded"
    FAILED = "failed"


class HunkState(str, Enum):
    """Where one hunk stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass
class ProposalRecord:
    """A proposal with its provenance and per-hunk decisions."""

    id: str
    patch: Proposal
    provider: str
    action: str
    title: str
    root: str
    hunk_states: dict[str, HunkState] = field(default_factory=dict)
    state: ProposalState = ProposalState.PENDING
    reason: str | None = None
    preview_uri: str | None = None

    def pending_ids(self) -> list[str]:
        """Ids of hunks still waiting for a decision, in file order."""
        return [h.id for f in self.patch.files for h in f.hunks if self.hunk_states[h.id] is HunkState.PENDING]

    def select(self, hunk_ids: Iterable[str] | None) -> list[str]:
        """The pending hunks named (all pending ones when None); unknown ids are an error naming them."""
        pending = self.pending_ids()
        if hunk_ids is None:
            return pending
        wanted = list(dict.fromkeys(hunk_ids))
        unknown = [h for h in wanted if h not in self.hunk_states]
        if unknown:
            raise PatchError(f"proposal {self.id} has no hunk {', '.join(unknown)}")
        return [h for h in pending if h in wanted]

    def files_with(self, hunk_ids: Iterable[str]) -> list[tuple[FileProposal, list[str]]]:
        """Files holding any of ``hunk_ids``, each with its selected ids."""
        wanted = set(hunk_ids)
        result = []
        for file in self.patch.files:
            ids = [h.id for h in file.hunks if h.id in wanted]
            if ids:
                result.append((file, ids))
        return result

    def pending_hunks(self, file: FileProposal) -> list[Hunk]:
        """A file's hunks still pending."""
        return [h for h in file.hunks if self.hunk_states[h.id] is HunkState.PENDING]

    def proposed_text(self, file: FileProposal) -> str | None:
        """The file's text with every pending hunk applied (None for a deletion)."""
        if file.operation == "delete":
            return None
        return apply_hunks(file.old_text or "", self.pending_hunks(file))

    def mark(self, hunk_ids: Iterable[str], state: HunkState) -> None:
        """Decide some hunks and update the proposal's state."""
        for hunk_id in hunk_ids:
            self.hunk_states[hunk_id] = state
        self._settle()

    def _settle(self) -> None:
        states = set(self.hunk_states.values())
        if HunkState.PENDING in states:
            if states != {HunkState.PENDING}:
                self.state = ProposalState.PARTIAL
            elif self.state not in (ProposalState.STALE, ProposalState.DISCARDED):
                self.state = ProposalState.PENDING
        elif states == {HunkState.REJECTED}:
            self.state = ProposalState.REJECTED
        else:
            self.state = ProposalState.ACCEPTED

    def advance(self, file: FileProposal, accepted: list[Hunk], new_text: str) -> None:
        """After ``accepted`` hunks landed, make ``new_text`` the file's base and re-place what is pending."""
        self.mark([h.id for h in accepted], HunkState.ACCEPTED)
        remaining = [h.id for h in self.pending_hunks(file)]
        replaced = {h.id: h for h in reanchor(file, remaining, new_text)} if remaining else {}
        # Keep accepted and rejected hunks (for the record) with their old positions; pending ones move.
        file.hunks = [replaced.get(h.id, h) for h in file.hunks]
        file.old_text = new_text
        if file.operation == "add":
            file.operation = "update"

    def diff(self) -> str:
        """The unified diff of what is still pending."""
        pending = Proposal(
            format=self.patch.format,
            files=[
                f.model_copy(update={"hunks": self.pending_hunks(f), "new_text": self.proposed_text(f)})
                for f in self.patch.files
                if self.pending_hunks(f)
            ],
        )
        return render_proposal(pending)


class ProposalStore:
    """Every proposal of this server session, by id."""

    def __init__(self) -> None:
        self._records: dict[str, ProposalRecord] = {}
        self._ids = itertools.count(1)

    def add(self, patch: Proposal, *, provider: str, action: str, title: str, root: str) -> ProposalRecord:
        """Keep a new proposal, giving it and each hunk an id unique in this session."""
        proposal_id = f"p{next(self._ids)}"
        numbering = itertools.count(1)
        for file in patch.files:
            file.hunks = [h.model_copy(update={"id": f"{proposal_id}-h{next(numbering)}"}) for h in file.hunks]
        record = ProposalRecord(id=proposal_id, patch=patch, provider=provider, action=action, title=title, root=root)
        record.hunk_states = {h.id: HunkState.PENDING for f in patch.files for h in f.hunks}
        self._records[proposal_id] = record
        return record

    def get(self, proposal_id: str) -> ProposalRecord:
        """The proposal with this id; PatchError naming it when there is none."""
        try:
            return self._records[proposal_id]
        except KeyError:
            raise PatchError(f"no proposal {proposal_id!r} (it may belong to an earlier server session)") from None

    def all(self) -> list[ProposalRecord]:
        """Every proposal, oldest first."""
        return list(self._records.values())

    def pending_in(self, path: Path) -> list[tuple[ProposalRecord, FileProposal, Hunk]]:
        """Pending hunks placed in the file at the absolute ``path``."""
        found: list[tuple[ProposalRecord, FileProposal, Hunk]] = []
        for record in self._records.values():
            if record.state not in (ProposalState.PENDING, ProposalState.PARTIAL):
                continue
            root = Path(record.root)
            for file in record.patch.files:
                if root / file.path == path:
                    found.extend((record, file, h) for h in record.pending_hunks(file))
        return found
