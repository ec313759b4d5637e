"""Finding a patch in a free-form model answer: Codex patches, SEARCH/REPLACE blocks, unified diffs, and, only as
a last resort for one named file, a whole-file code block."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claif_lsp.errors import PatchError
from claif_lsp.patches.codex import BEGIN, END, HEREDOC_OPENERS, parse_codex
from claif_lsp.patches.model import FilePatch, Operation, Patch
from claif_lsp.patches.search_replace import looks_search_replace, parse_search_replace
from claif_lsp.patches.unified import looks_unified, parse_unified

_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")
LAZY_MARKER = re.compile(
    r"(?i)(\.\.\.|…)\s*(existing|rest|remaining|unchanged|previous|other|same|more)\b"
    r"|\b(rest of (the )?(file|code|class|function|module|implementation)|existing code"
    r"|(remains?|stays?|is|are|left) (the same|unchanged|as[- ]is)|unchanged (code|lines|methods|functions)"
    r"|code (remains|unchanged)|omitted for brevity)\b"
)


@dataclass
class Fence:
    """A fenced code block of an answer."""

    lang: str
    body: str
    closed: bool


def fenced_blocks(text: str) -> list[Fence]:
    """Every fenced block (``` or ~~~) in order; an unclosed one runs to the end of the text."""
    lines = text.split("\n")
    blocks: list[Fence] = []
    i = 0
    while i < len(lines):
        opener = _OPEN.match(lines[i])
        if not opener:
            i += 1
            continue
        fence, lang = opener.group(2), opener.group(3).lower()
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
        blocks.append(Fence(lang, "\n".join(body), closed))
    return blocks


def _codex_spans(text: str) -> list[str]:
    lines = text.split("\n")
    spans: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == BEGIN:
            j = i + 1
            while j < len(lines) and lines[j].strip() not in (END, BEGIN):
                j += 1
            if j < len(lines) and lines[j].strip() == END:
                spans.append("\n".join(lines[i : j + 1]))
                i = j + 1
                continue
            raise PatchError(
                f"the patch starting at line {i + 1} has no '*** End Patch' line; the answer may be cut off"
            )
        i += 1
    return spans


def parse_answer(text: str, *, default_path: str | None = None) -> Patch:
    """Find and parse the patch in a model's answer (any format); PatchError says what was expected when none."""
    text = text.replace("\r\n", "\n")
    if BEGIN in text:
        stripped = text.strip()
        all_lines = stripped.split("\n")
        first, last = all_lines[0].strip(), all_lines[-1].strip()
        if (first == BEGIN and last == END) or first in HEREDOC_OPENERS:
            return parse_codex(stripped)
        files: list[FilePatch] = []
        for span in _codex_spans(text):
            files.extend(parse_codex(span).files)
        return Patch(format="codex", files=files)
    if looks_search_replace(text):
        return parse_search_replace(text, default_path=default_path)
    blocks = fenced_blocks(text)
    diffs = [b for b in blocks if looks_unified(b.body) or (b.lang in ("diff", "patch", "udiff") and "@@" in b.body)]
    if diffs:
        return parse_unified("\n".join(b.body for b in diffs), default_path=default_path)
    if looks_unified(text):
        return parse_unified(text, default_path=default_path)
    return _whole_file(text, blocks, default_path)


def _whole_file(text: str, blocks: list[Fence], default_path: str | None) -> Patch:
    expected = (
        "expected a Codex patch ('*** Begin Patch'), a unified diff ('--- a/path', '+++ b/path', '@@'), "
        "or SEARCH/REPLACE blocks"
    )
    if default_path is None:
        raise PatchError(f"no patch found in the answer: {expected}")
    if not blocks:
        raise PatchError(f"no patch or code block found in the answer: {expected}")
    if len(blocks) > 1:
        raise PatchError(
            f"the answer has {len(blocks)} code blocks and no patch; cannot tell which one is the new {default_path}: "
            + expected
        )
    block = blocks[0]
    if not block.closed:
        raise PatchError(f"refusing to replace {default_path}: the code block is not closed, the answer looks cut off")
    for number, line in enumerate(block.body.split("\n"), start=1):
        if LAZY_MARKER.search(line):
            raise PatchError(
                f"refusing to replace {default_path}: line {number} of the code block elides code ({line.strip()!r}); "
                "ask for a patch instead"
            )
    contents = block.body + "\n" if block.body else ""
    return Patch(
        format="whole_file", files=[FilePatch(operation=Operation.REPLACE, path=default_path, contents=contents)]
    )
