"""Reviewing proposals: show, accept, reject, a pasted patch, and presenting a new one as ``approval`` says.

Accepting re-reads each document. When the buffer changed since the proposal was made, the pending hunks
are re-placed by content; one that cannot be placed unambiguously turns ``stale`` on its own (never sent, so
a changed buffer is never overwritten) and the others go on. The edit carries the buffer version it was
computed for, so an editor that changed the buffer in the meantime refuses it too. While the editor has not
answered, the hunks are ``applying`` and every other decision on them, or edit to their files, is refused;
only an answer ``applied: true`` marks them accepted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from loguru import logger
from platformdirs import user_cache_dir

from claif_lsp.cache import ResponseCache
from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.core.files import current_text, snapshot_reader
from claif_lsp.core.keeping import keep, restore_kept
from claif_lsp.core.ports import Editor, EditOutcome
from claif_lsp.core.proposals import HunksInFlightError, HunkState, Proposal, ProposalState, Unplaced
from claif_lsp.core.repair import partial_note
from claif_lsp.core.sessions import Session
from claif_lsp.core.views import describe, name_hunks
from claif_lsp.errors import PatchError
from claif_lsp.lsp_edits import to_workspace_edit
from claif_lsp.patches import FileChange, Hunk, ResolvedPatch, apply_hunks, parse_answer, resolve_patch
from claif_lsp.protocol import models as wire
from claif_lsp.settings import PreviewMode
from claif_lsp.state import ServerState


@dataclass
class _Planned:
    """One file's part of an accept: the hunks sent and the text they were placed on."""

    file: FileChange
    hunks: list[Hunk]
    base: str


def _stale_message(stale: dict[str, str]) -> str:
    reasons = list(dict.fromkeys(stale.values()))
    return f"{'; '.join(reasons)}: drop {'it' if len(stale) == 1 else 'them'} with Reject"


def _hunk_list(proposal: Proposal, hunk_ids: list[str]) -> str:
    """``hunks 1, 2 of app.py`` for the log."""
    placed = (proposal.where(hunk_id) for hunk_id in hunk_ids)
    return name_hunks(((file.path, hunk.index) for file, hunk in placed), "; ") or "no hunks"


def _how_to_review(proposal: Proposal, diff: Path | None) -> str:
    """What a client that shows no document is told about a new proposal: what it changes and how to review it."""
    hunks = sum(len(f.hunks) for f in proposal.patch.files)
    files = ", ".join(f.path for f in proposal.patch.files)
    message = (
        f"Claif: {proposal.title}: {hunks} hunk{'s' * (hunks != 1)} in {files}. Review them with the code actions "
        f"at each hunk (Claif: Accept hunk / Reject hunk, Accept all of / Reject all of)"
    )
    if diff is not None:
        message += f"; the whole diff is in {diff}"
    return message + "."


