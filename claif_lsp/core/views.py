"""A proposal as editor plugins see it: the protocol's ``Proposal`` (the README's Commands section)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from lsprotocol import types

from claif_lsp.core.proposals import OPEN, Proposal
from claif_lsp.lsp_edits import hunk_range
from claif_lsp.protocol import models as wire


def name_hunks(hunks: Iterable[tuple[str, int]], joiner: str = " and ") -> str:
    """``hunk 2 of app.py``, ``hunks 1, 3 of app.py and hunk 1 of lib.py`` from (path, number) pairs."""
    by_file: dict[str, list[str]] = {}
    for path, number in hunks:
        by_file.setdefault(path, []).append(str(number))
    return joiner.join(f"hunk{'s' * (len(ids) != 1)} {', '.join(ids)} of {path}" for path, ids in by_file.items())


def count_hunks(hunks: int, files: int, unplaced: int = 0) -> str:
    """``3 hunks in 1 file``, and ``(partial: 1 not placed)`` when some of the answer did not place."""
    counted = f"{hunks} hunk{'s' * (hunks != 1)} in {files} file{'s' * (files != 1)}"
    return f"{counted} (partial: {unplaced} not placed)" if unplaced else counted


def _range(rng: types.Range) -> wire.Range:
    return wire.Range(
        start=wire.Position(line=rng.start.line, character=rng.start.character),
        end=wire.Position(line=rng.end.line, character=rng.end.character),
    )


def describe(proposal: Proposal, *, encoding: str, uri_for: Callable[[Path], str]) -> wire.Proposal:
    """The proposal, its files and hunks, with ranges in the client's ``encoding``."""
    root = Path(proposal.root)
    files = []
    for file in proposal.patch.files:
        file_uri = uri_for(root / file.path)
        hunks = [
            wire.Hunk(
                id=hunk.id,
                uri=file_uri,
                state=proposal.hunk_states[hunk.id].value,
                # Decided and stale hunks have no place in the current text any more.
                range=_range(hunk_range(file.old_text or "", hunk, encoding))
                if proposal.hunk_states[hunk.id] in OPEN
                else None,
                reason=proposal.hunk_reasons.get(hunk.id),
                old_text="".join(line + "\n" for line in hunk.old_lines),
                new_text="".join(line + "\n" for line in hunk.new_lines),
            )
            for hunk in file.hunks
        ]
        files.append(
            wire.ProposalFile(
                uri=file_uri,
                path=file.path,
                operation=file.operation,
                new_uri=uri_for(root / file.new_path) if file.new_path else None,
                version=file.version,
                proposed_text=proposal.proposed_text(file),
                hunks=hunks,
            )
        )
    return wire.Proposal(
        id=proposal.id,
        state=proposal.state.value,
        reason=proposal.reason,
        provider=proposal.provider,
        action=proposal.action,
        title=proposal.title,
        session=proposal.session,
        revision=proposal.revision,
        cached=proposal.cached,
        restored=proposal.restored,
        partial=wire.PartialAnswer(
            unplaced=[
                wire.UnplacedHunk(path=u.path, hunk=u.hunk, reason=u.reason, expected=u.expected)
                for u in proposal.unplaced
            ]
        )
        if proposal.unplaced
        else None,
        answer=proposal.answer,
        usage=wire.Usage(**proposal.usage.model_dump()) if proposal.usage else None,
        diff=proposal.diff(),
        preview_uri=proposal.preview_uri,
        files=files,
    )
