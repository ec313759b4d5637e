"""Validating key by key: a bad value falls back to its default, and every problem names its key (typos get a hint)."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Collection, Mapping
from typing import Any, get_args, get_origin

from loguru import logger
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from claif_lsp.configuration.sources import SETTING_NAMES
from claif_lsp.settings import AUTO_PROVIDER, CacheSettings, ContextSettings, ProviderSettings, Settings


def validate_leniently(data: dict[str, Any], problems: list[str], sources: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``data``; each invalid key is reported (with its source, from ``sources``) and dropped."""
    data = copy.deepcopy(data)
    for _ in range(50):
        try:
            return Settings.model_validate(data)
        except ValidationError as exc:
            removed = False
            for error in exc.errors():
                problems.append(_problem(error["loc"], error["type"], error["msg"], sources or {}))
                removed |= _remove_path(data, error["loc"])
            if not removed:
                break
    problems.append("claif: settings could not be validated; using all defaults")
    return Settings()


def _problem(loc: tuple[Any, ...], kind: str, message: str, sources: Mapping[str, str]) -> str:
    """One problem in the user's words: the key, where it was set, and what was done with it."""
    key = f"claif.{'.'.join(str(part) for part in loc)}{_where(loc, sources)}"
    if kind == "extra_forbidden":
        return f"{key}: not a claif setting{_nearest_hint(loc)}; ignored"
    return f"{key}: {message}; using the default"


def _where(loc: tuple[Any, ...], sources: Mapping[str, str]) -> str:
    """`` (in <source>)`` for the deepest part of ``loc`` a source set, else ``""``."""
    parts = [str(part) for part in loc]
    for depth in range(len(parts), 0, -1):
        label = sources.get(".".join(parts[:depth]))
        if label:
            return f" (in {label})"
    return ""


def _nearest_hint(loc: tuple[Any, ...]) -> str:
    """`` (did you mean 'x'?)`` for an unknown key close to a valid one beside it, else the valid keys there."""
    valid = _key_names_at(loc[:-1])
    names = {name.lower(): name for name in valid}
    nearest = difflib.get_close_matches(str(loc[-1]).lower(), names, n=1, cutoff=0.6)
    if nearest:
        return f" (did you mean '{names[nearest[0]]}'?)"
    return f" (valid here: {', '.join(valid)})" if valid else ""


def unknown_provider_problem(name: str, installed: Collection[str], where: str = "") -> str | None:
    """A warning for a ``provider`` setting naming no installed provider, with the nearest name; else None."""
    if name == AUTO_PROVIDER or name in installed:
        return None
    choices = [AUTO_PROVIDER, *sorted(installed)]
    nearest = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    hint = f"did you mean '{nearest[0]}'? " if nearest else ""
    return (
        f"claif.provider{where}: no provider named {name!r} is installed ({hint}installed: "
        f"{', '.join(sorted(installed)) or 'none'}); asks without a provider will fail"
    )


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
