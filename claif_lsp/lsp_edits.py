"""Turning a ``ResolvedPatch`` into an LSP ``WorkspaceEdit`` the client's capabilities allow.

Edits are minimal (only the characters a hunk changes), positions are counted in the negotiated encoding's code
units, and each hunk gets its own change annotation so editors can confirm hunks one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from lsprotocol import types

from claif_lsp.errors import PatchError
from claif_lsp.patches.lines import BOM, Lines, join_lines, split_lines
from claif_lsp.patches.model import FileChange, Hunk, ResolvedPatch

Edit = types.TextEdit | types.AnnotatedTextEdit
DocumentChange = types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile


def _code_units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` (``utf-8``, ``utf-16`` or ``utf-32``) ``text`` takes, as pygls counts."""
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return sum(1 if ord(c) < 0x80 else 2 if ord(c) < 0x800 else 3 if ord(c) < 0x10000 else 4 for c in text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)  # UTF-16, also for an encoding we do not know


def _offset_to_position(lines: Lines, line: int, text: str, offset: int) -> tuple[int, int]:
    """(line, code point column) of ``offset`` in ``text``, a slice of the document starting at ``line``."""
    before = text[:offset]
    breaks = before.count("\n") + before.count("\r") - before.count("\r\n")
    if not breaks:
        return line, offset
    last = max(before.rfind("\n"), before.rfind("\r"))
    return line + breaks, offset - last - 1


def _window(lines: Lines, hunk: Hunk) -> tuple[int, str, str]:
    """The first line of the region a hunk touches, its old text and its new text (with line endings)."""
    n = len(lines.lines)
    start, end = hunk.start_line, hunk.end_line
    if end < n and lines.uniform_endings:
        # Away from the end of the file, every old and new line of the window ends with the file's eol.
        eol, new_lines = lines.eol, hunk.new_lines
        old = eol.join(lines.lines[start:end]) + eol if end > start else ""
        return start, old, eol.join(new_lines) + eol if new_lines else ""
    final = lines.final_newline if hunk.final_newline is None else hunk.final_newline
    # The line before may lose or gain its ending when the hunk changes what ends the file.
    first = start - 1 if start > 0 and end == n and (not hunk.new_lines or not lines.final_newline) else start
    old_endings = lines.endings_between(first, end)
    old = "".join(line + ending for line, ending in zip(lines.lines[first:end], old_endings, strict=True))
    kept = lines.lines[first:start]
    new_lines = kept + hunk.new_lines
    new_endings = lines.endings_between(first, start) + [lines.eol] * len(hunk.new_lines)
    new = join_lines(new_lines, new_endings, bom=False, eol=lines.eol, final_newline=final if end == n else None)
    return first, old, new


