"""A provider that replays recorded answers, so every flow runs with no key and no network."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from claif_lsp.sdk import (
    BaseProvider,
    ClaifOptions,
    ConfigurationError,
    Message,
    ProviderRuntimeError,
    ProviderState,
    ProviderStatus,
    Role,
    StreamEvent,
    TextDelta,
    Usage,
)
from claif_replay.transcript import TranscriptEntry, load_transcript

TRANSCRIPT_OPTION = "transcript"
NO_TRANSCRIPT = (
    "no transcript to replay: set providers.replay.options.transcript to a JSONL transcript "
    "(the 'record' setting writes one from a real provider), or set up a real provider "
    "(`claif-lsp providers` shows what each one needs)"
)


class ReplayProvider(BaseProvider):
    """Answers from a JSONL transcript (``providers.replay.options.transcript``)."""

    name = "replay"
    display_name = "Replay"

    def __init__(self) -> None:
        self._served: dict[Path, set[int]] = {}

    def transcript_path(self, root: Path | None = None) -> Path | None:
        """The configured transcript, relative paths resolved against the workspace root."""
        raw = self.settings.options.get(TRANSCRIPT_OPTION) or self.environ.get("CLAIF_REPLAY_TRANSCRIPT")
        if not raw:
            return None
        path = Path(str(raw)).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        return path

    def status(self) -> ProviderStatus:
        """Ready when a transcript is configured (and, when absolute, exists); NEEDS_CONFIG without one."""
        path = self.transcript_path()
        if path is None:
            return ProviderStatus(state=ProviderState.NEEDS_CONFIG, reason=NO_TRANSCRIPT)
        if path.is_absolute() and not path.is_file():
            return ProviderStatus(state=ProviderState.ERROR, reason=f"transcript {path} does not exist")
        return ProviderStatus(state=ProviderState.READY, reason=f"replaying {path}")

    def pick(
        self, entries: list[TranscriptEntry], served: set[int], prompt: str, action: str | None, turn: int = 1
    ) -> int:
        """Index of the entry answering ``prompt`` on ``turn``: exact prompt, then substring, then the next in
        order; at each step an entry naming this turn before one naming none."""

        def fits(entry: TranscriptEntry) -> bool:
            return (entry.action is None or action is None or entry.action == action) and entry.turn in (None, turn)

        fitting = [i for i, e in enumerate(entries) if fits(e)]
        groups = ([i for i in fitting if entries[i].turn == turn], [i for i in fitting if entries[i].turn is None])
        for test in (
            lambda e: e.prompt is not None and e.prompt == prompt,
            lambda e: e.match is not None and e.match in prompt,
            lambda e: e.prompt is None and e.match is None,
        ):
            hits = [[i for i in group if test(entries[i])] for group in groups]
            unused = [i for group in hits for i in group if i not in served]
            if unused:
                return unused[0]
            replayed = hits[0] or hits[1]
            if replayed:  # everything that fits was served already: replay the last one again
                return replayed[-1]
        raise ProviderRuntimeError(
            f"no transcript entry answers this {action or 'request'}; record one with the 'record' setting",
            provider=self.name,
        )

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        """Stream the matching entry's answer piece by piece."""
        options = options or ClaifOptions()
        path = self.transcript_path(options.workspace_root)
        if path is None:
            raise ConfigurationError(NO_TRANSCRIPT, provider=self.name)
        entries = await anyio.to_thread.run_sync(load_transcript, path)
        served = self._served.setdefault(path, set())
        index = self.pick(entries, served, prompt, options.action, len(options.history) // 2 + 1)
        served.add(index)
        entry = entries[index]
        pieces = entry.pieces()
        for number, piece in enumerate(pieces):
            if entry.error is not None and number >= entry.error_after_chunks:
                raise ProviderRuntimeError(entry.error, provider=self.name)
            if entry.delay_ms:
                await anyio.sleep(entry.delay_ms / 1000)
            yield TextDelta(text=piece)
        if entry.error is not None:
            raise ProviderRuntimeError(entry.error, provider=self.name)
        text = "".join(pieces)
        usage = entry.usage or Usage()
        yield Message(
            role=Role.ASSISTANT,
            content=text,
            usage=usage,
            metadata={"model": entry.model or "replay", "transcript": str(path), "entry": index},
        )
