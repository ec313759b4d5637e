"""The settings model: the single source of truth for every option claif-lsp understands.

The VS Code `contributes.configuration` block and the README's settings table are generated from this
model's JSON schema (`claif-lsp schema`); a test fails when either drifts. Field docstrings become the
descriptions users read, so write them for users.

Where a value may come from is not decided here: `claif_lsp.trust` lists the keys (and values) only the user's
own sources may set, and `claif_lsp.configuration` merges the sources. A new field that runs a program, picks a
secret or a server, or writes a file belongs in `claif_lsp.trust` too.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

AUTO_PROVIDER = "auto"
OFFLINE_PROVIDER = "replay"

DEFAULT_AUTO_ORDER = ["claude-code", "anthropic", "codex", "gemini-cli", "gemini", "openai"]
"""Providers tried, in this order, when `provider` is `auto`; the offline `replay` provider is the fallback."""


class _Model(BaseModel):
    """camelCase on the wire (LSP, VS Code, TOML), snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel, serialization_alias=to_camel),
        populate_by_name=True,
        extra="forbid",
        use_attribute_docstrings=True,
    )


class ApprovalMode(str, Enum):
    """What happens to a proposal once the model has answered."""

    REVIEW = "review"
    CONFIRM = "confirm"
    AUTO = "auto"


class PreviewMode(str, Enum):
    """How a new proposal is shown."""

    DOCUMENT = "document"
    NONE = "none"


class ProviderSettings(_Model):
    """Settings of one provider, under `providers.<name>`."""

    enabled: bool = True
    """Offer this provider in code actions and `auto` selection."""
    model: str | None = None
    """Model name passed to the provider; its own default when unset."""
    base_url: str | None = None
    """Base URL of an HTTP API (OpenAI-compatible servers such as Ollama, vLLM, llama.cpp, LM Studio)."""
    api_key_env: str | None = None
    """Name of the environment variable holding the API key (the key itself is never a setting)."""
    api_key_command: list[str] | None = None
    """A command whose standard output is the API key, e.g. `["pass", "show", "anthropic"]`."""
    path: str | None = None
    """Path of the provider's executable (agent CLIs); looked up on PATH when unset."""
    extra_args: list[str] = Field(default_factory=list)
    """Extra command-line arguments for agent CLIs."""
    env: dict[str, str] = Field(default_factory=dict)
    """Environment variables added to an agent CLI's environment (e.g. a gateway's base URL and key variable)."""
    timeout: float = Field(default=120.0, gt=0)
    """Seconds to wait for the whole answer before giving up."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Upper bound on the answer's length in tokens."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """Sampling temperature; the provider's default when unset."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Provider-specific options (see the provider's README section)."""


class ContextSettings(_Model):
    """What the server sends to the model besides the selection."""

    budget_tokens: int = Field(default=8000, ge=256)
    """Token budget for the whole context (selection, file, other buffers, related files)."""
    surrounding_lines: int = Field(default=30, ge=0)
    """Lines above and below the selection always included."""
    open_buffers: bool = True
    """Include other open buffers (their unsaved text)."""
    related_files: bool = True
    """Include files the current file imports and close neighbours."""
    exclude: list[str] = Field(default_factory=list)
    """Glob patterns of files never sent (`.env*` and private keys are never sent regardless)."""


class CacheSettings(_Model):
    """The response cache, keyed by provider, model, prompt and context."""

    enabled: bool = True
    """Answer a repeated request from the cache."""
    ttl_seconds: int = Field(default=3600, ge=0)
    """How long a cached answer stays valid."""
    max_entries: int = Field(default=256, ge=0)
    """How many answers the cache keeps."""


class SessionSettings(_Model):
    """Conversations kept on disk (in your state directory, never the repository), per workspace."""

    max_sessions: int = Field(default=50, ge=1)
    """How many sessions each workspace keeps; the least recently used goes first."""
    max_session_bytes: int = Field(default=2_000_000, ge=10_000)
    """Largest session file; the oldest answers' text is dropped first to stay under it."""


class CustomAction(_Model):
    """A code action of your own, shown beside the built-in ones."""

    title: str = Field(min_length=1)
    """Title in the code action menu."""
    prompt: str = Field(min_length=1)
    """Prompt template; `{selection}`, `{language}`, `{path}` and `{instruction}` are filled in."""
    kind: str = "edit"
    """`edit` to get a reviewable proposal, `explain` to get a Markdown answer."""


class Settings(_Model):
    """All claif-lsp settings (section `claif`)."""

    provider: str = AUTO_PROVIDER
    """Provider used for asks: a provider name, or `auto` for the first ready one."""
    auto_order: list[str] = Field(default_factory=lambda: list(DEFAULT_AUTO_ORDER))
    """Order in which `auto` tries providers; the offline `replay` provider is the last resort."""
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    """Per-provider settings, keyed by provider name."""
    approval: ApprovalMode = ApprovalMode.REVIEW
    """`review`: keep proposals until accepted; `confirm`: send at once for the editor to confirm;
    `auto`: apply at once as one undoable edit."""
    preview: PreviewMode = PreviewMode.DOCUMENT
    """`document`: open the proposal's unified diff with `window/showDocument`; `none`: leave review to the
    editor plugin (which uses `claif.proposal`)."""
    apply_edit_timeout_seconds: float = Field(default=120.0, gt=0)
    """How long an accept waits for the editor to confirm its `workspace/applyEdit` (with `confirm`, the time you
    take to confirm counts); past it nothing is marked accepted and the hunks stay pending."""
    context: ContextSettings = Field(default_factory=ContextSettings)
    """What the server sends to the model besides the selection."""
    cache: CacheSettings = Field(default_factory=CacheSettings)
    """The response cache."""
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    """Conversations kept across restarts."""
    repair_attempts: int = Field(default=1, ge=0, le=5)
    """How many times an answer whose patch does not apply goes back to the model with the error (0: never)."""
    fix_attempts: int = Field(default=3, ge=1, le=10)
    """How many fixes of one diagnostic are offered ("Fix again (2/3)") while it persists."""
    actions: list[CustomAction] = Field(default_factory=list)
    """Your own code actions."""
    max_answer_chars: int = Field(default=1_000_000, ge=1000)
    """Longest answer read from a provider, in characters (about 4 per token). A longer one is stopped where it
    crosses the bound (its stream closed, its process killed) and reported as an error: no proposal is made
    from a cut answer."""
    record: str | None = None
    """Write every provider exchange to this JSONL transcript, for replay in demos and bug reports."""

    def provider_settings(self, name: str) -> ProviderSettings:
        """Settings for one provider (defaults when the user set none)."""
        return self.providers.get(name) or ProviderSettings()
