"""The provider SDK: everything a ``claif.providers`` plugin needs, in one import.

A provider is a class registered under the ``claif.providers`` entry-point group; the entry point's name is the
provider's name, and its settings live under ``providers.<that name>``. Import from here only::

    from claif_lsp.sdk import BaseProvider, ClaifOptions, Message, Role, StreamEvent, TextDelta, Usage

The contract
    :class:`BaseProvider`: subclass it, set ``name`` (the entry-point name) and ``display_name``, implement
    ``query(prompt, options)`` as an async generator. It streams :class:`TextDelta` pieces as the answer
    arrives and ends with one :class:`Message` (``Role.ASSISTANT``) carrying the whole text and its
    :class:`Usage`; yielding whole messages only also works. ``status()`` says whether it can answer now; it must
    be cheap and offline (it runs on every code-action request). ``connect()``/``disconnect()`` are optional.
    Before the first query the registry calls ``configure(settings, environ)``: ``self.settings`` is the
    provider's :class:`ProviderSettings` and ``self.environ`` the environment to read (never change
    ``os.environ``). ``resolve_options`` fills a request's options from the settings; ``api_key_async()`` returns
    the key as a :class:`pydantic.SecretStr` (call ``get_secret_value()`` to hand it to an SDK), and
    ``credential_status()`` is a ready-made ``status()`` for key-based providers. :func:`never_sent_reason` says
    why a workspace file must never reach a provider (``.env*``, private keys, ``.git``, ``context.exclude``).

Bases for the two common kinds
    :class:`HttpApiProvider`: an HTTP API through a vendor SDK imported on first query (``sdk_module``,
    ``base_url()``, ``key_source()``, ``require_key()``, :class:`ReusedClient` for a pooled client,
    :class:`Deadline` bounding the whole answer).
    :class:`AgentCliProvider`: a command-line agent (``executable_name``, ``install_hint``, ``command()``,
    ``run()`` starting it in an :class:`AgentProcess`, a ``status()`` template with ``check_settings()`` and
    ``login_status()`` hooks).

Conversations
    A refine, a retry or a repair is a later turn: ``options.history`` holds the earlier turns (user and
    assistant messages, oldest first) and ``prompt`` the new one. An API provider sends them as messages, in
    that order and unchanged, so the provider's prompt cache serves the shared prefix; a CLI with sessions of
    its own reports its session id in the final message's ``metadata["session_id"]`` and resumes
    ``options.resume`` when it is set: :func:`resume_or_resend` runs one turn function either way (resuming
    with the new prompt only, or, without a usable session id or after the turn raised :class:`SessionGone`,
    with the rebuilt prompt); any other provider sends :func:`conversation_prompt` (history, prompt).
    Report cache reads and writes in :class:`Usage` (``cache_read_tokens``, ``cache_write_tokens``, both
    counted within ``input_tokens``).

Errors
    Raise :class:`ClaifError` subclasses with a message a user can act on, never containing a secret:
    :class:`ConfigurationError` (a setting is missing or wrong), :class:`AuthenticationError`,
    :class:`RateLimitError` (``retry_after``), :class:`ProviderTimeoutError`, :class:`ConnectionFailedError`,
    :class:`ProviderInitError` (cannot start: SDK or executable missing), :class:`ProviderRuntimeError`. If the
    stream breaks, raise: never end with a final ``Message`` for an incomplete answer. :func:`status_error`,
    :func:`connection_error`, :func:`api_message` and :func:`scrub` turn HTTP failures into these.

Cancellation
    A cancelled ask closes the provider's async generator (``asyncio.CancelledError`` at an ``await``, or
    ``GeneratorExit`` at a ``yield``): close HTTP streams in ``finally``; an :class:`AgentProcess` kills its
    whole process group when its ``async with`` block is left.

Testing
    :mod:`claif_lsp.testing` has loopback servers speaking the OpenAI, Anthropic and Gemini streaming formats
    and a conformance suite any provider can run.
"""

from claif_lsp.errors import (
    AuthenticationError,
    ClaifError,
    ConfigurationError,
    ConnectionFailedError,
    ProviderError,
    ProviderInitError,
    ProviderRuntimeError,
    ProviderTimeoutError,
    RateLimitError,
    TransportError,
)
from claif_lsp.http_errors import api_message, connection_error, parse_retry_after, scrub, status_error
from claif_lsp.privacy.redaction import never_sent_reason
from claif_lsp.process import (
    AgentProcess,
    child_environment,
    explicit_api_key,
    find_executable,
    flag_uses,
    home_dir,
    missing_executable_reason,
    parse_json_line,
    refuse_unsafe_arg,
    strip_ansi,
)
from claif_lsp.provider import BaseProvider
from claif_lsp.sdk.agent_cli import AgentCliProvider, with_system_prompt
from claif_lsp.sdk.conversation import SessionGone, conversation_prompt, resumable_session, resume_or_resend
from claif_lsp.sdk.http_api import Deadline, HttpApiProvider, ReusedClient, module_installed
from claif_lsp.settings import ProviderSettings
from claif_lsp.streaming import Answer, collect_answer
from claif_lsp.types import (
    ClaifOptions,
    ContentBlock,
    ImageBlock,
    Message,
    ProviderState,
    ProviderStatus,
    Role,
    StreamEvent,
    TextBlock,
    TextDelta,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)

__all__ = [
    "AgentCliProvider",
    "AgentProcess",
    "Answer",
    "AuthenticationError",
    "BaseProvider",
    "ClaifError",
    "ClaifOptions",
    "ConfigurationError",
    "ConnectionFailedError",
    "ContentBlock",
    "Deadline",
    "HttpApiProvider",
    "ImageBlock",
    "Message",
    "ProviderError",
    "ProviderInitError",
    "ProviderRuntimeError",
    "ProviderSettings",
    "ProviderState",
    "ProviderStatus",
    "ProviderTimeoutError",
    "RateLimitError",
    "ReusedClient",
    "Role",
    "SessionGone",
    "StreamEvent",
    "TextBlock",
    "TextDelta",
    "ToolResultBlock",
    "ToolUseBlock",
    "TransportError",
    "Usage",
    "api_message",
    "child_environment",
    "collect_answer",
    "connection_error",
    "conversation_prompt",
    "explicit_api_key",
    "find_executable",
    "flag_uses",
    "home_dir",
    "missing_executable_reason",
    "module_installed",
    "never_sent_reason",
    "parse_json_line",
    "parse_retry_after",
    "refuse_unsafe_arg",
    "resumable_session",
    "resume_or_resend",
    "scrub",
    "status_error",
    "strip_ansi",
    "with_system_prompt",
]
