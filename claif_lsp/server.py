"""The claif-lsp language server: a pygls server whose features live in :mod:`claif_lsp.features`
(:func:`claif_lsp.features.create_server` builds one with all of them)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import re
import sys
import threading
from collections.abc import Awaitable, Callable, Generator, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote

import cattrs
from loguru import logger
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
)
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCResponseMessage

from claif_lsp import __version__
from claif_lsp.state import ServerState
from claif_lsp.transport import CHUNK, FrameReader, Unreadable

if TYPE_CHECKING:
    from claif_lsp.registry import ProviderRegistry

EXPECTED_ERROR_CODES = {-32602, -32601, -32800, -32803}
"""InvalidParams, MethodNotFound, RequestCancelled, RequestFailed: outcomes a client or user caused, not bugs."""
SHUTDOWN_GRACE = 5.0
"""Seconds ``shutdown`` waits for cancelled asks and background tasks to finish."""

CURRENT_COMMAND: contextvars.ContextVar[types.ExecuteCommandParams | None] = contextvars.ContextVar(
    "CURRENT_COMMAND", default=None
)
"""The params of the ``workspace/executeCommand`` request being handled.

pygls unpacks command arguments and hides the params, so the work-done token would be lost; the
command's task inherits this variable from the protocol handler that sets it.
"""


class ClaifProtocol(LanguageServerProtocol):
    """pygls' protocol, answering every request and keeping the executeCommand params visible to the command.

    pygls structures a message inside ``json.loads`` and, when the params do not fit the LSP schema, logs a
    traceback and answers nothing (the client waits forever); it also reports MethodNotFound as a server error.
    :meth:`handle_data` takes over that step: a request always gets an answer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._methods: dict[Any, str] = {}
        """Method of each request in flight, to name it in the one line an expected failure logs."""
        self._shutdown_finished: asyncio.Event | None = None
        self._exiting = False

    def get_result_type(self, method: str) -> Any:  # type: ignore[override]  # pygls wraps it in lru_cache
        """The type a client's answer is structured as; none for ``workspace/applyEdit``.

        pygls structures the answer as ApplyWorkspaceEditResult, and one that does not fit (``null``, no
        ``applied``) is logged as "Unable to handle message" and dropped, leaving the request unanswered for ever
        (a pygls bug). Without a result type the answer arrives raw and ``features.apply_edit`` reads it.
        """
        if method == types.WORKSPACE_APPLY_EDIT:
            return None
        return super().get_result_type(method)

    def handle_data(self, data: Any) -> None:
        """Structure one parsed JSON message and dispatch it; malformed ones are answered, never dropped."""
        if not isinstance(data, dict) or data.get("jsonrpc") != self.VERSION:
            self._answer_invalid(data, "not a JSON-RPC 2.0 message")
            return
        method: Any = data.get("method")
        if "method" in data and not isinstance(method, str):
            self._answer_invalid(data, "method is not a string")
            return
        msg_id: Any = data.get("id")
        is_request = method is not None and "id" in data
        if "id" in data and (isinstance(msg_id, bool) or not isinstance(msg_id, (str, int))):
            self._answer_invalid(data, "id is neither a string nor an integer")
            return
        if method is not None and self._shutdown and method != types.EXIT:
            if is_request:
                error = JsonRpcInvalidRequest("the server is shutting down")
                self._send_response(msg_id, error=error.to_response_error())
            logger.debug("ignored {} after shutdown", method)
            return
        if method == types.CANCEL_REQUEST and is_request is False:
            params = data.get("params")
            if not isinstance(params, dict) or params.get("id") not in self._request_futures:
                # Clients cancel requests that were already answered; pygls warns about each.
                logger.debug("nothing to cancel for {}", params)
                return
        if method is not None and method != types.CANCEL_REQUEST and not self._has_handler(method):
            # Clients probe for methods; answering them is routine, so it costs one debug line.
            logger.debug("no handler for {}", method)
            if is_request:
                self._send_response(msg_id, error=JsonRpcMethodNotFound.of(method).to_response_error())
            return
        try:
            message = self._converter.structure(data, self._message_type(data))
        except Exception as exc:
            problem = _describe_structure_error(exc)
            if is_request:
                logger.info("invalid params for {}: {}", method, problem)
                invalid = JsonRpcInvalidParams(f"invalid params for {method}: {problem}")
                self._send_response(msg_id, error=invalid.to_response_error())
            else:
                logger.warning("ignored {}: {}", method or f"response {msg_id!r}", problem)
            return
        if is_request:
            self._methods[msg_id] = method
        self.handle_message(message)

    def _has_handler(self, method: str) -> bool:
        return method in self.fm.builtin_features or method in self.fm.features

    def _message_type(self, data: dict[str, Any]) -> Any:
        """The type pygls' ``structure_message`` would pick for ``data``."""
        if "id" in data:
            if "error" in data:
                return types.ResponseErrorMessage
            if "method" in data:
                return self.get_message_type(data["method"]) or JsonRPCRequestMessage
            return self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
        return self.get_message_type(data.get("method", "")) or JsonRPCNotification

    def _answer_invalid(self, data: Any, problem: str) -> None:
        """Answer InvalidRequest; the id is null when it cannot be read (JSON-RPC 2.0, section 5)."""
        msg_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(msg_id, bool) or not isinstance(msg_id, (str, int)):
            msg_id = None
        logger.warning("invalid JSON-RPC message: {}", problem)
        if isinstance(data, dict) and "method" in data and "id" not in data:
            return  # a notification: nothing to answer
        if msg_id is None:
            error = self._converter.unstructure(JsonRpcInvalidRequest(problem).to_response_error())
            self._send_data({"jsonrpc": self.VERSION, "id": None, "error": error})
        else:
            self._send_response(msg_id, error=JsonRpcInvalidRequest(problem).to_response_error())

    def answer_unreadable(self, unreadable: Unreadable) -> None:
        """Log a frame that could not be read and answer ParseError with id null, as JSON-RPC 2.0 says."""
        skipped = f"; skipped {unreadable.skipped} bytes to the next header" if unreadable.skipped else ""
        logger.warning("message framing: {}{}", unreadable.reason, skipped)
        self.answer_parse_error(f"{unreadable.reason}{skipped}")

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        """Answer expected failures with one log line; pygls logs a traceback for each."""
        method = self._methods.pop(msg_id, "request")
        error = None if future.cancelled() else future.exception()
        if isinstance(error, JsonRpcException) and error.code in EXPECTED_ERROR_CODES:
            self._request_futures.pop(msg_id, None)
            # The feature that failed already logged what the user needs; this line is for debugging the protocol.
            logger.debug("{} failed: {}", method, error.message)
            self._send_response(msg_id, error=error.to_response_error())
            return
        super()._send_handler_result(future, msg_id=msg_id)

    def _handle_response(self, msg_id: Any, result: Any | None = None, error: Any | None = None) -> None:
        """Drop a late answer to a request of ours that was cancelled (pygls raises InvalidStateError)."""
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            self._request_futures.pop(msg_id, None)
            logger.debug("late answer to cancelled request {}", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def answer_parse_error(self, message: str) -> None:
        """Answer ParseError with id null, as JSON-RPC 2.0 says for a message whose id cannot be read."""
        error = JsonRpcParseError(message).to_response_error()
        # lsprotocol's ResponseErrorMessage drops a None id when serialised; the spec wants it null.
        self._send_data({"jsonrpc": self.VERSION, "id": None, "error": self._converter.unstructure(error)})

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Generator[Any, Any, Any]:
        """Remember the params, then let pygls dispatch the command."""
        CURRENT_COMMAND.set(params)
        return (yield from super().lsp_workspace__execute_command(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Generator[Any, Any, Any]:
        """Apply a change; one for a document that was never opened is ignored (pygls raises KeyError)."""
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            logger.warning("ignored a change to {}: it was never opened", params.text_document.uri)
            return None
        return (yield from super().lsp_text_document__did_change(params))

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """Cancel and await running asks and background tasks (bounded), then shut down.

        pygls' own ``lsp_shutdown`` iterates ``_request_futures`` while cancelling them, and cancelling a
        request's future runs the callback that removes it, so shutdown with a request in flight answered
        InternalError ("dictionary changed size during iteration"). This cancels from a copy instead.
        """
        self._shutdown = True  # from now on requests get InvalidRequest, and `exit` exits with 0
        self._shutdown_finished = finished = asyncio.Event()
        try:
            yield self._stop_running_work, (), None
            if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
                yield user_handler, args, None
            self._cancel_other_requests()
        finally:
            finished.set()
        return None

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        """Exit once a shutdown in progress has answered (clients that do not wait for it send both at once)."""
        if self._shutdown_finished is not None and not self._shutdown_finished.is_set():
            yield self._await_shutdown, (), None
        self._exiting = True
        return (yield from super().lsp_exit(*args))

    async def _await_shutdown(self) -> None:
        assert self._shutdown_finished is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._shutdown_finished.wait(), SHUTDOWN_GRACE * 2)

    def _send_data(self, data: Any) -> None:
        """Send unless exiting: the writer is closed then, and tasks cancelled by the exit still answer."""
        if self._exiting:
            return
        super()._send_data(data)

    def _run_generator(
        self, future: Future[Any] | None, *, gen: Generator[Any, Any, Any], result_future: Future[Any]
    ) -> None:
        """Cancel a built-in handler whose step was cancelled; pygls calls ``result()`` and raises CancelledError."""
        if future is not None and future.cancelled():
            gen.close()
            if not result_future.done():
                result_future.cancel()
            return
        super()._run_generator(future, gen=gen, result_future=result_future)

    def _cancel_other_requests(self) -> list[Any]:
        current = self.msg_id
        mine = _current_task()
        cancelled: list[Any] = []  # concurrent futures, and asyncio tasks despite the annotation
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and future is not mine and not future.done():
                future.cancel()
                cancelled.append(future)
        return cancelled

    async def _stop_running_work(self) -> None:
        server = self._server
        assert isinstance(server, ClaifLanguageServer)
        mine = asyncio.current_task()
        for running in list(server.state.running.values()):
            running.task.cancel()
        pending: set[asyncio.Future[Any]] = {t for t in server.state.background if not t.done()}
        for task in pending:
            task.cancel()
        pending.update(f for f in self._cancel_other_requests() if isinstance(f, asyncio.Future))
        pending.update(r.task for r in server.state.running.values())
        if mine is not None:
            pending.discard(mine)
        if pending:
            _, late = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
            if late:
                logger.warning("{} tasks still ran {} s after shutdown cancelled them", len(late), SHUTDOWN_GRACE)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


def _describe_structure_error(exc: Exception) -> str:
    """What did not fit the schema, naming each field by its LSP (camelCase) path."""
    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, path="$")
        return "; ".join(_camel_path(m) for m in messages[:5])
    return str(exc) or type(exc).__name__


def _camel_path(message: str) -> str:
    text, at, path = message.rpartition(" @ $.")
    if not at:
        return message
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), path)
    return f"{camel}: {text}"


