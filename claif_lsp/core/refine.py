"""Refine and retry: a next turn of a proposal's conversation, whose answer becomes the proposal's next revision.

A refine (or a fix again, when it names the diagnostic the accepted fix did not clear) sends the conversation so
far as ``ClaifOptions.history`` (and the provider's own session as ``resume``) with a small new user message
(:mod:`claif_lsp.followup_prompts`); a retry sends the first ask again as a fresh first turn, past the cache.
Both stream progress and cancel as an ask does (they run through :class:`~claif_lsp.core.ask.Ask`'s provider
call), and their answers place as an ask's do (repair turns, a partial revision), less the hunks already in
the files. Nothing of the proposal or its session changes before the answer is in and placed, so a cancelled or
failed turn leaves the previous revision exactly as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from claif_lsp.context import DiagnosticView, DocumentView
from claif_lsp.core.ask import Ask, AskOutcome, CacheUse, Target, one_error, outcome_tokens, refuse_broken_text
from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.core.files import current_text
from claif_lsp.core.keeping import keep
from claif_lsp.core.proposals import HunkState, Proposal
from claif_lsp.core.repair import as_unplaced
from claif_lsp.core.review import Review
from claif_lsp.core.sessions import Session, TurnKind
from claif_lsp.core.views import count_hunks
from claif_lsp.errors import ClaifError, PatchError
from claif_lsp.followup_prompts import ChangeNote, FileNow, anchor_of, fix_again_message, refine_message
from claif_lsp.privacy.refusal import refusal_reason
from claif_lsp.prompts import Prompt
from claif_lsp.protocol import models as wire
from claif_lsp.types import Message

SUGGESTED_FEEDBACK = (
    "Make it simpler",
    "Keep the existing behaviour",
    "Follow the file's style",
    "Handle the edge cases",
    "Smaller change",
)
"""Offered to pick from when a plain LSP client refines without feedback."""


@dataclass
class FollowUpRequest:
    """A refine (feedback on some hunks, or a diagnostic still there) or a retry of one proposal."""

    proposal: str
    feedback: str | None = None
    hunks: list[str] | None = None
    diagnostic: DiagnosticView | None = None
    request_id: str | None = None


class Conversation(Ask):
    """The next turn of a proposal's conversation, from the request to the proposal's next revision."""

    async def refine(self, request: FollowUpRequest) -> AskOutcome:
        """A refine, or a fix again when the request names a diagnostic; errors are ClaifErrors."""
        kind: TurnKind = "fix" if request.diagnostic is not None else "refine"
        proposal, session = self._conversation_of(request.proposal)
        with self._one_turn_at_a_time(proposal):
            work = self._refine(request, proposal, session, kind)
            return await self._supervised(work, request.request_id, session.uri, kind, session.provider)

    async def retry(self, request: FollowUpRequest) -> AskOutcome:
        """The proposal's ask again as a fresh first turn, never from the cache."""
        proposal, session = self._conversation_of(request.proposal)
        with self._one_turn_at_a_time(proposal):
            work = self._retry(request, proposal, session)
            return await self._supervised(work, request.request_id, session.uri, "retry", session.provider)

    @contextlib.contextmanager
    def _one_turn_at_a_time(self, proposal: Proposal) -> Iterator[None]:
        """Refuse a second turn while one is running: both would revise the same revision, one undoing the other."""
        if proposal.id in self.state.turns_running:
            raise RequestFailed(
                f"Claif: {proposal.title} is being refined or retried already; wait for it, or cancel it first"
            )
        self.state.turns_running.add(proposal.id)
        try:
            yield
        finally:
            self.state.turns_running.discard(proposal.id)

    def _conversation_of(self, proposal_id: str) -> tuple[Proposal, Session]:
        proposal = Review(self.state, self.editor).proposal(proposal_id)
        session = self.state.sessions.get(proposal.session) if proposal.session else None
        if session is None:
            raise InvalidRequest(
                f"proposal {proposal.id} ({proposal.title}) has no conversation to continue: only a model's answer "
                "can be refined or retried, not a pasted patch or one whose session was dropped"
            )
        if proposal.ids_in(HunkState.APPLYING):
            raise RequestFailed(f"Claif: an edit of {proposal.title} is being applied; wait for the editor's answer")
        return proposal, session

    async def _refine(
        self, request: FollowUpRequest, proposal: Proposal, session: Session, kind: TurnKind
    ) -> AskOutcome:
        await self.state.wait_for_settings()
        narrowed = self._narrowed(proposal, request.hunks)
        feedback = request.feedback
        if kind == "refine" and not (feedback and feedback.strip()):
            feedback = await self.editor.user.choose(
                f"Claif: what should change in {proposal.title}?", list(SUGGESTED_FEEDBACK)
            )
            if feedback is None:
                self.summary = "no feedback chosen"
                return wire.AskCancelledResult(proposals=[], cancelled=True)
        target = self._target_of(session)
        message = self.followup_message(proposal, session, target, feedback, narrowed, request.diagnostic)
        refuse_broken_text("the feedback (or its diagnostic)", message)
        prompt = Prompt(system=session.system, user=message, expects_patch=True)
        said = feedback if kind == "refine" else (request.diagnostic.describe() if request.diagnostic else None)
        return await self._next_revision(
            proposal, session, target, prompt, kind, said, history=session.history(), resume=session.provider_session()
        )

    async def _retry(self, request: FollowUpRequest, proposal: Proposal, session: Session) -> AskOutcome:
        await self.state.wait_for_settings()
        first = next((t for t in session.turns if t.kind == "ask"), None)
        if first is None:
            raise InvalidRequest(f"proposal {proposal.id}: its session kept no ask to send again")
        target = self._target_of(session)
        prompt = Prompt(system=session.system, user=first.prompt, expects_patch=True)
        return await self._next_revision(proposal, session, target, prompt, "retry", None, cache="write")

    def _narrowed(self, proposal: Proposal, hunk_ids: list[str] | None) -> list[str]:
        if not hunk_ids:
            return []
        unknown = [h for h in hunk_ids if h not in proposal.hunk_states]
        if unknown:
            raise InvalidRequest(f"proposal {proposal.id} has no hunk {', '.join(unknown)}")
        return list(dict.fromkeys(hunk_ids))

    def _target_of(self, session: Session) -> Target:
        root = Path(session.root)
        path = self.editor.documents.path_for(session.uri)
        try:
            document = self.editor.documents.document(session.uri)
        except OSError:
            # The file asked about is gone: the conversation goes on about the files it touched.
            document = DocumentView(uri=session.uri, path=path, text="")
        return Target(document=document, path=path, root=root, settings=self.state.settings_for(session.uri))

    def followup_message(
        self,
        proposal: Proposal,
        session: Session,
        target: Target,
        feedback: str | None,
        narrowed: list[str],
        diagnostic: DiagnosticView | None,
    ) -> str:
        """The refine (or fix again) user message: feedback, each change's fate, the touched files now."""
        changes: list[ChangeNote] = []
        chosen: list[ChangeNote] = []
        for file in proposal.patch.files:
            for hunk in file.hunks:
                state = proposal.hunk_states[hunk.id].value
                note = ChangeNote(file.path, anchor_of(hunk.old_lines, hunk.new_lines), state)
                changes.append(note)
                if hunk.id in narrowed:
                    chosen.append(note)
        files = [self._file_now(session, target, file.path) for file in proposal.patch.files]
        if diagnostic is not None:
            return fix_again_message(diagnostic, feedback, changes, files)
        return refine_message(feedback or "", changes, chosen, files)

    def _file_now(self, session: Session, target: Target, relative: str) -> FileNow:
        text, _version = current_text(self.editor.documents, target.root / relative)
        first = session.sent.get(relative)
        if text is not None and refusal_reason(
            target.root / relative, target.root, text, target.settings.context.exclude
        ):
            # The settings changed since the first turn: nothing of this file leaves the machine now.
            return FileNow(relative, first, first)
        return FileNow(relative, first, text)

    async def _next_revision(
        self,
        proposal: Proposal,
        session: Session,
        target: Target,
        prompt: Prompt,
        kind: TurnKind,
        said: str | None,
        *,
        history: list[Message] | None = None,
        resume: str | None = None,
        cache: CacheUse = "off",
    ) -> AskOutcome:
        name = session.provider
        self.provider_names = [name]
        if name not in self.providers.names():
            raise InvalidRequest(f"provider {name!r} of {proposal.title} is not installed any more")
        display = self.providers.display_name(name)
        begin = f"{display}: {kind} {proposal.id} (revision {proposal.revision + 1})"
        self.progress = progress = await self.starter.begin("Claif", begin)
        [item] = await self._ask_providers(
            [name], prompt, target, proposal.action, progress, history=history, resume=resume, cache=cache
        )
        if isinstance(item, ClaifError):
            raise one_error([item])
        first = item
        try:
            # The same placement as an ask's (repair turns, a partial answer); what the user accepted since the
            # first turn comes back in a retried answer and is left out, as it is in the file already.
            item, placement, refusals, repairs = await self._placed(
                item, target, proposal.action, progress, prompt, history=history or (), skip_applied=True
            )
        except ClaifError as exc:
            exc.provider = exc.provider or item.provider
            raise
        errors: list[ClaifError] = [PatchError(message, provider=item.provider) for message in refusals]
        for message in refusals:
            self.editor.user.warning(message)
        if placement is None:
            raise one_error(errors)
        resolved = placement.resolved
        unplaced = [as_unplaced(u) for u in placement.unplaced]
        # The answer is in and placed: from here on the proposal moves to its next revision.
        total = sum((a.usage for _, a in repairs), first.usage)
        new_ids = proposal.revise(
            resolved,
            answer=None if refusals else item.text,
            usage=total if total.total_tokens else None,
            cached=first.cached,
            unplaced=unplaced,
        )
        for file in resolved.files:
            session.sent.setdefault(file.path, file.old_text)
        session.add_answer(kind, prompt.user, first, feedback=said)
        for message, repaired in repairs:
            session.add_answer("repair", message, repaired, feedback=message)
        keep(self.state, proposal)
        await Review(self.state, self.editor).present(proposal)
        hunks, files = len(new_ids), len(resolved.files)
        summary = f"revision {proposal.revision}: {count_hunks(hunks, files, len(unplaced))}"
        spent = dataclasses.replace(item, usage=total, cached=first.cached)
        self.summary = f"{proposal.id} {summary}, {outcome_tokens([spent])}"
        progress.end(f"{summary}, {outcome_tokens([spent])}, {progress.elapsed():.1f} s")
        return wire.AskEditResult(proposals=[proposal.id], errors=[str(e) for e in errors])
