"""claif-lsp provider for OpenAI-compatible Chat Completions servers: OpenAI, Ollama, vLLM, llama.cpp, LM Studio."""
