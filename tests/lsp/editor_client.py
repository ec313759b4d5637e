"""A pytest-lsp client that behaves like a small editor.

It keeps the text of the documents it opened, applies ``workspace/applyEdit`` requests to them the way an
editor does (refusing edits made for another version), tells the server with ``didChange``, and records
what it was shown. Tests choose whether the "user" accepts edits and which message action they pick.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Union

import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.workspace import PositionCodec, TextDocument
from pytest_lsp import LanguageClient

ApplyEditAnswer = str
"""How the editor answers ``workspace/applyEdit``: ``apply`` (apply it, or refuse with ``applied: false`` when
``accept_edits`` is off), ``null``, ``no-applied`` (an object without ``applied``), ``error`` or ``never``."""


class EditorEditError(JsonRpcException):
    """The error the editor answers ``workspace/applyEdit`` with when a test asks for ``error``."""


@dataclass
class EditorDocument:
    """A document open in the test editor."""

    uri: str
    text: str
    version: int
    language_id: str


class EditorClient(LanguageClient):
    """A LanguageClient with an editor's document store."""

    documents: dict[str, EditorDocument]
    applied_edits: list[types.ApplyWorkspaceEditParams]
    accept_edits: bool
    message_choice: str | None
    message_requests: list[types.ShowMessageRequestParams]
    message_gate: asyncio.Event | None
    """When set, ``window/showMessageRequest`` stays open (the user has not chosen) until the event is set."""
    encoding: str
    registrations: list[types.Registration]
    code_lens_refreshes: int
    apply_edit_answer: ApplyEditAnswer
    apply_edit_gate: asyncio.Event | None
    """When set, each ``workspace/applyEdit`` waits for the event (the editor is busy) before it is answered."""
    apply_edit_arrived: asyncio.Event
    apply_edit_answered: asyncio.Event
    """Set each time this editor has answered a ``workspace/applyEdit`` with a result."""

    async def wait_for_edit_requests(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` ``workspace/applyEdit`` requests have arrived."""
        while len(self.applied_edits) < count:
            self.apply_edit_arrived.clear()
            await asyncio.wait_for(self.apply_edit_arrived.wait(), timeout)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors the test made this editor answer with are not the server's fault."""
        if isinstance(error, EditorEditError):
            return
        super().report_server_error(error, source)

    def open_document(self, uri: str, text: str, language_id: str = "python") -> EditorDocument:
        """Open a document, as an editor does when a file is shown."""
        doc = EditorDocument(uri=uri, text=text, version=1, language_id=language_id)
        self.documents[uri] = doc
        self.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)
            )
        )
        return doc

    def type_text(self, uri: str, new_text: str) -> None:
        """Replace a document's whole text, as if the user typed (bumps the version)."""
        doc = self.documents[uri]
        doc.text = new_text
        doc.version += 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=doc.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
            )
        )

    def apply_workspace_edit(self, edit: types.WorkspaceEdit) -> str | None:
        """Apply an edit to open documents; returns a failure reason, or None on success."""
        per_uri: dict[str, tuple[int | None, list[types.TextEdit]]] = {}
        for change in edit.document_changes or []:
            if isinstance(change, types.TextDocumentEdit):
                per_uri[change.text_document.uri] = (change.text_document.version, list(change.edits))
        for uri, edits in (edit.changes or {}).items():
            per_uri[uri] = (None, list(edits))
        for uri, (version, _) in per_uri.items():
            doc = self.documents.get(uri)
            if doc is None:
                return f"{uri} is not open"
            if version is not None and version != doc.version:
                return f"{uri} changed: edit for version {version}, document is at {doc.version}"
        for uri, (_, edits) in per_uri.items():
            doc = self.documents[uri]
            buffer = TextDocument(uri, doc.text, position_codec=PositionCodec(self.encoding))
            # Apply bottom-up so earlier ranges stay valid.
            ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
            text = doc.text
            for text_edit in ordered:
                start = buffer.offset_at_position(text_edit.range.start)
                end = buffer.offset_at_position(text_edit.range.end)
                text = text[:start] + text_edit.new_text + text[end:]
            self.type_text(uri, text)
        return None


def make_editor_client() -> EditorClient:
    """A fresh editor client with handlers for the requests the server sends."""
    client = pytest_lsp.make_test_lsp_client()
    client.__class__ = EditorClient
    assert isinstance(client, EditorClient)
    client.documents = {}
    client.applied_edits = []
    client.accept_edits = True
    client.message_choice = None
    client.message_requests = []
    client.message_gate = None
    client.encoding = "utf-16"
    client.registrations = []
    client.code_lens_refreshes = 0
    client.apply_edit_answer = "apply"
    client.apply_edit_gate = None
    client.apply_edit_arrived = asyncio.Event()
    client.apply_edit_answered = asyncio.Event()

    # lsprotocol 2025.0.0 structures any code action that has a `command` as a bare Command, losing its
    # title/kind; editors tell them apart by the type of `command` (an object for CodeAction), so do we.
    converter = client.protocol._converter

    def code_action_or_command(obj: Any, _: Any) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(types.Command | types.CodeAction, code_action_or_command)
    converter.register_structure_hook(Union[types.Command, types.CodeAction], code_action_or_command)  # noqa: UP007

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    async def apply_edit(ls: EditorClient, params: types.ApplyWorkspaceEditParams) -> Any:
        ls.applied_edits.append(params)
        ls.apply_edit_arrived.set()
        if ls.apply_edit_gate is not None:
            await ls.apply_edit_gate.wait()
        answer = ls.apply_edit_answer
        if answer == "never":
            await asyncio.Event().wait()
        if answer == "null":
            return None
        if answer == "no-applied":
            return {"failureReason": "no idea"}
        if answer == "error":
            raise EditorEditError("the editor's edit handler failed", code=-32603)
        if not ls.accept_edits:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="rejected by user")
        failure = ls.apply_workspace_edit(params.edit)
        ls.apply_edit_answered.set()
        return types.ApplyWorkspaceEditResult(applied=failure is None, failure_reason=failure)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(ls: EditorClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(ls: EditorClient, params: None) -> None:
        ls.code_lens_refreshes += 1

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    async def show_message_request(ls: EditorClient, params: types.ShowMessageRequestParams) -> Any:
        ls.message_requests.append(params)
        if ls.message_gate is not None:
            await ls.message_gate.wait()
        for action in params.actions or []:
            if ls.message_choice is None or action.title == ls.message_choice:
                return action
        return None

    return client