def _common_prefix(old: str, new: str, limit: int) -> int:
    """The largest n <= limit with old[:n] == new[:n], halving: the comparisons run in C."""
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if old[low:mid] == new[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(old: str, new: str, limit: int) -> int:
    """The largest n <= limit with the last n characters of old and new equal, halving."""
    old_end, new_end = len(old), len(new)
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if old[old_end - mid : old_end - low] == new[new_end - mid : new_end - low]:
            low = mid
        else:
            high = mid - 1
    return low


def _minimal(lines: Lines, hunk: Hunk) -> tuple[tuple[int, int], tuple[int, int], str]:
    first, old, new = _window(lines, hunk)
    limit = min(len(old), len(new))
    prefix = _common_prefix(old, new, limit)
    suffix = _common_suffix(old, new, limit - prefix)
    # Never split a CRLF pair between the kept and the replaced text.
    while prefix and old[prefix - 1] == "\r" and old[prefix : prefix + 1] == "\n":
        prefix -= 1
    start = _offset_to_position(lines, first, old, prefix)
    end = _offset_to_position(lines, first, old, len(old) - suffix)
    return start, end, new[prefix : len(new) - suffix]


def _position(encoding: str, lines: Lines, at: tuple[int, int]) -> types.Position:
    line, character = at
    if lines.bom and line == 0:
        # The text we were given keeps its U+FEFF (the client's buffer has it), which split_lines set aside:
        # on line 0 the client counts it, so columns there move by one character.
        first = BOM + (lines.lines[0] if lines.lines else "")
        return types.Position(line=0, character=_code_units(first[: character + 1], encoding))
    if not 0 <= line < len(lines.lines):
        return types.Position(line=len(lines.lines), character=0)
    before = lines.lines[line][:character]
    if before.isascii():
        return types.Position(line=line, character=len(before))  # one code unit a character in every encoding
    return types.Position(line=line, character=_code_units(before, encoding))


def hunk_range(text: str, hunk: Hunk, encoding: str) -> types.Range:
    """The range of a hunk's old lines in ``text`` (empty at the insertion point for a pure insertion)."""
    lines = split_lines(text)
    n = len(lines.lines)

    def point(line: int) -> tuple[int, int]:
        if line < n or not n:
            return (line, 0) if line < n else (0, 0)
        return (n - 1, len(lines.lines[-1])) if not lines.final_newline else (n, 0)

    start = point(hunk.start_line)
    end = (hunk.end_line - 1, len(lines.lines[hunk.end_line - 1])) if hunk.end_line > hunk.start_line else start
    return types.Range(start=_position(encoding, lines, start), end=_position(encoding, lines, end))


def _label(file: FileChange, hunk: Hunk) -> str:
    if hunk.end_line > hunk.start_line:
        where = f"lines {hunk.start_line + 1}-{hunk.end_line}"
    else:
        where = f"insert at line {hunk.start_line + 1}"
    return f"{file.target_path}: hunk {hunk.index} ({where})"


def to_workspace_edit(
    proposal: ResolvedPatch,
    *,
    hunk_ids: Iterable[str] | None = None,
    document_changes: bool,
    resource_operations: Sequence[str],
    change_annotations: bool,
    encoding: str,
    uri_for: Callable[[str], str],
    label_for_hunk: Callable[[Hunk], str] | None = None,
) -> types.WorkspaceEdit:
    """A ``WorkspaceEdit`` for the selected hunks (all when ``hunk_ids`` is None); PatchError when the editor
    cannot perform a needed file operation."""
    selected = None if hunk_ids is None else set(hunk_ids)
    changes: dict[str, list[types.TextEdit]] = {}
    operations: list[DocumentChange] = []
    annotations: dict[str, types.ChangeAnnotation] = {}
    annotate = document_changes and change_annotations

    def need(kind: str, file: FileChange) -> None:
        verb = {"create": "create", "rename": "rename", "delete": "delete"}[kind]
        if not document_changes or kind not in resource_operations:
            raise PatchError(
                f"the editor cannot {verb} files (no workspace.workspaceEdit resourceOperations '{kind}'), "
                f"so {file.path} cannot be changed this way; apply the patch with 'claif-lsp patch --write'"
            )

    def annotation(key: str, label: str, description: str) -> str | None:
        if not annotate:
            return None
        annotations[key] = types.ChangeAnnotation(label=label, needs_confirmation=True, description=description)
        return key

    def edits_for(file: FileChange, hunks: list[Hunk]) -> list[Edit]:
        lines = file.old_lines()
        result: list[Edit] = []
        for hunk in hunks:
            start, end, new_text = _minimal(lines, hunk)
            rng = types.Range(start=_position(encoding, lines, start), end=_position(encoding, lines, end))
            label = label_for_hunk(hunk) if label_for_hunk else _label(file, hunk)
            key = annotation(hunk.id, label, f"{file.summary_line}, hunk {hunk.index}")
            if key is not None:
                result.append(types.AnnotatedTextEdit(range=rng, new_text=new_text, annotation_id=key))
            else:
                result.append(types.TextEdit(range=rng, new_text=new_text))
        return result

    for file in proposal.files:
        hunks = [h for h in file.hunks if selected is None or h.id in selected]
        if not hunks and not (selected is None and file.operation in ("add", "delete", "move")):
            continue
        first_key = hunks[0].id if hunks else f"{file.path}#file"
        uri = uri_for(file.path)
        if file.operation == "delete":
            need("delete", file)
            key = annotation(first_key, f"delete {file.path}", file.summary_line)
            operations.append(types.DeleteFile(uri=uri, annotation_id=key))
            continue
        if file.operation == "add" and file.old_text is None:
            need("create", file)
            key = annotation(first_key, f"create {file.path}", file.summary_line)
            operations.append(types.CreateFile(uri=uri, annotation_id=key))
            edits = edits_for(file, hunks)
            if edits:
                doc = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)
                operations.append(types.TextDocumentEdit(text_document=doc, edits=list(edits)))
            continue
        if file.operation == "move":
            need("rename", file)
        edits = edits_for(file, hunks)
        if document_changes:
            if edits:
                doc = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=file.version)
                operations.append(types.TextDocumentEdit(text_document=doc, edits=list(edits)))
        else:
            changes.setdefault(uri, []).extend(e for e in edits if not isinstance(e, types.AnnotatedTextEdit))
        if file.operation == "move":
            key = annotation(f"{file.path}#move", f"move {file.path} to {file.target_path}", file.summary_line)
            operations.append(
                types.RenameFile(
                    old_uri=uri,
                    new_uri=uri_for(file.target_path),
                    options=types.RenameFileOptions(overwrite=True),
                    annotation_id=key,
                )
            )
    if document_changes:
        return types.WorkspaceEdit(document_changes=operations, change_annotations=annotations or None)
    return types.WorkspaceEdit(changes=changes)
