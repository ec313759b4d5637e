"""What the model sees besides the instruction: the selection, its file, diagnostics, open buffers, related files.

Everything is fitted into ``settings.budget_tokens`` in priority order (selection > diagnostics > file >
open buffers > related files). Token counts are estimated by :func:`claif_lsp.token_counts.estimate_tokens`
(``ceil(characters / 4)``). Whatever is dropped or shortened is reported in :attr:`Context.cut` so the user
and the model both know the view is partial.

Nothing leaves the machine unless it passes :mod:`claif_lsp.privacy`: secret files, ``.git/``, excluded
globs, files outside the workspace and binary files are never read into a section, and every section's text
is redacted. An ask on such a file itself is refused outright (:class:`DocumentRefusedError`): not even the
selection goes out. Texts of open documents always come from the editor (unsaved edits included), never from disk.

One module a job: :mod:`.model` (the data), :mod:`.gather` (fitting the budget), :mod:`.windows` (part of a
file), :mod:`.related` (finding related files), :mod:`.languages` (the language table).
"""

from claif_lsp.context.gather import gather_context
from claif_lsp.context.model import (
    Context,
    ContextRequest,
    ContextSection,
    DiagnosticView,
    DocumentView,
    Omission,
    SectionKind,
)
from claif_lsp.privacy.refusal import DocumentRefusedError, refusal_message, refusal_reason

__all__ = [
    "Context",
    "ContextRequest",
    "ContextSection",
    "DiagnosticView",
    "DocumentRefusedError",
    "DocumentView",
    "Omission",
    "SectionKind",
    "gather_context",
    "refusal_message",
    "refusal_reason",
]
