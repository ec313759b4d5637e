"""The patch engine: parse a model's answer into a ``Patch``, resolve it atomically against snapshots into a
``ResolvedPatch``, and apply, re-place, render or write it. Imports nothing from pygls (see ``claif_lsp.lsp_edits``)."""

from claif_lsp.patches.codex import parse_codex
from claif_lsp.patches.disk import disk_reader, write_proposal
from claif_lsp.patches.extract import parse_answer
from claif_lsp.patches.model import Chunk, FileChange, FilePatch, Hunk, Operation, Patch, ResolvedPatch, Snapshot
from claif_lsp.patches.partial import PartialResolution, UnplacedHunk, resolve_partial
from claif_lsp.patches.reanchor import reanchor
from claif_lsp.patches.render import render_proposal
from claif_lsp.patches.resolve import apply_hunks, resolve_patch
from claif_lsp.patches.search_replace import parse_search_replace
from claif_lsp.patches.seek import seek_sequence
from claif_lsp.patches.unified import parse_unified

__all__ = [
    "Chunk",
    "FileChange",
    "FilePatch",
    "Hunk",
    "Operation",
    "PartialResolution",
    "Patch",
    "ResolvedPatch",
    "Snapshot",
    "UnplacedHunk",
    "apply_hunks",
    "disk_reader",
    "parse_answer",
    "parse_codex",
    "parse_search_replace",
    "parse_unified",
    "reanchor",
    "render_proposal",
    "resolve_partial",
    "resolve_patch",
    "seek_sequence",
    "write_proposal",
]
