"""Shared helpers for the benchmarks: start a server, time things, print a side-by-side table."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

BENCH = Path(__file__).resolve().parent
# BENCH_PREFIX runs claif-lsp under a wrapper script (e.g. a cProfile launcher) to see where its time goes.
CLAIF = [sys.executable, *os.environ.get("BENCH_PREFIX", "").split(), "-m", "claif_lsp", "--log-level", "WARNING"]
MINIMAL = [sys.executable, str(BENCH / "minimal_server.py")]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    """Seconds as milliseconds with two decimals."""
    return f"{seconds * 1000:8.2f} ms"


def median(values: list[float]) -> float:
    """The median."""
    return statistics.median(values)


class QuietClient(LanguageClient):
    """A client that answers what servers ask and ignores what they tell."""

    def __init__(self) -> None:
        super().__init__("bench", "1")

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [None for _ in params.items]

        @self.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: Any) -> None:
            return None

        @self.feature(types.WORKSPACE_APPLY_EDIT)
        def apply(params: Any) -> types.ApplyWorkspaceEditResult:
            return types.ApplyWorkspaceEditResult(applied=True)

        for method in (types.PROGRESS, types.WINDOW_LOG_MESSAGE, types.WINDOW_SHOW_MESSAGE, "claif/proposalsChanged"):
            self.feature(method)(lambda params: None)

        @self.feature(types.WINDOW_SHOW_DOCUMENT)
        def show(params: Any) -> types.ShowDocumentResult:
            return types.ShowDocumentResult(success=True)


async def start(command: list[str], root: Path, options: Any = None) -> tuple[QuietClient, float]:
    """Start a server and initialize it; returns the client and seconds from spawn to the initialize answer."""
    client = QuietClient()
    began = time.perf_counter()
    await client.start_io(*command)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            initialization_options=options,
        )
    )
    elapsed = time.perf_counter() - began
    client.initialized(types.InitializedParams())
    return client, elapsed


async def stop(client: QuietClient) -> None:
    """Shut a server down politely."""
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
