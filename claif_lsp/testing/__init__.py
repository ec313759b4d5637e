"""A testing kit for provider authors: loopback servers speaking real streaming formats, and bounded waits.

- :class:`OpenAIServer` (Chat Completions, also what Ollama, vLLM and llama.cpp serve), :class:`AnthropicServer`
  (Messages) and :class:`GeminiServer` (``streamGenerateContent``) run on 127.0.0.1 in a thread, serve scripted
  replies (:class:`Reply`, :class:`GeminiReply`: text pieces, usage, HTTP errors, cut or stalled streams) and
  record every request (its body, and the usage answered). Point a provider's ``baseUrl`` at ``server.base_url``.
  The Anthropic server keeps a prompt cache as the API does, so a later turn that repeats a ``cache_control``
  prefix reports ``cache_read_input_tokens``; ``Reply.cached_tokens`` scripts OpenAI's ``cached_tokens``.
- :mod:`claif_lsp.testing.conformance` is a pytest suite any provider can run (it imports pytest; this package
  does not).

Everything here is the standard library only; nothing is imported by the server.
"""

from claif_lsp.testing.gemini_server import GeminiReply, GeminiServer
from claif_lsp.testing.http_servers import AnthropicServer, LoopbackServer, OpenAIServer, Reply
from claif_lsp.testing.waiting import EVENT_TIMEOUT, async_wait_until, wait_until

__all__ = [
    "EVENT_TIMEOUT",
    "AnthropicServer",
    "GeminiReply",
    "GeminiServer",
    "LoopbackServer",
    "OpenAIServer",
    "Reply",
    "async_wait_until",
    "wait_until",
]
