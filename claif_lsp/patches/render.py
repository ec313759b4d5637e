"""Unified diff rendering of a proposal, for display."""

from __future__ import annotations

import difflib

from claif_lsp.patches.lines import split_lines
from claif_lsp.patches.model import FileChange, ResolvedPatch

NO_NEWLINE = "\\ No newline at end of file"
_TAG = "\x00\ufffe"


def _lines(text: str | None) -> list[str]:
    """The text's lines, the last one tagged when the text does not end with a newline (diff shows that)."""
    if text is None:
        return []
    split = split_lines(text)
    if split.lines and not split.final_newline:
        return [*split.lines[:-1], split.lines[-1] + _TAG]
    return split.lines


def _diff(old: list[str], new: list[str], source: str, target: str, context: int) -> list[str]:
    """``difflib.unified_diff`` plus the ``\\ No newline at end of file`` lines diff and git print."""
    out: list[str] = []
    for number, line in enumerate(difflib.unified_diff(old, new, source, target, n=context, lineterm="")):
        if number >= 2 and line.endswith(_TAG):
            out += [line.removesuffix(_TAG), NO_NEWLINE]
        else:
            out.append(line)
    return out


def text_diff(old: str | None, new: str | None, source: str, target: str, *, context: int = 3) -> str:
    """A unified diff of two texts (lines split as the patch engine splits them), ending with a newline."""
    return "".join(f"{line}\n" for line in _diff(_lines(old), _lines(new), source, target, context))


def render_file(file: FileChange, *, context: int = 3) -> str:
    """A git-style unified diff of one file's change; overwriting an existing file shows its old lines removed."""
    old, new = _lines(file.old_text), _lines(file.new_text)
    source = "/dev/null" if file.old_text is None else f"a/{file.path}"
    target = "/dev/null" if file.operation == "delete" else f"b/{file.target_path}"
    header = [f"diff --git a/{file.path} b/{file.target_path}"]
    if file.operation == "add" and file.old_text is not None:
        header += [f"# overwrites the existing {file.path}"]
    prefix = ""
    if file.operation == "move":
        if file.replaced_text is not None:
            # The move overwrites its destination: show the destination's current lines going away first.
            gone = _lines(file.replaced_text)
            lines = [f"diff --git a/{file.target_path} b/{file.target_path}"]
            lines += [f"# overwritten by the move of {file.path}"]
            lines += _diff(gone, [], f"a/{file.target_path}", "/dev/null", context)
            prefix = "\n".join(lines) + "\n"
        header += [f"rename from {file.path}", f"rename to {file.target_path}"]
    body = _diff(old, new, source, target, context)
    return prefix + "\n".join(header + body) + "\n"


def render_proposal(proposal: ResolvedPatch, *, context: int = 3) -> str:
    """A unified diff of every file of the proposal."""
    return "".join(render_file(file, context=context) for file in proposal.files)
