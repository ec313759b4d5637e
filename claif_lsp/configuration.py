"""Merge settings from every source and validate them key by key.

Sources, highest first: ``initializationOptions``; ``workspace/configuration`` section ``claif``;
the environment (``CLAIF_*``); the user's ``claif/config.toml``; the workspace's ``.claif.toml``; defaults.

The workspace file comes last on purpose: a cloned repository must not be able to override what its
user chose. It may not set anything that runs a program, picks which secret is sent, sends your code
elsewhere or writes a file (:data:`UNTRUSTED_PROVIDER_KEYS`, :data:`UNTRUSTED_TOP_KEYS`): a warning names
each such key and says to set it in the user settings instead.

Environment variables name nested keys with ``__``: ``CLAIF_CACHE__TTL_SECONDS=60`` is ``cache.ttlSeconds``.
Under ``PROVIDERS`` the next segment is a provider name, with ``_`` standing for ``-``:
``CLAIF_PROVIDERS__CLAUDE_CODE__MODEL=opus`` is ``providers.claude-code.model``.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from claif_lsp.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_PREFIX = "CLAIF_"
SETTING_NAMES = {to_camel(name) for name in Settings.model_fields}
WORKSPACE_FILE = ".claif.toml"
UNTRUSTED_PROVIDER_KEYS = ("apiKeyCommand", "apiKeyEnv", "baseUrl", "path", "extraArgs")
"""Provider keys a workspace file may not set: they run a program, choose a secret or a server for your code."""
UNTRUSTED_TOP_KEYS = ("record",)
"""Top-level keys a workspace file may not set: ``record`` writes a file wherever it points."""


@dataclass
class LoadedSettings:
    """Validated settings plus the problems found on the way (each names the bad key)."""

    settings: Settings
    problems: list[str] = field(default_factory=list)


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
        if not parts or _snake_to_camel(parts[0]) not in SETTING_NAMES:
            continue  # CLAIF_LOG_LEVEL, CLAIF_REPLAY_TRANSCRIPT and friends are not settings
        path = [_snake_to_camel(parts[0])]
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
        path.extend(_snake_to_camel(part) for part in rest)
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
    from claif_lsp.registry import discover_entries

    return list(discover_entries())


def _snake_to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _strip_untrusted(data: dict[str, Any], problems: list[str], origin: str) -> dict[str, Any]:
    """``data`` (camelCase keys) without the keys a repository may not set, each one reported."""
    cleaned = dict(data)

    def refuse(key: str) -> None:
        problems.append(
            f"{origin}: '{key}' is ignored in a workspace file (a repository may not choose programs to run, "
            "which key is sent, where your code goes or which files are written); "
            f"set it in your user settings ({user_config_file()}) or your editor's settings"
        )

    for key in UNTRUSTED_TOP_KEYS:
        if key in cleaned:
            del cleaned[key]
            refuse(key)
    providers = cleaned.get("providers")
    if isinstance(providers, dict):
        cleaned["providers"] = {}
        for name, settings in providers.items():
            if isinstance(settings, dict):
                settings = dict(settings)
                for key in UNTRUSTED_PROVIDER_KEYS:
                    if key in settings:
                        del settings[key]
                        refuse(f"providers.{name}.{key}")
            cleaned["providers"][name] = settings
    return cleaned


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``; nested dicts merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def normalise_keys(data: Any) -> Any:
    """snake_case keys to camelCase, except under maps keyed by user names (providers, options)."""
    if not isinstance(data, Mapping):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        camel = _snake_to_camel(str(key))
        if camel == "providers" and isinstance(value, Mapping):
            result[camel] = {name: normalise_keys(v) for name, v in value.items()}
        elif camel == "options":
            result[camel] = value
        elif camel == "actions" and isinstance(value, list):
            result[camel] = [normalise_keys(v) for v in value]
        else:
            result[camel] = normalise_keys(value)
    return result


def validate_leniently(data: dict[str, Any], problems: list[str]) -> Settings:
    """Settings from ``data``; each invalid key is reported and falls back to its default."""
    data = copy.deepcopy(data)
    for _ in range(50):
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            removed = False
            for error in exc.errors():
                loc = [str(part) for part in error["loc"]]
                problems.append(f"claif.{'.'.join(loc)}: {error['msg']}; using the default")
                removed |= _remove_path(data, error["loc"])
            if not removed:
                break
    problems.append("claif: settings could not be validated; using all defaults")
    return Settings()


def _remove_path(data: Any, loc: tuple[Any, ...]) -> bool:
    # Drop the deepest existing container entry on the error's path, so sibling keys survive.
    node = data
    for depth, part in enumerate(loc):
        is_last = depth == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            if is_last or not isinstance(node[part], (dict, list)):
                del node[part]
                return True
            node = node[part]
        else:
            # The rest of the path names a missing field; drop the object that lacks it.
            return _remove_parent(data, loc[:depth])
    return False


def _remove_parent(data: Any, loc: tuple[Any, ...]) -> bool:
    if not loc:
        return False
    parent = data
    for part in loc[:-1]:
        parent = parent[part]
    del parent[loc[-1]]
    return True


def load_settings(
    *,
    initialization_options: Mapping[str, Any] | None = None,
    client_configuration: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    workspace_root: Path | None = None,
    user_file: Path | None = None,
    provider_names: Callable[[], Collection[str]] | None = None,
) -> LoadedSettings:
    """Merge every source (lowest first) and validate the result.

    A relative ``record`` path is made absolute against ``workspace_root``, as replay transcripts are.
    """
    problems: list[str] = []
    merged: dict[str, Any] = {}
    if workspace_root is not None:
        workspace_file = workspace_root / WORKSPACE_FILE
        workspace_data = normalise_keys(read_toml(workspace_file, problems))
        merged = deep_merge(merged, _strip_untrusted(workspace_data, problems, str(workspace_file)))
    merged = deep_merge(merged, normalise_keys(read_toml(user_file or user_config_file(), problems)))
    merged = deep_merge(merged, read_environment(environ or {}, problems, provider_names))
    for source in (client_configuration, initialization_options):
        if isinstance(source, Mapping):
            merged = deep_merge(merged, normalise_keys(source))
        elif source is not None:
            problems.append(f"claif: expected an object of settings, got {type(source).__name__}")
    settings = validate_leniently(merged, problems)
    if settings.record and workspace_root is not None:
        record = Path(settings.record).expanduser()
        if not record.is_absolute():
            settings = settings.model_copy(update={"record": str(workspace_root / record)})
    return LoadedSettings(settings=settings, problems=problems)
