"""Finding the patches in a free-form model answer: Codex patches, SEARCH/REPLACE blocks, unified diffs, and, only
as a last resort for one named file, a whole-file code block.

Every patch-like part of the answer is used, whatever its format (a Codex patch for one file and a ```diff block
for another both count); a part that looks like a patch but cannot be parsed is an error, never dropped.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from claif_lsp.errors import PatchError
from claif_lsp.patches.codex import BEGIN, END, HEREDOC_OPENERS, parse_codex
from claif_lsp.patches.model import FilePatch, Operation, Patch
from claif_lsp.patches.search_replace import looks_search_replace, parse_search_replace, search_replace_spans
from claif_lsp.patches.unified import looks_unified, parse_unified

_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)([^`]*)$")
_HUNK_HEADER = re.compile(r"^@@+ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
_GIT_EXTENDED = (
    "index ",
    "new file mode ",
    "deleted file mode ",
    "old mode ",
    "new mode ",
    "similarity index ",
    "dissimilarity index ",
    "rename from ",
    "rename to ",
    "copy from ",
    "copy to ",
    "Binary files ",
    "@@",
)
_PATH = re.compile(r"^(?:[\w.@+-]+/)*[\w@+-][\w.@+-]*$")
_EXTENSION = re.compile(r"\.[A-Za-z0-9_]{1,8}$")
DIFF_LANGS = ("diff", "patch", "udiff")
PYTHON_LANGS = ("python", "py", "python3", "pyi")
LAZY_MARKER = (
    r"(?i)(\.\.\.|…)\s*(existing|rest|remaining|unchanged|previous|other|same|more)\b"
    r"|\b(rest of (the )?(file|code|class|function|module|implementation)|existing code"
    r"|(remains?|stays?|is|are|left) (the same|unchanged|as[- ]is)|unchanged (code|lines|methods|functions)"
    r"|code (remains|unchanged)|omitted for brevity)\b"
)
"""Elision phrases, refused anywhere in a whole-file block. This and the two below are pattern strings, compiled
(and cached by ``re``) on first use: only a whole-file answer needs them, and compiling is import time."""
_COMMENT = r"^\s*(?:#+|//+|/\*+|\*+|<!--|--|;+)\s*(.*?)\s*(?:\*+/|-->)?\s*$"
_ELISION = (
    r"(?i)^(\.\.\.|…|\[\.\.\.\]|<?snip>?)"
    r"|\b(rest|remainder)( of (the )?\w+)? (is |are |remains? |stays? )?(unchanged|the same|as (is|before))\b"
    r"|\b(rest|remainder) of (the )?(file|code|class|function|module|implementation|methods?|body)\b"
    r"|\b(keep|keeps|keeping|leave|retain)( the| all)? (existing|rest|remaining|other|previous|original|same)\b"
    r"|^(other|remaining|existing|previous|more|additional|same) (methods|functions|code|imports|fields|properties"
    r"|tests|cases|implementation|lines|members|routes|handlers|definitions|classes|helpers|config(uration)?)\b"
    r"|\b(code|rest|everything( else)?|above|below|methods?|functions?|lines?|implementation) (is |are |remains? "
    r"|stays? )?(unchanged|as before|omitted)\b"
    r"|^unchanged\b|\bsame as (before|above|the original)\b|\bimplementation (goes )?here\b"
)
"""Elision phrases, refused when they are a whole comment (``# rest unchanged``, ``/* other methods */``)."""


@dataclass
class Fence:
    """A fenced code block of an answer."""

    lang: str
    body: str
    closed: bool
    line: int = 0
    """0-based line of the opening fence."""
    path: str | None = None
    """The file the block is for, when the fence info (```python src/a.py) or the line before it names one."""
    end: int = 0
    """0-based line after the block."""


def _looks_like_path(text: str) -> bool:
    return bool(_PATH.match(text)) and ("/" in text or bool(_EXTENSION.search(text)))


def _fence_info(word: str, rest: str) -> tuple[str, str | None]:
    """Language and path of a fence info string: ```python src/a.py, ```python:src/a.py, ```src/a.py."""
    rest = rest.strip().removeprefix("title=").strip("\"'")
    if not rest and ":" in word:
        word, _, rest = word.partition(":")
    if rest:
        return word.lower(), rest if _looks_like_path(rest) else None
    if "/" in word or (_EXTENSION.search(word) and word.lower() not in ("c++", "objective-c")):
        return (word.rsplit(".", 1)[-1].lower(), word) if _looks_like_path(word) else (word.lower(), None)
    return word.lower(), None


def _path_line_before(lines: list[str], at: int) -> str | None:
    """A file path alone on the line before a fence: ``src/a.py``, ``# src/a.py``, ``**src/a.py**``, ``File: a.py``."""
    if at == 0:
        return None
    candidate = lines[at - 1].strip()
    candidate = re.sub(r"^(#+|//+|--)\s*", "", candidate)
    candidate = candidate.strip("*`'\"_ ").rstrip(":").strip("*`'\"_ ")
    candidate = re.sub(r"(?i)^(file|path|filename)\s*:\s*", "", candidate).strip("*`'\"_ ")
    return candidate if _looks_like_path(candidate) else None


def fenced_blocks(text: str) -> list[Fence]:
    """Every fenced block (``` or ~~~) in order; an unclosed one runs to the end of the text."""
    if "```" not in text and "~~~" not in text:
        return []
    lines = text.split("\n")
    blocks: list[Fence] = []
    i = 0
    in_diff = False
    while i < len(lines):
        line = lines[i]
        # Inside a bare diff, diff lines are diff lines: " ```" is a context line, "+~~~" an added RST underline.
        in_diff = _starts_bare_diff(lines, i) or (in_diff and _continues_bare_diff(lines, i))
        opener = None if in_diff else _OPEN.match(line)
        if not opener:
            i += 1
            continue
        fence = opener.group(2)
        lang, path = _fence_info(opener.group(3), opener.group(4))
        start = i
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.lstrip(fence[0]).strip():
                closed = True
                i += 1
                break
            body.append(lines[i])
            i += 1
        path = path or _path_line_before(lines, start)
        blocks.append(Fence(lang, "\n".join(body), closed, start, path, i))
    return blocks


def _starts_bare_diff(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line.startswith(("diff --git ", "@@ -")):
        return line.startswith("diff --git ") or _HUNK_HEADER.match(line) is not None
    return line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _continues_bare_diff(lines: list[str], i: int) -> bool:
    """Whether line ``i`` still belongs to the bare diff the line before it belongs to (an empty line does when
    diff lines follow it: a blank context line whose space was dropped)."""
    line = lines[i].removesuffix("\r")
    if line[:1] in (" ", "+", "-", "\\") or line.startswith(_GIT_EXTENDED):
        return True
    if line:
        return False
    j = i + 1
    while j < len(lines) and not lines[j].removesuffix("\r"):
        j += 1
    return j < len(lines) and lines[j][:1] in (" ", "+", "-", "\\", "@")


def _codex_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last + 1) line ranges of every ``*** Begin Patch`` ... ``*** End Patch``."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == BEGIN:
            j = i + 1
            while j < len(lines) and lines[j].strip() not in (END, BEGIN):
                j += 1
            if j < len(lines) and lines[j].strip() == END:
                spans.append((i, j + 1))
                i = j + 1
                continue
            raise PatchError(
                f"the patch starting at line {i + 1} has no '*** End Patch' line; the answer may be cut off"
            )
        i += 1
    return spans


def _blank(lines: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """The lines with the given ranges emptied (line numbers stay as in the answer)."""
    out = list(lines)
    for a, b in spans:
        out[a:b] = [""] * (b - a)
    return out


def _is_diff_block(block: Fence) -> bool:
    if not block.body.strip():
        return False
    return looks_unified(block.body) or block.lang in DIFF_LANGS


def parse_answer(text: str, *, default_path: str | None = None) -> Patch:
    """Find and parse every patch in a model's answer (any formats); PatchError says what was expected when none."""
    if text.count("\r\n") == text.count("\n"):
        # A CRLF channel. With mixed endings a CR may be a file's own (a diff adding a CRLF file): parsers strip theirs.
        text = text.replace("\r\n", "\n")
    stripped = text.strip()
    first, last = stripped.partition("\n")[0].strip(), stripped.rpartition("\n")[2].strip()
    if (first == BEGIN and last == END) or first in HEREDOC_OPENERS:
        return parse_codex(stripped)
    lines = text.split("\n")
    parts: list[tuple[int, Patch]] = []
    codex = _codex_spans(lines) if BEGIN in text else []
    for a, b in codex:
        parts.append((a, parse_codex("\n".join(lines[a:b]))))
    rest = _blank(lines, codex)
    if looks_search_replace("\n".join(rest)):
        spans = search_replace_spans(rest)
        parts.append((spans[0][0], parse_search_replace("\n".join(rest), default_path=default_path)))
        rest = _blank(rest, spans)
    rest_text = "\n".join(rest)
    blocks = fenced_blocks(rest_text)
    diffs = [b for b in blocks if _is_diff_block(b)]
    for block in diffs:
        if not looks_unified(block.body) and "@@" not in block.body:
            raise PatchError(
                f"the ```{block.lang} block at line {block.line + 1} of the answer holds no diff "
                "(no '--- a/path', '+++ b/path' or '@@' lines)"
            )
    if diffs:
        # One parse for every diff block, so sections of the same file in two blocks are placed together.
        parts.append((diffs[0].line, parse_unified("\n".join(b.body for b in diffs), default_path=default_path)))
        rest = _blank(rest, [(b.line, b.end) for b in diffs])
        rest_text = "\n".join(rest)
    if looks_unified(rest_text):
        at = next(i for i, line in enumerate(rest) if line.startswith(("--- ", "diff --git ", "@@ ")))
        parts.append((at, parse_unified(rest_text, default_path=default_path)))
    if not parts:
        return _whole_file(blocks, default_path)
    parts.sort(key=lambda part: part[0])
    formats = {patch.format for _, patch in parts}
    files: list[FilePatch] = []
    for _, patch in parts:
        for file in patch.files:
            files.append(dataclasses.replace(file, format=patch.format) if len(formats) > 1 else file)
    _refuse_unpatched_named_blocks(blocks, diffs, files)
    return Patch(format=formats.pop() if len(formats) == 1 else "mixed", files=files)


def _refuse_unpatched_named_blocks(blocks: list[Fence], diffs: list[Fence], files: list[FilePatch]) -> None:
    """A code block named by a path that no patch of the answer touches would be lost: say so instead."""
    touched = {p for f in files for p in (f.path, f.new_path) if p}
    for block in blocks:
        if block in diffs or not block.body.strip() or block.path is None or block.path in touched:
            continue
        raise PatchError(
            f"the answer has patches and also a whole code block for {block.path} (line {block.line + 1}) that no "
            f"patch changes; ask for a patch for {block.path} too, or for the whole file alone"
        )


def lazy_line(line: str, previous: str, *, python: bool) -> bool:
    """Whether a line of a whole-file block elides code (``# ...``, ``// rest unchanged``, a bare ``...``).

    A bare ``...`` is Python's Ellipsis, a legitimate body after a line ending with ``:`` (``def f():`` /
    ``    ...``); anywhere else, and in any other language, it stands for left-out code.
    """
    if re.search(LAZY_MARKER, line):
        return True
    stripped = line.strip()
    if stripped in ("...", "…"):
        return not (python and stripped == "..." and previous.rstrip().endswith(":"))
    comment = re.match(_COMMENT, line)
    if comment is None or (python and stripped.startswith(("--", ";", "*", "/*"))):
        return False
    return bool(re.search(_ELISION, comment.group(1)))


def _whole_file(blocks: list[Fence], default_path: str | None) -> Patch:
    expected = (
        "expected a Codex patch ('*** Begin Patch'), a unified diff ('--- a/path', '+++ b/path', '@@'), "
        "SEARCH/REPLACE blocks, or one code block named by a path line before it"
    )
    if not blocks:
        raise PatchError(f"no patch found in the answer, and no code block: {expected}")
    if len(blocks) > 1:
        raise PatchError(
            f"the answer has {len(blocks)} code blocks and no patch; cannot tell which one to use: {expected}"
        )
    block = blocks[0]
    path = block.path or default_path
    if path is None:
        raise PatchError(f"no patch found in the answer, and its code block names no file: {expected}")
    if not block.closed:
        raise PatchError(f"refusing to replace {path}: the code block is not closed, the answer looks cut off")
    if not block.body.strip():
        raise PatchError(f"refusing to replace {path}: the code block is empty")
    python = block.lang in PYTHON_LANGS or path.endswith((".py", ".pyi"))
    previous = ""
    for number, line in enumerate(block.body.split("\n"), start=1):
        if lazy_line(line, previous, python=python):
            raise PatchError(
                f"refusing to replace {path}: line {number} of the code block elides code ({line.strip()!r}); "
                "ask for a patch instead"
            )
        if line.strip():
            previous = line
    contents = block.body.replace("\r\n", "\n") + "\n"
    return Patch(format="whole_file", files=[FilePatch(operation=Operation.REPLACE, path=path, contents=contents)])
