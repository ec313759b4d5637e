"""Real workspaces in temporary directories for the context tests: files, editor views, one ask's context."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.context import Context, ContextRequest, DiagnosticView, DocumentView, gather_context
from claif_lsp.settings import ContextSettings


def write(root: Path, relative: str, text: str = "") -> Path:
    """Create ``root/relative`` (and its folders) holding ``text``."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def touch(root: Path, *relatives: str) -> None:
    """Create empty files ``root/relative`` (and their folders)."""
    for relative in relatives:
        write(root, relative)


def view(path: Path, text: str | None = None, language_id: str | None = None) -> DocumentView:
    """The editor's view of ``path``: its text on disk unless ``text`` (unsaved edits) is given."""
    return DocumentView(path.as_uri(), path, path.read_text() if text is None else text, language_id, 1)


def ask(
    root: Path | None,
    document: DocumentView,
    start: int = 0,
    end: int = 0,
    *,
    diagnostics: list[DiagnosticView] | None = None,
    open_documents: list[DocumentView] | None = None,
    **settings: object,
) -> Context:
    """The context of an ask on lines ``start..end`` of ``document``, with ``settings`` as context settings."""
    return gather_context(
        ContextRequest(
            document=document,
            start_line=start,
            end_line=end,
            root=root,
            diagnostics=diagnostics or [],
            open_documents=open_documents or [],
            settings=ContextSettings.model_validate(settings),
        )
    )
