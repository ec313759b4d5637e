"""Placing every chunk of a patch in its file, atomically, to build a ``ResolvedPatch``.

Matching follows Codex: each chunk's ``@@`` headers, then its old lines, are sought forward from where the previous
chunk ended, in four passes (exact, trailing whitespace, whitespace, punctuation). Chunks not found forward are
also sought from the top of the file, so out-of-order hunks still land.

Ambiguity rule: Codex takes the first match; we refuse to guess instead when the old lines match at more than one
place (forward from the previous chunk, in the first pass that matches at all) *and* nothing pins the chunk:
no ``@@`` context header, no ``*** End of File`` tail match, no unified-diff line number. With a line number the
nearest match wins (equally near ones are an error); with a header the first match after it wins, as in Codex.
A chunk (or header) not found forward is sought from the top of the file, and there several matches are always an
error: a header that comes after the match pins nothing.

Kept from the file: line endings (new lines take the file's first ending), a BOM, the final newline, and the
file's own text for lines a patch marks as context (Codex would rewrite them with the patch's spelling).
Codex's CLI always leaves an updated file ending with a newline (conformance scenario 014); ``resolve_patch`` does
so only when asked (``codex_final_newline``, the ``patch`` command): an editor proposal holds only what the model
wrote, and an invented hunk on the last line would go stale as soon as the user types there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from claif_lsp.errors import PatchError
from claif_lsp.patches.lines import BOM, Lines, join_lines, split_lines
from claif_lsp.patches.model import (
    Chunk,
    FileChange,
    FilePatch,
    Hunk,
    Operation,
    Patch,
    PatchFormat,
    ResolvedPatch,
    Snapshot,
)
from claif_lsp.patches.paths import safe_path
from claif_lsp.patches.seek import Matcher

CONTEXT = 3
Reader = Callable[[str], Snapshot]
_ENDS_MID_CONSTRUCT = r"([:,(\[{\\=+]|&&|\|\||\b(and|or|def|class|function|return|import|from))\s*$"
"""A last line that cannot end a file: an opened block, a trailing operator or comma, a dangling keyword."""


def resolve_patch(patch: Patch, root: Path, read: Reader, *, codex_final_newline: bool = False) -> ResolvedPatch:
    """Place every hunk of every file against the reader's snapshots; PatchError if any fails, nothing partial.

    ``codex_final_newline``: a file a Codex patch updates ends with a newline, as with Codex's CLI."""
    if not patch.files:
        raise PatchError("No files were modified.", details={"stage": "apply"})
    proposals: list[FileChange] = []
    touched: dict[str, int] = {}
    for number, file in enumerate(patch.files, start=1):
        fmt = file.format or patch.format
        proposal = resolve_file(file, fmt, root, read, final_newline=codex_final_newline and fmt == "codex")
        for path in {proposal.path, proposal.target_path}:
            if path in touched:
                raise PatchError(f"the patch changes {path} twice (file sections {touched[path]} and {number})")
            touched[path] = number
        proposals.append(proposal)
    return ResolvedPatch(format=patch.format, files=proposals)


