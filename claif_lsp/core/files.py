"""A file's text as the use cases see it: the editor's buffer first (unsaved text and version), then the disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from claif_lsp.core.ports import Documents
from claif_lsp.patches import Snapshot, disk_reader


def snapshot_reader(documents: Documents, root: Path) -> Callable[[str], Snapshot]:
    """A reader for the patch engine: the open buffer's text and version, else the file on disk."""
    from_disk = disk_reader(root)

    def read(relative: str) -> Snapshot:
        view = documents.buffer(root / relative)
        if view is not None:
            return Snapshot(path=relative, text=view.text, version=view.version)
        return from_disk(relative)

    return read


def current_text(documents: Documents, path: Path) -> tuple[str | None, int | None]:
    """A file's text now and its buffer version (None when not open); text None when it does not exist."""
    view = documents.buffer(path)
    if view is not None:
        return view.text, view.version
    snapshot = disk_reader(path.parent)(path.name)
    return snapshot.text, None
