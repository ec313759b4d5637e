"""claif-lsp provider for the OpenAI Codex CLI (codex exec --json, read-only sandbox)."""
