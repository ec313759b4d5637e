"""Which settings only the user may set, and how values from sources a repository can fill are held back.

A cloned repository reaches the server through two sources: its ``.claif.toml`` and ``workspace/configuration``,
which editors fill from files in the repository (VS Code's ``.vscode/settings.json``, Emacs eglot's
``.dir-locals.el``). From those sources a value is ignored, with a warning, when it would run a program,
choose a secret, choose the server your code goes to, write a file, apply edits without review or turn on a
provider the user turned off. Only ``initializationOptions``, the environment and the user's own config file
may set such values. Everything else a repository may set, so projects can still pick their provider,
model, context and actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER_ONLY_TOP_KEYS: dict[str, str] = {"record": "it writes a file wherever it points"}
"""Top-level keys only trusted sources may set, each with why."""
USER_ONLY_PROVIDER_KEYS: dict[str, str] = {
    "apiKeyCommand": "it runs a program",
    "apiKeyEnv": "it chooses which secret is sent",
    "baseUrl": "it chooses the server your code and key are sent to",
    "path": "it chooses the program that runs",
    "extraArgs": "it changes how a program runs",
    "env": "it sets the environment of a program, which can make it run others or send your code elsewhere",
}
"""Keys under ``providers.<name>`` only trusted sources may set, each with why."""
USER_ONLY_PROVIDER_OPTIONS: dict[str, str] = {
    "trustWorkspace": "it makes Gemini CLI trust the folder and load the folder's own settings",
    "mcpServers": "it runs programs (the MCP servers an agent is given)",
    "sessionMode": "it chooses whether an agent asks before acting",
    "commands": "it lets an agent ask to run commands and fetch URLs",
}
"""Keys under ``providers.<name>.options`` only trusted sources may set, each with why."""
AUTO_APPROVAL = "auto"
AUTO_APPROVAL_REASON = "it applies edits without your review"
REENABLE_REASON = "it turns on a provider your own settings turn off"


@dataclass(frozen=True)
class Source:
    """One place settings come from, as users know it."""

    label: str
    """How messages name it: ``initializationOptions``, ``workspace/configuration for file:///ws``, a path."""
    trusted: bool
    """True for places only the user controls."""
    why_untrusted: str = ""
    """Why a repository can fill it (for the warning)."""


INITIALIZATION_OPTIONS = Source("initializationOptions", trusted=True)
ENVIRONMENT = Source("the environment", trusted=True)
EDITOR_FILLED = "editors fill it from files in the repository (VS Code's .vscode/settings.json, Emacs's .dir-locals.el)"


def user_file_source(path: Path) -> Source:
    """The user's own config file."""
    return Source(str(path), trusted=True)


def workspace_file_source(path: Path) -> Source:
    """The repository's ``.claif.toml``."""
    return Source(str(path), trusted=False, why_untrusted="that file comes with the repository")


def client_source(label: str) -> Source:
    """``workspace/configuration`` (or settings pushed with ``workspace/didChangeConfiguration``)."""
    return Source(label, trusted=False, why_untrusted=EDITOR_FILLED)


def get_path(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in nested dicts, or None."""
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def environment_name(path: tuple[str, ...]) -> str:
    """The ``CLAIF_*`` variable setting ``path``: ``CLAIF_PROVIDERS__CLAUDE_CODE__BASE_URL`` for a base URL."""
    return "CLAIF_" + "__".join(_camel_to_snake(part).replace("-", "_").upper() for part in path)


def _camel_to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def withhold(
    data: dict[str, Any], source: Source, trusted: Mapping[str, Any], user_file: Path, problems: list[str]
) -> dict[str, Any]:
    """``data`` from an untrusted ``source`` without what only the user may set.

    A held-back value is reported unless it equals what the trusted sources say (editors that answer
    ``workspace/configuration`` with the user's own values included would otherwise warn on every start).
    """
    cleaned = dict(data)

    def refuse(path: tuple[str, ...], value: Any, reason: str) -> None:
        if value != get_path(trusted, path):
            problems.append(refusal(path, source, reason, user_file))

    for key, reason in USER_ONLY_TOP_KEYS.items():
        if key in cleaned:
            refuse((key,), cleaned.pop(key), reason)
    if cleaned.get("approval") == AUTO_APPROVAL:
        refuse(("approval",), cleaned.pop("approval"), AUTO_APPROVAL_REASON)
    providers = cleaned.get("providers")
    if isinstance(providers, Mapping):
        cleaned["providers"] = {}
        for name, settings in providers.items():
            if isinstance(settings, Mapping):
                settings = dict(settings)
                for key, reason in USER_ONLY_PROVIDER_KEYS.items():
                    if key in settings:
                        refuse(("providers", name, key), settings.pop(key), reason)
                options = settings.get("options")
                if isinstance(options, Mapping) and any(key in options for key in USER_ONLY_PROVIDER_OPTIONS):
                    options = dict(options)
                    for key, reason in USER_ONLY_PROVIDER_OPTIONS.items():
                        if key in options:
                            refuse(("providers", name, "options", key), options.pop(key), reason)
                    settings["options"] = options
                if settings.get("enabled") is True and get_path(trusted, ("providers", name, "enabled")) is False:
                    refuse(("providers", name, "enabled"), settings.pop("enabled"), REENABLE_REASON)
            cleaned["providers"][name] = settings
    return cleaned


def guarded_values(trusted: Mapping[str, Any]) -> dict[str, Any]:
    """The trusted values that must survive whatever untrusted sources did around them.

    An untrusted ``providers: null`` must not drop the user's ``baseUrl`` (the default server would then get
    the code), nor a ``providers.x.enabled = false``.
    """
    guarded: dict[str, Any] = {key: trusted[key] for key in USER_ONLY_TOP_KEYS if key in trusted}
    providers = trusted.get("providers")
    if isinstance(providers, Mapping):
        for name, settings in providers.items():
            if not isinstance(settings, Mapping):
                continue
            kept = {key: settings[key] for key in USER_ONLY_PROVIDER_KEYS if key in settings}
            if settings.get("enabled") is False:
                kept["enabled"] = False
            if kept:
                guarded.setdefault("providers", {})[name] = kept
    return guarded


def kept_exclusions(merged: Mapping[str, Any], trusted: Mapping[str, Any]) -> list[str] | None:
    """``context.exclude`` with every trusted pattern kept (a repository may add patterns, never drop one).

    None when the trusted sources exclude nothing, so the merged value stands as it is.
    """
    patterns = get_path(trusted, ("context", "exclude"))
    if not isinstance(patterns, list) or not patterns:
        return None
    current = get_path(merged, ("context", "exclude"))
    current = list(current) if isinstance(current, list) else []
    return [*current, *(p for p in patterns if p not in current)]


def refusal(path: tuple[str, ...], source: Source, reason: str, user_file: Path) -> str:
    """The warning for one held-back key: which key, from where, why, and where to set it instead."""
    key = ".".join(path)
    return (
        f"'{key}' from {source.label} is ignored: {reason}, and {source.why_untrusted}. "
        f"Set it in your user config ({user_file}), the environment ({environment_name(path)}) "
        "or your editor's user settings (which its claif plugin sends as initializationOptions)"
    )
