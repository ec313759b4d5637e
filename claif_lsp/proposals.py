"""Proposals the user has not decided on yet: their hunks, states and the bookkeeping of accept and reject.

A proposal wraps a resolved patch (:class:`claif_lsp.patches.ResolvedPatch`). Each file keeps the text its pending
hunks are placed on; accepting hunks moves that base text forward, and the hunks still pending are re-placed
by content on the new text, so they stay valid at their new positions. A hunk that no longer places turns
stale on its own; the others stay pending.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from claif_lsp.errors import ClaifError, PatchError
from claif_lsp.patches import FileChange, Hunk, ResolvedPatch, apply_hunks, reanchor, render_proposal


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
    APPLYING = "applying"
    """Its ``workspace/applyEdit`` is in flight; no other decision on it until the editor answers."""
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    STALE = "stale"
    """The user changed the lines it replaces: it cannot be placed any more, only dropped."""


UNDECIDED = (HunkState.PENDING, HunkState.APPLYING, HunkState.STALE)
OPEN = (HunkState.PENDING, HunkState.APPLYING)
"""Hunks still proposed: waiting for a decision or for the editor's answer."""


class HunksInFlightError(ClaifError):
    """A decision named hunks whose edit the editor has not answered yet."""


def stale_reason(exc: PatchError) -> str:
    """The one-line reason a re-anchoring failure gives, without the ``stale:`` prefix and the old lines."""
    first = str(exc).split("\n", 1)[0].removeprefix("stale: ")
    return first.rstrip(":")


def place_hunks(file: FileChange, hunk_ids: list[str], text: str) -> tuple[dict[str, Hunk], dict[str, str]]:
    """The hunks placed on ``text`` by content, and the reason of each that no longer places (each on its own)."""
    if not hunk_ids:
        return {}, {}
    try:
        return {h.id: h for h in reanchor(file, hunk_ids, text)}, {}
    except PatchError:
        pass  # one hunk failing must not take the others down: place each alone
    placed: dict[str, Hunk] = {}
    stale: dict[str, str] = {}
    for hunk_id in hunk_ids:
        try:
            [hunk] = reanchor(file, [hunk_id], text)
        except PatchError as exc:
            stale[hunk_id] = stale_reason(exc)
            continue
        placed[hunk_id] = hunk
    ordered = sorted(placed.values(), key=lambda h: (h.start_line, h.end_line))
    for before, after in itertools.pairwise(ordered):
        if after.start_line < before.end_line:
            reason = f"hunks {before.index} and {after.index} of {file.path} now overlap"
            stale[before.id] = stale[after.id] = reason
    return {k: v for k, v in placed.items() if k not in stale}, stale


