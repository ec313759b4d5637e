"""Sessions on disk: one JSON file per session (with its proposal's state), a folder per workspace.

The folder is under the user's state directory (``user_state_dir("claif-lsp")/sessions``, which honours
XDG_STATE_HOME), never the repository, and nothing a workspace sets can move it. Files are written atomically
(a temporary file renamed over the old one); each workspace keeps at most ``maxSessions`` of them, the least
recently saved going first, and a file past ``maxSessionBytes`` loses its oldest answers' text first. A file that
cannot be read, is not a session, or belongs to another folder is skipped with a log line.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from loguru import logger

from claif_lsp.core.sessions import Session, session_from_json, session_to_json
from claif_lsp.session_folders import sessions_directory, workspace_folder
from claif_lsp.settings import SessionSettings

FORMAT = 1
DROPPED_ANSWER = "(this answer's text was dropped to keep the session under maxSessionBytes)"


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class SessionFiles:
    """The session files under ``base``, a folder per workspace root."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base if base is not None else sessions_directory()

    def folder_for(self, root: str) -> Path:
        """The folder of one workspace's sessions."""
        return workspace_folder(self.base, root)

    def _path(self, session: Session) -> Path:
        return self.folder_for(session.root) / f"{session.id}.json"

    def write(self, session: Session, proposal: dict[str, Any] | None, limits: SessionSettings) -> bool:
        """Save the session and its proposal's state; False (logged) when it could not be written."""
        data = _encode(self._payload(session, proposal))
        if len(data) > limits.max_session_bytes:
            trimmed = self._trimmed(session, proposal, limits.max_session_bytes)
            if trimmed is None:
                logger.warning(
                    "session {}: not saved, it stays over maxSessionBytes ({:,}) without its answers' text",
                    session.id,
                    limits.max_session_bytes,
                )
                return False
            data = trimmed
        path = self._path(session)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as exc:
            logger.warning("session {}: cannot save it in {}: {}", session.id, path.parent, exc)
            return False
        self._evict(path.parent, keep=path, limit=limits.max_sessions)
        return True

    def _payload(self, session: Session, proposal: dict[str, Any] | None) -> dict[str, Any]:
        return {"v": FORMAT, "root": session.root, "session": session_to_json(session), "proposal": proposal}

    def _trimmed(self, session: Session, proposal: dict[str, Any] | None, limit: int) -> bytes | None:
        """The payload with the oldest answers' text dropped until it fits (the latest answer stays)."""
        payload = self._payload(session, proposal)
        turns = payload["session"]["turns"]
        for turn in turns[:-1]:
            turn["answer"] = DROPPED_ANSWER
            data = _encode(payload)
            if len(data) <= limit:
                return data
        return None

    def _evict(self, folder: Path, *, keep: Path, limit: int) -> None:
        try:
            files = [p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
            aged = sorted(((p.stat().st_mtime, p.name, p) for p in files), reverse=True)
        except OSError as exc:
            logger.debug("sessions: cannot list {}: {}", folder, exc)
            return
        for _, _, path in aged[limit:]:
            if path != keep:
                with contextlib.suppress(OSError):
                    path.unlink()
                logger.info("sessions: dropped {} (more than maxSessions={} in this workspace)", path.stem, limit)

    def remove(self, session: Session) -> None:
        """Delete the session's file, if any."""
        with contextlib.suppress(OSError):
            self._path(session).unlink()

    def load(self, root: str) -> list[tuple[Session, dict[str, Any] | None]]:
        """Every session kept for the workspace at ``root`` with its proposal's state, oldest first."""
        folder = self.folder_for(root)
        try:
            paths = sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
        except FileNotFoundError:
            return []
        except OSError as exc:
            logger.warning("sessions: cannot read {}: {}", folder, exc)
            return []
        found: list[tuple[Session, dict[str, Any] | None]] = []
        for path in paths:
            try:
                payload = json.loads(path.read_bytes())
                if not isinstance(payload, dict) or payload.get("v") != FORMAT:
                    raise ValueError("not a claif-lsp session file of this version")
                if payload.get("root") != root:
                    raise ValueError("it belongs to another workspace folder")
                session = session_from_json(payload.get("session"))
                if session.root != root or path.stem != session.id:
                    raise ValueError("its session names another folder or id")
                proposal = payload.get("proposal")
                found.append((session, proposal if isinstance(proposal, dict) else None))
            except (OSError, ValueError, TypeError, KeyError) as exc:
                logger.warning("sessions: skipped {}: {}", path, exc)
        found.sort(key=lambda item: item[0].updated)
        return found
