"""A proposal as editor plugins see it (the README's Commands section)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from claif_lsp.core.lsp_json import range_json
from claif_lsp.core.proposals import OPEN, Proposal
from claif_lsp.lsp_edits import hunk_range


def describe(proposal: Proposal, *, encoding: str, uri_for: Callable[[Path], str]) -> dict[str, Any]:
    """The proposal, its files and hunks, with ranges in the client's ``encoding``."""
    root = Path(proposal.root)
    files = []
    for file in proposal.patch.files:
        file_uri = uri_for(root / file.path)
        files.append(
            {
                "uri": file_uri,
                "path": file.path,
                "operation": file.operation,
                "newUri": uri_for(root / file.new_path) if file.new_path else None,
                "version": file.version,
                "proposedText": proposal.proposed_text(file),
                "hunks": [
                    {
                        "id": hunk.id,
                        "uri": file_uri,
                        "state": proposal.hunk_states[hunk.id].value,
                        # Decided and stale hunks have no place in the current text any more.
                        "range": range_json(hunk_range(file.old_text or "", hunk, encoding))
                        if proposal.hunk_states[hunk.id] in OPEN
                        else None,
                        "reason": proposal.hunk_reasons.get(hunk.id),
                        "oldText": "".join(line + "\n" for line in hunk.old_lines),
                        "newText": "".join(line + "\n" for line in hunk.new_lines),
                    }
                    for hunk in file.hunks
                ],
            }
        )
    return {
        "id": proposal.id,
        "state": proposal.state.value,
        "reason": proposal.reason,
        "provider": proposal.provider,
        "action": proposal.action,
        "title": proposal.title,
        "diff": proposal.diff(),
        "previewUri": proposal.preview_uri,
        "files": files,
    }