@dataclass
class ProposalRecord:
    """A proposal with its provenance and per-hunk decisions."""

    id: str
    patch: ResolvedPatch
    provider: str
    action: str
    title: str
    root: str
    hunk_states: dict[str, HunkState] = field(default_factory=dict)
    hunk_reasons: dict[str, str] = field(default_factory=dict)
    """Why a hunk is stale, by hunk id."""
    state: ProposalState = ProposalState.PENDING
    reason: str | None = None
    preview_uri: str | None = None

    def ids_in(self, *states: HunkState) -> list[str]:
        """Ids of hunks in any of ``states``, in file order."""
        return [h.id for f in self.patch.files for h in f.hunks if self.hunk_states[h.id] in states]

    def pending_ids(self) -> list[str]:
        """Ids of hunks still waiting for a decision, in file order."""
        return self.ids_in(HunkState.PENDING)

    def where(self, hunk_id: str) -> tuple[FileChange, Hunk]:
        """The file and hunk of ``hunk_id``."""
        for file in self.patch.files:
            for hunk in file.hunks:
                if hunk.id == hunk_id:
                    return file, hunk
        raise PatchError(f"proposal {self.id} has no hunk {hunk_id}")

    def select(self, hunk_ids: Iterable[str] | None) -> list[str]:
        """The undecided hunks named (every undecided one when None), pending or stale.

        Unknown ids are a PatchError naming them; a hunk whose edit is in flight, HunksInFlightError.
        """
        undecided = self.ids_in(*UNDECIDED)
        if hunk_ids is None:
            named = undecided
        else:
            wanted = list(dict.fromkeys(hunk_ids))
            unknown = [h for h in wanted if h not in self.hunk_states]
            if unknown:
                raise PatchError(f"proposal {self.id} has no hunk {', '.join(unknown)}")
            named = [h for h in undecided if h in wanted]
        busy = [h for h in named if self.hunk_states[h] is HunkState.APPLYING]
        if busy:
            file, hunk = self.where(busy[0])
            raise HunksInFlightError(
                f"hunk {hunk.index} of {file.path} ({self.title}) is being applied; wait for the editor's answer"
            )
        return named

    def files_with(self, hunk_ids: Iterable[str]) -> list[tuple[FileChange, list[str]]]:
        """Files holding any of ``hunk_ids``, each with its selected ids."""
        wanted = set(hunk_ids)
        result = []
        for file in self.patch.files:
            ids = [h.id for h in file.hunks if h.id in wanted]
            if ids:
                result.append((file, ids))
        return result

    def pending_hunks(self, file: FileChange) -> list[Hunk]:
        """A file's hunks still pending."""
        return [h for h in file.hunks if self.hunk_states[h.id] is HunkState.PENDING]

    def open_hunks(self, file: FileChange) -> list[Hunk]:
        """A file's hunks still proposed: pending or being applied."""
        return [h for h in file.hunks if self.hunk_states[h.id] in OPEN]

    def proposed_text(self, file: FileChange) -> str | None:
        """The file's text with every open hunk applied (None for a deletion)."""
        if file.operation == "delete":
            return None
        return apply_hunks(file.old_text or "", self.open_hunks(file))

    def mark(self, hunk_ids: Iterable[str], state: HunkState) -> None:
        """Decide some hunks and update the proposal's state."""
        for hunk_id in hunk_ids:
            self.hunk_states[hunk_id] = state
            self.hunk_reasons.pop(hunk_id, None)
        self._settle()

    def mark_stale(self, reasons: dict[str, str]) -> None:
        """Hunks that can no longer be placed, each with its reason."""
        for hunk_id, reason in reasons.items():
            self.hunk_states[hunk_id] = HunkState.STALE
            self.hunk_reasons[hunk_id] = reason
        self._settle()

    def begin_applying(self, hunk_ids: Iterable[str]) -> None:
        """The hunks' edit was sent: no other decision on them until the editor answers."""
        self.mark(hunk_ids, HunkState.APPLYING)

    def back_to_pending(self, hunk_ids: Iterable[str]) -> None:
        """The editor did not apply the hunks' edit: those still in flight wait for a decision again."""
        self.mark([h for h in hunk_ids if self.hunk_states[h] is HunkState.APPLYING], HunkState.PENDING)

    def fail(self, state: ProposalState, reason: str) -> None:
        """Record why nothing was applied; ``discarded`` or ``failed`` only while nothing was accepted."""
        self.reason = reason
        if HunkState.ACCEPTED not in self.hunk_states.values():
            self.state = state

    def _settle(self) -> None:
        states = set(self.hunk_states.values())
        if states & set(OPEN):
            if states - set(OPEN):
                self.state = ProposalState.PARTIAL
            elif self.state not in (ProposalState.DISCARDED, ProposalState.FAILED):
                self.state = ProposalState.PENDING
        elif HunkState.STALE in states:
            self.state = ProposalState.STALE
        elif states == {HunkState.REJECTED}:
            self.state = ProposalState.REJECTED
        else:
            self.state = ProposalState.ACCEPTED

    def rebase(self, file: FileChange, text: str) -> dict[str, str]:
        """Make ``text`` the file's base and re-place its pending hunks on it by content.

        Hunks that no longer place turn stale alone; returns their reasons by hunk id.
        """
        placed, stale = place_hunks(file, [h.id for h in self.pending_hunks(file)], text)
        # Decided and stale hunks keep their old positions (for the record); pending ones move.
        file.hunks = [placed.get(h.id, h) for h in file.hunks]
        file.old_text = text
        self.mark_stale(stale)
        return stale

    def advance(self, file: FileChange, accepted: list[Hunk], new_text: str) -> dict[str, str]:
        """After ``accepted`` hunks landed, make ``new_text`` the file's base and re-place what is pending."""
        self.mark([h.id for h in accepted], HunkState.ACCEPTED)
        stale = self.rebase(file, new_text)
        if file.operation == "add":
            file.operation = "update"
        return stale

    def diff(self) -> str:
        """The unified diff of what is still proposed."""
        pending = ResolvedPatch(
            format=self.patch.format,
            files=[
                f.model_copy(update={"hunks": self.open_hunks(f), "new_text": self.proposed_text(f)})
                for f in self.patch.files
                if self.open_hunks(f)
            ],
        )
        return render_proposal(pending)


class ProposalStore:
    """Every proposal of this server session, by id."""

    def __init__(self) -> None:
        self._records: dict[str, ProposalRecord] = {}
        self._ids = itertools.count(1)

    def add(self, patch: ResolvedPatch, *, provider: str, action: str, title: str, root: str) -> ProposalRecord:
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

    def reviewable_in(self, path: Path) -> list[tuple[ProposalRecord, FileChange, Hunk]]:
        """Pending and stale hunks of the file at the absolute ``path`` (hunks being applied are not)."""
        found: list[tuple[ProposalRecord, FileChange, Hunk]] = []
        for record in self._records.values():
            if record.state not in (ProposalState.PENDING, ProposalState.PARTIAL, ProposalState.STALE):
                continue
            root = Path(record.root)
            for file in record.patch.files:
                if root / file.path == path:
                    found.extend(
                        (record, file, h)
                        for h in file.hunks
                        if record.hunk_states[h.id] in (HunkState.PENDING, HunkState.STALE)
                    )
        return found

    def applying_in(self, path: Path) -> ProposalRecord | None:
        """A proposal whose edit to the file at the absolute ``path`` is in flight, if any."""
        for record in self._records.values():
            root = Path(record.root)
            for file in record.patch.files:
                if root / file.path == path and any(record.hunk_states[h.id] is HunkState.APPLYING for h in file.hunks):
                    return record
        return None
