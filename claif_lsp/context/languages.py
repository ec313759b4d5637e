"""The language table: an editor language id guessed from a file suffix, for files the editor has not opened."""

from __future__ import annotations

from pathlib import Path

LANGUAGE_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascriptreact",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
    ".lua": "lua",
    ".sh": "shellscript",
    ".md": "markdown",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".vue": "vue",
    ".svelte": "svelte",
}
"""Suffixes (lower case) to the language ids VS Code uses."""


def language_for(path: Path | str | None, language_id: str | None = None) -> str | None:
    """The editor's language id when known, else one guessed from the file suffix."""
    if language_id:
        return language_id
    if path is None:
        return None
    return LANGUAGE_BY_SUFFIX.get(Path(path).suffix.lower())
