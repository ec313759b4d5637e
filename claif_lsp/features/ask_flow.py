"""What ``claif.ask`` and ``claif.cancel`` do: run a request through one or more providers, with progress and cancel.

pygls does not cancel command tasks on ``$/cancelRequest`` (the request id maps to pygls' own wrapper
future), nor on ``window/workDoneProgress/cancel`` (it only marks the token's future). Both are wired to the
ask's task here, as is ``claif.cancel``; cancelling the task closes the provider's stream, which kills its
subprocess group or closes its HTTP connection, and no proposal is made.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
from loguru import logger
from lsprotocol import types
from platformdirs import user_cache_dir
from pygls.capabilities import get_capability
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.workspace import TextDocument

from claif_lsp.cache import ResponseCache
from claif_lsp.command_args import AskArgs, CancelArgs, DiagnosticArg, RangeArg
from claif_lsp.context import (
    ContextRequest,
    DiagnosticView,
    DocumentView,
    gather_context,
    refusal_message,
    refusal_reason,
)
from claif_lsp.edit_policy import drop_never_sent
from claif_lsp.errors import ClaifError, PatchError, ProviderRuntimeError, ProviderTimeoutError
from claif_lsp.features.documents import open_views, path_for, snapshot_reader
from claif_lsp.features.progress import AskProgress
from claif_lsp.features.review_flow import publish, request_failed
from claif_lsp.patches import parse_answer, resolve_patch
from claif_lsp.prompts import Prompt, build_prompt, is_explain
from claif_lsp.recording import record_exchange
from claif_lsp.server import CURRENT_COMMAND, ClaifLanguageServer
from claif_lsp.settings import PreviewMode, Settings
from claif_lsp.state import RunningAsk
from claif_lsp.streaming import Answer, collect_answer, describe_failure
from claif_lsp.text_check import broken_text_message, find_lone_surrogate
from claif_lsp.token_counts import format_tokens
from claif_lsp.types import ClaifOptions, Usage

SUGGESTED_INSTRUCTIONS = ("Improve this code", "Simplify", "Add error handling", "Add type hints", "Make it faster")
"""Offered through `window/showMessageRequest` when a plain LSP client asks without an instruction."""

TIMEOUT_GRACE = 5.0
"""Seconds past a provider's own timeout before we stop waiting for it ourselves."""

SEVERITIES = {1: "error", 2: "warning", 3: "information", 4: "hint"}


def cancel(ls: ClaifLanguageServer, args: CancelArgs) -> dict[str, Any]:
    """Stop the running asks ``args`` names (all of them when it names none)."""
    cancelled = []
    for running in list(ls.state.running.values()):
        if args.request is None or args.request in (running.request_id, running.token):
            running.stop()
            cancelled.append(running.request_id)
    return {"cancelled": cancelled}


def selection_lines(doc: TextDocument, rng: RangeArg) -> tuple[int, int]:
    """0-based inclusive lines of a range; a cursor or one-character selection means its line."""
    last = max(len(doc.lines) - 1, 0)
    start = min(rng.start.line, last)
    end = rng.end.line
    if end > start and rng.end.character == 0:
        end -= 1  # a selection ending at column 0 does not include that line
    return start, max(start, min(end, last))


def _diagnostic_view(diagnostic: DiagnosticArg) -> DiagnosticView:
    return DiagnosticView(
        start_line=diagnostic.range.start.line,
        end_line=diagnostic.range.end.line,
        message=diagnostic.message,
        severity=SEVERITIES.get(diagnostic.severity or 0),
        source=diagnostic.source,
        code=str(diagnostic.code) if diagnostic.code is not None else None,
    )


async def _pick_instruction(ls: ClaifLanguageServer) -> str | None:
    """Ask a plain LSP client's user for an instruction from a short list."""
    params = types.ShowMessageRequestParams(
        type=types.MessageType.Info,
        message="Claif: what should the model do with the selection?",
        actions=[types.MessageActionItem(title=title) for title in SUGGESTED_INSTRUCTIONS],
    )
    try:
        # Shielded: a cancelled ask stops waiting, while the client's late answer still finds its request.
        choice = await asyncio.shield(ls.window_show_message_request_async(params))
    except Exception as exc:
        raise JsonRpcInvalidParams(f"instruction is required ({exc})") from None
    return choice.title if choice else None


def _link_request_cancellation(ls: ClaifLanguageServer, task: asyncio.Task[Any]) -> bool:
    """Cancel ``task`` on ``$/cancelRequest``; False when the request was cancelled already."""
    # Private pygls API (see pygls-2 notes, 1.6); tests/lsp/test_cancel.py guards it.
    msg_id = ls.protocol.msg_id
    if msg_id is None:
        return True
    # pygls pops the request's future when the cancel arrives, so a missing one was cancelled before we ran.
    outer = ls.protocol._request_futures.get(msg_id)
    if outer is None or outer.cancelled():
        return False
    outer.add_done_callback(lambda f: f.cancelled() and task.cancel())
    return True


