"""What the review commands do: ``claif.proposal``, ``claif.accept``, ``claif.reject``, ``claif.applyPatch``.

Accepting re-reads each document. When the buffer changed since the proposal was made, the pending hunks
are re-placed by content; one that cannot be placed unambiguously turns ``stale`` on its own (never sent, so
a changed buffer is never overwritten) and the others go on. The edit carries the buffer version it was
computed for, so an editor that changed the buffer in the meantime refuses it too. While the editor has not
answered, the hunks are ``applying`` and every other decision on them, or edit to their files, is refused;
only an answer ``applied: true`` marks them accepted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from loguru import logger
from lsprotocol import types
from platformdirs import user_cache_dir
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from claif_lsp import protocol
from claif_lsp.errors import ClaifError, PatchError
from claif_lsp.features.apply_edit import EditOutcome, send_edit
from claif_lsp.features.documents import current_text, path_for, snapshot_reader, uri_for
from claif_lsp.lsp_edits import hunk_range, to_workspace_edit
from claif_lsp.patches import FileProposal, Hunk, Proposal, apply_hunks, parse_answer, resolve_patch
from claif_lsp.proposals import OPEN, HunksInFlightError, HunkState, ProposalRecord, ProposalState
from claif_lsp.protocol.models import ApplyPatchArgs, DecisionArgs, ProposalArgs
from claif_lsp.server import ClaifLanguageServer
from claif_lsp.settings import PreviewMode

REQUEST_FAILED = -32803


def request_failed(exc: ClaifError | str) -> JsonRpcException:
    """A JSON-RPC RequestFailed error carrying a user-facing message."""
    return JsonRpcException(str(exc), code=REQUEST_FAILED)


def decide(ls: ClaifLanguageServer, args: DecisionArgs) -> tuple[ProposalRecord, list[str]]:
    """The proposal and the undecided (pending or stale) hunks a decision is about.

    RequestFailed when one of them is being applied: a second decision must not race the editor's answer.
    """
    record = _record(ls, args.proposal)
    try:
        return record, record.select(args.hunks)
    except HunksInFlightError as exc:
        raise request_failed(f"Claif: {exc}") from None
    except PatchError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None


def reject(ls: ClaifLanguageServer, args: DecisionArgs) -> dict[str, Any]:
    """Reject the whole proposal or some hunks."""
    record, hunk_ids = decide(ls, args)
    record.mark(hunk_ids, HunkState.REJECTED)
    proposals_changed(ls, record)
    return {"proposal": describe(ls, record)}


async def apply_patch(ls: ClaifLanguageServer, args: ApplyPatchArgs) -> dict[str, Any]:
    """Turn a pasted patch into a proposal."""
    root = _patch_root(ls, args.root)
    try:
        patch = parse_answer(args.patch)
        resolved = resolve_patch(patch, root, snapshot_reader(ls, root))
    except PatchError as exc:
        raise request_failed(exc) from None
    record = await publish(ls, resolved, provider="user", action="applyPatch", title="Pasted patch", root=root)
    return {"proposals": [record.id]}


def _patch_root(ls: ClaifLanguageServer, raw: str | None) -> Path:
    """The folder a pasted patch applies to: an absolute path or file URI inside a workspace folder."""
    if raw is None:
        root = ls.state.root_for()
        if root is None:
            raise JsonRpcInvalidParams("root is required when the workspace has no folder")
        return root
    path = path_for(raw) if "://" in raw else Path(raw)
    if path is None or not path.is_absolute():
        raise JsonRpcInvalidParams(f"root must be an absolute path or a file URI, not {raw!r}")
    path = Path(os.path.realpath(path))
    folders = [Path(os.path.realpath(folder)) for folder in ls.state.workspace_roots]
    if not any(path == folder or folder in path.parents for folder in folders):
        shown = ", ".join(str(folder) for folder in folders) or "none"
        raise JsonRpcInvalidParams(f"root {path} is not inside a workspace folder (folders: {shown})")
    if not path.is_dir():
        raise JsonRpcInvalidParams(f"root {path} is not a folder")
    return path


def show(ls: ClaifLanguageServer, args: ProposalArgs) -> dict[str, Any]:
    """The proposal as editor plugins see it."""
    return describe(ls, _record(ls, args.proposal))


def _record(ls: ClaifLanguageServer, proposal_id: str) -> ProposalRecord:
    try:
        return ls.state.proposals.get(proposal_id)
    except PatchError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None


def describe(ls: ClaifLanguageServer, record: ProposalRecord) -> dict[str, Any]:
    """The proposal as editor plugins see it (README: Commands)."""
    encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
    root = Path(record.root)
    files = []
    for file in record.patch.files:
        file_uri = uri_for(root / file.path)
        files.append(
            {
                "uri": file_uri,
                "path": file.path,
                "operation": file.operation,
                "newUri": uri_for(root / file.new_path) if file.new_path else None,
                "version": file.version,
                "proposedText": record.proposed_text(file),
                "hunks": [
                    {
                        "id": hunk.id,
                        "uri": file_uri,
                        "state": record.hunk_states[hunk.id].value,
                        # Decided and stale hunks have no place in the current text any more.
                        "range": _range_json(hunk_range(file.old_text or "", hunk, str(encoding)))
                        if record.hunk_states[hunk.id] in OPEN
                        else None,
                        "reason": record.hunk_reasons.get(hunk.id),
                        "oldText": "".join(line + "\n" for line in hunk.old_lines),
                        "newText": "".join(line + "\n" for line in hunk.new_lines),
                    }
                    for hunk in file.hunks
                ],
            }
        )
    return {
        "id": record.id,
        "state": record.state.value,
        "reason": record.reason,
        "provider": record.provider,
        "action": record.action,
        "title": record.title,
        "diff": record.diff(),
        "previewUri": record.preview_uri,
        "files": files,
    }


def _range_json(rng: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


async def publish(
    ls: ClaifLanguageServer, resolved: Proposal, *, provider: str, action: str, title: str, root: Path
) -> ProposalRecord:
    """Keep a new proposal and present it as the approval setting says."""
    record = ls.state.proposals.add(resolved, provider=provider, action=action, title=title, root=str(root))
    settings = ls.state.settings_for(uri_for(root))
    approval = settings.approval.value
    if approval == "confirm" and not _confirms_edits(ls):
        # Without change annotations the editor would apply at once: the user asked to confirm, so review.
        approval = "review"
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"Claif: this editor cannot confirm each change (no change annotation support); "
                f"review {record.title} with the Accept/Reject actions instead",
            )
        )
    if approval == "review":
        if settings.preview is PreviewMode.DOCUMENT:
            await show_preview(ls, record)
        proposals_changed(ls, record)
    else:
        busy = _edit_in_flight(ls, record, record.pending_ids())
        if busy is None:
            await accept(ls, record, record.pending_ids(), confirm=approval == "confirm")
        else:
            _warn(ls, record, f"not applied, {busy}; review it with Accept")
            proposals_changed(ls, record)
    return record


def _confirms_edits(ls: ClaifLanguageServer) -> bool:
    """True when the client shows a confirmation for annotated edits (VS Code's refactor preview)."""
    caps = ls.client_capabilities
    return get_capability(caps, "workspace.workspace_edit.change_annotation_support", None) is not None


async def show_preview(ls: ClaifLanguageServer, record: ProposalRecord) -> None:
    """Write the proposal's diff under the cache directory and ask the editor to show it."""
    previews = Path(user_cache_dir("claif-lsp")) / "previews"
    try:
        previews.mkdir(parents=True, exist_ok=True)
        path = previews / f"{record.id}-{abs(hash(record.root)) % 10_000}.diff"
        path.write_text(f"# {record.title} ({record.provider})\n{record.diff()}", encoding="utf-8")
    except OSError as exc:
        logger.warning("cannot write the preview of {}: {}", record.id, exc)
        return
    record.preview_uri = uri_for(path)
    if not get_capability(ls.client_capabilities, "window.show_document.support", False):
        return
    try:
        await ls.window_show_document_async(types.ShowDocumentParams(uri=record.preview_uri, take_focus=True))
    except Exception as exc:  # the proposal stays reviewable through code lenses and commands
        logger.debug("window/showDocument failed: {}", exc)


def proposals_changed(ls: ClaifLanguageServer, record: ProposalRecord) -> None:
    """Tell the editor a proposal changed: the custom notification and a code lens refresh."""
    ls.protocol.notify(protocol.PROPOSALS_CHANGED, {"proposals": [{"id": record.id, "state": record.state.value}]})
    if get_capability(ls.client_capabilities, "workspace.code_lens.refresh_support", False):
        ls.run_soon(_refresh_code_lenses(ls))


async def _refresh_code_lenses(ls: ClaifLanguageServer) -> None:
    try:
        await ls.workspace_code_lens_refresh_async(None)
    except Exception as exc:  # lenses refresh on the next edit anyway
        logger.debug("workspace/codeLens/refresh failed: {}", exc)


def _edit_in_flight(ls: ClaifLanguageServer, record: ProposalRecord, hunk_ids: list[str]) -> str | None:
    """Why these hunks cannot be sent now: an edit to one of their files is in flight (its text is changing)."""
    root = Path(record.root)
    for file, _ids in record.files_with(hunk_ids):
        busy = ls.state.proposals.applying_in(root / file.path)
        if busy is not None:
            return f"an edit to {file.path} ({busy.title}) is being applied"
    return None


def _rebase_on(record: ProposalRecord, file: FileProposal, text: str | None) -> dict[str, str]:
    """Re-place the file's pending hunks on its current text; the reasons of those that turned stale."""
    pending = [h.id for h in record.pending_hunks(file)]
    if file.operation == "add":
        if text is not None and text != (file.old_text or ""):
            reasons = {h: f"{file.path} was created since the proposal was made" for h in pending}
            record.mark_stale(reasons)
            return reasons
        return {}
    if text is None:
        reasons = {h: f"{file.path} no longer exists" for h in pending}
        record.mark_stale(reasons)
        return reasons
    if text == file.old_text:
        return {}
    # The buffer moved on; the proposal now describes this text.
    return record.rebase(file, text)


def _stale_message(stale: dict[str, str]) -> str:
    reasons = list(dict.fromkeys(stale.values()))
    return f"{'; '.join(reasons)}: drop {'it' if len(stale) == 1 else 'them'} with Reject"


def _answer(
    ls: ClaifLanguageServer,
    record: ProposalRecord,
    *,
    applied: bool,
    accepted: list[str],
    stale: list[str],
    reason: str | None,
) -> dict[str, Any]:
    return {
        "applied": applied,
        "accepted": accepted,
        "stale": stale,
        "reason": reason,
        "proposal": describe(ls, record),
    }


def _warn(ls: ClaifLanguageServer, record: ProposalRecord, message: str) -> None:
    ls.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Warning, message=f"Claif: {record.title}: {message}")
    )


