"""claif-lsp: any LLM, one code action away, in any LSP editor."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("claif-lsp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
