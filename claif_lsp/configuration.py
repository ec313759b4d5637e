"""Merge settings from every source, remembering where each value came from, and validate them key by key.

Sources, highest first: ``initializationOptions``; ``workspace/configuration`` section ``claif``;
the environment (``CLAIF_*``); the user's ``claif/config.toml``; the workspace's ``.claif.toml``; defaults.

Two of them a cloned repository can fill: ``.claif.toml``, and ``workspace/configuration``, which editors
answer from files in the repository. From those, keys that run a program, pick which secret is sent, send
your code elsewhere, write a file or apply edits without review are ignored with a warning saying where to
set them instead (:mod:`claif_lsp.trust`); only ``initializationOptions``, the environment and the user's
file may set them. Every other key keeps the order above.

Environment variables name nested keys with ``__``: ``CLAIF_CACHE__TTL_SECONDS=60`` is ``cache.ttlSeconds``.
Under ``PROVIDERS`` the next segment is a provider name, with ``_`` standing for ``-``:
``CLAIF_PROVIDERS__CLAUDE_CODE__MODEL=opus`` is ``providers.claude-code.model``.
"""

from __future__ import annotations

import copy
import difflib
import json
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from loguru import logger
from platformdirs import user_config_dir
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from claif_lsp import trust
from claif_lsp.settings import CacheSettings, ContextSettings, ProviderSettings, Settings
from claif_lsp.trust import Source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_PREFIX = "CLAIF_"
SETTING_NAMES = {to_camel(name) for name in Settings.model_fields}
WORKSPACE_FILE = ".claif.toml"


@dataclass
class LoadedSettings:
    """Validated settings plus the problems found on the way (each names the bad key)."""

    settings: Settings
    problems: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each value some source set came from: dotted key (``providers.openai.baseUrl``) to source label.
    Keys left at their defaults are absent."""


@dataclass
class Layer:
    """The settings one source gave (camelCase keys) and which source that is."""

    source: Source
    data: dict[str, Any]


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


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``; nested dicts merge, everything else replaces."""
    merged = copy.deepcopy(base)
    merge_into(merged, override)
    return merged


def merge_into(target: dict[str, Any], override: Mapping[str, Any]) -> None:
    """``override`` merged into ``target`` in place, as :func:`deep_merge` does (its values are copied)."""
    for key, value in override.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merge_into(current, value)
        else:
            target[key] = copy.deepcopy(value)


def normalise_keys(data: Any) -> Any:
    """snake_case keys to camelCase, except under maps keyed by user names (providers, options, env)."""
    if not isinstance(data, Mapping):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        camel = _snake_to_camel(str(key))
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
                hint = _nearest_hint(error["loc"]) if error["type"] == "extra_forbidden" else ""
                problems.append(f"claif.{'.'.join(loc)}: {error['msg']}{hint}; using the default")
                removed |= _remove_path(data, error["loc"])
            if not removed:
                break
    problems.append("claif: settings could not be validated; using all defaults")
    return Settings()


def _nearest_hint(loc: tuple[Any, ...]) -> str:
    """`` (did you mean 'x'?)`` for an unknown key close to a valid one beside it, else ``""``."""
    names = {name.lower(): name for name in _key_names_at(loc[:-1])}
    nearest = difflib.get_close_matches(str(loc[-1]).lower(), names, n=1, cutoff=0.75)
    return f" (did you mean '{names[nearest[0]]}'?)" if nearest else ""


