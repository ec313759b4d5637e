"""Unified diff rendering of a proposal, for display."""

from __future__ import annotations

import difflib

from claif_lsp.patches.lines import split_lines
from claif_lsp.patches.model import FileProposal, Proposal


def render_file(file: FileProposal, *, context: int = 3) -> str:
    """A git-style unified diff of one file's change."""
    old = split_lines(file.old_text).lines if file.old_text is not None and file.operation != "add" else []
    new = split_lines(file.new_text).lines if file.new_text is not None else []
    source = "/dev/null" if file.operation == "add" else f"a/{file.path}"
    target = "/dev/null" if file.operation == "delete" else f"b/{file.target_path}"
    header = [f"diff --git a/{file.path} b/{file.target_path}"]
    if file.operation == "move":
        header += [f"rename from {file.path}", f"rename to {file.target_path}"]
    body = list(difflib.unified_diff(old, new, source, target, n=context, lineterm=""))
    return "\n".join(header + body) + "\n"


def render_proposal(proposal: Proposal, *, context: int = 3) -> str:
    """A unified diff of every file of the proposal."""
    return "".join(render_file(file, context=context) for file in proposal.files)
