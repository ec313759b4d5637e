"""claif-lsp providers for Gemini: the gemini CLI (headless stream-json) and the Gemini API (google-genai)."""
