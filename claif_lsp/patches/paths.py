"""Keeping every path a patch names inside the workspace root."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path, PurePosixPath, PureWindowsPath

from claif_lsp.errors import PatchError


def _in_git(parts: tuple[str, ...]) -> bool:
    """Whether a path goes through ``.git``, compared as case-insensitive file systems (macOS, Windows) do, where
    ``.GIT`` and, on Windows, ``.git.`` or ``.git `` name the same directory."""
    return any(part.rstrip(". ").lower() == ".git" for part in parts)


def clean_path(raw: str) -> str:
    """Normalise a patch path to a relative POSIX path, refusing absolute paths, ``..`` escapes and ``.git/``."""
    path = raw.strip().replace("\\", "/")
    if not path:
        raise PatchError("the patch names an empty file path")
    if path.startswith("/") or PureWindowsPath(raw.strip()).is_absolute() or PureWindowsPath(path).drive:
        raise PatchError(f"refusing absolute path {raw.strip()!r}: patch paths must be relative to the workspace")
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../"):
        raise PatchError(f"refusing path {raw.strip()!r}: it leaves the workspace root")
    if norm in (".", ""):
        raise PatchError(f"refusing path {raw.strip()!r}: it names the workspace root itself")
    if _in_git(PurePosixPath(norm).parts):
        raise PatchError(f"refusing path {raw.strip()!r}: files under .git/ are never edited")
    return norm


def safe_path(root: Path, raw: str) -> str:
    """``clean_path`` plus a check that symlinks do not lead outside ``root``; returns the clean relative path."""
    rel = clean_path(raw)
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(real_root / rel))
    if target != real_root and real_root not in target.parents:
        raise PatchError(f"refusing path {rel!r}: a symlink leads outside the workspace root")
    if target != real_root and _in_git(target.relative_to(real_root).parts):
        raise PatchError(f"refusing path {rel!r}: it resolves into .git/")
    return rel
