"""The loopback Gemini API server, kept under its old name: it lives in :mod:`claif_lsp.testing`."""

from claif_lsp.testing.gemini_server import GeminiReply, GeminiServer, RecordedRequest

__all__ = ["GeminiReply", "GeminiServer", "RecordedRequest"]