@dataclass
class _Flight:
    """What the cancel and failure handlers of one ask need to know as it goes."""

    running: RunningAsk
    client_token: types.ProgressToken | None
    progress: AskProgress


async def run_ask(ls: ClaifLanguageServer, args: AskArgs) -> dict[str, Any]:
    """Run one ask end to end and return proposal ids or the answer.

    The ask is registered for every cancel path before its first ``await``, so a cancel that arrives while
    it waits on settings, the instruction picker or progress creation stops it too.
    """
    request_id = args.request_id or str(uuid.uuid4())
    command = CURRENT_COMMAND.get()
    client_token = command.work_done_token if command else None
    task = asyncio.current_task()
    assert task is not None
    running = RunningAsk(request_id=request_id, task=task, token=client_token)
    ls.state.running[request_id] = running
    flight = _Flight(running=running, client_token=client_token, progress=AskProgress(ls, None))
    try:
        if not _link_request_cancellation(ls, task):
            raise asyncio.CancelledError
        return await _run(ls, args, flight)
    except asyncio.CancelledError:
        flight.progress.end("cancelled")
        logger.info("ask {} cancelled", request_id)
        if running.stopped_by_user:
            # Some clients (Neovim) drop RequestCancelled replies without calling back; a plain answer
            # lets every plugin see the outcome of a cancel it asked for.
            return {"proposals": [], "cancelled": True}
        raise JsonRpcRequestCancelled("cancelled") from None
    except ClaifError as exc:
        flight.progress.end(f"failed: {exc}")
        raise request_failed(exc) from None
    except JsonRpcException as exc:
        flight.progress.end(f"failed: {exc.message}")
        raise
    except Exception as exc:
        flight.progress.end(f"failed: {exc}")
        raise
    finally:
        ls.state.running.pop(request_id, None)


async def _run(ls: ClaifLanguageServer, args: AskArgs, flight: _Flight) -> dict[str, Any]:
    await ls.state.wait_for_settings()
    path = path_for(args.uri)
    if not _is_open(ls, args.uri) and not (path and _inside_workspace_folder(ls, path)):
        # Reading it from disk would send a file the user never showed us (a hostile client's `~/.ssh/...`).
        raise JsonRpcInvalidParams(
            f"{args.uri} is neither open in the editor nor inside a workspace folder; open it to ask about it"
        )
    doc = ls.workspace.get_text_document(args.uri)
    try:
        doc.source  # noqa: B018 - reads the file when the editor does not have it open
    except OSError as exc:
        raise JsonRpcInvalidParams(f"cannot read {args.uri}: {exc.strerror}") from None
    root = (ls.state.root_for(path) if path else None) or (path.parent if path else None)
    if root is None:
        raise JsonRpcInvalidParams(f"{args.uri} is not a file in the workspace")
    shown = str(path.relative_to(root).as_posix() if path and root in path.parents else (path or args.uri))
    _refuse_broken_text(shown, doc.source)
    if args.instruction:
        _refuse_broken_text("the instruction", args.instruction)
    settings = ls.state.settings_for(args.uri)
    refused = refusal_reason(path, root, doc.source, settings.context.exclude)
    if refused:
        message = refusal_message(shown, refused)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
        raise JsonRpcInvalidParams(message)

    custom_template = custom_kind = None
    if args.action.startswith("custom:"):
        try:
            custom = settings.actions[int(args.action.split(":", 1)[1])]
        except (ValueError, IndexError):
            raise JsonRpcInvalidParams(f"no custom action {args.action!r} in the actions setting") from None
        custom_template, custom_kind = custom.prompt, custom.kind

    instruction = args.instruction
    if args.action == "ask" and not (instruction and instruction.strip()):
        instruction = await _pick_instruction(ls)
        if instruction is None:
            return {"proposals": [], "cancelled": True}

    providers = args.providers or [ls.registry.resolve(args.provider, settings)]
    for name in providers:
        if name not in ls.registry.entries:
            known = ", ".join(ls.registry.names())
            raise JsonRpcInvalidParams(f"no provider named {name!r} is installed (installed: {known})")

    start, end = selection_lines(doc, args.range)
    diagnostics = [_diagnostic_view(d) for d in args.diagnostics or []]
    if args.diagnostic is not None:
        diagnostics.insert(0, _diagnostic_view(args.diagnostic))
    context = gather_context(
        ContextRequest(
            document=doc_view(doc, path),
            start_line=start,
            end_line=end,
            root=root,
            diagnostics=diagnostics,
            open_documents=_sendable(open_views(ls, except_uri=args.uri)),
            settings=settings.context,
        )
    )
    prompt = build_prompt(
        context,
        action=args.action,
        instruction=instruction,
        diagnostic=diagnostics[0] if args.action == "fix" and diagnostics else None,
        custom_template=custom_template,
        custom_kind=custom_kind,
    )
    # Diagnostics and custom templates come from the client too; nothing reaches a provider that cannot be encoded.
    _refuse_broken_text("the request (its diagnostics or action template)", prompt.system + prompt.user)
    explain = is_explain(args.action, custom_kind)

    display = ", ".join(ls.registry.display_name(name) for name in providers)
    begin = f"{display}: {args.action}"
    if context.cut_summary:
        begin += f" ({context.cut_summary})"
    progress = await AskProgress.start(ls, flight.client_token, title="Claif", message=begin)
    flight.progress = progress
    flight.running.token = progress.token if progress.token is not None else flight.running.token
    progress.on_cancel(flight.running.stop)
    answers = await _ask_providers(ls, providers, prompt, settings, root, args.action, progress)
    if explain:
        return await _present_answer(ls, answers, progress, args)
    return await _make_proposals(ls, answers, progress, root, path, args, instruction)


