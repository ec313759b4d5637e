"""What the server knows of files: the editor's buffers first (unsaved text and version), then the disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pygls.uris import from_fs_path, to_fs_path

from claif_lsp.context import DocumentView
from claif_lsp.patches import Snapshot, disk_reader
from claif_lsp.server import ClaifLanguageServer


def uri_for(path: Path) -> str:
    """The file URI of an absolute path."""
    return from_fs_path(str(path)) or path.as_uri()


def path_for(uri: str) -> Path | None:
    """The filesystem path of a file URI (None for other schemes)."""
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def open_document(ls: ClaifLanguageServer, path: Path) -> DocumentView | None:
    """The open buffer for ``path``, or None when the editor does not have it open."""
    doc = ls.workspace.text_documents.get(uri_for(path))
    if doc is None:
        return None
    return DocumentView(uri=doc.uri, path=path, text=doc.source, language_id=doc.language_id, version=doc.version)


def snapshot_reader(ls: ClaifLanguageServer, root: Path) -> Callable[[str], Snapshot]:
    """A reader for the patch engine: the open buffer's text and version, else the file on disk."""
    from_disk = disk_reader(root)

    def read(relative: str) -> Snapshot:
        view = open_document(ls, root / relative)
        if view is not None:
            return Snapshot(path=relative, text=view.text, version=view.version)
        return from_disk(relative)

    return read


def current_text(ls: ClaifLanguageServer, path: Path) -> tuple[str | None, int | None]:
    """A file's text now and its buffer version (None when not open); text None when it does not exist."""
    view = open_document(ls, path)
    if view is not None:
        return view.text, view.version
    snapshot = disk_reader(path.parent)(path.name)
    return snapshot.text, None


def open_views(ls: ClaifLanguageServer, except_uri: str | None = None) -> list[DocumentView]:
    """Every open buffer but ``except_uri``, as the editor has it."""
    views = []
    for uri, doc in ls.workspace.text_documents.items():
        if uri == except_uri:
            continue
        views.append(
            DocumentView(uri=uri, path=path_for(uri), text=doc.source, language_id=doc.language_id, version=doc.version)
        )
    return views
