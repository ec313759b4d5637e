"""``textDocument/codeAction``: the Claif actions for a selection, answered at once from the document alone.

Nothing here waits on a provider: provider readiness comes from the registry's cached statuses, and the
model only runs when the editor executes the action's command (``claif.ask``), never in resolve.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import to_fs_path

from claif_lsp import protocol
from claif_lsp.actions import BUILTIN, BY_ID, custom_id
from claif_lsp.core.lsp_json import range_json
from claif_lsp.server import ClaifLanguageServer

if TYPE_CHECKING:
    from claif_lsp.settings import Settings

KIND_ASK = "refactor.rewrite.claif"
KIND_EXPLAIN = "refactor.claif.explain"
KIND_REVIEW = "refactor.claif.review"

BUILTIN_ACTIONS = tuple((action.id, action.title) for action in BUILTIN if action.offered_per_selection)


def _diagnostic_json(diagnostic: types.Diagnostic) -> dict[str, Any]:
    return {
        "message": diagnostic.message,
        "range": range_json(diagnostic.range),
        "source": diagnostic.source,
        "code": diagnostic.code,
        "severity": int(diagnostic.severity) if diagnostic.severity is not None else None,
    }


def _wanted(only: list[str] | None, kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def ask_action(title: str, kind: str, arguments: dict[str, Any]) -> types.CodeAction:
    """A code action whose command runs ``claif.ask``."""
    return types.CodeAction(
        title=title, kind=kind, command=types.Command(title=title, command=protocol.ASK, arguments=[arguments])
    )


def code_actions(ls: ClaifLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Every Claif action for the request's range: the default provider's set, then one per other ready provider."""
    uri = params.text_document.uri
    settings = ls.state.settings_for(uri)
    only = [str(k.value if hasattr(k, "value") else k) for k in params.context.only or []]
    actions: list[types.CodeAction] = []
    actions.extend(_review_actions(ls, uri, params.range, only))
    if _refused(ls, uri, settings.context.exclude):
        return actions  # an ask there would be refused: nothing of a secret file leaves the machine
    rng = range_json(params.range)
    diagnostics = [_diagnostic_json(d) for d in params.context.diagnostics]
    base: dict[str, Any] = {"uri": uri, "range": rng}
    if diagnostics:
        base["diagnostics"] = diagnostics
    default = ls.registry.resolve(settings=settings, cached=True)
    actions.extend(_provider_set(ls, params, only, base, diagnostics, settings, default, group=None))
    others = [name for name in ls.registry.cached_ready(settings=settings) if name not in (default, "replay")]
    for name in others:
        group = ls.registry.display_name(name)
        actions.extend(_provider_set(ls, params, only, {**base, "provider": name}, diagnostics, settings, name, group))
    return actions


def _provider_set(
    ls: ClaifLanguageServer,
    params: types.CodeActionParams,
    only: list[str],
    base: dict[str, Any],
    diagnostics: list[dict[str, Any]],
    settings: Settings,
    provider: str,
    group: str | None,
) -> list[types.CodeAction]:
    """One provider's actions; titles of a provider other than the default start with its name ("Claude: …")."""

    def title(text: str) -> str:
        return f"{group}: {text}" if group else text

    actions: list[types.CodeAction] = []
    if _wanted(only, KIND_ASK):
        ask_title = BY_ID["ask"].title.format(provider=ls.registry.display_name(provider))
        actions.append(ask_action(ask_title, KIND_ASK, {**base, "action": "ask"}))
    for action, label in BUILTIN_ACTIONS:
        kind = KIND_EXPLAIN if action == "explain" else KIND_ASK
        if _wanted(only, kind):
            actions.append(ask_action(title(label), kind, {**base, "action": action}))
    if _wanted(only, types.CodeActionKind.QuickFix.value):
        for diagnostic, raw in zip(params.context.diagnostics, diagnostics, strict=True):
            message = " ".join(diagnostic.message.split())
            fix = ask_action(
                title(BY_ID["fix"].title.format(diagnostic=message[:80])),
                types.CodeActionKind.QuickFix.value,
                {**base, "action": "fix", "diagnostic": raw},
            )
            fix.diagnostics = [diagnostic]
            actions.append(fix)
    for index, custom in enumerate(settings.actions):
        kind = KIND_EXPLAIN if custom.kind == "explain" else KIND_ASK
        if _wanted(only, kind):
            actions.append(ask_action(title(custom.title), kind, {**base, "action": custom_id(index)}))
    return actions


def _refused(ls: ClaifLanguageServer, uri: str, exclude: list[str]) -> bool:
    """True when an ask on this document would be refused (a secret file, a private key inside, excluded)."""
    from claif_lsp.privacy.redaction import secret_content_reason

    fs_path = to_fs_path(uri)
    path = Path(fs_path) if fs_path else None
    if path is not None and _path_refusal(path, ls.state.root_for(path), tuple(exclude)) is not None:
        return True
    doc = ls.workspace.text_documents.get(uri)
    return secret_content_reason(doc.source if doc is not None else "") is not None


@functools.lru_cache(maxsize=256)
def _path_refusal(path: Path, root: Path | None, exclude: tuple[str, ...]) -> str | None:
    """Why asks on ``path`` are refused, from the path alone."""
    # Cached because code actions come on every cursor move and resolving symlinks costs syscalls; this only
    # decides which actions are offered: claif.ask checks again, uncached, before anything is sent.
    from claif_lsp.context import refusal_reason

    return refusal_reason(path, root, "", exclude)


def _review_actions(ls: ClaifLanguageServer, uri: str, rng: types.Range, only: list[str]) -> list[types.CodeAction]:
    """Accept / reject choices for pending hunks under the range, drop for stale ones (for clients without lenses)."""
    if not _wanted(only, KIND_REVIEW):
        return []
    fs_path = to_fs_path(uri)
    if not fs_path:
        return []
    actions = []

    def action(title: str, command: str, argument: dict[str, Any]) -> types.CodeAction:
        return types.CodeAction(
            title=title, kind=KIND_REVIEW, command=types.Command(title=title, command=command, arguments=[argument])
        )

    for record, _file, hunk in ls.state.proposals.reviewable_in(Path(fs_path)):
        if hunk.end_line < rng.start.line or hunk.start_line > rng.end.line:
            continue
        if record.is_stale(hunk.id):
            title = f"Drop stale hunk {hunk.index} ({record.title})"
            actions.append(action(title, protocol.REJECT, {"proposal": record.id, "hunks": [hunk.id]}))
            continue
        for verb, command, hunks in (
            ("Accept", protocol.ACCEPT, [hunk.id]),
            ("Reject", protocol.REJECT, [hunk.id]),
            ("Accept all of", protocol.ACCEPT, None),
            ("Reject all of", protocol.REJECT, None),
        ):
            title = f"{verb} {record.title}" if hunks is None else f"{verb} hunk {hunk.index} ({record.title})"
            argument: dict[str, Any] = {"proposal": record.id}
            if hunks is not None:
                argument["hunks"] = hunks
            actions.append(action(title, command, argument))
    return actions


def register(server: ClaifLanguageServer) -> None:
    """Register the code action provider."""

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.RefactorRewrite,
                types.CodeActionKind.Refactor,
            ]
        ),
    )
    def on_code_action(ls: ClaifLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)