class Review:
    """The review use cases of one editor session, over its proposals."""

    def __init__(self, state: ServerState, editor: Editor) -> None:
        self.state = state
        self.editor = editor
        self.proposals = state.proposals
        restore_kept(state, editor.documents)

    # Reading.

    def proposal(self, proposal_id: str) -> Proposal:
        """The proposal with this id; InvalidRequest when there is none."""
        try:
            return self.proposals.get(proposal_id)
        except PatchError as exc:
            raise InvalidRequest(str(exc)) from None

    def show(self, proposal_id: str) -> wire.Proposal:
        """The proposal as editor plugins see it."""
        return self.describe(self.proposal(proposal_id))

    def describe(self, proposal: Proposal) -> wire.Proposal:
        """The proposal as editor plugins see it, ranges in the client's encoding."""
        encoding = self.editor.capabilities.position_encoding
        return describe(proposal, encoding=encoding, uri_for=self.editor.documents.uri_for)

    def reviewable_at(self, uri: str) -> list[tuple[Proposal, FileChange, Hunk]]:
        """Pending and stale hunks in the document at ``uri`` (see each one's state in its proposal)."""
        path = self.editor.documents.path_for(uri)
        return self.proposals.reviewable_in(path) if path else []

    def follow(self, uri: str) -> list[str]:
        """Bring the proposals in the document at ``uri`` to its text now: pending hunks move with the edits
        above them, accepted hunks the user undid are pending again (each proposal told). Returns the reopened ids.

        Called when the editor asks where hunks are (code actions, lenses) and after the user's edits settle;
        a file whose edit is in flight is left alone (its text is changing under our own edit).
        """
        path = self.editor.documents.path_for(uri)
        if path is None or self.proposals.applying_in(path) is not None:
            return []
        reopened: list[str] = []
        for proposal, file in self.proposals.touching(path):
            text, _version = current_text(self.editor.documents, path)
            if text is None:
                continue
            undone = proposal.follow(file, text)
            if undone:
                indexes = ", ".join(str(proposal.where(h)[1].index) for h in undone)
                logger.info(
                    "proposal {}: hunk {} of {} undone in the editor, pending again", proposal.id, indexes, file.path
                )
                self.editor.user.proposals_changed(proposal)
                reopened += undone
        return reopened

    # Deciding.

    def decide(self, proposal_id: str, hunk_ids: list[str] | None) -> tuple[Proposal, list[str]]:
        """The proposal and the undecided (pending or stale) hunks a decision is about.

        RequestFailed when one of them is being applied: a second decision must not race the editor's answer.
        """
        proposal = self.proposal(proposal_id)
        try:
            return proposal, proposal.select(hunk_ids)
        except HunksInFlightError as exc:
            raise RequestFailed(f"Claif: {exc}") from None
        except PatchError as exc:
            raise InvalidRequest(str(exc)) from None

    def reject(self, proposal_id: str, hunk_ids: list[str] | None) -> wire.RejectResult:
        """Reject the whole proposal or some hunks."""
        proposal, selected = self.decide(proposal_id, hunk_ids)
        proposal.reject(selected)
        logger.info("proposal {}: rejected {} ({})", proposal.id, _hunk_list(proposal, selected), proposal.state.value)
        self.editor.user.proposals_changed(proposal)
        self._decided(proposal, "rejected", selected)
        return wire.RejectResult(proposal=self.describe(proposal))

    def _decided(self, proposal: Proposal, verdict: Literal["accepted", "rejected"], hunk_ids: list[str]) -> None:
        """Record the decision in the proposal's session and keep both; a wholly rejected answer leaves the cache."""
        session = self.state.sessions.get(proposal.session) if proposal.session else None
        if session is None:
            return
        session.decide(verdict, hunk_ids, proposal.revision)
        if proposal.state is ProposalState.REJECTED and session.cache_key:
            # Asking the same again must reach the model, never replay the answer the user threw away.
            settings = self.state.settings_for(self.editor.documents.uri_for(Path(proposal.root)))
            if ResponseCache(settings.cache).drop(session.cache_key):
                logger.info("proposal {}: rejected, its answer dropped from the response cache", proposal.id)
        keep(self.state, proposal)

    async def accept(self, proposal_id: str, hunk_ids: list[str] | None) -> wire.AcceptResult:
        """Send the selected hunks that still place to the editor as one workspace edit and record the outcome."""
        proposal, selected = self.decide(proposal_id, hunk_ids)
        return await self._accept(proposal, selected)

    async def _accept(self, proposal: Proposal, hunk_ids: list[str], *, confirm: bool = False) -> wire.AcceptResult:
        if not hunk_ids:
            return self._answer(proposal, applied=False, accepted=[], stale=[], reason="nothing pending to accept")
        busy = self._edit_in_flight(proposal, hunk_ids)
        if busy is not None:
            raise RequestFailed(f"Claif: {busy}; wait for the editor's answer")
        root = Path(proposal.root)
        caps = self.editor.capabilities
        stale = {
            h: proposal.hunk_reasons.get(h, "stale") for h in hunk_ids if proposal.hunk_states[h] is HunkState.STALE
        }
        plan: list[_Planned] = []
        views: list[FileChange] = []
        for file, ids in proposal.files_with(hunk_ids):
            text, version = current_text(self.editor.documents, root / file.path)
            stale.update(proposal.replace_on(file, text))
            hunks = [h for h in file.hunks if h.id in ids and proposal.hunk_states[h.id] is HunkState.PENDING]
            if not hunks:
                continue
            base = text if text is not None else ""
            plan.append(_Planned(file, hunks, base))
            views.append(file.model_copy(update={"hunks": hunks, "old_text": base, "version": version}))
        stale_ids = [h for h in proposal.ids_in(HunkState.STALE) if h in stale]
        stale_note = _stale_message({h: stale[h] for h in stale_ids}) if stale_ids else None
        if not plan:
            proposal.explain(stale_note or "nothing pending to accept")
            self.editor.user.proposals_changed(proposal)
            if stale_note:
                self._warn(proposal, stale_note)
            return self._answer(proposal, applied=False, accepted=[], stale=stale_ids, reason=proposal.reason)
        try:
            edit = to_workspace_edit(
                ResolvedPatch(format=proposal.patch.format, files=views),
                document_changes=caps.document_changes,
                resource_operations=caps.resource_operations,
                change_annotations=confirm and caps.change_annotations,
                encoding=caps.position_encoding,
                uri_for=lambda relative: self.editor.documents.uri_for(root / relative),
                label_for_hunk=lambda hunk: f"{proposal.title}: hunk {hunk.index}",
            )
        except PatchError as exc:
            proposal.fail(ProposalState.FAILED, str(exc))
            self.editor.user.proposals_changed(proposal)
            self._warn(proposal, str(exc))
            return self._answer(proposal, applied=False, accepted=[], stale=stale_ids, reason=str(exc))

        sent = [h.id for part in plan for h in part.hunks]
        proposal.begin_applying(sent)
        self.editor.user.proposals_changed(proposal)
        timeout = self.state.settings_for(self.editor.documents.uri_for(root)).apply_edit_timeout_seconds
        try:
            outcome = await self.editor.edits.apply(
                edit, proposal.title, timeout, lambda late: self._late_answer(proposal, sent, late)
            )
        finally:
            # Whatever happens to this request (cancelled at shutdown too), the hunks never stay in flight.
            proposal.back_to_pending(sent)
        if outcome.applied:
            for part in plan:
                # A deleted file has no text afterwards; only its hunks' states change.
                landed = part.base if part.file.operation == "delete" else apply_hunks(part.base, part.hunks)
                for hunk_id, reason in proposal.advance(part.file, part.hunks, landed).items():
                    stale[hunk_id] = reason
                    stale_ids.append(hunk_id)
            stale_note = _stale_message({h: stale[h] for h in stale_ids}) if stale_ids else None
            proposal.explain(stale_note)
            self.editor.user.proposals_changed(proposal)
            self._decided(proposal, "accepted", sent)
            if stale_note:
                self._warn(proposal, stale_note)
            return self._answer(proposal, applied=True, accepted=sent, stale=stale_ids, reason=stale_note)
        reason = outcome.reason or "the editor did not apply the edit"
        if outcome.applied is False:
            # The editor (or the user in it) refused: it says so itself.
            proposal.fail(ProposalState.DISCARDED, reason)
        else:
            reason = f"{reason}; nothing was marked accepted (check the file, then accept again)"
            proposal.explain(reason)
            self._warn(proposal, reason)
        self.editor.user.proposals_changed(proposal)
        return self._answer(proposal, applied=False, accepted=[], stale=stale_ids, reason=reason)

    def _late_answer(self, proposal: Proposal, sent: list[str], outcome: EditOutcome) -> None:
        """The editor answered after the wait ran out: an edit it applied after all is recorded, never sent again."""
        if not outcome.applied:
            return
        root = Path(proposal.root)
        texts = {
            file.path: current_text(self.editor.documents, root / file.path)[0]
            for file, _ids in proposal.files_with(sent)
        }
        if not proposal.applied_late(sent, texts):
            return
        self.editor.user.proposals_changed(proposal)
        self.editor.user.info(f"Claif: {proposal.title}: the editor applied the edit after all")

    def _edit_in_flight(self, proposal: Proposal, hunk_ids: list[str]) -> str | None:
        """Why these hunks cannot be sent now: an edit to one of their files is in flight (its text is changing)."""
        root = Path(proposal.root)
        for file, _ids in proposal.files_with(hunk_ids):
            busy = self.proposals.applying_in(root / file.path)
            if busy is not None:
                return f"an edit to {file.path} ({busy.title}) is being applied"
        return None

    def _answer(
        self, proposal: Proposal, *, applied: bool, accepted: list[str], stale: list[str], reason: str | None
    ) -> wire.AcceptResult:
        for hunk_id in stale:
            logger.info("proposal {}: hunk {} is stale: {}", proposal.id, hunk_id, proposal.hunk_reasons.get(hunk_id))
        if applied:
            logger.info(
                "proposal {}: accepted {} ({})", proposal.id, _hunk_list(proposal, accepted), proposal.state.value
            )
        else:
            logger.info("proposal {}: nothing accepted: {}", proposal.id, reason)
        return wire.AcceptResult(
            applied=applied, accepted=accepted, stale=stale, reason=reason, proposal=self.describe(proposal)
        )

    def _warn(self, proposal: Proposal, message: str) -> None:
        self.editor.user.warning(f"Claif: {proposal.title}: {message}")

    # New proposals.

    async def apply_patch(self, patch: str, root: str | None) -> wire.ApplyPatchResult:
        """Turn a pasted patch into a proposal."""
        folder = self._patch_root(root)
        try:
            resolved = resolve_patch(parse_answer(patch), folder, snapshot_reader(self.editor.documents, folder))
        except PatchError as exc:
            raise RequestFailed(str(exc)) from None
        proposal = await self.publish(resolved, provider="user", action="applyPatch", title="Pasted patch", root=folder)
        return wire.ApplyPatchResult(proposals=[proposal.id])

    def _patch_root(self, raw: str | None) -> Path:
        """The folder a pasted patch applies to: an absolute path or file URI inside a workspace folder."""
        if raw is None:
            root = self.state.root_for()
            if root is None:
                raise InvalidRequest("root is required when the workspace has no folder")
            return root
        path = self.editor.documents.path_for(raw) if "://" in raw else Path(raw)
        if path is None or not path.is_absolute():
            raise InvalidRequest(f"root must be an absolute path or a file URI, not {raw!r}")
        path = Path(os.path.realpath(path))
        folders = [Path(os.path.realpath(folder)) for folder in self.state.workspace_roots]
        if not any(path == folder or folder in path.parents for folder in folders):
            shown = ", ".join(str(folder) for folder in folders) or "none"
            raise InvalidRequest(f"root {path} is not inside a workspace folder (folders: {shown})")
        if not path.is_dir():
            raise InvalidRequest(f"root {path} is not a folder")
        return path

    async def publish(
        self,
        resolved: ResolvedPatch,
        *,
        provider: str,
        action: str,
        title: str,
        root: Path,
        session: Session | None = None,
        unplaced: Sequence[Unplaced] = (),
        show_answer: bool = True,
    ) -> Proposal:
        """Keep a new proposal (the first revision of ``session``'s conversation) and present it as the approval
        setting says; a partial answer (``unplaced`` hunks) is always left for review. ``show_answer`` False: the
        raw answer is not attached (it wrote into a file it may not touch)."""
        proposal = self.proposals.add(resolved, provider=provider, action=action, title=title, root=str(root))
        proposal.unplaced = list(unplaced)
        if session is not None:
            turn = session.turns[-1]
            proposal.session = session.id
            proposal.answer = turn.answer if show_answer else None
            proposal.usage = turn.usage if turn.usage.total_tokens else None
            proposal.cached = turn.cached
            session.proposal = proposal.id
            session.sent = {f.path: f.old_text for f in resolved.files}
            keep(self.state, proposal)
        await self.present(proposal)
        return proposal

    async def present(self, proposal: Proposal) -> None:
        """Present a new proposal or revision as the approval setting says (the preview rewritten)."""
        root = Path(proposal.root)
        settings = self.state.settings_for(self.editor.documents.uri_for(root))
        approval = settings.approval.value
        if proposal.unplaced and approval != "review":
            # Applying the part that placed would leave the change half made, and nobody chose which half.
            approval = "review"
            self.editor.user.warning(partial_note(proposal.title, proposal.unplaced))
        if approval == "confirm" and not self.editor.capabilities.change_annotations:
            # Without change annotations the editor would apply at once: the user asked to confirm, so review.
            approval = "review"
            self.editor.user.info(
                f"Claif: this editor cannot confirm each change (no change annotation support); "
                f"review {proposal.title} with the Accept/Reject actions instead"
            )
        if approval == "review":
            shown = False
            if settings.preview is PreviewMode.DOCUMENT:
                shown = await self._show_preview(proposal)
            self.editor.user.proposals_changed(proposal)
            if settings.preview is PreviewMode.DOCUMENT and not shown:
                uri = proposal.preview_uri
                diff = self.editor.documents.path_for(uri) if uri else None
                self.editor.user.info(_how_to_review(proposal, diff))
        else:
            busy = self._edit_in_flight(proposal, proposal.pending_ids())
            if busy is None:
                await self._accept(proposal, proposal.pending_ids(), confirm=approval == "confirm")
            else:
                self._warn(proposal, f"not applied, {busy}; review it with Accept")
                self.editor.user.proposals_changed(proposal)

    async def _show_preview(self, proposal: Proposal) -> bool:
        """Write the proposal's diff under the cache directory and ask the editor to show it; False when not shown."""
        previews = Path(user_cache_dir("claif-lsp")) / "previews"
        try:
            previews.mkdir(parents=True, exist_ok=True)
            path = previews / f"{proposal.id}-{abs(hash(proposal.root)) % 10_000}.diff"
            path.write_text(f"# {proposal.title} ({proposal.provider})\n{proposal.diff()}", encoding="utf-8")
        except OSError as exc:
            logger.warning("cannot write the preview of {}: {}", proposal.id, exc)
            return False
        proposal.previewed_at(self.editor.documents.uri_for(path))
        if self.editor.capabilities.show_document and proposal.preview_uri:
            return await self.editor.user.show_document(proposal.preview_uri)
        return False
