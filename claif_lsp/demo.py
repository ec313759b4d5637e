"""``claif-lsp demo``: start the real server as a subprocess and drive a whole session, offline.

It plays the editor: opens a sample file, lists the code actions, asks the recorded replay provider for a
change (streamed as progress), shows the proposal's diff, accepts one hunk, refines the rest with feedback (the
next revision keeps the accepted hunk), accepts it, and explains the code, printing what an editor would show at
each step. No key, no network; the sessions it makes are kept in the work folder, not your state directory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.workspace import PositionCodec, TextDocument

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "demo"
NEXT_STEPS = """
Next, with your own editor and a real model (README.md: "Editor setup"):
  1. install the server and the providers you want, from this checkout:
       uv tool install ./ --with ./providers/claif-replay --with ./providers/claif-anthropic
  2. set a key (README.md: "Setting a key") and try it:  claif-lsp providers --check
  3. set up VS Code, Neovim, Emacs or another LSP editor (README.md: "Editor setup")"""
"""Where a user goes after the demo; the same command as the README's install line (a test keeps them equal)."""


def apply_text_edits(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    """``text`` with LSP text edits applied, as an editor applies them (bottom-up, client units)."""
    buffer = TextDocument("untitled:demo", text, position_codec=PositionCodec(encoding))
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    for edit in ordered:
        start = buffer.offset_at_position(edit.range.start)
        end = buffer.offset_at_position(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


class DemoEditor(LanguageClient):
    """The smallest editor that shows what claif-lsp does."""

    def __init__(self) -> None:
        super().__init__("claif-demo", "1")
        self.text = ""
        self.uri = ""
        self.doc_version = 1

        @self.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            edits: list[types.TextEdit] = list((params.edit.changes or {}).get(self.uri, []))
            for change in params.edit.document_changes or []:
                if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == self.uri:
                    edits.extend(e for e in change.edits if isinstance(e, types.TextEdit))
            self.replace(apply_text_edits(self.text, edits, "utf-16"))
            return types.ApplyWorkspaceEditResult(applied=True)

        @self.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create_progress(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", "")
            message = value.get("message") if isinstance(value, dict) else getattr(value, "message", "")
            print(f"  progress {kind:<6} {message or ''}")

        @self.feature(types.WINDOW_SHOW_DOCUMENT)
        def show_document(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
            print(f"  editor opens {params.uri}")
            return types.ShowDocumentResult(success=True)

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def show_message(params: types.ShowMessageParams) -> None:
            print(f"  message: {params.message}")

        for method in (types.WINDOW_LOG_MESSAGE, "claif/proposalsChanged", "claif/answer"):
            self.feature(method)(lambda params: None)

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [None for _ in params.items]

    def replace(self, text: str) -> None:
        """Change the buffer and tell the server, as an editor does after an edit."""
        self.text = text
        self.doc_version += 1
        self.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.doc_version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        """Run a claif command."""
        return await self.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[argument])
        )


def _banner(text: str) -> None:
    print(f"\n== {text}")


async def drive(workdir: Path) -> int:
    """Run the scripted session in ``workdir`` (a copy of examples/demo)."""
    editor = DemoEditor()
    # The demo's sessions stay in its work folder, not the user's state directory.
    env = {**os.environ, "XDG_STATE_HOME": str(workdir / ".state")}
    await editor.start_io(sys.executable, "-m", "claif_lsp", "--log-level", "WARNING", env=env)
    settings = {
        "provider": "replay",
        "providers": {"replay": {"options": {"transcript": str(workdir / "transcript.jsonl")}}},
        "cache": {"enabled": False},
    }
    result = await editor.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(
                    work_done_progress=True, show_document=types.ShowDocumentClientCapabilities(support=True)
                ),
                workspace=types.WorkspaceClientCapabilities(
                    workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
                ),
            ),
            root_uri=workdir.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workdir.as_uri(), name="demo")],
            initialization_options=settings,
        )
    )
    editor.initialized(types.InitializedParams())
    info = result.server_info
    print(f"server: {info.name if info else '?'} {info.version if info else ''}")

    sample = workdir / "app.py"
    editor.uri, editor.text = sample.as_uri(), sample.read_text(encoding="utf-8")
    editor.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=editor.uri, language_id="python", version=1, text=editor.text)
        )
    )
    selection = {"start": {"line": 3, "character": 0}, "end": {"line": 16, "character": 0}}
    rng = types.Range(start=types.Position(line=3, character=0), end=types.Position(line=16, character=0))
    actions = await editor.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    _banner("code actions on lines 4-16 of app.py")
    for action in actions or []:
        print(f"  - {action.title}")

    _banner("claif.ask: 'tidy up' (replay provider, streamed)")
    asked = await editor.command("claif.ask", {"uri": editor.uri, "range": selection, "instruction": "tidy up"})
    [proposal_id] = asked["proposals"]
    proposal = await editor.command("claif.proposal", {"proposal": proposal_id})
    print(proposal["diff"])
    hunks = proposal["files"][0]["hunks"]

    _banner(f"claif.accept hunk {hunks[0]['id']} only")
    await editor.command("claif.accept", {"proposal": proposal_id, "hunks": [hunks[0]["id"]]})
    print(editor.text)
    feedback = "keep the start value of 0 explicit"
    _banner(f"claif.refine: '{feedback}' (the next revision keeps hunk {hunks[0]['id']} accepted)")
    await editor.command("claif.refine", {"proposal": proposal_id, "feedback": feedback})
    revised = await editor.command("claif.proposal", {"proposal": proposal_id})
    print(f"revision {revised['revision']}:")
    print(revised["diff"])
    _banner("claif.accept the rest")
    done = await editor.command("claif.accept", {"proposal": proposal_id})
    print(editor.text)
    print(f"proposal {proposal_id}: {done['proposal']['state']}")

    _banner("claif.ask action=explain")
    explained = await editor.command("claif.ask", {"uri": editor.uri, "range": selection, "action": "explain"})
    print(explained["answer"])

    await editor.shutdown_async(None)
    editor.exit(None)
    await editor.stop()
    ok = done["proposal"]["state"] == "accepted" and "return sum(values, start=0)" in editor.text
    print("demo finished: OK" if ok else "demo finished: UNEXPECTED RESULT")
    print(NEXT_STEPS)
    return 0 if ok else 1


def run(workdir: str | None = None) -> int:
    """Copy the example project to ``workdir`` (or a temporary folder) and drive the session."""
    with tempfile.TemporaryDirectory(prefix="claif-demo-") as tmp:
        target = Path(workdir) if workdir else Path(tmp) / "demo"
        shutil.copytree(EXAMPLE, target, dirs_exist_ok=True)
        return asyncio.run(drive(target))
