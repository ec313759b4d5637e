"""Where sessions are kept: a folder per workspace under the user's state directory (light enough to check at
start-up whether an earlier server left any, without loading the use cases)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from platformdirs import user_state_dir


def sessions_directory() -> Path:
    """Where every workspace's sessions are kept (``user_state_dir``, which honours XDG_STATE_HOME)."""
    return Path(user_state_dir("claif-lsp")) / "sessions"


def workspace_folder(base: Path, root: str) -> Path:
    """The folder of one workspace's sessions under ``base`` (named by a hash of the root, which stays private)."""
    return base / hashlib.sha256(root.encode("utf-8")).hexdigest()[:16]


def has_kept_sessions(roots: list[Path]) -> bool:
    """True when an earlier server kept sessions for any of ``roots``."""
    base = sessions_directory()
    for root in roots:
        try:
            if any(p.suffix == ".json" for p in workspace_folder(base, str(root)).iterdir()):
                return True
        except OSError:
            continue
    return False
