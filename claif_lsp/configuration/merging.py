"""Merging the sources lowest first: untrusted ones without what only the user may set, each value's source noted."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claif_lsp import trust
from claif_lsp.trust import Source


@dataclass
class Layer:
    """The settings one source gave (camelCase keys) and which source that is."""

    source: Source
    data: dict[str, Any]


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
