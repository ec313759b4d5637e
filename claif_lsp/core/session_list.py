"""Listing and dropping conversations: ``claif.sessions`` and ``claif.dropSession``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from loguru import logger

from claif_lsp.core.errors import InvalidRequest
from claif_lsp.core.keeping import restore_kept
from claif_lsp.core.ports import Editor
from claif_lsp.core.proposals import Proposal
from claif_lsp.core.sessions import Session
from claif_lsp.errors import PatchError
from claif_lsp.protocol import models as wire
from claif_lsp.state import ServerState


def iso_utc(timestamp: float) -> str:
    """``2026-12-01T15:30:00Z``."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _holds(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


class Sessions:
    """The conversations of this server (and those kept for its workspace folders)."""

    def __init__(self, state: ServerState, editor: Editor) -> None:
        self.state = state
        self.editor = editor
        restore_kept(state, editor.documents)

    def list(self, uri: str | None = None) -> wire.SessionsResult:
        """Every session newest first; with ``uri``, those of the workspace folder holding it."""
        path = self.editor.documents.path_for(uri) if uri else None
        found = [s for s in self.state.sessions if uri is None or (path is not None and _holds(Path(s.root), path))]
        return wire.SessionsResult(sessions=[self.summary(s) for s in found])

    def _proposal(self, session: Session) -> Proposal | None:
        try:
            return self.state.proposals.get(session.proposal) if session.proposal else None
        except PatchError:
            return None

    def summary(self, session: Session) -> wire.SessionSummary:
        """The session as ``claif.sessions`` lists it."""
        return wire.SessionSummary(
            id=session.id,
            uri=session.uri,
            title=session.title,
            provider=session.provider,
            action=session.action,
            created=iso_utc(session.created),
            updated=iso_utc(session.updated),
            turns=len(session.turns),
            proposals=[session.proposal] if session.proposal else [],
            usage=wire.Usage(**session.usage().model_dump()),
        )

    def drop(self, session_id: str) -> wire.DropSessionResult:
        """Forget a session (on disk too); its proposal is discarded and the editor told."""
        session = self.state.sessions.drop(session_id)
        if session is None:
            raise InvalidRequest(f"no session {session_id!r} (claif.sessions lists them)")
        dropped: list[str] = []
        proposal = self._proposal(session)
        if proposal is not None:
            proposal.discard(f"its session {session_id} was dropped")
            self.editor.user.proposals_changed(proposal)
            dropped.append(proposal.id)
        logger.info("session {}: dropped ({})", session_id, ", ".join(dropped) or "no proposal")
        return wire.DropSessionResult(dropped=session_id, proposals=dropped)
