"""The Claif vocabulary shared by the server and every provider: messages, blocks, options, status.

The block ``type`` strings match Claude's SDKs and Claif's original design, so a provider written for
either maps onto these types without translation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Role(str, Enum):
    """Who a message comes from."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    RESULT = "result"


class TextBlock(BaseModel):
    """Plain text."""

    type: Literal["text"] = "text"
    text: str


class ImageBlock(BaseModel):
    """An image, either inline base64 data or a URL."""

    type: Literal["image"] = "image"
    media_type: str = "image/png"
    data: str | None = None
    url: str | None = None


class ToolUseBlock(BaseModel):
    """The model asks to run a tool."""

    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, Any] = Field(default_factory=dict)


class ToolResultBlock(BaseModel):
    """The result of a tool the model asked for."""

    type: Literal["tool_result"] = "tool_result"
    tool_use_id: str
    content: list[TextBlock | ImageBlock] | str = Field(default_factory=list)
    is_error: bool = False


ContentBlock = Annotated[TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock, Field(discriminator="type")]


class Usage(BaseModel):
    """Token counts as the provider reported them (never estimated from words)."""

    input_tokens: int = 0
    """Every input token, cached or not."""
    output_tokens: int = 0
    cache_read_tokens: int = 0
    """Input tokens the provider served from its prompt cache (a part of ``input_tokens``)."""
    cache_write_tokens: int = 0
    """Input tokens the provider wrote to its prompt cache (a part of ``input_tokens``)."""

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens


class Message(BaseModel):
    """One message: a role and its content blocks.

    A plain string as ``content`` becomes one ``TextBlock``, as in Claif's original types.
    """

    role: Role
    content: list[ContentBlock] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    usage: Usage | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _wrap_plain_text(cls, value: Any) -> Any:
        return [TextBlock(text=value)] if isinstance(value, str) else value

    @property
    def text(self) -> str:
        """The concatenated text of all text blocks."""
        return "".join(block.text for block in self.content if isinstance(block, TextBlock))


class TextDelta(BaseModel):
    """A piece of streamed answer text; providers yield these as the answer arrives."""

    type: Literal["text_delta"] = "text_delta"
    text: str


StreamEvent = TextDelta | Message


class ClaifOptions(BaseModel):
    """Options for one query; anything a provider does not understand it ignores."""

    model_config = ConfigDict(extra="allow")

    provider: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    system_prompt: str | None = None
    timeout: float | None = None
    workspace_root: Path | None = None
    action: str | None = None
    """The code action that asked (``ask``, ``explain``, ``fix``, a custom action's id)."""
    extra_args: list[str] = Field(default_factory=list)
    open_documents: dict[str, str] = Field(default_factory=dict)
    """The editor's open buffers (absolute path → unsaved text), for agents working on a copy of the workspace."""
    history: list[Message] = Field(default_factory=list)
    """Earlier turns of this conversation, oldest first: the first user prompt, the answer, the next prompt, ...

    ``prompt`` is the newest user turn. API providers send them as messages (byte-identical to the earlier
    requests, so provider-side prompt caches hit); a CLI that keeps its own session resumes ``resume`` instead;
    others flatten them into one prompt with :func:`claif_lsp.sdk.conversation_prompt`.
    """
    resume: str | None = None
    """The provider's own session id from the previous answer (its final message's ``metadata["session_id"]``)."""
    ask_user: Callable[[str, list[str]], Awaitable[str | None]] | None = Field(default=None, exclude=True)
    """Ask the user to pick one of the choices (None when dismissed), for agents asking permission."""


class ProviderState(str, Enum):
    """Whether a provider can answer right now."""

    READY = "ready"
    NEEDS_CREDENTIAL = "needs_credential"
    NEEDS_CONFIG = "needs_config"
    """Installed, but a setting is missing (e.g. the replay provider has no transcript)."""
    NOT_INSTALLED = "not_installed"
    ERROR = "error"


class ProviderStatus(BaseModel):
    """A provider's state and a one-line reason a user can act on."""

    state: ProviderState
    reason: str = ""

    @property
    def ready(self) -> bool:
        """True when the provider can answer."""
        return self.state is ProviderState.READY
