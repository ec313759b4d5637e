"""claif-lsp: any LLM, one code action away, in any LSP editor."""

__version__ = "0.1.0"
"""The single source of the version (pyproject.toml reads it), so start-up needs no package metadata."""

__all__ = ["__version__"]
