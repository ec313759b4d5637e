"""Asking: from a request on a range of a document to proposals (or, for an explanation, an answer).

The steps, in order: wait for the settings, refuse what may not be read or sent, gather the context, build the
prompt, begin progress, ask every provider at once (the cache, the stream, the record setting), then turn each
answer into a proposal that :class:`~claif_lsp.core.review.Review` presents, each the first turn of a session of
its own (:mod:`claif_lsp.core.sessions`), or show the explanation.

Cancelling the task running :meth:`Ask.run` stops it at whichever ``await`` it is in: the provider's stream is
closed (which kills its subprocess group or closes its HTTP connection), progress ends with ``cancelled`` and
no proposal is made. The ``CancelledError`` goes on to the caller, which knows who cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import anyio
from loguru import logger
from platformdirs import user_cache_dir

from claif_lsp.cache import ResponseCache
from claif_lsp.context import (
    ContextRequest,
    DiagnosticView,
    DocumentView,
    gather_context,
    refusal_message,
    refusal_reason,
)
from claif_lsp.core.answer_stream import AnswerStream
from claif_lsp.core.errors import InvalidRequest, RequestFailed
from claif_lsp.core.files import snapshot_reader
from claif_lsp.core.fix_again import FixRecord, SeenDiagnostic
from claif_lsp.core.instructions import find_comment_instruction, with_comment_removed
from claif_lsp.core.ports import Editor, Progress, ProgressStarter, Providers
from claif_lsp.core.repair import (
    as_unplaced,
    nothing_new,
    nothing_placed,
    repair_progress,
    repair_prompt,
    without_applied,
)
from claif_lsp.core.review import Review
from claif_lsp.core.sessions import Session
from claif_lsp.core.views import count_hunks
from claif_lsp.edit_policy import drop_never_sent
from claif_lsp.errors import ClaifError, PatchError, ProviderRuntimeError, ProviderTimeoutError
from claif_lsp.patches import PartialResolution, ResolvedPatch, parse_answer, resolve_partial
from claif_lsp.prompts import Prompt, build_prompt, is_explain
from claif_lsp.protocol import models as wire
from claif_lsp.recording import record_exchange
from claif_lsp.settings import PreviewMode, Settings
from claif_lsp.state import ServerState
from claif_lsp.streaming import Answer, collect_answer, describe_failure
from claif_lsp.text_check import broken_text_message, find_lone_surrogate
from claif_lsp.token_counts import estimate_tokens, format_tokens
from claif_lsp.types import ClaifOptions, Message, Role, Usage

SUGGESTED_INSTRUCTIONS = ("Improve this code", "Simplify", "Add error handling", "Add type hints", "Make it faster")
"""Offered to pick from when a plain LSP client asks without an instruction."""

TIMEOUT_GRACE = 5.0
"""Seconds past a provider's own timeout before we stop waiting for it ourselves."""


