"""Unified diff rendering of a proposal, for display."""

from __future__ import annotations

import difflib

from claif_lsp.patches.lines import split_lines
from claif_lsp.patches.model import FileProposal, Proposal


def render_file(file: FileProposal, *, context: int = 3) -> str:
    """A git-style unified diff of one file's change; overwriting an existing file shows its old lines removed."""
    old = split_lines(file.old_text).lines if file.old_text is not None else []
    new = split_lines(file.new_text).lines if file.new_text is not None else []
    source = "/dev/null" if file.old_text is None else f"a/{file.path}"
    target = "/dev/null" if file.operation == "delete" else f"b/{file.target_path}"
    header = [f"diff --git a/{file.path} b/{file.target_path}"]
    if file.operation == "add" and file.old_text is not None:
        header += [f"# overwrites the existing {file.path}"]
    prefix = ""
    if file.operation == "move":
        if file.replaced_text is not None:
            # The move overwrites its destination: show the destination's current lines going away first.
            gone = split_lines(file.replaced_text).lines
            lines = [f"diff --git a/{file.target_path} b/{file.target_path}"]
            lines += [f"# overwritten by the move of {file.path}"]
            lines += difflib.unified_diff(gone, [], f"a/{file.target_path}", "/dev/null", n=context, lineterm="")
            prefix = "\n".join(lines) + "\n"
        header += [f"rename from {file.path}", f"rename to {file.target_path}"]
    body = list(difflib.unified_diff(old, new, source, target, n=context, lineterm=""))
    return prefix + "\n".join(header + body) + "\n"


def render_proposal(proposal: Proposal, *, context: int = 3) -> str:
    """A unified diff of every file of the proposal."""
    return "".join(render_file(file, context=context) for file in proposal.files)
