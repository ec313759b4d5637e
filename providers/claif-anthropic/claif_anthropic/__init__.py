"""claif-lsp provider for the Anthropic Messages API (official SDK, streaming).

Importing this package does not import the ``anthropic`` SDK; queries do.
"""

from claif_anthropic.provider import AnthropicProvider

__all__ = ["AnthropicProvider"]
