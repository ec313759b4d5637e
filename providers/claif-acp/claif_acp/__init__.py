"""claif-lsp providers for coding agents over the Agent Client Protocol (ACP)."""
