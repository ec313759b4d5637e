"""The core's ports backed by the pygls server: documents, the user, edits, progress and the client's capabilities."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from loguru import logger
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from claif_lsp import protocol
from claif_lsp.context import DocumentView
from claif_lsp.core.errors import InvalidRequest
from claif_lsp.core.ports import ClientCapabilities, Editor, EditOutcome
from claif_lsp.core.proposals import Proposal
from claif_lsp.features.apply_edit import send_edit
from claif_lsp.features.progress import AskProgress
from claif_lsp.protocol.models import AnswerParams, ChangedProposal, ProposalsChangedParams
from claif_lsp.server import ClaifLanguageServer
from claif_lsp.state import RunningAsk


def uri_for(path: Path) -> str:
    """The file URI of an absolute path."""
    return from_fs_path(str(path)) or path.as_uri()


def path_for(uri: str) -> Path | None:
    """The filesystem path of a file URI (None for other schemes)."""
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def _view(doc: TextDocument, path: Path | None) -> DocumentView:
    return DocumentView(uri=doc.uri, path=path, text=doc.source, language_id=doc.language_id, version=doc.version)


class EditorDocuments:
    """pygls' workspace: the editor's buffers, else the disk."""

    def __init__(self, ls: ClaifLanguageServer) -> None:
        self.ls = ls

    def buffer(self, path: Path) -> DocumentView | None:
        """The open buffer for ``path``, or None when the editor does not have it open."""
        doc = self.ls.workspace.text_documents.get(uri_for(path))
        return _view(doc, path) if doc is not None else None

    def document(self, uri: str) -> DocumentView:
        """The document from its buffer or the disk; OSError when it cannot be read."""
        return _view(self.ls.workspace.get_text_document(uri), path_for(uri))

    def is_open(self, uri: str) -> bool:
        """True when the editor has the document open."""
        return unquote(uri) in self.ls.workspace.text_documents

    def open_views(self, except_uri: str | None = None) -> list[DocumentView]:
        """Every open buffer but ``except_uri``, as the editor has it."""
        docs = self.ls.workspace.text_documents
        return [_view(doc, path_for(uri)) for uri, doc in docs.items() if uri != except_uri]

    def folders(self) -> list[Path]:
        """The workspace folders the client declared (and added since)."""
        return [p for f in self.ls.workspace.folders.values() if (p := path_for(f.uri))]

    def uri_for(self, path: Path) -> str:
        """The file URI of an absolute path."""
        return uri_for(path)

    def path_for(self, uri: str) -> Path | None:
        """The filesystem path of a file URI."""
        return path_for(uri)


class EditorUser:
    """Messages, documents and proposal notifications through the client."""

    def __init__(self, ls: ClaifLanguageServer) -> None:
        self.ls = ls

    def info(self, message: str) -> None:
        """``window/showMessage`` at Info."""
        self.ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=message))

    def warning(self, message: str) -> None:
        """``window/showMessage`` at Warning."""
        self.ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))

    async def show_document(self, uri: str) -> bool:
        """``window/showDocument``; False when it failed."""
        try:
            result = await self.ls.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True))
        except Exception as exc:  # what was to be shown stays reachable another way
            logger.debug("window/showDocument failed: {}", exc)
            return False
        return bool(result and result.success)

    async def choose(self, message: str, choices: list[str]) -> str | None:
        """``window/showMessageRequest`` with ``choices``."""
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Info, message=message, actions=[types.MessageActionItem(title=c) for c in choices]
        )
        try:
            # Shielded: a cancelled ask stops waiting, while the client's late answer still finds its request.
            choice = await asyncio.shield(self.ls.window_show_message_request_async(params))
        except Exception as exc:
            raise InvalidRequest(f"instruction is required ({exc})") from None
        return choice.title if choice else None

    def proposals_changed(self, proposal: Proposal) -> None:
        """The custom notification and a code lens refresh."""
        one = ChangedProposal(id=proposal.id, state=proposal.state.value, revision=proposal.revision)
        changed = ProposalsChangedParams(proposals=[one])
        self.ls.protocol.notify(protocol.PROPOSALS_CHANGED, changed.wire())
        if get_capability(self.ls.client_capabilities, "workspace.code_lens.refresh_support", False):
            self.ls.run_soon(self._refresh_code_lenses())

    def answer(self, request_id: str | None, text: str, *, done: bool) -> None:
        """``claif/answer``, naming the ask by its request id and the progress token it reports on."""
        running = self.ls.state.running.get(request_id) if request_id else None
        token = running.token if running else None
        params = AnswerParams(request_id=request_id, token=token, text=text, done=done)
        self.ls.protocol.notify(protocol.ANSWER, params.wire())

    async def _refresh_code_lenses(self) -> None:
        try:
            await self.ls.workspace_code_lens_refresh_async(None)
        except Exception as exc:  # lenses refresh on the next edit anyway
            logger.debug("workspace/codeLens/refresh failed: {}", exc)


class EditorEdits:
    """``workspace/applyEdit``, bounded."""

    def __init__(self, ls: ClaifLanguageServer) -> None:
        self.ls = ls

    async def apply(
        self, edit: types.WorkspaceEdit, label: str, timeout: float, on_late_answer: Callable[[EditOutcome], None]
    ) -> EditOutcome:
        """Send the edit and read the editor's answer (see :mod:`claif_lsp.features.apply_edit`)."""
        return await send_edit(self.ls, types.ApplyWorkspaceEditParams(edit=edit, label=label), timeout, on_late_answer)


class EditorProgress:
    """Work-done progress for one ask; its cancel button stops the ask as the user's own cancel."""

    def __init__(self, ls: ClaifLanguageServer, running: RunningAsk, client_token: types.ProgressToken | None) -> None:
        self.ls = ls
        self.running = running
        self.client_token = client_token

    async def begin(self, title: str, message: str) -> AskProgress:
        """Begin progress on the client's token or one of ours; the ask can then be cancelled by that token."""
        progress = await AskProgress.start(self.ls, self.client_token, title=title, message=message)
        if progress.token is not None:
            self.running.token = progress.token
        progress.on_cancel(self.running.stop)
        return progress


def capabilities(ls: ClaifLanguageServer) -> ClientCapabilities:
    """What the client said it can do, as the core reads it."""
    caps = ls.client_capabilities
    operations = get_capability(caps, "workspace.workspace_edit.resource_operations", []) or []
    encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
    return ClientCapabilities(
        document_changes=get_capability(caps, "workspace.workspace_edit.document_changes", False),
        resource_operations=tuple(str(op.value if hasattr(op, "value") else op) for op in operations),
        change_annotations=get_capability(caps, "workspace.workspace_edit.change_annotation_support", None) is not None,
        show_document=get_capability(caps, "window.show_document.support", False),
        position_encoding=str(getattr(encoding, "value", encoding)),
    )


def editor_for(ls: ClaifLanguageServer) -> Editor:
    """Every editor port, backed by ``ls``."""
    return Editor(
        documents=EditorDocuments(ls), user=EditorUser(ls), edits=EditorEdits(ls), capabilities=capabilities(ls)
    )
