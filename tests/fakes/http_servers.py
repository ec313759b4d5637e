"""The loopback Anthropic and OpenAI servers, kept under their old name: they live in :mod:`claif_lsp.testing`."""

from claif_lsp.testing.http_servers import AnthropicServer, Event, LoopbackServer, OpenAIServer, RecordedRequest, Reply

__all__ = ["AnthropicServer", "Event", "LoopbackServer", "OpenAIServer", "RecordedRequest", "Reply"]
