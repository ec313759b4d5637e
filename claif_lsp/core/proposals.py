"""Proposals and the one place their state changes: every hunk state, reason, base text and preview.

A :class:`Proposal` wraps a resolved patch (:class:`claif_lsp.patches.ResolvedPatch`). Each file keeps the text
its pending hunks are placed on; accepting hunks moves that base text forward, and the hunks still pending are
re-placed by content on the new text, so they stay valid at their new positions. A hunk that no longer places
turns stale on its own; the others stay pending.

Each change is a named transition method here and nothing else writes the fields, so the proposal's own state
always follows from its hunks (:meth:`Proposal._settle`). A later transition (a refine superseding a proposal by
a new revision) is one more method and one more state, settled the same way.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from claif_lsp.errors import ClaifError, PatchError
from claif_lsp.patches import FileChange, Hunk, ResolvedPatch, apply_hunks, reanchor, render_proposal
from claif_lsp.patches.lines import split_lines
from claif_lsp.types import Usage


@dataclass(frozen=True)
class Unplaced:
    """A hunk of an answer that could not be placed, and why."""

    path: str
    hunk: int
    reason: str
    expected: str


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


def _contains(lines: list[str], run: list[str]) -> bool:
    """True when ``run`` appears as consecutive lines of ``lines``."""
    k = len(run)
    return any(lines[i : i + k] == run for i in range(len(lines) - k + 1))


def is_undone(hunk: Hunk, lines: list[str]) -> bool:
    """True when ``lines`` hold the hunk's old lines between its context again, and no longer its new ones."""
    before, after = hunk.context_before, hunk.context_after
    return _contains(lines, [*before, *hunk.old_lines, *after]) and not _contains(
        lines, [*before, *hunk.new_lines, *after]
    )


