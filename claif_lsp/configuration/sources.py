"""Reading each source: the TOML files, the ``CLAIF_*`` environment, and their keys made camelCase."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir
from pydantic.alias_generators import to_camel

from claif_lsp.registry import discover_entries
from claif_lsp.settings import Settings

ENV_PREFIX = "CLAIF_"
SETTING_NAMES = {to_camel(name) for name in Settings.model_fields}
WORKSPACE_FILE = ".claif.toml"


def user_config_file() -> Path:
    """The user's TOML settings file."""
    return Path(user_config_dir("claif")) / "config.toml"


def read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    """A TOML file's contents, or {} with a problem recorded when it is broken."""
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path}: cannot read ({exc}); its settings were ignored")
        return {}
    # A file may put everything under [claif] or at the top level.
    section = data.get("claif", data)
    return section if isinstance(section, dict) else {}


def read_environment(
    environ: Mapping[str, str],
    problems: list[str] | None = None,
    provider_names: Callable[[], Collection[str]] | None = None,
) -> dict[str, Any]:
    """``CLAIF_*`` variables as nested settings: ``CLAIF_PROVIDERS__CLAUDE_CODE__MODEL=x``.

    A provider segment not naming an installed provider (``provider_names``) is reported in ``problems``.
    """
    result: dict[str, Any] = {}
    known: Collection[str] | None = None
    for key, raw in sorted(environ.items()):
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [part.lower() for part in key[len(ENV_PREFIX) :].split("__") if part]
        if not parts or snake_to_camel(parts[0]) not in SETTING_NAMES:
            continue  # CLAIF_LOG_LEVEL, CLAIF_REPLAY_TRANSCRIPT and friends are not settings
        path = [snake_to_camel(parts[0])]
        rest = parts[1:]
        if path[0] == "providers" and rest:
            if known is None:
                known = set(provider_names() if provider_names else _installed_providers())
            name = rest[0] if rest[0] in known else rest[0].replace("_", "-")
            if name not in known and problems is not None:
                installed = ", ".join(sorted(known)) or "none"
                problems.append(f"{key}: no provider named {name!r} is installed (installed: {installed})")
            path.append(name)
            rest = rest[1:]
        path.extend(snake_to_camel(part) for part in rest)
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node = result
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # CLAIF_PROVIDERS and CLAIF_PROVIDERS__X both set: the nested one wins
                child = node[part] = {}
            node = child
        node[path[-1]] = value
    return result


def _installed_providers() -> list[str]:
    return list(discover_entries())


def snake_to_camel(name: str) -> str:
    """``ttl_seconds`` → ``ttlSeconds``."""
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def normalise_keys(data: Any) -> Any:
    """snake_case keys to camelCase, except under maps keyed by user names (providers, options, env)."""
    if not isinstance(data, Mapping):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        camel = snake_to_camel(str(key))
        if camel == "providers" and isinstance(value, Mapping):
            result[camel] = {name: normalise_keys(v) for name, v in value.items()}
        elif camel in ("options", "env"):
            # Keyed by names the user wrote (provider options, environment variables): kept as written.
            result[camel] = value
        elif camel == "actions" and isinstance(value, list):
            result[camel] = [normalise_keys(v) for v in value]
        else:
            result[camel] = normalise_keys(value)
    return result