async def accept(
    ls: ClaifLanguageServer, record: ProposalRecord, hunk_ids: list[str], *, confirm: bool = False
) -> dict[str, Any]:
    """Send the selected hunks that still place to the editor as one workspace edit and record the outcome."""
    if not hunk_ids:
        return _answer(ls, record, applied=False, accepted=[], stale=[], reason="nothing pending to accept")
    busy = _edit_in_flight(ls, record, hunk_ids)
    if busy is not None:
        raise request_failed(f"Claif: {busy}; wait for the editor's answer")
    root = Path(record.root)
    caps = ls.client_capabilities
    encoding = str(ls.workspace.position_encoding or types.PositionEncodingKind.Utf16)
    stale = {h: record.hunk_reasons.get(h, "stale") for h in hunk_ids if record.hunk_states[h] is HunkState.STALE}
    plan: list[tuple[FileProposal, list[Hunk], str]] = []
    views: list[FileProposal] = []
    for file, ids in record.files_with(hunk_ids):
        text, version = current_text(ls, root / file.path)
        stale.update(_rebase_on(record, file, text))
        hunks = [h for h in file.hunks if h.id in ids and record.hunk_states[h.id] is HunkState.PENDING]
        if not hunks:
            continue
        base = text if text is not None else ""
        plan.append((file, hunks, base))
        views.append(file.model_copy(update={"hunks": hunks, "old_text": base, "version": version}))
    stale_ids = [h for h in record.ids_in(HunkState.STALE) if h in stale]
    stale_note = _stale_message({h: stale[h] for h in stale_ids}) if stale_ids else None
    if not plan:
        record.reason = stale_note or "nothing pending to accept"
        proposals_changed(ls, record)
        if stale_note:
            _warn(ls, record, stale_note)
        return _answer(ls, record, applied=False, accepted=[], stale=stale_ids, reason=record.reason)
    try:
        edit = to_workspace_edit(
            Proposal(format=record.patch.format, files=views),
            document_changes=get_capability(caps, "workspace.workspace_edit.document_changes", False),
            resource_operations=[
                str(op.value if hasattr(op, "value") else op)
                for op in get_capability(caps, "workspace.workspace_edit.resource_operations", []) or []
            ],
            change_annotations=confirm and _confirms_edits(ls),
            encoding=encoding,
            uri_for=lambda relative: uri_for(root / relative),
            label_for_hunk=lambda hunk: f"{record.title}: hunk {hunk.index}",
        )
    except PatchError as exc:
        record.fail(ProposalState.FAILED, str(exc))
        proposals_changed(ls, record)
        _warn(ls, record, str(exc))
        return _answer(ls, record, applied=False, accepted=[], stale=stale_ids, reason=str(exc))

    sent = [h.id for _file, hunks, _base in plan for h in hunks]
    record.begin_applying(sent)
    proposals_changed(ls, record)
    timeout = ls.state.settings_for(uri_for(root)).apply_edit_timeout_seconds
    try:
        outcome = await send_edit(
            ls,
            types.ApplyWorkspaceEditParams(edit=edit, label=record.title),
            timeout,
            lambda late: _late_answer(ls, record, sent, late),
        )
    finally:
        # Whatever happens to this request (cancelled at shutdown too), the hunks never stay in flight.
        record.back_to_pending(sent)
    if outcome.applied:
        for file, hunks, base in plan:
            if file.operation == "delete":
                record.mark([h.id for h in hunks], HunkState.ACCEPTED)
                continue
            for hunk_id, reason in record.advance(file, hunks, apply_hunks(base, hunks)).items():
                stale[hunk_id] = reason
                stale_ids.append(hunk_id)
        stale_note = _stale_message({h: stale[h] for h in stale_ids}) if stale_ids else None
        record.reason = stale_note
        proposals_changed(ls, record)
        if stale_note:
            _warn(ls, record, stale_note)
        return _answer(ls, record, applied=True, accepted=sent, stale=stale_ids, reason=stale_note)
    reason = outcome.reason or "the editor did not apply the edit"
    if outcome.applied is False:
        # The editor (or the user in it) refused: it says so itself.
        record.fail(ProposalState.DISCARDED, reason)
    else:
        reason = f"{reason}; nothing was marked accepted (check the file, then accept again)"
        record.reason = reason
        _warn(ls, record, reason)
    proposals_changed(ls, record)
    return _answer(ls, record, applied=False, accepted=[], stale=stale_ids, reason=reason)


def _late_answer(ls: ClaifLanguageServer, record: ProposalRecord, sent: list[str], outcome: EditOutcome) -> None:
    """The editor answered after the wait ran out: an edit it applied after all is recorded, never sent again."""
    if not outcome.applied or any(record.hunk_states[h] is not HunkState.PENDING for h in sent):
        return
    record.mark(sent, HunkState.ACCEPTED)
    root = Path(record.root)
    for file, _ids in record.files_with(sent):
        text, _version = current_text(ls, root / file.path)
        if text is not None and file.operation != "delete":
            record.rebase(file, text)
    record.reason = None
    proposals_changed(ls, record)
    ls.window_show_message(
        types.ShowMessageParams(
            type=types.MessageType.Info, message=f"Claif: {record.title}: the editor applied the edit after all"
        )
    )


def reviewable_at(ls: ClaifLanguageServer, uri: str) -> list[tuple[ProposalRecord, FileProposal, Hunk]]:
    """Pending and stale hunks in the document at ``uri`` (see each one's state in its record)."""
    path = path_for(uri)
    return ls.state.proposals.reviewable_in(path) if path else []