class Proposal:
    """A proposed change with its provenance and per-hunk decisions; its methods are its only transitions."""

    def __init__(self, *, id: str, patch: ResolvedPatch, provider: str, action: str, title: str, root: str) -> None:
        self.id = id
        self.patch = patch
        self.provider = provider
        self.action = action
        self.title = title
        self.root = root
        self._hunk_states = {h.id: HunkState.PENDING for f in patch.files for h in f.hunks}
        self._hunk_reasons: dict[str, str] = {}
        self._state = ProposalState.PENDING
        self._reason: str | None = None
        self._preview_uri: str | None = None
        # The conversation's side of it; the sessions work fills these in.
        self.session: str | None = None
        self.revision = 1
        self.cached = False
        self.restored = False
        self.answer: str | None = None
        self.usage: Usage | None = None
        self.unplaced: list[Unplaced] = []

    # What it is now (read only).

    @property
    def state(self) -> ProposalState:
        """Where the proposal stands, following from its hunks."""
        return self._state

    @property
    def reason(self) -> str | None:
        """Why the last decision did less than asked (stale hunks, a refused or unanswered edit)."""
        return self._reason

    @property
    def preview_uri(self) -> str | None:
        """The diff document shown for review, once written."""
        return self._preview_uri

    @property
    def hunk_states(self) -> Mapping[str, HunkState]:
        """Each hunk's state by id."""
        return MappingProxyType(self._hunk_states)

    @property
    def hunk_reasons(self) -> Mapping[str, str]:
        """Why a hunk is stale, by hunk id."""
        return MappingProxyType(self._hunk_reasons)

    def ids_in(self, *states: HunkState) -> list[str]:
        """Ids of hunks in any of ``states``, in file order."""
        return [h.id for f in self.patch.files for h in f.hunks if self._hunk_states[h.id] in states]

    def is_stale(self, hunk_id: str) -> bool:
        """True when the hunk no longer places and can only be dropped."""
        return self._hunk_states[hunk_id] is HunkState.STALE

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
            unknown = [h for h in wanted if h not in self._hunk_states]
            if unknown:
                raise PatchError(f"proposal {self.id} has no hunk {', '.join(unknown)}")
            named = [h for h in undecided if h in wanted]
        busy = [h for h in named if self._hunk_states[h] is HunkState.APPLYING]
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
        return [h for h in file.hunks if self._hunk_states[h.id] is HunkState.PENDING]

    def open_hunks(self, file: FileChange) -> list[Hunk]:
        """A file's hunks still proposed: pending or being applied."""
        return [h for h in file.hunks if self._hunk_states[h.id] in OPEN]

    def proposed_text(self, file: FileChange) -> str | None:
        """The file's text with every open hunk applied (None for a deletion)."""
        if file.operation == "delete":
            return None
        return apply_hunks(file.old_text or "", self.open_hunks(file))

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

    # Transitions.

    def replace_on(self, file: FileChange, text: str | None) -> dict[str, str]:
        """Re-place the file's pending hunks on its current ``text`` (None: it does not exist); returns the reasons
        of those that turned stale."""
        pending = [h.id for h in self.pending_hunks(file)]
        if file.operation == "add":
            if text is not None and text != (file.old_text or ""):
                reasons = {h: f"{file.path} was created since the proposal was made" for h in pending}
                self.mark_stale(reasons)
                return reasons
            return {}
        if text is None:
            reasons = {h: f"{file.path} no longer exists" for h in pending}
            self.mark_stale(reasons)
            return reasons
        if text == file.old_text:
            return {}
        # The buffer moved on; the proposal now describes this text.
        return self.rebase(file, text)

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

    def mark_stale(self, reasons: Mapping[str, str]) -> None:
        """Hunks that can no longer be placed, each with its reason."""
        for hunk_id, reason in reasons.items():
            self._hunk_states[hunk_id] = HunkState.STALE
            self._hunk_reasons[hunk_id] = reason
        self._settle()

    def begin_applying(self, hunk_ids: Iterable[str]) -> None:
        """The hunks' edit was sent: no other decision on them until the editor answers."""
        self._mark(hunk_ids, HunkState.APPLYING)

    def back_to_pending(self, hunk_ids: Iterable[str]) -> None:
        """The editor did not apply the hunks' edit: those still in flight wait for a decision again."""
        self._mark([h for h in hunk_ids if self._hunk_states[h] is HunkState.APPLYING], HunkState.PENDING)

    def advance(self, file: FileChange, accepted: list[Hunk], new_text: str) -> dict[str, str]:
        """After ``accepted`` hunks landed, make ``new_text`` the file's base and re-place what is pending."""
        self._mark([h.id for h in accepted], HunkState.ACCEPTED)
        if file.operation == "delete":
            return {}
        stale = self.rebase(file, new_text)
        if file.operation == "add":
            file.operation = "update"
        return stale

    def follow(self, file: FileChange, text: str) -> list[str]:
        """Move the file's pending hunks onto ``text``, reopening the accepted hunks the user undid there; returns
        the reopened ids.

        Only when every one of them places: while a pending hunk's lines are being edited nothing moves, and
        whether it is stale is decided when it is accepted, so a half-typed line never loses a hunk for good.
        """
        if file.operation != "update" or text == file.old_text:
            return []
        lines = split_lines(text).lines
        undone = [h.id for h in file.hunks if self._hunk_states[h.id] is HunkState.ACCEPTED and is_undone(h, lines)]
        moving = [h.id for h in self.pending_hunks(file)] + undone
        if not moving:
            return []
        placed, unplaced = place_hunks(file, moving, text)
        if unplaced:
            return []
        file.hunks = [placed.get(h.id, h) for h in file.hunks]
        file.old_text = text
        if undone:
            self._mark(undone, HunkState.PENDING)
            self._reason = None
        return undone

    def applied_late(self, hunk_ids: list[str], texts: Mapping[str, str | None]) -> bool:
        """The editor applied an edit after we stopped waiting: accept its hunks and re-place the rest on
        ``texts`` (each file's text now, by path); False when they were decided otherwise meanwhile."""
        if any(self._hunk_states[h] is not HunkState.PENDING for h in hunk_ids):
            return False
        self._mark(hunk_ids, HunkState.ACCEPTED)
        for file, _ids in self.files_with(hunk_ids):
            text = texts.get(file.path)
            if text is not None and file.operation != "delete":
                self.rebase(file, text)
        self._reason = None
        return True

    def reject(self, hunk_ids: Iterable[str]) -> None:
        """Hunks the user does not want (stale ones are dropped this way too)."""
        self._mark(hunk_ids, HunkState.REJECTED)

    def fail(self, state: ProposalState, reason: str) -> None:
        """Record why nothing was applied; ``discarded`` or ``failed`` only while nothing was accepted."""
        self._reason = reason
        if HunkState.ACCEPTED not in self._hunk_states.values():
            self._state = state

    def explain(self, reason: str | None) -> None:
        """Say why the last decision did less than asked (None: it did everything)."""
        self._reason = reason

    def previewed_at(self, uri: str) -> None:
        """The diff was written to ``uri`` for review."""
        self._preview_uri = uri

    def revise(
        self,
        patch: ResolvedPatch,
        *,
        answer: str | None,
        usage: Usage | None,
        cached: bool = False,
        unplaced: list[Unplaced] | None = None,
    ) -> list[str]:
        """The next revision: ``patch`` (placed on the files' current text) replaces every undecided hunk; the
        accepted and rejected ones stay for the record. Returns the new hunks' ids, which continue the numbering.

        HunksInFlightError while an edit of this proposal is in flight.
        """
        if HunkState.APPLYING in self._hunk_states.values():
            raise HunksInFlightError(f"an edit of {self.title} is being applied; wait for the editor's answer")
        numbering = itertools.count(self._last_hunk_number() + 1)
        by_path = {f.path: f for f in patch.files}
        files: list[FileChange] = []
        new_ids: list[str] = []
        for old in self.patch.files:
            kept = [h for h in old.hunks if self._hunk_states[h.id] in (HunkState.ACCEPTED, HunkState.REJECTED)]
            for hunk in old.hunks:
                if hunk not in kept:
                    del self._hunk_states[hunk.id]
                    self._hunk_reasons.pop(hunk.id, None)
            new = by_path.pop(old.path, None)
            if new is None:
                if kept:
                    old.hunks = kept
                    files.append(old)
                continue
            fresh = self._numbered(new.hunks, numbering, start_index=len(kept) + 1)
            new_ids += [h.id for h in fresh]
            new.hunks = kept + fresh
            files.append(new)
        for new in by_path.values():
            new.hunks = self._numbered(new.hunks, numbering, start_index=1)
            new_ids += [h.id for h in new.hunks]
            files.append(new)
        self.patch = ResolvedPatch(format=patch.format, files=files)
        for hunk_id in new_ids:
            self._hunk_states[hunk_id] = HunkState.PENDING
        self.revision += 1
        self.answer, self.usage, self.cached = answer, usage, cached
        self.unplaced = list(unplaced or [])
        self._reason = None
        self._state = ProposalState.PENDING  # a failed or discarded revision does not carry over to this one
        self._settle()
        return new_ids

    def _last_hunk_number(self) -> int:
        numbers = [int(h.rsplit("-h", 1)[1]) for h in self._hunk_states if h.rsplit("-h", 1)[-1].isdigit()]
        return max(numbers, default=0)

    def _numbered(self, hunks: list[Hunk], numbering: Iterator[int], *, start_index: int) -> list[Hunk]:
        return [
            h.model_copy(update={"id": f"{self.id}-h{next(numbering)}", "index": start_index + i})
            for i, h in enumerate(hunks)
        ]

    def discard(self, reason: str) -> None:
        """Nothing more is proposed (its session was dropped): what is undecided is dropped as rejected."""
        self._mark(self.ids_in(*UNDECIDED), HunkState.REJECTED)
        self._state = ProposalState.DISCARDED
        self._reason = reason

    def _mark(self, hunk_ids: Iterable[str], state: HunkState) -> None:
        for hunk_id in hunk_ids:
            self._hunk_states[hunk_id] = state
            self._hunk_reasons.pop(hunk_id, None)
        self._settle()

    def _settle(self) -> None:
        states = set(self._hunk_states.values())
        if states & set(OPEN):
            if states - set(OPEN):
                self._state = ProposalState.PARTIAL
            elif self._state not in (ProposalState.DISCARDED, ProposalState.FAILED):
                self._state = ProposalState.PENDING
        elif HunkState.STALE in states:
            self._state = ProposalState.STALE
        elif states == {HunkState.REJECTED}:
            self._state = ProposalState.REJECTED
        else:
            self._state = ProposalState.ACCEPTED

    # Kept with its session across server restarts.

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to take the proposal back after a restart, as plain JSON values."""
        return {
            "id": self.id,
            "provider": self.provider,
            "action": self.action,
            "title": self.title,
            "root": self.root,
            "format": self.patch.format,
            "files": [_file_to_json(f) for f in self.patch.files],
            # An edit in flight is lost with the server: its hunks wait for a decision again.
            "hunk_states": {
                h: (HunkState.PENDING if s is HunkState.APPLYING else s).value for h, s in self._hunk_states.items()
            },
            "hunk_reasons": dict(self._hunk_reasons),
            "state": self._state.value,
            "reason": self._reason,
            "session": self.session,
            "revision": self.revision,
            "cached": self.cached,
            "answer": self.answer,
            "usage": self.usage.model_dump() if self.usage else None,
            "unplaced": [vars(u) for u in self.unplaced],
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> Proposal:
        """The proposal :meth:`snapshot` described, marked restored; ValueError, TypeError or KeyError when
        ``data`` is not one."""
        files = [_file_from_json(f) for f in data["files"]]
        patch = ResolvedPatch(format=data["format"], files=files)
        proposal = cls(
            id=str(data["id"]),
            patch=patch,
            provider=str(data["provider"]),
            action=str(data["action"]),
            title=str(data["title"]),
            root=str(data["root"]),
        )
        states = {str(k): HunkState(v) for k, v in data["hunk_states"].items()}
        if set(states) != set(proposal._hunk_states):
            raise ValueError(f"proposal {proposal.id}: its hunk states do not match its hunks")
        proposal._hunk_states = states
        proposal._hunk_reasons = {str(k): str(v) for k, v in (data.get("hunk_reasons") or {}).items()}
        proposal._state = ProposalState(data["state"])
        proposal._reason = data.get("reason")
        proposal.session = data.get("session")
        proposal.revision = int(data.get("revision", 1))
        proposal.cached = bool(data.get("cached", False))
        proposal.answer = data.get("answer")
        proposal.usage = Usage.model_validate(data["usage"]) if data.get("usage") else None
        proposal.unplaced = [Unplaced(**u) for u in data.get("unplaced") or []]
        proposal.restored = True
        return proposal


def _fields(value: FileChange | Hunk) -> dict[str, Any]:
    """A patch dataclass's own fields (not its caches), as the snapshot keeps them."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}


