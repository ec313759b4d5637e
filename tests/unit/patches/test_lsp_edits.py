"""WorkspaceEdit shapes for VS Code-like and Neovim-like clients, encodings and hunk subsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from claif_lsp.errors import PatchError
from claif_lsp.lsp_edits import hunk_range, to_workspace_edit
from claif_lsp.patches import ResolvedPatch, Snapshot, parse_answer, resolve_patch

OLD = "a = 'é😀'\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\ng = 7\nh = 8\ni = 9\n"
PATCH = """*** Begin Patch
*** Update File: m.py
@@
-a = 'é😀'
+a = 'é😀!'
@@
 g = 7
-h = 8
+h = 80
*** Add File: new.py
+x = 1
*** Delete File: gone.py
*** End Patch
"""


def _uri(path: str) -> str:
    return f"file:///ws/{path}"


def _proposal(patch: str = PATCH) -> ResolvedPatch:
    files = {"m.py": (OLD, 7), "gone.py": ("bye\n", None)}

    def read(path: str) -> Snapshot:
        text, version = files.get(path, (None, None))
        return Snapshot(path=path, text=text, version=version)

    return resolve_patch(parse_answer(patch), Path("/ws"), read)


def test_vscode_like_document_changes_with_annotations() -> None:
    edit = to_workspace_edit(
        _proposal(),
        document_changes=True,
        resource_operations=["create", "rename", "delete"],
        change_annotations=True,
        encoding="utf-16",
        uri_for=_uri,
    )
    assert edit.changes is None and edit.document_changes is not None
    doc, create, created_text, delete = edit.document_changes
    assert isinstance(doc, types.TextDocumentEdit)
    assert doc.text_document.uri == _uri("m.py") and doc.text_document.version == 7
    assert all(isinstance(e, types.AnnotatedTextEdit) for e in doc.edits)
    first, second = doc.edits
    # 'a = 'é😀' is 9 UTF-16 units up to the closing quote: the edit only inserts "!" there.
    assert first.range == types.Range(start=types.Position(0, 8), end=types.Position(0, 8))
    assert first.new_text == "!"
    assert second.range.start.line == 7 and second.new_text == "0"
    assert isinstance(create, types.CreateFile) and create.uri == _uri("new.py")
    assert isinstance(created_text, types.TextDocumentEdit) and created_text.text_document.version is None
    assert created_text.edits[0].new_text == "x = 1\n"
    assert isinstance(delete, types.DeleteFile) and delete.uri == _uri("gone.py")
    assert edit.change_annotations is not None
    assert all(a.needs_confirmation for a in edit.change_annotations.values())
    assert {e.annotation_id for e in doc.edits if isinstance(e, types.AnnotatedTextEdit)} <= set(
        edit.change_annotations
    )


@pytest.mark.parametrize(("encoding", "column"), [("utf-8", 11), ("utf-16", 8), ("utf-32", 7)])
def test_encodings_with_emoji(encoding: str, column: int) -> None:
    proposal = _proposal()
    edit = to_workspace_edit(
        proposal,
        hunk_ids=[proposal.files[0].hunks[0].id],
        document_changes=False,
        resource_operations=[],
        change_annotations=False,
        encoding=encoding,
        uri_for=_uri,
    )
    assert edit.document_changes is None and edit.changes is not None
    [only] = edit.changes[_uri("m.py")]
    assert type(only) is types.TextEdit
    assert only.range.start == types.Position(0, column) and only.new_text == "!"


def test_neovim_like_subset_without_annotations() -> None:
    proposal = _proposal()
    second = proposal.files[0].hunks[1]
    edit = to_workspace_edit(
        proposal,
        hunk_ids=[second.id],
        document_changes=True,
        resource_operations=["create", "rename", "delete"],
        change_annotations=False,
        encoding="utf-16",
        uri_for=_uri,
        label_for_hunk=lambda h: f"hunk {h.index}",
    )
    assert edit.change_annotations is None
    [doc] = edit.document_changes or []
    assert isinstance(doc, types.TextDocumentEdit)
    [only] = doc.edits
    assert type(only) is types.TextEdit and only.range.start.line == 7


def test_changes_only_client_cannot_create_files() -> None:
    with pytest.raises(PatchError, match="cannot create files"):
        to_workspace_edit(
            _proposal(),
            document_changes=False,
            resource_operations=[],
            change_annotations=False,
            encoding="utf-16",
            uri_for=_uri,
        )


def test_rename_needs_resource_operation() -> None:
    patch = "*** Begin Patch\n*** Update File: m.py\n*** Move to: n.py\n@@\n-b = 2\n+b = 22\n*** End Patch\n"
    kwargs = {"document_changes": True, "change_annotations": False, "encoding": "utf-16", "uri_for": _uri}
    with pytest.raises(PatchError, match="cannot rename files"):
        to_workspace_edit(_proposal(patch), resource_operations=["create"], **kwargs)  # type: ignore[arg-type]
    edit = to_workspace_edit(_proposal(patch), resource_operations=["rename"], **kwargs)  # type: ignore[arg-type]
    doc, rename = edit.document_changes or []
    assert isinstance(doc, types.TextDocumentEdit) and doc.text_document.uri == _uri("m.py")
    assert isinstance(rename, types.RenameFile) and rename.new_uri == _uri("n.py")


def test_hunk_range_covers_old_lines() -> None:
    proposal = _proposal()
    hunk = proposal.files[0].hunks[0]
    assert hunk_range(OLD, hunk, "utf-16") == types.Range(start=types.Position(0, 0), end=types.Position(0, 9))
    assert hunk_range(OLD, hunk, "utf-8") == types.Range(start=types.Position(0, 0), end=types.Position(0, 12))


def test_edit_keeps_crlf_and_missing_final_newline() -> None:
    text = "one\r\ntwo\r\nthree"
    patch = "--- a/f.txt\n+++ b/f.txt\n@@ -2,2 +2,3 @@\n two\n-three\n+THREE\n+four\n"
    proposal = resolve_patch(parse_answer(patch), Path("/ws"), lambda p: Snapshot(path=p, text=text, version=1))
    assert proposal.files[0].new_text == "one\r\ntwo\r\nTHREE\r\nfour"
    edit = to_workspace_edit(
        proposal,
        document_changes=False,
        resource_operations=[],
        change_annotations=False,
        encoding="utf-16",
        uri_for=_uri,
    )
    [only] = (edit.changes or {})[_uri("f.txt")]
    assert only.range == types.Range(start=types.Position(2, 0), end=types.Position(2, 5))
    assert only.new_text == "THREE\r\nfour"


def _apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply LSP edits as a client would, counting columns in the negotiated encoding over the buffer text."""
    lines = text.split("\n")

    codec, unit = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}[encoding]

    def offset(position: types.Position) -> int:
        line = lines[position.line] if position.line < len(lines) else ""
        units, chars = 0, 0
        while units < position.character:
            units += len(line[chars].encode(codec)) // unit
            chars += 1
        return sum(len(x) + 1 for x in lines[: position.line]) + chars

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("keeps_bom", [True, False])
def test_bom_positions_on_the_first_line(encoding: str, keeps_bom: bool) -> None:
    buffer = ("\ufeff" if keeps_bom else "") + "a = 'é😀'\nb = 2\n"
    patch = "*** Begin Patch\n*** Update File: m.py\n@@\n-a = 'é😀'\n+a = 'é😀!'\n b = 2\n*** End Patch"
    proposal = resolve_patch(parse_answer(patch), Path("/ws"), lambda p: Snapshot(path=p, text=buffer, version=1))
    edit = to_workspace_edit(
        proposal,
        document_changes=False,
        resource_operations=[],
        change_annotations=False,
        encoding=encoding,
        uri_for=_uri,
    )
    assert edit.changes is not None
    edits = edit.changes[_uri("m.py")]
    assert _apply_edits(buffer, edits, encoding) == buffer.replace("😀'", "😀!'")
    [hunk] = proposal.files[0].hunks
    start = hunk_range(buffer, hunk, encoding).start
    assert (start.line, start.character) == (0, {"utf-8": 3, "utf-16": 1, "utf-32": 1}[encoding] if keeps_bom else 0)
