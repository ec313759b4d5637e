"""claif-lsp provider for the Anthropic Messages API (official SDK, streaming)."""
