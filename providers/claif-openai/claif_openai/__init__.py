"""claif-lsp provider for OpenAI-compatible Chat Completions servers: OpenAI, Ollama, vLLM, llama.cpp, LM Studio.

Importing this package does not import the ``openai`` SDK; queries do.
"""

from claif_openai.provider import OpenAIProvider

__all__ = ["OpenAIProvider"]
