"""``textDocument/codeAction``: the Claif actions for a selection, answered at once from the document alone.

Nothing here waits on a provider: provider readiness comes from the registry's cached statuses, and the
model only runs when the editor executes the action's command (``claif.ask``), never in resolve.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from claif_lsp import protocol
from claif_lsp.actions import BUILTIN, BY_ID, custom_id, menu_title, provider_label
from claif_lsp.core.lsp_json import range_json
from claif_lsp.features.follow_edits import follow_now
from claif_lsp.server import ClaifLanguageServer

if TYPE_CHECKING:
    from claif_lsp.settings import Settings

# The standard kinds, not claif sub-kinds: eglot's rewrite and quickfix commands keep only actions of exactly the
# kind they asked for, Neovim's `only` and VS Code's menus match by prefix, Helix and Zed list every kind. The
# "Claif: " title prefix is what tells claif's actions apart.
KIND_ASK = types.CodeActionKind.RefactorRewrite.value
KIND_EXPLAIN = types.CodeActionKind.Refactor.value
KIND_REVIEW = types.CodeActionKind.QuickFix.value

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
    follow_now(ls, uri)
    actions.extend(_review_actions(ls, uri, params.range, only))
    if _refused(ls, uri, settings.context.exclude):
        return actions  # an ask there would be refused: nothing of a secret file leaves the machine
    actions.extend(_fix_again_actions(ls, uri, params.context.diagnostics, only, settings.fix_attempts))
    rng = range_json(params.range)
    diagnostics = [_diagnostic_json(d) for d in params.context.diagnostics]
    base: dict[str, Any] = {"uri": uri, "range": rng}
    if diagnostics:
        base["diagnostics"] = diagnostics
    default = ls.registry.resolve(settings=settings, cached=True)
    ready = ls.registry.cached_ready(settings=settings)
    if default in ready:
        actions.extend(_provider_set(ls, params, only, base, diagnostics, settings, default, default=True))
    elif _wanted(only, KIND_ASK):
        actions.append(_set_up_action(ls, base, settings, default))
    for name in [name for name in ready if name not in (default, "replay")]:
        actions.extend(_provider_set(ls, params, only, {**base, "provider": name}, diagnostics, settings, name))
    return actions


def _set_up_action(
    ls: ClaifLanguageServer, base: dict[str, Any], settings: Settings, provider: str
) -> types.CodeAction:
    """The one action of a default provider that cannot answer: its title says why; running it says what to set."""
    reason = ls.registry.status(provider, settings).reason or "not ready"
    label = provider_label(ls.registry.display_name(provider), provider)
    title = menu_title(f"set up {label}: {reason}")
    action = ask_action(title, KIND_ASK, {**base, "action": "ask", "provider": provider})
    if get_capability(ls.client_capabilities, "text_document.code_action.disabled_support", False):
        action.disabled = types.CodeActionDisabled(reason=reason)
    return action


def _provider_set(
    ls: ClaifLanguageServer,
    params: types.CodeActionParams,
    only: list[str],
    base: dict[str, Any],
    diagnostics: list[dict[str, Any]],
    settings: Settings,
    provider: str,
    *,
    default: bool = False,
) -> list[types.CodeAction]:
    """One provider's actions, each titled "Claif: <action> (<provider>)"; the default's Ask names the settings' id."""
    display = ls.registry.display_name(provider)

    def title(text: str) -> str:
        return menu_title(text, display)

    actions: list[types.CodeAction] = []
    if _wanted(only, KIND_ASK):
        ask_title = menu_title(BY_ID["ask"].title.format(provider=provider_label(display, provider)))
        actions.append(ask_action(ask_title, KIND_ASK, {**base, "action": "ask"}))
    for action, label in BUILTIN_ACTIONS:
        kind = KIND_EXPLAIN if action == "explain" else KIND_ASK
        if _wanted(only, kind):
            actions.append(ask_action(title(label), kind, {**base, "action": action}))
    if _wanted(only, types.CodeActionKind.QuickFix.value):
        for diagnostic, raw in zip(params.context.diagnostics, diagnostics, strict=True):
            message = " ".join(diagnostic.message.split())
            fix = ask_action(
                menu_title(f"{BY_ID['fix'].title.format(diagnostic=message[:80])} ({display})"),
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
    # Deferred: redaction compiles its patterns on import, which would land before the server answers initialize.
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
    # The refusal policy alone, not the context package it is re-exported from (deferred as above).
    from claif_lsp.privacy.refusal import refusal_reason

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

    whole: dict[str, str] = {}
    for record, _file, hunk in ls.state.proposals.reviewable_in(Path(fs_path)):
        if hunk.end_line < rng.start.line or hunk.start_line > rng.end.line:
            continue
        if record.is_stale(hunk.id):
            title = menu_title(f"Drop stale hunk {hunk.index} ({record.title})")
            actions.append(action(title, protocol.REJECT, {"proposal": record.id, "hunks": [hunk.id]}))
            continue
        for verb, command in (("Accept", protocol.ACCEPT), ("Reject", protocol.REJECT)):
            title = menu_title(f"{verb} hunk {hunk.index} ({record.title})")
            actions.append(action(title, command, {"proposal": record.id, "hunks": [hunk.id]}))
        # The server asks for the feedback itself (canned choices): a plain client has no input box.
        title = menu_title(f"Refine… hunk {hunk.index} ({record.title})")
        actions.append(action(title, protocol.REFINE, {"proposal": record.id, "hunks": [hunk.id]}))
        whole[record.id] = record.title
    # Once per proposal, however many of its hunks the range covers.
    for proposal_id, proposal_title in whole.items():
        for verb, command in (("Accept all of", protocol.ACCEPT), ("Reject all of", protocol.REJECT)):
            actions.append(action(menu_title(f"{verb} {proposal_title}"), command, {"proposal": proposal_id}))
        actions.append(action(menu_title(f"Retry ({proposal_title})"), protocol.RETRY, {"proposal": proposal_id}))
    return actions


def _last_line(rng: types.Range) -> int:
    """The last line a range covers (one ending at column 0 stops at the line before)."""
    end = rng.end.line
    return end - 1 if end > rng.start.line and rng.end.character == 0 else end


def _fix_again_actions(
    ls: ClaifLanguageServer, uri: str, diagnostics: Sequence[types.Diagnostic], only: list[str], limit: int
) -> list[types.CodeAction]:
    """The "Fix again (2/3): …" actions for the request diagnostics an accepted fix did not clear."""
    if not diagnostics or not _wanted(only, KIND_REVIEW):
        return []
    fs_path = to_fs_path(uri)
    doc = ls.workspace.text_documents.get(uri)
    if not fs_path or doc is None or not ls.state.fixes_in(Path(fs_path)):
        return []
    # Deferred: the core loads with the first proposal (fixes_in is False before one), never at start-up.
    from claif_lsp.core.fix_again import SeenDiagnostic

    seen = [
        SeenDiagnostic(
            message=d.message,
            start_line=d.range.start.line,
            end_line=_last_line(d.range),
            source=d.source,
            code=d.code,
        )
        for d in diagnostics
    ]
    offers = ls.state.fixes.offers(Path(fs_path), doc.source, seen, ls.state.proposals, ls.state.sessions, limit)
    actions = []
    for offer in offers:
        diagnostic = diagnostics[offer.diagnostic]
        message = " ".join(diagnostic.message.split())
        title = menu_title(f"Fix again ({offer.attempt}/{offer.limit}): {message[:80]}")
        argument = {"proposal": offer.proposal, "diagnostic": _diagnostic_json(diagnostic)}
        fix = types.CodeAction(
            title=title,
            kind=KIND_REVIEW,
            diagnostics=[diagnostic],
            command=types.Command(title=title, command=protocol.REFINE, arguments=[argument]),
        )
        actions.append(fix)
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
    async def on_code_action(ls: ClaifLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        # A menu asked for right after start would otherwise be built from the defaults ("set up ..."), not from
        # the settings the client is about to send.
        await ls.state.wait_for_settings()
        return code_actions(ls, params)