class ClaifLanguageServer(LanguageServer):
    """The server object features hang their handlers and state on."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        super().__init__(
            "claif-lsp",
            __version__,
            protocol_cls=ClaifProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=4,
        )
        self.environ: dict[str, str] = dict(environ if environ is not None else os.environ)
        self.state = ServerState()
        self._registry: ProviderRegistry | None = None

    @property
    def registry(self) -> ProviderRegistry:
        """The provider registry, built on first use (it reads package metadata and loads pydantic)."""
        if self._registry is None:
            from claif_lsp.registry import ProviderRegistry  # deferred: it loads pydantic and package metadata

            self._registry = ProviderRegistry(environ=self.environ)
        return self._registry

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio with claif's reader (see :mod:`claif_lsp.transport`) instead of pygls'."""
        stream = stdin or sys.stdin.buffer
        read_chunk = getattr(stream, "read1", stream.read)
        self._stop_event = stop_event = threading.Event()  # pygls' shutdown() sets it
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def read() -> bytes:
            data: bytes = await asyncio.get_running_loop().run_in_executor(self.thread_pool, read_chunk, CHUNK)
            return data

        try:
            asyncio.run(serve_frames(FrameReader(read), self.protocol, stop_event))
        except BrokenPipeError:
            logger.error("the connection to the client is lost; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one TCP client at a time with claif's reader."""
        self._stop_event = stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)

            async def read() -> bytes:
                return await reader.read(CHUNK)

            await serve_frames(FrameReader(read), self.protocol, stop_event)
            self.shutdown()

        async def listen() -> Any:
            return await asyncio.start_server(connection, host, port)

        self._listen(listen, f"{host}:{port}")

    def start_ws(self, host: str, port: int) -> None:
        """Serve WebSocket clients, each message through :meth:`ClaifProtocol.handle_data` (as on stdio)."""
        # Deferred: websockets is only loaded for --ws.
        from pygls.io_ import WebSocketWriter
        from websockets.asyncio.server import ServerConnection, serve
        from websockets.exceptions import ConnectionClosed

        self._stop_event = stop_event = threading.Event()

        async def connection(websocket: ServerConnection) -> None:
            self.protocol.set_writer(WebSocketWriter(websocket), include_headers=False)
            protocol = self.protocol
            assert isinstance(protocol, ClaifProtocol)
            while not stop_event.is_set():
                try:
                    data = await websocket.recv(decode=False)
                except ConnectionClosed:
                    break
                try:
                    message = json.loads(data)
                except ValueError:
                    protocol.answer_parse_error("the message is not JSON")
                    logger.warning("message framing: a WebSocket message that is not JSON")
                    continue
                protocol.handle_data(message)
                await asyncio.sleep(0)
            self.shutdown()

        async def listen() -> Any:
            return await serve(connection, host, port)

        self._listen(listen, f"ws://{host}:{port}")

    def _listen(self, listen: Callable[[], Awaitable[Any]], address: str) -> None:
        """Start the server ``listen`` opens and serve until it is closed."""

        async def serve_forever() -> None:
            self._server = await listen()
            logger.info("listening on {}", address)
            async with self._server:
                await self._server.serve_forever()

        try:
            asyncio.run(serve_forever())
        except asyncio.CancelledError:
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log errors instead of popping a dialog for each provider hiccup.

        Errors we raise on purpose (bad arguments, a failed or cancelled ask) already reach the client as the
        request's error response, so they are logged quietly; anything else is a bug and logged loudly.
        """
        if isinstance(error, JsonRpcException) and error.code in EXPECTED_ERROR_CODES:
            logger.debug("request failed: {}", error)
            return
        logger.opt(exception=error).error("internal error in {}: {}", getattr(source, "__name__", source), error)

    def run_soon(self, coro: Any) -> asyncio.Task[Any]:
        """Start a background task that logs its failure instead of losing it."""
        task = asyncio.ensure_future(coro)

        def _done(t: asyncio.Task[Any]) -> None:
            if not t.cancelled() and t.exception() is not None:
                logger.opt(exception=t.exception()).error("background task failed: {}", t.exception())

        task.add_done_callback(_done)
        self.state.background.add(task)
        task.add_done_callback(self.state.background.discard)
        return task


async def serve_frames(reader: FrameReader, protocol: Any, stop_event: threading.Event) -> None:
    """Read messages until the stream ends or the server stops; one bad message never stops the loop."""
    while not stop_event.is_set():
        item = await reader.next()
        if item is None:
            break
        try:
            if isinstance(item, Unreadable):
                protocol.answer_unreadable(item)
            else:
                protocol.handle_data(item)
        except Exception as exc:  # a bug of ours: keep serving
            logger.opt(exception=exc).error("internal error while handling a message: {}", exc)
        # Let the tasks this message started run before the next is read, as pygls' line-by-line reader did.
        await asyncio.sleep(0)
