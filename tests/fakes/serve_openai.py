"""Run the loopback OpenAI server (claif_lsp.testing.http_servers) as a process, for drivers written in other languages.

    python -m tests.fakes.serve_openai --answer-file answer.txt --requests requests.jsonl

Prints ``{"baseUrl": ...}`` as one line once it listens, appends each request it receives to ``--requests`` as one
JSON line (``path``, ``headers``, ``body``) as it arrives, and runs until its standard input closes.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from tests.fakes.http_servers import OpenAIServer, RecordedRequest, Reply


class RecordingOpenAIServer(OpenAIServer):
    """An OpenAIServer that also appends every request to a file, so another process can watch it."""

    def __init__(self, reply: Reply, requests_file: Path) -> None:
        super().__init__(reply)
        self.requests_file = requests_file
        self._file_lock = threading.Lock()

    def _record(self, request: RecordedRequest) -> Reply:
        with self._file_lock, self.requests_file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(request)) + "\n")
        return super()._record(request)


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes."""
    parser = argparse.ArgumentParser(description="Run the loopback OpenAI server until stdin closes.")
    parser.add_argument("--answer-file", type=Path, required=True, help="the answer, streamed in lines")
    parser.add_argument("--requests", type=Path, required=True, help="JSON lines file of received requests")
    args = parser.parse_args(argv)
    text = args.answer_file.read_text(encoding="utf-8")
    args.requests.touch()
    chunks = text.splitlines(keepends=True) or [text]
    with RecordingOpenAIServer(Reply(chunks=chunks), args.requests) as server:
        sys.stdout.write(json.dumps({"baseUrl": server.base_url}) + "\n")
        sys.stdout.flush()
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
