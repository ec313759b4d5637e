"""What the model sees besides the instruction: the selection, its file, diagnostics, open buffers, related files.

Everything is fitted into ``settings.budget_tokens`` in priority order (selection > diagnostics > file >
open buffers > related files). Token counts are estimated as ``ceil(characters / 4)``, the same rule of
thumb lsp-ai uses: deterministic, free, and close enough for English and code with every tokenizer we
target. Whatever is dropped or shortened is reported in :attr:`Context.cut` so the user and the model both
know the view is partial.

Nothing leaves the machine unless it passes :mod:`claif_lsp.redaction`: secret files, ``.git/``, excluded
globs, files outside the workspace and binary files are never read into a section, and every section's text
is redacted. An ask on such a file itself is refused outright (:class:`DocumentRefusedError`): not even the
selection goes out. Texts of open documents always come from the editor (unsaved edits included), never from disk.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from loguru import logger

from claif_lsp.errors import ClaifError
from claif_lsp.redaction import never_sent_reason, redact, secret_content_reason
from claif_lsp.settings import ContextSettings

SectionKind = Literal["selection", "diagnostics", "file", "open_buffer", "related_file"]

CHARS_PER_TOKEN = 4
MAX_FILE_BYTES = 512_000
"""Related files larger than this are not read at all."""
FILE_WINDOW_SHARE = 0.6
"""When the whole file does not fit, its window may use this share of what is left, leaving room for others."""
HEAD_LINES = 20
"""Lines from the top of the file (imports, module docstring) shown before a window that does not reach them."""
MIN_PARTIAL_TOKENS = 400
"""A buffer or related file is shortened only when at least this many tokens are left for it."""
MAX_IMPORTS = 40
MAX_NEIGHBOURS = 6

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascriptreact",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
    ".lua": "lua",
    ".sh": "shellscript",
    ".md": "markdown",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".vue": "vue",
    ".svelte": "svelte",
}
JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
_JS_RESOLVE_SUFFIXES = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}

_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?P<modules>[\w. \t,]+)", re.MULTILINE)
_PY_FROM = re.compile(
    r"^[ \t]*from[ \t]+(?P<dots>\.*)(?P<module>[\w.]*)[ \t]+import[ \t]+(?:\((?P<group>[^)]*)\)|(?P<names>[^\n#;]*))",
    re.MULTILINE,
)
_JS_SPECIFIER = re.compile(
    r"""(?:\bfrom[ \t]*|\bimport[ \t]*\(?[ \t]*|\brequire[ \t]*\([ \t]*)["'](?P<spec>\.{1,2}/[^"'\n]*)["']""",
    re.MULTILINE,
)


def estimate_tokens(text: str) -> int:
    """Estimated token count: one token per four characters, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them (``\\n``, ``\\r\\n`` or ``\\r``); a final newline starts no extra line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def omitted_marker(count: int) -> str:
    """The line standing in for ``count`` lines left out of a section."""
    return f"… {count} line{'s' if count != 1 else ''} omitted …"


def format_tokens(tokens: int) -> str:
    """A token count for humans: ``850``, ``1.2k``, ``12k``."""
    if tokens < 1000:
        return str(tokens)
    if tokens < 10_000:
        return f"{tokens / 1000:.1f}k"
    return f"{round(tokens / 1000)}k"


def language_for(path: Path | str | None, language_id: str | None = None) -> str | None:
    """The editor's language id when known, else one guessed from the file suffix."""
    if language_id:
        return language_id
    if path is None:
        return None
    return LANGUAGE_BY_SUFFIX.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class DocumentView:
    """One document as the editor has it (unsaved text included)."""

    uri: str
    path: Path | None
    text: str
    language_id: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class DiagnosticView:
    """One diagnostic of the current document, lines 0-based."""

    start_line: int
    end_line: int
    message: str
    severity: str | None = None
    source: str | None = None
    code: str | None = None

    def describe(self) -> str:
        """One line for the prompt: ``line 12 error [ruff F401]: message`` (lines 1-based)."""
        lines = f"line {self.start_line + 1}"
        if self.end_line > self.start_line:
            lines = f"lines {self.start_line + 1}-{self.end_line + 1}"
        origin = " ".join(part for part in (self.source, self.code) if part)
        parts = [lines]
        if self.severity:
            parts.append(self.severity)
        if origin:
            parts.append(f"[{origin}]")
        message = " ".join(self.message.split())
        return f"{' '.join(parts)}: {message}"


@dataclass
class ContextRequest:
    """Everything :func:`gather_context` needs; lines are 0-based and inclusive."""

    document: DocumentView
    start_line: int
    end_line: int
    root: Path | None
    diagnostics: list[DiagnosticView]
    open_documents: list[DocumentView]
    settings: ContextSettings


@dataclass(frozen=True)
class ContextSection:
    """One piece of context, already redacted; ``path`` is relative to the workspace root."""

    kind: SectionKind
    path: str | None
    language: str | None
    text: str
    tokens: int
    line_ranges: tuple[tuple[int, int], ...] = ()
    """0-based inclusive line ranges of the source shown (selection and file sections)."""
    total_lines: int | None = None
    """Line count of the whole source, so a partial view can say "of N"."""

    @property
    def partial(self) -> bool:
        """True when the section shows only part of its source."""
        if self.total_lines is None or not self.line_ranges:
            return False
        return sum(end - start + 1 for start, end in self.line_ranges) < self.total_lines


@dataclass(frozen=True)
class Omission:
    """Something left out or shortened, for :attr:`Context.cut` and :attr:`Context.cut_summary`."""

    kind: SectionKind
    name: str
    tokens: int
    reason: str
    shortened: bool = False

    def __str__(self) -> str:
        label = {
            "selection": "selection",
            "diagnostics": "diagnostic",
            "file": "file",
            "open_buffer": "open buffer",
            "related_file": "related file",
        }[self.kind]
        verb = "shortened" if self.shortened else "left out"
        return f"{label} {self.name} ({format_tokens(self.tokens)} tokens) {verb}: {self.reason}"


@dataclass
class Context:
    """The context of one ask: sections in priority order, within budget, plus notes on what was cut."""

    uri: str
    path: str
    """Path of the current document for the prompt and the patch: relative to :attr:`base_dir`."""
    language: str | None
    start_line: int
    end_line: int
    base_dir: Path | None
    """Directory patch paths are relative to: the workspace root, or the document's folder outside it."""
    budget_tokens: int
    sections: list[ContextSection] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        """Estimated tokens of all sections."""
        return sum(section.tokens for section in self.sections)

    @property
    def cut(self) -> list[str]:
        """Human notes on what was dropped or shortened, e.g. "related file a.py (1.2k tokens) left out: budget"."""
        return [str(omission) for omission in self.omissions]

    @property
    def cut_summary(self) -> str:
        """One short line for progress messages, e.g. "left out: 3 related files; shortened: file"; "" if none."""
        if not self.omissions:
            return ""
        parts: list[str] = []
        for shortened, label in ((False, "left out"), (True, "shortened")):
            counts = Counter(o.kind for o in self.omissions if o.shortened is shortened)
            if counts:
                items = [_count_label(kind, count) for kind, count in counts.items()]
                parts.append(f"{label}: {', '.join(items)}")
        return "; ".join(parts)

    @property
    def selection(self) -> ContextSection:
        """The selection section (always present)."""
        return next(section for section in self.sections if section.kind == "selection")

    def of_kind(self, kind: SectionKind) -> list[ContextSection]:
        """Sections of one kind, in order."""
        return [section for section in self.sections if section.kind == kind]


def _count_label(kind: SectionKind, count: int) -> str:
    noun = {"open_buffer": "open buffer", "related_file": "related file", "diagnostics": "diagnostic"}.get(kind, kind)
    if kind in ("file", "selection"):
        return noun
    return f"{count} {noun}{'s' if count != 1 else ''}"


class DocumentRefusedError(ClaifError):
    """The current document itself must never be sent (a secret file, a private key inside, excluded)."""


def refusal_reason(
    path: Path | None, root: Path | None, text: str, exclude: list[str] | tuple[str, ...] = ()
) -> str | None:
    """Why an ask on this document is refused (nothing of it may leave the machine), or None."""
    if path is not None:
        relative = None
        if root is not None:
            try:
                relative = _resolve(path).relative_to(_resolve(root)).as_posix()
            except ValueError:
                relative = None
        reason = never_sent_reason(relative, exclude) if relative is not None else never_sent_reason(path.name)
        if reason:
            return reason
    return secret_content_reason(text)


def refusal_message(name: str, reason: str) -> str:
    """The message a refused ask answers with."""
    return (
        f"Claif never sends {name} to a provider ({reason}); "
        "open another file, or change the context.exclude setting if the file is safe to share"
    )


class _Budget:
    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0

    @property
    def left(self) -> int:
        return max(0, self.total - self.used)

    def take(self, tokens: int) -> None:
        self.used += tokens


@dataclass
class _Candidate:
    path: Path
    relative: str
    text: str | None = None
    language_id: str | None = None


class _Gatherer:
    def __init__(self, req: ContextRequest) -> None:
        self.req = req
        self.settings = req.settings
        self.root = _resolve(req.root) if req.root else None
        self.budget = _Budget(self.settings.budget_tokens)
        self.sections: list[ContextSection] = []
        self.omissions: list[Omission] = []
        self.doc_path = _resolve(req.document.path) if req.document.path else None
        self.doc_relative = self.relative(self.doc_path) if self.doc_path else None
        # Open documents by resolved path: their text wins over the file on disk.
        self.open_by_path: dict[Path, DocumentView] = {}
        for doc in req.open_documents:
            if doc.path is not None and doc.uri != req.document.uri:
                self.open_by_path.setdefault(_resolve(doc.path), doc)
        self.included: set[Path] = set()
        if self.doc_path:
            self.included.add(self.doc_path)

    def relative(self, path: Path) -> str | None:
        """Root-relative POSIX path, or None when ``path`` lies outside the root (or there is no root)."""
        if self.root is None:
            return None
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def omit(self, kind: SectionKind, name: str, tokens: int, reason: str, *, shortened: bool = False) -> None:
        self.omissions.append(Omission(kind, name, tokens, reason, shortened))

    def add(self, section: ContextSection) -> None:
        self.sections.append(section)
        self.budget.take(section.tokens)

    def run(self) -> Context:
        req = self.req
        document = req.document
        lines = split_lines(document.text)
        last = max(len(lines) - 1, 0)
        start = min(max(req.start_line, 0), last)
        end = min(max(req.end_line, start), last)
        language = language_for(document.path, document.language_id)
        if self.doc_relative is not None:
            display, base_dir = self.doc_relative, self.root
        elif document.path is not None:
            display, base_dir = document.path.name, document.path.parent
        else:
            display, base_dir = document.uri, None

        doc_reason = self.document_reason(document)
        if doc_reason:
            raise DocumentRefusedError(refusal_message(display, doc_reason), details={"reason": doc_reason})
        selection_text = redact("\n".join(lines[start : end + 1]))
        self.add(
            ContextSection(
                "selection",
                display,
                language,
                selection_text,
                estimate_tokens(selection_text),
                ((start, end),),
                len(lines),
            )
        )
        self.add_diagnostics(start, end)
        self.add_file(lines, start, end, display, language)
        related = self.related_candidates(document.text) if self.settings.related_files else []
        if self.settings.open_buffers:
            self.add_open_buffers(related)
        if related:
            self.add_related(related)
        return Context(
            uri=document.uri,
            path=display,
            language=language,
            start_line=start,
            end_line=end,
            base_dir=base_dir,
            budget_tokens=self.settings.budget_tokens,
            sections=self.sections,
            omissions=self.omissions,
        )

    def document_reason(self, document: DocumentView) -> str | None:
        """Why nothing of the current document may be sent, not even the selection."""
        return refusal_reason(document.path, self.root, document.text, self.settings.exclude)

    def add_diagnostics(self, start: int, end: int) -> None:
        # The same diagnostic often arrives twice (the one clicked and the code action context's list).
        in_range = list(dict.fromkeys(d for d in self.req.diagnostics if d.start_line <= end and d.end_line >= start))
        if not in_range:
            return
        kept: list[str] = []
        tokens = 0
        for index, diagnostic in enumerate(in_range):
            line = redact(diagnostic.describe())
            cost = estimate_tokens(line + "\n")
            if tokens + cost > self.budget.left:
                for dropped in in_range[index:]:
                    where = f"line {dropped.start_line + 1}"
                    self.omit("diagnostics", where, estimate_tokens(dropped.describe()), "budget")
                break
            kept.append(line)
            tokens += cost
        if kept:
            text = "\n".join(kept)
            self.add(ContextSection("diagnostics", self.sections[0].path, None, text, estimate_tokens(text)))

    def add_file(self, lines: list[str], start: int, end: int, display: str, language: str | None) -> None:
        total_chars = sum(len(line) + 1 for line in lines)
        whole_tokens = -(-total_chars // CHARS_PER_TOKEN)
        if whole_tokens <= self.budget.left:
            text = redact("\n".join(lines))
            ranges = ((0, len(lines) - 1),) if lines else ()
            self.add(ContextSection("file", display, language, text, estimate_tokens(text), ranges, len(lines)))
            return
        core = min(self.budget.left, self._core_tokens(lines, start, end))
        cap = max(int(self.budget.left * FILE_WINDOW_SHARE), core)
        window = window_ranges(lines, start, end, cap * CHARS_PER_TOKEN, self.settings.surrounding_lines)
        if window is None:
            self.omit("file", display, whole_tokens, "budget")
            return
        text = redact(render_ranges(lines, window))
        self.add(ContextSection("file", display, language, text, estimate_tokens(text), window, len(lines)))
        note = f"budget, {_shown(window)} of {len(lines)} lines shown"
        self.omit("file", display, whole_tokens, note, shortened=True)

    def _core_tokens(self, lines: list[str], start: int, end: int) -> int:
        """Tokens of the selection with its always-included surrounding lines."""
        low = max(0, start - self.settings.surrounding_lines)
        high = min(len(lines) - 1, end + self.settings.surrounding_lines)
        chars = sum(len(lines[i]) + 1 for i in range(low, high + 1)) + 2 * len(omitted_marker(len(lines))) + 2
        return -(-chars // CHARS_PER_TOKEN)

    def add_open_buffers(self, related: list[_Candidate]) -> None:
        related_paths = {candidate.path for candidate in related}
        doc_dir = self.doc_path.parent if self.doc_path else None
        docs: list[tuple[int, int, DocumentView, Path]] = []
        for index, doc in enumerate(self.req.open_documents):
            if doc.uri == self.req.document.uri or doc.path is None:
                continue
            path = _resolve(doc.path)
            if path in self.included:
                continue
            rank = 0 if path in related_paths else 1 if path.parent == doc_dir else 2
            docs.append((rank, index, doc, path))
        docs.sort(key=lambda item: (item[0], item[1]))
        for _, _, doc, path in docs:
            relative = self.relative(path)
            if relative is None:
                logger.debug("context: open buffer {} is outside the workspace, not sent", doc.uri)
                continue
            reason = never_sent_reason(relative, self.settings.exclude) or _text_reason(doc.text)
            if reason:
                self.omit("open_buffer", relative, estimate_tokens(doc.text), reason)
                continue
            self.included.add(path)
            self.fit("open_buffer", relative, language_for(path, doc.language_id), doc.text)

    def fit(self, kind: SectionKind, relative: str, language: str | None, text: str) -> None:
        """Add ``text`` whole when it fits, shortened from the end when enough budget is left, else note it."""
        if not text.strip():
            return
        tokens = estimate_tokens(text)
        if tokens <= self.budget.left:
            clean = redact(text)
            self.add(ContextSection(kind, relative, language, clean, estimate_tokens(clean)))
            return
        if self.budget.left < MIN_PARTIAL_TOKENS:
            self.omit(kind, relative, tokens, "budget")
            return
        lines = split_lines(text)
        kept_chars = 0
        # A shortened file gets half of what is left, so one big buffer cannot starve the rest.
        share = max(MIN_PARTIAL_TOKENS, self.budget.left // 2)
        allowance = share * CHARS_PER_TOKEN - len(omitted_marker(len(lines))) - 1
        count = 0
        for line in lines:
            if kept_chars + len(line) + 1 > allowance:
                break
            kept_chars += len(line) + 1
            count += 1
        if count == 0:
            self.omit(kind, relative, tokens, "budget")
            return
        ranges = ((0, count - 1),)
        clean = redact(render_ranges(lines, ranges))
        self.add(ContextSection(kind, relative, language, clean, estimate_tokens(clean), ranges, len(lines)))
        self.omit(kind, relative, tokens, f"budget, first {count} of {len(lines)} lines shown", shortened=True)

    def related_candidates(self, text: str) -> list[_Candidate]:
        """Files the document imports, then close neighbours; all under the root, none excluded, in order."""
        if self.root is None or self.doc_path is None or self.doc_relative is None:
            return []
        suffix = self.doc_path.suffix.lower()
        found: list[Path] = []
        if suffix in (".py", ".pyi"):
            found.extend(python_imports(text, self.doc_path, self.root))
        elif suffix in JS_SUFFIXES:
            found.extend(js_imports(text, self.doc_path))
        found.extend(neighbours(self.doc_path, self.root))
        candidates: list[_Candidate] = []
        seen: set[Path] = {self.doc_path}
        for raw in found:
            path = _resolve(raw)
            if path in seen:
                continue
            seen.add(path)
            relative = self.relative(path)
            if relative is None:
                continue
            reason = never_sent_reason(relative, self.settings.exclude)
            if reason:
                logger.debug("context: {} not sent ({})", relative, reason)
                continue
            candidates.append(_Candidate(path, relative))
        return candidates

    def add_related(self, related: list[_Candidate]) -> None:
        for candidate in related:
            if candidate.path in self.included:
                continue
            self.included.add(candidate.path)
            open_doc = self.open_by_path.get(candidate.path)
            if open_doc is not None:
                text: str | None = open_doc.text
                reason = _text_reason(open_doc.text)
                language = language_for(candidate.path, open_doc.language_id)
            else:
                text, reason = _read_text(candidate.path)
                language = language_for(candidate.path)
            if reason or text is None:
                self.omit("related_file", candidate.relative, estimate_tokens(text or ""), reason or "unreadable")
                continue
            self.fit("related_file", candidate.relative, language, text)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _shown(ranges: Iterable[tuple[int, int]]) -> int:
    return sum(end - start + 1 for start, end in ranges)


def _text_reason(text: str) -> str | None:
    if "\x00" in text:
        return "binary"
    return secret_content_reason(text)


def _read_text(path: Path) -> tuple[str | None, str | None]:
    """A related file's text, or the reason it is not sent."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, "too large"
        data = path.read_bytes()
    except OSError as exc:
        logger.debug("context: cannot read {}: {}", path, exc)
        return None, "unreadable"
    if b"\x00" in data[:8192]:
        return None, "binary"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "binary"
    reason = secret_content_reason(text)
    return (None, reason) if reason else (text, None)


def window_ranges(
    lines: list[str], start: int, end: int, max_chars: int, surrounding: int
) -> tuple[tuple[int, int], ...] | None:
    """Line ranges (0-based, inclusive) of a window around the selection fitting ``max_chars``, plus the file head.

    The selection is always inside; the window grows one line at a time on alternating sides, the
    surrounding lines first, so its cost is linear in the lines it shows. None when not even the selection fits.
    """
    marker = len(omitted_marker(len(lines))) + 1
    chars = sum(len(lines[i]) + 1 for i in range(start, end + 1)) + 2 * marker
    if chars > max_chars:
        return None
    low, high = start, end
    last = len(lines) - 1
    grow_up = grow_down = True
    while grow_up or grow_down:
        if grow_up:
            if low > 0 and chars + len(lines[low - 1]) + 1 <= max_chars:
                low -= 1
                chars += len(lines[low]) + 1
            else:
                grow_up = False
        if grow_down:
            if high < last and chars + len(lines[high + 1]) + 1 <= max_chars:
                high += 1
                chars += len(lines[high]) + 1
            else:
                grow_down = False
        if start - low >= min(surrounding, start) and high - end >= min(surrounding, last - end):
            break
    # Past the surrounding lines, the top of the file (imports) is worth more than more of the middle.
    head_end = min(HEAD_LINES, low) - 1
    ranges: list[tuple[int, int]] = []
    if head_end >= 0 and low - head_end > 1:
        head_chars = sum(len(lines[i]) + 1 for i in range(head_end + 1)) + marker
        if chars + head_chars <= max_chars:
            ranges.append((0, head_end))
            chars += head_chars
    grow_up = grow_down = True
    floor = ranges[0][1] + 1 if ranges else 0
    while grow_up or grow_down:
        if grow_up:
            if low > floor and chars + len(lines[low - 1]) + 1 <= max_chars:
                low -= 1
                chars += len(lines[low]) + 1
            else:
                grow_up = False
        if grow_down:
            if high < last and chars + len(lines[high + 1]) + 1 <= max_chars:
                high += 1
                chars += len(lines[high]) + 1
            else:
                grow_down = False
    if ranges and low == ranges[0][1] + 1:
        return ((0, high),)
    ranges.append((low, high))
    return tuple(ranges)


def render_ranges(lines: list[str], ranges: Iterable[tuple[int, int]]) -> str:
    """The lines of ``ranges`` joined, with an omission marker for every gap (and the ends)."""
    out: list[str] = []
    position = 0
    for low, high in ranges:
        if low > position:
            out.append(omitted_marker(low - position))
        out.extend(lines[low : high + 1])
        position = high + 1
    if position < len(lines):
        out.append(omitted_marker(len(lines) - position))
    return "\n".join(out)


def python_imports(text: str, path: Path, root: Path) -> list[Path]:
    """Files under ``root`` that ``import x`` / ``from x import y`` / ``from . import y`` in ``text`` refer to."""
    bases: list[Path] = []
    directory = path.parent
    while True:
        bases.append(directory)
        if directory == root or root not in directory.parents:
            break
        directory = directory.parent
    if (root / "src").is_dir():
        bases.append(root / "src")
    found: list[Path] = []
    requests: list[tuple[int, str, list[str]]] = []
    for match in _PY_IMPORT.finditer(text):
        for item in match.group("modules").split(","):
            module = item.strip().split()[0] if item.strip() else ""
            if module:
                requests.append((0, module, []))
    for match in _PY_FROM.finditer(text):
        names_text = match.group("group") if match.group("group") is not None else match.group("names") or ""
        names = [part.strip().split()[0] for part in names_text.replace("\\", " ").split(",") if part.strip()]
        requests.append((len(match.group("dots")), match.group("module"), [n for n in names if n != "*"]))
    for level, module, names in requests[:MAX_IMPORTS]:
        if level:
            package = path.parent
            for _ in range(level - 1):
                package = package.parent
            found.extend(_python_module(package, module, names))
            continue
        for base in bases:
            hits = _python_module(base, module, names)
            if hits:
                found.extend(hits)
                break
    return found


def _python_module(base: Path, module: str, names: list[str]) -> list[Path]:
    target = base.joinpath(*module.split(".")) if module else base
    hits: list[Path] = []
    if module:
        for candidate in (target.with_name(target.name + ".py"), target / "__init__.py"):
            if candidate.is_file():
                hits.append(candidate)
                break
    if target.is_dir():
        for name in names:
            submodule = target / f"{name}.py"
            if submodule.is_file():
                hits.append(submodule)
        if not module and not hits and (target / "__init__.py").is_file():
            hits.append(target / "__init__.py")
    return hits


def js_imports(text: str, path: Path) -> list[Path]:
    """Files that relative ``import … from './x'``, ``import('./x')`` and ``require('./x')`` in ``text`` refer to."""
    found: list[Path] = []
    seen: set[str] = set()
    for match in _JS_SPECIFIER.finditer(text):
        spec = match.group("spec")
        if spec in seen:
            continue
        seen.add(spec)
        resolved = _resolve_js(path.parent / spec)
        if resolved is not None:
            found.append(resolved)
        if len(seen) >= MAX_IMPORTS:
            break
    return found


def _resolve_js(target: Path) -> Path | None:
    candidates: list[Path] = []
    if target.suffix in _JS_TO_TS:
        candidates.extend(target.with_suffix(suffix) for suffix in _JS_TO_TS[target.suffix])
    candidates.append(target)
    candidates.extend(target.with_name(target.name + suffix) for suffix in _JS_RESOLVE_SUFFIXES)
    candidates.extend(target / f"index{suffix}" for suffix in _JS_RESOLVE_SUFFIXES)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def counterpart_names(name: str) -> list[str]:
    """File names of the test for a module, or of the module for a test (``x.py`` ↔ ``test_x.py``)."""
    stem, dot, suffix = name.partition(".")
    suffix = dot + suffix
    names: list[str] = []
    for marker in (".test", ".spec"):
        if stem and suffix.startswith(marker + "."):
            names.append(stem + suffix[len(marker) :])
    if stem.startswith("test_"):
        names.append(stem[5:] + suffix)
    for tail in ("_test", "Test", "Tests", "_spec"):
        if stem.endswith(tail) and len(stem) > len(tail):
            names.append(stem[: -len(tail)] + suffix)
    if not names:
        tails = ("_test", ".test", ".spec", "Test", "Tests")
        names.append(f"test_{stem}{suffix}")
        names.extend(f"{stem}{tail}{suffix}" for tail in tails)
    return names


def neighbours(path: Path, root: Path) -> list[Path]:
    """Close neighbours of ``path``: its test or module counterpart first, then same-suffix files nearby."""
    counterparts = counterpart_names(path.name)
    directories = [path.parent]
    for tests in ("tests", "test", "__tests__"):
        for directory in (path.parent / tests, root / tests):
            if directory.is_dir() and directory not in directories:
                directories.append(directory)
                directories.extend(sub for sub in _subdirectories(directory) if sub not in directories)
    found: list[Path] = []
    for directory in directories:
        for name in counterparts:
            candidate = directory / name
            if candidate != path and candidate.is_file():
                found.append(candidate)
    suffix = path.suffix
    if not suffix:
        return found
    siblings: list[tuple[int, str]] = []
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if entry.name == path.name or not entry.name.endswith(suffix) or entry.name.startswith("."):
                    continue
                if entry.is_file():
                    siblings.append((_common_prefix(entry.name, path.name), entry.name))
    except OSError:
        return found
    siblings.sort(key=lambda item: (-item[0], item[1]))
    found.extend(path.parent / name for _, name in siblings[:MAX_NEIGHBOURS])
    return found


def _subdirectories(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            return sorted(Path(entry.path) for entry in entries if entry.is_dir() and not entry.name.startswith("."))
    except OSError:
        return []


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def gather_context(req: ContextRequest) -> Context:
    """Collect the context for one ask within ``req.settings.budget_tokens`` (see the module docstring)."""
    context = _Gatherer(req).run()
    logger.debug(
        "context for {}: {} sections, {} tokens of {}{}",
        context.path,
        len(context.sections),
        context.total_tokens,
        context.budget_tokens,
        f"; {context.cut_summary}" if context.cut_summary else "",
    )
    return context