@dataclass(frozen=True)
class Selection:
    """The range an ask is about, in the client's positions."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int


@dataclass
class AskRequest:
    """What the user asked for."""

    uri: str
    selection: Selection
    action: str = "ask"
    instruction: str | None = None
    provider: str | None = None
    providers: list[str] | None = None
    diagnostics: list[DiagnosticView] = field(default_factory=list)
    """The diagnostic a ``fix`` is about first, then the others under the range."""
    request_id: str | None = None
    """How the editor names the ask (``claif.cancel`` takes it); it names the ask in the log."""


CacheUse = Literal["use", "write", "off"]
"""How a turn uses the response cache: read and write (an ask), write only (a retry), not at all (a follow-up)."""

AskOutcome = wire.AskEditResult | wire.AskExplainResult | wire.AskCancelledResult
"""Proposal ids, an explanation, or: the user dismissed the question before anything was sent."""


def selection_lines(text: str, selection: Selection) -> tuple[int, int]:
    """0-based inclusive lines of a range; a cursor or one-character selection means its line."""
    last = max(len(text.splitlines(True)) - 1, 0)
    start = min(selection.start_line, last)
    end = selection.end_line
    if end > start and selection.end_character == 0:
        end -= 1  # a selection ending at column 0 does not include that line
    return start, max(start, min(end, last))


def refuse_broken_text(name: str, text: str) -> None:
    """InvalidRequest naming ``name`` when ``text`` holds a lone surrogate (it cannot be encoded to send)."""
    broken = find_lone_surrogate(text)
    if broken is not None:
        raise InvalidRequest(broken_text_message(name, broken))


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


def outcome_tokens(answers: list[Answer]) -> str:
    """The answers' tokens for people, ``1.2k tokens (1.0k from the prompt cache)``; answers served from the
    response cache cost nothing and say so."""
    fresh = [a for a in answers if not a.cached]
    parts = ["from the cache"] if len(fresh) < len(answers) else []
    if fresh:
        total = sum(a.usage.total_tokens for a in fresh)
        read = sum(a.usage.cache_read_tokens for a in fresh)
        tokens = f"{format_tokens(total)} tokens" if total else "tokens not reported"
        if read:
            tokens += f" ({format_tokens(read)} from the prompt cache)"
        parts.append(tokens)
    return ", ".join(parts)


def one_error(errors: list[ClaifError]) -> ClaifError:
    """The error an ask that produced nothing fails with: the only one, or all of them in one."""
    return errors[0] if len(errors) == 1 else RequestFailed("; ".join(str(e) for e in errors))


@dataclass
class Target:
    """The document an ask is about, once it may be read."""

    document: DocumentView
    path: Path | None
    root: Path
    settings: Settings


class Ask:
    """One ask, from the request to its outcome."""

    def __init__(self, state: ServerState, editor: Editor, providers: Providers, progress: ProgressStarter) -> None:
        self.state = state
        self.editor = editor
        self.providers = providers
        self.starter = progress
        self.progress: Progress | None = None
        self.provider_names: list[str] = []
        self.summary = "done"
        """What the ask produced, for its log line."""
        self.prompt: Prompt | None = None
        """What the first turn sent, once built (the sessions record it)."""
        self.cache_keys: dict[str, str] = {}
        """Each provider's response-cache key for this ask."""
        self.answer_stream: AnswerStream | None = None
        """An explanation's text on its way to the editor (None for edits)."""

    async def run(self, request: AskRequest) -> AskOutcome:
        """Run the ask; errors are ClaifErrors (InvalidRequest for a request that cannot be served)."""
        return await self._supervised(
            self._run(request), request.request_id, request.uri, request.action, request.provider
        )

    async def _supervised(
        self, work: Awaitable[AskOutcome], request_id: str | None, uri: str, action: str, provider: str | None = None
    ) -> AskOutcome:
        """Run ``work``, ending its progress and logging its one line whatever the outcome."""
        started = time.monotonic()
        log = functools.partial(self._log, request_id, uri, action, provider, started=started)
        try:
            outcome = await work
        except asyncio.CancelledError:
            self._end("cancelled")
            log("INFO", "cancelled")
            raise
        except ClaifError as exc:
            # Expected (a missing key, a CLI not installed, an answer that does not apply): one line, no traceback.
            self._end(f"failed: {exc}")
            log("WARNING", f"failed: {exc}")
            raise
        except Exception as exc:
            self._end(f"failed: {exc}")
            raise
        finally:
            if self.answer_stream is not None:  # a failed or cancelled explanation ends too, with what came
                self.answer_stream.finish()
        log("INFO", self.summary)
        return outcome

    def _log(
        self,
        request_id: str | None,
        uri: str,
        action: str,
        provider: str | None,
        level: str,
        outcome: str,
        *,
        started: float,
    ) -> None:
        """One line per ask: provider, action, file, outcome (with tokens) and seconds."""
        providers = ", ".join(self.provider_names) or provider or "?"
        file = self.editor.documents.path_for(uri) or uri
        shown = file.name if isinstance(file, Path) else file
        seconds = time.monotonic() - started
        line = "ask {}: {} {} on {}: {} ({:.1f} s)"
        logger.log(level, line, request_id or "?", providers, action, shown, outcome, seconds)

    def _end(self, message: str) -> None:
        if self.progress is not None:
            self.progress.end(message)

    async def _run(self, request: AskRequest) -> AskOutcome:
        await self.state.wait_for_settings()
        target = self._target(request)
        custom_template = custom_kind = None
        label = request.action
        if request.action.startswith("custom:"):
            try:
                custom = target.settings.actions[int(request.action.split(":", 1)[1])]
            except (ValueError, IndexError):
                raise InvalidRequest(f"no custom action {request.action!r} in the actions setting") from None
            custom_template, custom_kind, label = custom.prompt, custom.kind, custom.title

        instruction = request.instruction
        start, end = selection_lines(target.document.text, request.selection)
        asked = instruction  # what the model is told; ``instruction`` is what titles show
        needs_one = request.action == "ask" and not (instruction and instruction.strip())
        # A plain client cannot prompt for words: a `claif: …` comment in the selection carries them.
        written = find_comment_instruction(target.document.text, start, end) if needs_one else None
        if written is not None:
            instruction, asked = written.text, with_comment_removed(written)
        elif needs_one:
            asked = instruction = await self.editor.user.choose(
                "Claif: what should the model do with the selection?", list(SUGGESTED_INSTRUCTIONS)
            )
            if instruction is None:
                self.summary = "no instruction chosen"
                return wire.AskCancelledResult(proposals=[], cancelled=True)

        names = request.providers or [self.providers.resolve(request.provider, target.settings)]
        self.provider_names = names
        for name in names:
            if name not in self.providers.names():
                known = ", ".join(self.providers.names())
                raise InvalidRequest(f"no provider named {name!r} is installed (installed: {known})")

        diagnostics = request.diagnostics
        context = gather_context(
            ContextRequest(
                document=target.document,
                start_line=start,
                end_line=end,
                root=target.root,
                diagnostics=diagnostics,
                open_documents=_sendable(self.editor.documents.open_views(except_uri=request.uri)),
                settings=target.settings.context,
            )
        )
        prompt = build_prompt(
            context,
            action=request.action,
            instruction=asked,
            diagnostic=diagnostics[0] if request.action == "fix" and diagnostics else None,
            custom_template=custom_template,
            custom_kind=custom_kind,
        )
        # Diagnostics and custom templates come from the client too; nothing reaches a provider that cannot be encoded.
        refuse_broken_text("the request (its diagnostics or action template)", prompt.system + prompt.user)
        self.prompt = prompt

        display = ", ".join(self.providers.display_name(name) for name in names)
        begin = f"{display}: {request.action}"
        if context.cut_summary:
            begin += f" ({context.cut_summary})"
        self.progress = progress = await self.starter.begin("Claif", begin)
        if is_explain(request.action, custom_kind):
            self.answer_stream = AnswerStream(self.editor.user, request.request_id, live=len(names) == 1)
        answers = await self._ask_providers(names, prompt, target, request.action, progress)
        if is_explain(request.action, custom_kind):
            return await self._present_answer(answers, progress, target.settings)
        return await self._make_proposals(answers, progress, target, request, instruction or label)

    def _target(self, request: AskRequest) -> Target:
        """The document asked about, its folder and settings; InvalidRequest when it may not be read or sent."""
        documents = self.editor.documents
        path = documents.path_for(request.uri)
        if not documents.is_open(request.uri) and not (path and self._inside_workspace_folder(path)):
            # Reading it from disk would send a file the user never showed us (a hostile client's `~/.ssh/...`).
            raise InvalidRequest(
                f"{request.uri} is neither open in the editor nor inside a workspace folder; open it to ask about it"
            )
        try:
            document = documents.document(request.uri)
        except OSError as exc:
            raise InvalidRequest(f"cannot read {request.uri}: {exc.strerror}") from None
        root = (self.state.root_for(path) if path else None) or (path.parent if path else None)
        if root is None:
            raise InvalidRequest(f"{request.uri} is not a file in the workspace")
        shown = str(path.relative_to(root).as_posix() if path and root in path.parents else (path or request.uri))
        refuse_broken_text(shown, document.text)
        if request.instruction:
            refuse_broken_text("the instruction", request.instruction)
        settings = self.state.settings_for(request.uri)
        refused = refusal_reason(path, root, document.text, settings.context.exclude)
        if refused:
            message = refusal_message(shown, refused)
            self.editor.user.warning(message)
            raise InvalidRequest(message)
        return Target(document=document, path=path, root=root, settings=settings)

    def _inside_workspace_folder(self, path: Path) -> bool:
        """True when ``path`` (symlinks resolved) lies inside a workspace folder the client declared."""
        folders = [*self.state.workspace_roots, *self.editor.documents.folders()]
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(os.path.realpath(folder)) for folder in folders)

    async def _ask_providers(
        self,
        names: list[str],
        prompt: Prompt,
        target: Target,
        action: str,
        progress: Progress,
        *,
        history: list[Message] | None = None,
        resume: str | None = None,
        cache: CacheUse = "use",
    ) -> list[Answer | ClaifError]:
        """Every provider's answer (or its error), run concurrently; ``history`` and ``resume`` continue a
        conversation."""
        stream = _StreamStats()
        # Counted as the end line counts (the provider's input plus output), so the two figures agree.
        earlier = sum(estimate_tokens(m.text) for m in history or [])
        prompt_tokens = estimate_tokens(prompt.system) + estimate_tokens(prompt.user) + earlier

        def on_text(piece: str) -> None:
            stream.add(piece)
            if self.answer_stream is not None:
                self.answer_stream.add(piece)
            tokens = format_tokens(prompt_tokens + stream.chars // 4)
            progress.report(f"≈{tokens} tokens · {progress.elapsed():.1f} s · {stream.last_line()[:60]}")

        async def one(name: str) -> Answer | ClaifError:
            try:
                return await self._ask_one(
                    name, prompt, target, action, on_text, history=history, resume=resume, cache=cache
                )
            except Exception as exc:  # a broken provider reports its failure (named), never crashes the server
                return describe_failure(exc, name)

        return list(await asyncio.gather(*(one(name) for name in names)))

    async def _ask_one(
        self,
        name: str,
        prompt: Prompt,
        target: Target,
        action: str,
        on_text: Callable[[str], None],
        *,
        history: list[Message] | None = None,
        resume: str | None = None,
        cache: CacheUse = "use",
    ) -> Answer:
        settings = target.settings
        provider_settings = settings.provider_settings(name)
        responses = ResponseCache(settings.cache)
        key = responses.key(provider=name, model=provider_settings.model, system=prompt.system, prompt=prompt.user)
        if cache != "off":
            self.cache_keys[name] = key
        cached = responses.get(key) if responses.enabled and cache == "use" else None
        if cached is not None:
            on_text(cached.text)
            usage = Usage.model_validate(cached.usage)
            return Answer(provider=name, text=cached.text, usage=usage, model=cached.model, cached=True)
        provider = await self.providers.connected(name, settings)
        options = ClaifOptions(
            provider=name,
            system_prompt=prompt.system,
            workspace_root=target.root,
            action=action,
            open_documents={str(v.path): v.text for v in _sendable(self.editor.documents.open_views()) if v.path},
            ask_user=self.editor.user.choose,
            history=list(history or []),
            resume=resume,
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
        if responses.enabled and cache != "off":
            responses.put(key, answer.text, answer.usage.model_dump(), answer.model)
        if settings.record:
            record = functools.partial(
                record_exchange, settings.record, action=action, prompt=prompt.user, system=prompt.system, answer=answer
            )
            await anyio.to_thread.run_sync(record)
        return answer

    async def _make_proposals(
        self,
        answers: list[Answer | ClaifError],
        progress: Progress,
        target: Target,
        request: AskRequest,
        instruction: str | None,
    ) -> wire.AskEditResult:
        review = Review(self.state, self.editor)
        ok: list[Answer] = []
        errors: list[ClaifError] = []
        proposals: list[str] = []
        hunks = files = unplaced = 0
        for item in answers:
            if isinstance(item, ClaifError):
                errors.append(item)
                continue
            first = item
            try:
                item, placement, refusals, repairs = await self._placed(
                    item, target, request.action, progress, self.prompt
                )
            except ClaifError as exc:
                exc.provider = exc.provider or item.provider
                errors.append(exc)
                continue
            for message in refusals:
                errors.append(PatchError(message, provider=item.provider))
                self.editor.user.warning(message)
            if placement is None:
                continue
            resolved = placement.resolved
            ok.append(dataclasses.replace(item, usage=sum((a.usage for _, a in repairs), first.usage)))
            title = f"{self.providers.display_name(item.provider)}: {(instruction or request.action).strip()[:60]}"
            session = self._open_session(first, target, request, title)
            for message, repaired in repairs:
                if session is not None:
                    session.add_answer("repair", message, repaired, feedback=message)
            fix = _fix_record(resolved, target, request)
            if fix is not None and session is not None:
                session.fix = fix.to_json()  # kept with the session, before publish saves it
            proposal = await review.publish(
                resolved,
                provider=item.provider,
                action=request.action,
                title=title,
                root=target.root,
                session=session,
                unplaced=[as_unplaced(u) for u in placement.unplaced],
                show_answer=not refusals,
            )
            if fix is not None:
                self.state.fixes.keep(proposal.id, fix)
            proposals.append(proposal.id)
            files += len(resolved.files)
            hunks += sum(len(f.hunks) for f in resolved.files)
            unplaced += len(placement.unplaced)
        if not proposals:
            raise one_error(errors)
        summary = count_hunks(hunks, files, unplaced)
        self.summary = f"{', '.join(proposals)}: {summary}, {outcome_tokens(ok)}"
        progress.end(f"{summary}, {outcome_tokens(ok)}, {progress.elapsed():.1f} s")
        return wire.AskEditResult(proposals=proposals, errors=[str(e) for e in errors])

    def _placement(
        self, answer: Answer, target: Target, *, skip_applied: bool = False
    ) -> tuple[PartialResolution | None, list[str]]:
        """What of the answer places on the files now (None: it only touched files it may not) and why files
        were dropped; ClaifError when it holds no patch. ``skip_applied``: hunks already in the files are left
        out (a revision's answer proposing again what the user accepted)."""
        root, path = target.root, target.path
        default_path = str(path.relative_to(root)) if path and root in path.parents else None
        reader = snapshot_reader(self.editor.documents, root)
        parsed = parse_answer(answer.text, default_path=default_path)
        patch, refusals = drop_never_sent(parsed, root, reader, target.settings.context.exclude)
        if refusals and not patch.files:
            return None, refusals
        placement = resolve_partial(patch, root, reader)
        if skip_applied:
            placement = without_applied(placement, patch, root, reader)
        return placement, refusals

    async def _placed(
        self,
        answer: Answer,
        target: Target,
        action: str,
        progress: Progress,
        prompt: Prompt | None,
        *,
        history: Sequence[Message] = (),
        skip_applied: bool = False,
    ) -> tuple[Answer, PartialResolution | None, list[str], list[tuple[str, Answer]]]:
        """The answer to ``prompt`` (the turn after ``history``), what of it places, the files it may not touch
        and the repair turns (message, answer), after up to ``repairAttempts`` repairs while hunks do not place.

        A repair that fails (the provider, or an answer without a patch) keeps the answer before it."""
        placement, refusals = self._placement(answer, target, skip_applied=skip_applied)
        repairs: list[tuple[str, Answer]] = []
        turns = [*history, Message(role=Role.USER, content=prompt.user if prompt else "")]
        for _attempt in range(target.settings.repair_attempts):
            if placement is None or placement.complete or prompt is None:
                break
            status = repair_progress(placement.unplaced)
            progress.report(status, force=True)
            logger.info("{}: {}", answer.provider, status)
            turns.append(Message(role=Role.ASSISTANT, content=answer.text))
            message = repair_prompt(placement.unplaced, placed=placement.placed_hunks)
            turn = Prompt(system=prompt.system, user=message, expects_patch=True)
            try:
                repaired = await self._ask_one(
                    answer.provider, turn, target, action, lambda _piece: None, history=list(turns), cache="off"
                )
                repaired_placement, repaired_refusals = self._placement(repaired, target, skip_applied=skip_applied)
            except Exception as exc:  # a failed repair costs the repair only, never the answer it was to repair
                failure = exc if isinstance(exc, ClaifError) else describe_failure(exc, answer.provider)
                logger.warning("{}: the repair turn failed, keeping the answer before it: {}", answer.provider, failure)
                break
            if repaired_placement is None:
                logger.warning(
                    "{}: the repaired answer only touched files it may not; keeping the one before", answer.provider
                )
                break
            turns.append(Message(role=Role.USER, content=message))
            if not repairs and answer.provider in self.cache_keys:
                # The cached first answer needs a repair each time it is served: the next ask goes afresh.
                ResponseCache(target.settings.cache).drop(self.cache_keys[answer.provider])
            repairs.append((message, repaired))
            answer, placement, refusals = repaired, repaired_placement, repaired_refusals
        if placement is not None and not placement.resolved.files:
            if not placement.unplaced:
                raise nothing_new(answer.provider)
            raise nothing_placed(placement.unplaced, answer.provider)
        return answer, placement, refusals, repairs

    def _open_session(self, answer: Answer, target: Target, request: AskRequest, title: str) -> Session | None:
        """The conversation an answer begins, its first turn recorded (None before a prompt was built)."""
        if self.prompt is None:
            return None
        session = self.state.sessions.open(
            root=str(target.root),
            uri=request.uri,
            provider=answer.provider,
            action=request.action,
            title=title,
            system=self.prompt.system,
            instruction=request.instruction,
            cache_key=self.cache_keys.get(answer.provider),
        )
        session.add_answer("ask", self.prompt.user, answer)
        return session

    async def _present_answer(
        self, answers: list[Answer | ClaifError], progress: Progress, settings: Settings
    ) -> wire.AskExplainResult:
        ok = [a for a in answers if isinstance(a, Answer)]
        errors = [a for a in answers if isinstance(a, ClaifError)]
        if not ok:
            raise one_error(errors)
        text = "\n\n".join(
            f"## {self.providers.display_name(a.provider)}\n\n{a.text}" if len(ok) > 1 else a.text for a in ok
        )
        if self.answer_stream is not None:
            self.answer_stream.finish(text)
        document = _write_answer(text)
        shown = False
        if settings.preview is PreviewMode.NONE:
            shown = True  # the editor plugin presents the answer itself
        elif document and self.editor.capabilities.show_document:
            shown = await self.editor.user.show_document(document)
        if not shown:
            self.editor.user.info(text)
        self.summary = f"answered, {outcome_tokens(ok)}"
        progress.end(f"answered, {outcome_tokens(ok)}, {progress.elapsed():.1f} s")
        return wire.AskExplainResult(answer=text, document=document, errors=[str(e) for e in errors])


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


def _fix_record(resolved: ResolvedPatch, target: Target, request: AskRequest) -> FixRecord | None:
    """What a ``fix`` is about, taken before the proposal is presented (auto approval applies it at once)."""
    if request.action != "fix" or not request.diagnostics or target.path is None:
        return None
    about = request.diagnostics[0]
    diagnostic = SeenDiagnostic(
        message=about.message,
        start_line=about.start_line,
        end_line=about.end_line,
        source=about.source,
        code=about.code,
    )
    return FixRecord.of(resolved, target.root, target.path, target.document.text, diagnostic)