def _file_to_json(file: FileChange) -> dict[str, Any]:
    return {**_fields(file), "hunks": [_fields(h) for h in file.hunks]}


def _file_from_json(data: Mapping[str, Any]) -> FileChange:
    if data["operation"] not in ("add", "update", "delete", "move"):
        raise ValueError(f"not a file operation: {data['operation']!r}")
    hunks = [Hunk(**h) for h in data["hunks"]]
    for hunk in hunks:
        if not all(isinstance(line, str) for line in [*hunk.old_lines, *hunk.new_lines]):
            raise ValueError(f"hunk {hunk.id}: its lines are not text")
    return FileChange(
        operation=data["operation"],
        path=str(data["path"]),
        new_path=data.get("new_path"),
        old_text=data.get("old_text"),
        new_text=data.get("new_text"),
        version=data.get("version"),
        replaced_text=data.get("replaced_text"),
        hunks=hunks,
    )


class ProposalStore:
    """Every proposal of this server session, by id."""

    def __init__(self) -> None:
        self._proposals: dict[str, Proposal] = {}
        self._next = 1

    def add(self, patch: ResolvedPatch, *, provider: str, action: str, title: str, root: str) -> Proposal:
        """Keep a new proposal, giving it and each hunk an id unique in this session."""
        while f"p{self._next}" in self._proposals:
            self._next += 1
        proposal_id = f"p{self._next}"
        self._next += 1
        numbering = itertools.count(1)
        for file in patch.files:
            file.hunks = [h.model_copy(update={"id": f"{proposal_id}-h{next(numbering)}"}) for h in file.hunks]
        proposal = Proposal(id=proposal_id, patch=patch, provider=provider, action=action, title=title, root=root)
        self._proposals[proposal_id] = proposal
        return proposal

    def restore(self, proposal: Proposal) -> bool:
        """Take back a proposal kept by an earlier server; new ids count past it. False when its id is taken."""
        if proposal.id in self._proposals:
            return False
        self._proposals[proposal.id] = proposal
        number = proposal.id.removeprefix("p")
        if number.isdigit():
            self._next = max(self._next, int(number) + 1)
        return True

    def get(self, proposal_id: str) -> Proposal:
        """The proposal with this id; PatchError naming it when there is none."""
        try:
            return self._proposals[proposal_id]
        except KeyError:
            raise PatchError(f"no proposal {proposal_id!r} (it may belong to an earlier server session)") from None

    def reviewable_in(self, path: Path) -> list[tuple[Proposal, FileChange, Hunk]]:
        """Pending and stale hunks of the file at the absolute ``path`` (hunks being applied are not)."""
        found: list[tuple[Proposal, FileChange, Hunk]] = []
        for proposal in self._proposals.values():
            if proposal.state not in (ProposalState.PENDING, ProposalState.PARTIAL, ProposalState.STALE):
                continue
            root = Path(proposal.root)
            for file in proposal.patch.files:
                if root / file.path == path:
                    found.extend(
                        (proposal, file, h)
                        for h in file.hunks
                        if proposal.hunk_states[h.id] in (HunkState.PENDING, HunkState.STALE)
                    )
        return found

    def touching(self, path: Path) -> list[tuple[Proposal, FileChange]]:
        """Every proposal with open or accepted hunks in the file at the absolute ``path``, with that file."""
        found: list[tuple[Proposal, FileChange]] = []
        for proposal in self._proposals.values():
            root = Path(proposal.root)
            for file in proposal.patch.files:
                if root / file.path == path and any(
                    proposal.hunk_states[h.id] in (HunkState.PENDING, HunkState.ACCEPTED) for h in file.hunks
                ):
                    found.append((proposal, file))
        return found

    def applying_in(self, path: Path) -> Proposal | None:
        """A proposal whose edit to the file at the absolute ``path`` is in flight, if any."""
        for proposal in self._proposals.values():
            root = Path(proposal.root)
            for file in proposal.patch.files:
                if root / file.path == path and any(
                    proposal.hunk_states[h.id] is HunkState.APPLYING for h in file.hunks
                ):
                    return proposal
        return None
