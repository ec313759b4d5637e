"""What a proposal may touch: never a file that Claif never sends (``.env*``, private keys, ``context.exclude``).

The model never saw such a file, so whatever it writes there is a guess or an injected instruction, and any
hunk for it would put unseen text into a secret (or change one) one click away from the disk.

Only the refused files are dropped, not the whole answer: the other files' hunks come from text the model did
see, each still waits for the user's review, and the user is told which file was dropped and why. Refusing them
too would throw away reviewable work for a change the user could not get in any case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from claif_lsp.context import refusal_reason
from claif_lsp.errors import PatchError
from claif_lsp.patches import FilePatch, Patch, Snapshot
from claif_lsp.patches.paths import clean_path


def edit_refusal_message(name: str, reason: str) -> str:
    """What the user reads about a dropped file."""
    return (
        f"Claif refused the change to {name}: it never sends that file to a provider ({reason}), so the model never "
        "saw it and no hunk for it is offered"
    )


def drop_never_sent(
    patch: Patch, root: Path, read: Callable[[str], Snapshot], exclude: Sequence[str]
) -> tuple[Patch, list[str]]:
    """``patch`` without the files it may not touch, and one message per file dropped."""
    kept: list[FilePatch] = []
    messages: list[str] = []
    for file in patch.files:
        refused = next(filter(None, (_reason(raw, root, read, exclude) for raw in (file.path, file.new_path))), None)
        if refused is None:
            kept.append(file)
        else:
            messages.append(edit_refusal_message(*refused))
    return Patch(format=patch.format, files=kept), messages


def _reason(
    raw: str | None, root: Path, read: Callable[[str], Snapshot], exclude: Sequence[str]
) -> tuple[str, str] | None:
    """The clean path and why it may not be touched (by its name, or a private key in its text), or None."""
    if raw is None:
        return None
    try:
        relative = clean_path(raw)
    except PatchError:
        return None  # the patch engine refuses such a path with its own message
    text = read(relative).text or ""
    reason = refusal_reason(root / relative, root, text, tuple(exclude))
    return (relative, reason) if reason else None