def _key_names_at(loc: tuple[Any, ...]) -> list[str]:
    # Walk the model along the error's path: a dict or list field skips its key or index.
    model: type[BaseModel] = Settings
    parts = list(loc)
    while parts:
        fields = {to_camel(name): info.annotation for name, info in model.model_fields.items()}
        annotation = fields.get(str(parts.pop(0)))
        if get_origin(annotation) in (dict, list) and parts:
            annotation = get_args(annotation)[-1]
            parts.pop(0)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [to_camel(name) for name in model.model_fields]


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
    client_source: str = "workspace/configuration",
    environ: Mapping[str, str] | None = None,
    workspace_root: Path | None = None,
    user_file: Path | None = None,
    provider_names: Callable[[], Collection[str]] | None = None,
) -> LoadedSettings:
    """Merge every source (lowest first) and validate the result.

    ``client_source`` names where ``client_configuration`` came from in messages. A relative ``record`` path
    is made absolute against ``workspace_root``, as replay transcripts are.
    """
    problems: list[str] = []
    user_file = user_file or user_config_file()
    layers: list[Layer] = []
    if workspace_root is not None:
        workspace_file = workspace_root / WORKSPACE_FILE
        layers.append(Layer(trust.workspace_file_source(workspace_file), read_toml(workspace_file, problems)))
    layers.append(Layer(trust.user_file_source(user_file), read_toml(user_file, problems)))
    layers.append(Layer(trust.ENVIRONMENT, read_environment(environ or {}, problems, provider_names)))
    for source, given in (
        (trust.client_source(client_source), client_configuration),
        (trust.INITIALIZATION_OPTIONS, initialization_options),
    ):
        if isinstance(given, Mapping):
            layers.append(Layer(source, dict(given)))
        elif given is not None:
            problems.append(f"claif: expected an object of settings from {source.label}, got {type(given).__name__}")
    for layer in layers:
        layer.data = normalise_keys(layer.data)
        if layer.source is trust.INITIALIZATION_OPTIONS:
            layer.data = without_foreign_keys(layer.data, problems)
    merged, sources = merge_layers(layers, user_file, problems)
    settings = validate_leniently(merged, problems)
    if settings.record and workspace_root is not None:
        record = Path(settings.record).expanduser()
        if not record.is_absolute():
            settings = settings.model_copy(update={"record": str(workspace_root / record)})
    return LoadedSettings(settings=settings, problems=problems, sources=sources)


def merge_layers(layers: list[Layer], user_file: Path, problems: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Layers merged lowest first, untrusted ones without what only the user may set; plus each value's source."""
    trusted: dict[str, Any] = {}
    trusted_sources: dict[str, str] = {}
    for layer in layers:
        if layer.source.trusted:
            merge_into(trusted, layer.data)
            _note_sources(trusted_sources, layer.data, layer.source.label)
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for layer in layers:
        data = (
            layer.data
            if layer.source.trusted
            else trust.withhold(layer.data, layer.source, trusted, user_file, problems)
        )
        merge_into(merged, data)
        _note_sources(sources, data, layer.source.label)
    guarded = trust.guarded_values(trusted)
    merge_into(merged, guarded)
    _note_sources(sources, guarded, "", labels=trusted_sources)
    exclusions = trust.kept_exclusions(merged, trusted)
    if exclusions is not None and exclusions != trust.get_path(merged, ("context", "exclude")):
        merge_into(merged, {"context": {"exclude": exclusions}})
        both = (sources.get("context.exclude"), trusted_sources.get("context.exclude"))
        sources["context.exclude"] = " + ".join(dict.fromkeys(label for label in both if label))
    return merged, sources


def _note_sources(
    sources: dict[str, str],
    data: Mapping[str, Any],
    label: str,
    labels: Mapping[str, str] | None = None,
    prefix: str = "",
) -> None:
    # Mirrors deep_merge: a mapping merges with what is below its key, any other value replaces it.
    # ``labels``, when given, says where each leaf came from instead of ``label``.
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            sources.pop(dotted, None)
            _note_sources(sources, value, label, labels, dotted + ".")
            continue
        for below in [k for k in sources if k.startswith(dotted + ".")]:
            del sources[below]
        sources[dotted] = labels.get(dotted, label) if labels is not None else label


KNOWN_KEYS: dict[str, str] = {
    **{to_camel(name).lower(): f"providers.<name>.{to_camel(name)}" for name in ProviderSettings.model_fields},
    **{to_camel(name).lower(): f"context.{to_camel(name)}" for name in ContextSettings.model_fields},
    **{to_camel(name).lower(): f"cache.{to_camel(name)}" for name in CacheSettings.model_fields},
    **{name.lower(): name for name in SETTING_NAMES},
}
"""claif's own key names at any depth (lower case) to the key to suggest; top-level names win."""
KNOWN_KEYS.pop("options")  # too common a word in other clients' options to guess it was meant for us


def without_foreign_keys(data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """``initializationOptions`` without keys that are not claif settings.

    Clients add keys of their own there (Copilot clients send ``editorInfo`` and ``editorPluginInfo``):
    those are logged at debug only. A key close to one of ours is a typo and is reported with the nearest.
    """
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key in SETTING_NAMES:
            kept[key] = value
            continue
        nearest = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=0.82)
        if nearest:
            problems.append(
                f"initializationOptions: '{key}' is not a claif setting (did you mean '{KNOWN_KEYS[nearest[0]]}'?); "
                "it was ignored"
            )
        else:
            logger.debug("initializationOptions: '{}' is not a claif setting (the client's own?); ignored", key)
    return kept
