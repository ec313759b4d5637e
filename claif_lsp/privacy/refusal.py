"""Refusing an ask whose document must never be sent: not even the selection leaves the machine."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.errors import ClaifError
from claif_lsp.privacy.redaction import never_sent_reason, secret_content_reason


class DocumentRefusedError(ClaifError):
    """The current document itself must never be sent (a secret file, a private key inside, excluded)."""


def real_path(path: Path) -> Path:
    """``path`` with symlinks followed (made absolute when it cannot be resolved), so a link to a secret is one."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def refusal_reason(
    path: Path | None, root: Path | None, text: str, exclude: list[str] | tuple[str, ...] = ()
) -> str | None:
    """Why an ask on this document is refused (nothing of it may leave the machine), or None."""
    if path is not None:
        relative = None
        if root is not None:
            try:
                relative = real_path(path).relative_to(real_path(root)).as_posix()
            except ValueError:
                relative = None
        reason = never_sent_reason(relative, exclude) if relative is not None else never_sent_reason(path.name)
        if reason:
            return reason
    return secret_content_reason(text)


def refusal_message(name: str, reason: str) -> str:
    """The message a refused ask answers with."""
    return (
        f"Claif never sends {name} to a provider ({reason}); "
        "open another file, or change the context.exclude setting if the file is safe to share"
    )