def resolve_file(
    file: FilePatch, fmt: PatchFormat, root: Path, read: Reader, *, final_newline: bool, failed: Failed | None = None
) -> FileChange:
    """One file's change against the reader's snapshot; PatchError when it fails (``failed``: see place_chunks)."""
    path = safe_path(root, file.path)
    new_path = safe_path(root, file.new_path) if file.new_path else None
    if new_path == path:
        new_path = None
    snap = read(path)
    if file.operation is Operation.ADD:
        if snap.text is not None and fmt != "codex":
            # Codex's "*** Add File" overwrites (scenario 011, shown as such); a diff from /dev/null never does.
            raise PatchError(
                f"refusing to create {path}: it already exists; the diff adds it from /dev/null, "
                "so it was made against a different tree (ask for a diff of the existing file)",
                details={"stage": "apply", "path": path},
            )
        return _whole(path, snap, file.contents or "", "add")
    if file.operation is Operation.DELETE:
        if snap.text is None:
            raise PatchError(f"Failed to delete file {path}: no such file", details={"stage": "apply", "path": path})
        lines = split_lines(snap.text)
        if file.chunks:
            _check_deleted_content(path, lines, [line for c in file.chunks for line in c.old_lines])
        hunk = Hunk(id=f"{path}#1", index=1, start_line=0, end_line=len(lines.lines), old_lines=lines.lines)
        return FileChange(operation="delete", path=path, old_text=snap.text, version=snap.version, hunks=[hunk])
    if file.operation is Operation.REPLACE:
        contents = file.contents or ""
        if snap.text is not None:
            _refuse_truncated(path, snap.text, contents)
        return _whole(path, snap, contents, "add" if snap.text is None else "update")
    if snap.text is None:
        if fmt == "search_replace" and all(not c.old_lines for c in file.chunks):
            contents = "".join(line + "\n" for c in file.chunks for line in c.new_lines)
            return _whole(path, snap, contents, "add")
        raise PatchError(
            f"Failed to read file to update {path}: no such file", details={"stage": "apply", "path": path}
        )
    replaced = read(new_path).text if new_path else None
    if replaced is not None and fmt != "codex":
        raise PatchError(
            f"refusing to rename {path} to {new_path}: {new_path} already exists and would be overwritten",
            details={"stage": "apply", "path": path},
        )
    lines = split_lines(snap.text)
    hunks = place_chunks(path, lines, file.chunks, fmt, final_newline=final_newline, failed=failed)
    new_text = _apply(lines, hunks)
    proposal = FileChange(
        operation="move" if new_path else "update",
        path=path,
        new_path=new_path,
        old_text=snap.text,
        new_text=new_text,
        version=snap.version,
        hunks=hunks,
        replaced_text=replaced,
    )
    proposal.keep_old_lines(lines)
    return proposal


def _whole(path: str, snap: Snapshot, contents: str, operation: str) -> FileChange:
    split = split_lines(contents)
    new = split.lines
    if snap.text is None:
        hunks = [Hunk(id=f"{path}#1", index=1, start_line=0, end_line=0, new_lines=new)] if new else []
        return FileChange(operation="add", path=path, new_text=contents, hunks=hunks)
    old = split_lines(snap.text)
    hunks = diff_hunks(path, old, new, final_newline=split.final_newline)
    return FileChange(
        operation="add" if operation == "add" else "update",
        path=path,
        old_text=snap.text,
        new_text=_apply(old, hunks),
        version=snap.version,
        hunks=hunks,
    )