def _is_open(ls: ClaifLanguageServer, uri: str) -> bool:
    return unquote(uri) in ls.workspace.text_documents


def _inside_workspace_folder(ls: ClaifLanguageServer, path: Path) -> bool:
    """True when ``path`` (symlinks resolved) lies inside a workspace folder the client declared."""
    folders = [*ls.state.workspace_roots, *(p for f in ls.workspace.folders.values() if (p := path_for(f.uri)))]
    real = Path(os.path.realpath(path))
    return any(real.is_relative_to(os.path.realpath(folder)) for folder in folders)


def _refuse_broken_text(name: str, text: str) -> None:
    broken = find_lone_surrogate(text)
    if broken is not None:
        raise JsonRpcInvalidParams(broken_text_message(name, broken))


def _sendable(views: list[DocumentView]) -> list[DocumentView]:
    """Open buffers whose text can be sent; one the editor sent broken is left out, not the whole ask."""
    kept = []
    for view in views:
        broken = find_lone_surrogate(view.text)
        if broken is None:
            kept.append(view)
        else:
            logger.warning("context: leaving out {}: {}", view.uri, broken_text_message(view.uri, broken))
    return kept


def doc_view(doc: TextDocument, path: Path | None) -> Any:
    """The document as the context gatherer wants it."""
    return DocumentView(uri=doc.uri, path=path, text=doc.source, language_id=doc.language_id, version=doc.version)


class _StreamStats:
    """How much text has streamed so far and its last line, for progress reports."""

    def __init__(self) -> None:
        self.chars = 0
        self.tail = ""

    def add(self, piece: str) -> None:
        self.chars += len(piece)
        self.tail = (self.tail + piece)[-400:]

    def last_line(self) -> str:
        return next((line.strip() for line in reversed(self.tail.splitlines()) if line.strip()), "")


