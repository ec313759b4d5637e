"""Keeping conversations across server restarts: each session saved with its proposal's state, and taken back
on first use after a restart.

A restored proposal is re-placed by content on each file's text now (as accept does), so its hunks stay pending
where the text still matches and turn stale where it does not.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from claif_lsp.core.files import current_text
from claif_lsp.core.fix_again import FixRecord
from claif_lsp.core.ports import Documents
from claif_lsp.core.proposals import Proposal
from claif_lsp.core.sessions import Session
from claif_lsp.state import ServerState


def keep(state: ServerState, proposal: Proposal) -> None:
    """Save the proposal's session (if it has one) with the proposal's state as it is now."""
    session = state.sessions.get(proposal.session) if proposal.session else None
    if session is None:
        return
    settings = state.settings_for(Path(proposal.root).as_uri())
    state.sessions.save(session, proposal.snapshot(), settings.sessions)


def restore_kept(state: ServerState, documents: Documents) -> None:
    """Take back, once per server, the sessions and proposals kept for each workspace folder."""
    if state.restored or not state.workspace_roots:
        return
    state.restored = True
    files = state.sessions.files
    if files is None:
        return
    count = 0
    for root in state.workspace_roots:
        for session, snapshot in files.load(str(root)):
            if not state.sessions.restore(session):
                logger.warning("sessions: skipped {} of {}: its id is taken by another folder's", session.id, root)
                continue
            if snapshot is None:
                continue
            try:
                proposal = Proposal.from_snapshot(snapshot)
            except (ValueError, TypeError, KeyError) as exc:
                logger.warning("sessions: {} kept a proposal that cannot be read back: {}", session.id, exc)
                continue
            if not state.proposals.restore(proposal):
                logger.warning("sessions: skipped proposal {} of {}: its id is taken", proposal.id, session.id)
                continue
            _replace(proposal, documents)
            _restore_fix(state, session, proposal.id)
            count += 1
    if count:
        logger.info("sessions: restored {} proposal{} from an earlier server", count, "s" * (count != 1))


def _restore_fix(state: ServerState, session: Session, proposal_id: str) -> None:
    """Track the fix the session kept, so "fix again" is offered as before the restart."""
    if session.fix is None:
        return
    try:
        state.fixes.keep(proposal_id, FixRecord.from_json(session.fix))
    except (ValueError, TypeError, KeyError) as exc:
        logger.warning("sessions: {} kept a fix record that cannot be read back: {}", session.id, exc)


def _replace(proposal: Proposal, documents: Documents) -> None:
    """Re-place the pending hunks on each file's text now; what no longer places turns stale."""
    root = Path(proposal.root)
    for file in proposal.patch.files:
        text, _version = current_text(documents, root / file.path)
        proposal.replace_on(file, text)
