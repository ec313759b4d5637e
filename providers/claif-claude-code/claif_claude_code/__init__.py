"""claif-lsp provider for Claude Code through claude-agent-sdk, read-only."""
