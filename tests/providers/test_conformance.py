"""Every bundled provider passes the plugin authors' conformance suite (claif_lsp.testing.conformance).

HTTP providers run against the kit's loopback servers; agent CLIs against the fake executables; replay against a
transcript. The suite is the same one a third-party plugin runs.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from claif_anthropic.provider import AnthropicProvider
from claif_claude_code.provider import ClaudeCodeProvider
from claif_codex.provider import CodexProvider
from claif_gemini.api_provider import GeminiApiProvider
from claif_gemini.cli_provider import GeminiCliProvider
from claif_openai.provider import OpenAIProvider
from claif_replay.provider import ReplayProvider

from claif_lsp.provider import BaseProvider
from claif_lsp.testing import AnthropicServer, GeminiReply, GeminiServer, OpenAIServer, Reply
from claif_lsp.testing.conformance import ProviderConformance, Wire, configured
from claif_lsp.types import ClaifOptions
from tests.fakes.helpers import FAKES_BIN, alive, fake_environ, read_pids

KEY = "sk-conformance-secret"
PIECES = ["Hello", ", ", "world"]


class HttpCase(ProviderConformance):
    """An HTTP provider against its loopback server (Anthropic, OpenAI, Gemini)."""

    provider_class: type[BaseProvider]
    key_env: str

    def server(self, reply: Any) -> Any:
        raise NotImplementedError

    def reply(self, **fields: Any) -> Any:
        return Reply(**fields)

    @contextmanager
    def wire(self, reply: Any, *, key: bool = True) -> Iterator[Wire]:
        with self.server(reply) as server:
            provider = configured(self.provider_class, {self.key_env: KEY} if key else {}, base_url=server.base_url)
            gone = getattr(server, "client_disconnected", None) or server.client_gone
            yield Wire(provider, requests=lambda: len(server.requests), closed=gone.is_set, secret=KEY)

    def answering(self) -> AbstractContextManager[Wire]:
        return self.wire(self.reply(chunks=PIECES))

    def stalling(self) -> AbstractContextManager[Wire]:
        return self.wire(self.reply(chunks=PIECES, hang_after=1))

    def refusing(self) -> AbstractContextManager[Wire]:
        return self.wire(self.reply(status=401, error_message="invalid key"))

    def unconfigured(self) -> AbstractContextManager[Wire]:
        return self.wire(self.reply(), key=False)


class TestAnthropic(HttpCase):
    provider_class = AnthropicProvider
    key_env = "ANTHROPIC_API_KEY"

    def server(self, reply: Any) -> Any:
        return AnthropicServer(reply)


class TestOpenAI(HttpCase):
    provider_class = OpenAIProvider
    key_env = "OPENAI_API_KEY"

    def server(self, reply: Any) -> Any:
        return OpenAIServer(reply)

    def unconfigured(self) -> AbstractContextManager[Wire]:
        # A loopback baseUrl needs no key, so "unconfigured" is a remote server without one.
        @contextmanager
        def remote() -> Iterator[Wire]:
            yield Wire(configured(OpenAIProvider, {}, base_url="https://api.example.invalid/v1"))

        return remote()


class TestGeminiApi(HttpCase):
    provider_class = GeminiApiProvider
    key_env = "GEMINI_API_KEY"

    def server(self, reply: Any) -> Any:
        return GeminiServer([reply])

    def reply(self, **fields: Any) -> Any:
        return GeminiReply(**fields)


class CliCase(ProviderConformance):
    """An agent CLI provider against its fake executable."""

    provider_class: type[BaseProvider]
    executable: str
    key_env: str

    @contextmanager
    def wire(self, scenario: str, *, path: str | None = None, **env: str) -> Iterator[Wire]:
        with tempfile.TemporaryDirectory(prefix="claif-conformance-") as folder:
            tmp = Path(folder)
            (tmp / "ws").mkdir()
            pid_file = tmp / "pids"
            environ = fake_environ(tmp, scenario, **{self.key_env: KEY}, **env)
            provider = configured(self.provider_class, environ, path=path or str(FAKES_BIN / self.executable))

            def runs() -> int:
                lines = pid_file.read_text().splitlines() if pid_file.exists() else []
                return sum(line.startswith("main ") for line in lines)

            def gone() -> bool:
                return not any(alive(pid) for pid in read_pids(pid_file).values())

            yield Wire(
                provider, requests=runs, closed=gone, secret=KEY, options=ClaifOptions(workspace_root=tmp / "ws")
            )

    def answering(self) -> AbstractContextManager[Wire]:
        return self.wire("normal")

    def stalling(self) -> AbstractContextManager[Wire]:
        return self.wire("slow", FAKE_CLI_DELAY="60")

    def refusing(self) -> AbstractContextManager[Wire]:
        return self.wire("auth")

    def unconfigured(self) -> AbstractContextManager[Wire]:
        return self.wire("normal", path="/nonexistent/claif-conformance/cli")


class TestClaudeCode(CliCase):
    provider_class = ClaudeCodeProvider
    executable = "claude"
    key_env = "ANTHROPIC_API_KEY"


class TestCodex(CliCase):
    provider_class = CodexProvider
    executable = "codex"
    key_env = "OPENAI_API_KEY"


class TestGeminiCli(CliCase):
    provider_class = GeminiCliProvider
    executable = "gemini"
    key_env = "GEMINI_API_KEY"


class TestReplay(ProviderConformance):
    """The offline provider: its far side is a transcript, so there is nothing to refuse, stall or close."""

    @contextmanager
    def wire(self, entry: dict[str, Any] | None) -> Iterator[Wire]:
        with tempfile.TemporaryDirectory(prefix="claif-conformance-") as folder:
            transcript = Path(folder) / "transcript.jsonl"
            options: dict[str, Any] = {}
            if entry is not None:
                transcript.write_text(json.dumps(entry) + "\n")
                options["transcript"] = str(transcript)
            yield Wire(configured(ReplayProvider, {}, options=options))

    def answering(self) -> AbstractContextManager[Wire]:
        return self.wire({"chunks": PIECES, "usage": {"input_tokens": 3, "output_tokens": 2}})

    def unconfigured(self) -> AbstractContextManager[Wire]:
        return self.wire(None)
