"""The offline replay provider for claif-lsp."""

from claif_replay.provider import ReplayProvider
from claif_replay.transcript import TranscriptEntry, load_transcript

__all__ = ["ReplayProvider", "TranscriptEntry", "load_transcript"]
