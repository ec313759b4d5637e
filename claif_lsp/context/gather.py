"""Fitting one ask's context into its budget, in priority order: selection, diagnostics, file, buffers, related.

The selection always goes (unless the document is refused whole); the file is sent whole or as a window around
the selection; open buffers and related files are sent whole, shortened from the end, or left out, and each cut
becomes an :class:`~claif_lsp.context.model.Omission`. Every section's text is redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from claif_lsp.context.languages import language_for
from claif_lsp.context.model import Context, ContextRequest, ContextSection, DocumentView, Omission, SectionKind
from claif_lsp.context.related import read_related_file, related_paths
from claif_lsp.context.windows import line_texts, omitted_marker, render_ranges, shown_lines, window_ranges
from claif_lsp.privacy.redaction import never_sent_reason, redact, secret_content_reason
from claif_lsp.privacy.refusal import DocumentRefusedError, real_path, refusal_message, refusal_reason
from claif_lsp.token_counts import CHARS_PER_TOKEN, estimate_tokens

FILE_WINDOW_SHARE = 0.6
"""When the whole file does not fit, its window may use this share of what is left, leaving room for others."""
MIN_PARTIAL_TOKENS = 400
"""A buffer or related file is shortened only when at least this many tokens are left for it."""


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


class _Gatherer:
    def __init__(self, req: ContextRequest) -> None:
        self.req = req
        self.settings = req.settings
        self.root = real_path(req.root) if req.root else None
        self.budget = _Budget(self.settings.budget_tokens)
        self.sections: list[ContextSection] = []
        self.omissions: list[Omission] = []
        self.doc_path = real_path(req.document.path) if req.document.path else None
        self.doc_relative = self.relative(self.doc_path) if self.doc_path else None
        # Open documents by resolved path: their text wins over the file on disk.
        self.open_by_path: dict[Path, DocumentView] = {}
        for doc in req.open_documents:
            if doc.path is not None and doc.uri != req.document.uri:
                self.open_by_path.setdefault(real_path(doc.path), doc)
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
        lines = line_texts(document.text)
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
        note = f"budget, {shown_lines(window)} of {len(lines)} lines shown"
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
            path = real_path(doc.path)
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
        lines = line_texts(text)
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
        found = related_paths(text, self.doc_path, self.root)
        candidates: list[_Candidate] = []
        seen: set[Path] = {self.doc_path}
        for raw in found:
            path = real_path(raw)
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
                text, reason = read_related_file(candidate.path)
                language = language_for(candidate.path)
            if reason or text is None:
                self.omit("related_file", candidate.relative, estimate_tokens(text or ""), reason or "unreadable")
                continue
            self.fit("related_file", candidate.relative, language, text)


def _text_reason(text: str) -> str | None:
    if "\x00" in text:
        return "binary"
    return secret_content_reason(text)


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