async def _ask_providers(
    ls: ClaifLanguageServer,
    providers: list[str],
    prompt: Prompt,
    settings: Settings,
    root: Path,
    action: str,
    progress: AskProgress,
) -> list[Answer | ClaifError]:
    """Every provider's answer (or its error), run concurrently."""
    stream = _StreamStats()

    def on_text(piece: str) -> None:
        stream.add(piece)
        tokens = format_tokens(stream.chars // 4)
        progress.report(f"≈{tokens} tokens · {progress.elapsed():.1f} s · {stream.last_line()[:60]}")

    async def one(name: str) -> Answer | ClaifError:
        try:
            return await _ask_one(ls, name, prompt, settings, root, action, on_text)
        except Exception as exc:  # a broken provider reports its failure (named), never crashes the server
            return describe_failure(exc, name)

    return list(await asyncio.gather(*(one(name) for name in providers)))


async def _ask_one(
    ls: ClaifLanguageServer,
    name: str,
    prompt: Prompt,
    settings: Settings,
    root: Path,
    action: str,
    on_text: Any,
) -> Answer:
    provider_settings = settings.provider_settings(name)
    cache = ResponseCache(settings.cache)
    key = cache.key(provider=name, model=provider_settings.model, system=prompt.system, prompt=prompt.user)
    cached = cache.get(key) if cache.enabled else None
    if cached is not None:
        on_text(cached.text)
        return Answer(provider=name, text=cached.text, usage=Usage.model_validate(cached.usage), model=cached.model)
    provider = await ls.registry.connected(name, settings)
    options = ClaifOptions(
        provider=name, system_prompt=prompt.system, workspace_root=root, action=action, cache=cache.enabled
    )
    options = provider.resolve_options(options)
    limit = (options.timeout or provider_settings.timeout) + TIMEOUT_GRACE
    try:
        with anyio.fail_after(limit):
            async with contextlib.aclosing(provider.query(prompt.user, options)) as events:  # type: ignore[type-var]
                answer = await collect_answer(name, events, on_text, max_chars=settings.max_answer_chars)
    except TimeoutError:
        raise ProviderTimeoutError(f"no complete answer within {limit:.0f} s", provider=name) from None
    if not answer.text.strip():
        raise ProviderRuntimeError("answered with nothing", provider=name)
    if cache.enabled:
        cache.put(key, answer.text, answer.usage.model_dump(), answer.model)
    if settings.record:
        record = functools.partial(
            record_exchange,
            settings.record,
            action=action,
            prompt=prompt.user,
            system=prompt.system,
            answer=answer,
        )
        await anyio.to_thread.run_sync(record)
    return answer


def _outcome_tokens(answers: list[Answer]) -> str:
    total = sum(a.usage.total_tokens for a in answers)
    return f"{format_tokens(total)} tokens" if total else "tokens not reported"


async def _make_proposals(
    ls: ClaifLanguageServer,
    answers: list[Answer | ClaifError],
    progress: AskProgress,
    root: Path,
    path: Path | None,
    args: AskArgs,
    instruction: str | None,
) -> dict[str, Any]:
    default_path = str(path.relative_to(root)) if path and root in path.parents else None
    exclude = ls.state.settings_for(args.uri).context.exclude
    reader = snapshot_reader(ls, root)
    ok: list[Answer] = []
    errors: list[ClaifError] = []
    proposals: list[str] = []
    hunks = files = 0
    for item in answers:
        if isinstance(item, ClaifError):
            errors.append(item)
            continue
        try:
            patch, refusals = drop_never_sent(parse_answer(item.text, default_path=default_path), root, reader, exclude)
            for message in refusals:
                errors.append(PatchError(message, provider=item.provider))
                ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
            if refusals and not patch.files:
                continue
            resolved = resolve_patch(patch, root, reader)
        except ClaifError as exc:
            exc.provider = exc.provider or item.provider
            errors.append(exc)
            continue
        ok.append(item)
        title = f"{ls.registry.display_name(item.provider)}: {(instruction or args.action).strip()[:60]}"
        record = await publish(ls, resolved, provider=item.provider, action=args.action, title=title, root=root)
        proposals.append(record.id)
        files += len(resolved.files)
        hunks += sum(len(f.hunks) for f in resolved.files)
    if not proposals:
        raise errors[0] if len(errors) == 1 else request_failed("; ".join(str(e) for e in errors))
    elapsed = progress.elapsed()
    progress.end(
        f"{hunks} hunk{'s' * (hunks != 1)} in {files} file{'s' * (files != 1)}, {_outcome_tokens(ok)}, {elapsed:.1f} s"
    )
    return {"proposals": proposals, "errors": [str(e) for e in errors]}


async def _present_answer(
    ls: ClaifLanguageServer, answers: list[Answer | ClaifError], progress: AskProgress, args: AskArgs
) -> dict[str, Any]:
    ok = [a for a in answers if isinstance(a, Answer)]
    errors = [a for a in answers if isinstance(a, ClaifError)]
    if not ok:
        raise errors[0] if len(errors) == 1 else request_failed("; ".join(str(e) for e in errors))
    text = "\n\n".join(f"## {ls.registry.display_name(a.provider)}\n\n{a.text}" if len(ok) > 1 else a.text for a in ok)
    document = _write_answer(text)
    shown = False
    if ls.state.settings_for(args.uri).preview is PreviewMode.NONE:
        shown = True  # the editor plugin presents the answer itself
    elif document and get_capability(ls.client_capabilities, "window.show_document.support", False):
        try:
            result = await ls.window_show_document_async(types.ShowDocumentParams(uri=document, take_focus=True))
            shown = bool(result and result.success)
        except Exception as exc:
            logger.debug("window/showDocument failed: {}", exc)
    if not shown:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
    progress.end(f"answered, {_outcome_tokens(ok)}, {progress.elapsed():.1f} s")
    return {"answer": text, "document": document, "errors": [str(e) for e in errors]}


def _write_answer(text: str) -> str | None:
    folder = Path(user_cache_dir("claif-lsp")) / "answers"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"answer-{uuid.uuid4().hex[:8]}.md"
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        logger.warning("cannot write the answer document: {}", exc)
        return None
    return path.as_uri()