def diff_hunks(path: str, old: Lines, new: list[str], *, final_newline: bool | None = None) -> list[Hunk]:
    """Hunks turning the old lines into the new ones, from a line diff."""
    matcher = difflib.SequenceMatcher(None, old.lines, new, autojunk=False)
    hunks: list[Hunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            hunks.append(_hunk(path, old, len(hunks) + 1, i1, i2, new[j1:j2], None))
    n = len(old.lines)
    if final_newline is not None and final_newline != old.final_newline and n:
        if hunks and hunks[-1].end_line == n:
            hunks[-1].final_newline = final_newline
        else:
            hunks.append(_hunk(path, old, len(hunks) + 1, n - 1, n, [old.lines[-1]], None))
            hunks[-1].final_newline = final_newline
    return hunks


def _check_deleted_content(path: str, lines: Lines, expected: list[str]) -> None:
    """A delete that quotes the file's lines (a unified diff's ``-`` lines) must quote them right."""
    have = lines.lines
    for number, (want, got) in enumerate(zip(expected, have, strict=False), start=1):
        if want.rstrip() != got.rstrip():
            raise PatchError(
                f"Failed to delete {path}: line {number} of the file is {got!r}, the patch expects {want!r}; "
                "the file is not the one the patch deletes",
                details={"stage": "apply", "path": path},
            )
    if len(expected) != len(have):
        raise PatchError(
            f"Failed to delete {path}: the file has {len(have)} lines, the patch removes {len(expected)}; "
            "the file is not the one the patch deletes",
            details={"stage": "apply", "path": path},
        )


def _refuse_truncated(path: str, old: str, new: str) -> None:
    def balance(text: str) -> int:
        return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")

    old_lines, new_lines = old.count("\n"), new.count("\n")
    if balance(new) > max(balance(old), 0):
        raise PatchError(f"refusing to replace {path}: the new text has unclosed brackets, it looks cut off")
    if old_lines >= 40 and new_lines < old_lines // 2:
        raise PatchError(
            f"refusing to replace {path}: the code block has {new_lines} lines where the file has {old_lines}; "
            "it looks truncated, ask for a patch instead"
        )
    last = next((line for line in reversed(new.split("\n")) if line.strip()), "")
    if new_lines < old_lines * 3 / 4 and re.search(_ENDS_MID_CONSTRUCT, last):
        # A shorter text is often a cut-off answer; one whose last line cannot end a file surely is.
        raise PatchError(
            f"refusing to replace {path}: the code block has {new_lines} lines where the file has {old_lines} and "
            f"ends mid-statement ({last.strip()!r}); it looks truncated, ask for a patch instead"
        )


def _hunk(path: str, lines: Lines, index: int, start: int, end: int, new: list[str], chunk: int | None) -> Hunk:
    return Hunk(
        id=f"{path}#{index}",
        index=index,
        start_line=start,
        end_line=end,
        old_lines=lines.lines[start:end],
        new_lines=new,
        context_before=lines.lines[max(0, start - CONTEXT) : start],
        context_after=lines.lines[end : end + CONTEXT],
        chunk=chunk,
    )


def _ambiguous(path: str, number: int, positions: Sequence[int], *, what: str = "its lines match") -> PatchError:
    where = ", ".join(str(p + 1) for p in positions[:5]) + (" ..." if len(positions) > 5 else "")
    return PatchError(
        f"Ambiguous hunk {number} in {path}: {what} at lines {where}; add context lines or an @@ header",
        details={"stage": "apply", "path": path, "hunk": number, "kind": "ambiguous", "at": list(positions)},
    )


Region = tuple[int, int, int, Chunk, list[str], list[str], list[tuple[int, int]]]
"""Where a chunk landed: old lines [start, end), its number, the chunk, its old and new lines and context pairs."""
Failed = Callable[[tuple[int, Chunk, PatchError]], None]
"""Told of each chunk that did not place (its 1-based number, the chunk, why), when the caller takes what did."""


def place_chunks(
    path: str,
    lines: Lines,
    chunks: Sequence[Chunk],
    fmt: PatchFormat,
    *,
    final_newline: bool = False,
    failed: Failed | None = None,
) -> list[Hunk]:
    """Find every chunk in the file and turn it into minimal hunks; PatchError naming the chunk when one fails.

    ``final_newline``: the result ends with a newline (on the last hunk, or a hunk of its own if none reaches the end).
    ``failed``: a chunk that does not place (or overlaps one that did) is reported there and left out, not an error.
    """
    matcher = Matcher(lines, searches=len(chunks))
    n = len(lines.lines)
    cursor = 0
    delta = 0
    regions: list[Region] = []
    for number, chunk in enumerate(chunks, start=1):
        try:
            region, cursor, delta = _region(matcher, path, number, chunk, fmt, cursor, delta)
        except PatchError as exc:
            if failed is None:
                raise
            failed((number, chunk, exc))
            continue
        regions.append(region)
    regions.sort(key=lambda r: (r[0], r[1]))
    kept: list[Region] = []
    for after in regions:
        before = kept[-1] if kept else None
        if before is not None and after[0] < before[1]:
            error = PatchError(
                f"hunks {before[2]} and {after[2]} of {path} change the same lines ({after[0] + 1}-{before[1]})",
                details={"stage": "apply", "path": path, "hunk": after[2], "kind": "overlap"},
            )
            if failed is None:
                raise error
            failed((after[2], after[3], error))
            continue
        kept.append(after)
    regions = kept
    hunks: list[Hunk] = []
    for start, _end, number, chunk, old, new, pairs in regions:
        for o1, o2, w1, w2 in _changes(old, new, pairs):
            hunk = _hunk(path, lines, len(hunks) + 1, start + o1, start + o2, new[w1:w2], number)
            if hunk.end_line == n and chunk.final_newline is not None:
                hunk.final_newline = chunk.final_newline
            hunks.append(hunk)
    tail = [r[3].final_newline for r in regions if r[1] == n and r[3].final_newline is not None]
    if tail and n and tail[-1] != lines.final_newline and not any(h.end_line == n for h in hunks):
        # Only the final newline changes ("-x", "\ No newline at end of file", "+x"): a hunk on the last line.
        hunks.append(_hunk(path, lines, len(hunks) + 1, n - 1, n, [lines.lines[-1]], None))
        hunks[-1].final_newline = tail[-1]
    if final_newline and n and not lines.final_newline:
        last = [h for h in hunks if h.end_line == n]
        if last:
            last[-1].final_newline = True
        else:
            hunks.append(_hunk(path, lines, len(hunks) + 1, n - 1, n, [lines.lines[-1]], None))
            hunks[-1].final_newline = True
    return hunks


def _region(
    matcher: Matcher, path: str, number: int, chunk: Chunk, fmt: PatchFormat, cursor: int, delta: int
) -> tuple[Region, int, int]:
    """Where one chunk lands, and the search cursor and line-number delta for the next; PatchError when nowhere."""
    n = len(matcher.text.lines)
    pinned = False
    for context in chunk.contexts:
        _, found = matcher.find_all([context], cursor)
        if not found and cursor:
            # Not found forward: the whole file is searched, and then several matches are a guess, so an error.
            _, found = matcher.find_all([context], 0)
            if len(found) > 1:
                raise _ambiguous(path, number, found, what=f"its context '{context}' matches")
        if not found:
            raise PatchError(
                f"Failed to find context '{context}' in {path} (hunk {number})",
                details={"stage": "apply", "path": path, "hunk": number, "kind": "not_found"},
            )
        cursor = found[0] + 1
        pinned = True
    old, new, pairs = list(chunk.old_lines), list(chunk.new_lines), _pairs(chunk)
    if not old:
        # Codex appends pure additions at the end of the file (unlike Codex, also after a blank last line);
        # a unified diff's line number says where instead.
        hinted = fmt != "codex" and chunk.old_start is not None
        at = min(max((chunk.old_start or 1) - 1 + delta, 0), n) if hinted else n
        return (at, at, number, chunk, old, new, pairs), cursor, delta
    start = _locate(matcher, path, number, chunk, old, cursor, pinned, delta)
    if start is None and old[-1] == "":
        old = old[:-1]
        if new and new[-1] == "":
            new = new[:-1]
        pairs = [(o, w) for o, w in pairs if o < len(old) and w < len(new)]
        start = _locate(matcher, path, number, chunk, old, cursor, pinned, delta) if old else None
    if start is None:
        where = f"{path} (hunk {number}" + (f", patch line {chunk.line_number})" if chunk.line_number else ")")
        raise PatchError(
            f"Failed to find expected lines in {where}:\n" + "\n".join(chunk.old_lines),
            details={"stage": "apply", "path": path, "hunk": number, "kind": "not_found"},
        )
    if chunk.old_start is not None:
        delta = start - (chunk.old_start - 1)
    return (start, start + len(old), number, chunk, old, new, pairs), start + len(old), delta


def _locate(
    matcher: Matcher, path: str, number: int, chunk: Chunk, old: list[str], cursor: int, pinned: bool, delta: int
) -> int | None:
    n = len(matcher.text.lines)
    if chunk.is_end_of_file and n >= len(old) and matcher.matches_at(old, n - len(old)):
        return n - len(old)
    if chunk.old_start is not None:
        expected = chunk.old_start - 1 + delta
        if expected >= cursor and matcher.text.lines[expected : expected + len(old)] == old:
            return expected  # an exact match where the line number says is the nearest one
    _, found = matcher.find_all(old, cursor)
    if not found and cursor:
        # Sought again from the top: an @@ header before the match no longer pins it, so several matches are an error.
        _, found = matcher.find_all(old, 0)
        pinned = False
    if not found:
        return None
    if chunk.old_start is not None:
        expected = chunk.old_start - 1 + delta
        best = min(abs(p - expected) for p in found)
        nearest = [p for p in found if abs(p - expected) == best]
        if len(nearest) > 1:
            raise _ambiguous(path, number, nearest)
        return nearest[0]
    if len(found) > 1 and not pinned:
        raise _ambiguous(path, number, found)
    return found[0]


def _pairs(chunk: Chunk) -> list[tuple[int, int]]:
    if chunk.context_lines or not chunk.old_lines or not chunk.new_lines:
        pairs = chunk.context_lines
        return list(zip(pairs[::2], pairs[1::2], strict=True))
    matcher = difflib.SequenceMatcher(None, chunk.old_lines, chunk.new_lines, autojunk=False)
    return [(a + k, b + k) for a, b, size in matcher.get_matching_blocks() for k in range(size)]


def _changes(old: list[str], new: list[str], pairs: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """The runs between context pairs that actually change something: (old from, old to, new from, new to)."""
    runs = []
    po = pw = 0
    for o, w in [*pairs, (len(old), len(new))]:
        if (o > po or w > pw) and old[po:o] != new[pw:w]:
            runs.append((po, o, pw, w))
        po, pw = o + 1, w + 1
    return runs


def apply_hunks(text: str, hunks: Sequence[Hunk]) -> str:
    """Apply some of a file's hunks to a text they were placed on; PatchError when one no longer fits."""
    return _apply(split_lines(text), hunks)


def _apply(lines: Lines, hunks: Sequence[Hunk]) -> str:
    n = len(lines.lines)
    uniform = lines.uniform_endings
    out: list[str] = []
    endings: list[str] = []
    pos = 0
    final = lines.final_newline
    for hunk in sorted(hunks, key=lambda h: (h.start_line, h.end_line)):
        if hunk.start_line < pos or hunk.end_line > n or hunk.start_line > hunk.end_line:
            raise PatchError(f"hunk {hunk.id} overlaps another hunk or lies outside the text")
        if lines.lines[hunk.start_line : hunk.end_line] != hunk.old_lines:
            raise PatchError(f"hunk {hunk.id} is stale: lines {hunk.start_line + 1}-{hunk.end_line} changed since")
        out += lines.lines[pos : hunk.start_line]
        out += hunk.new_lines
        if not uniform:
            endings += lines.endings_between(pos, hunk.start_line)
            endings += [lines.eol] * len(hunk.new_lines)
        pos = hunk.end_line
        if hunk.end_line == n and hunk.final_newline is not None:
            final = hunk.final_newline
    out += lines.lines[pos:]
    if uniform:
        # Every line, old or new, ends with eol but the last, which follows ``final``.
        prefix = BOM if lines.bom else ""
        return prefix + lines.eol.join(out) + (lines.eol if final else "") if out else prefix
    endings += lines.endings_between(pos, n)
    return join_lines(out, endings, bom=lines.bom, eol=lines.eol, final_newline=final)
