"""Loading the settings: every source read, merged and validated, with the problems and each value's source."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claif_lsp import trust
from claif_lsp.configuration.merging import Layer, merge_layers
from claif_lsp.configuration.sources import (
    WORKSPACE_FILE,
    normalise_keys,
    read_environment,
    read_toml,
    user_config_file,
)
from claif_lsp.configuration.validation import unknown_provider_problem, validate_leniently, without_foreign_keys
from claif_lsp.settings import Settings


@dataclass
class LoadedSettings:
    """Validated settings plus the problems found on the way (each names the bad key)."""

    settings: Settings
    problems: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each value some source set came from: dotted key (``providers.openai.baseUrl``) to source label.
    Keys left at their defaults are absent."""


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
    settings = validate_leniently(merged, problems, sources)
    if provider_names is not None:
        where = f" (in {sources['provider']})" if "provider" in sources else ""
        unknown = unknown_provider_problem(settings.provider, provider_names(), where)
        if unknown:
            problems.append(unknown)
    if settings.record and workspace_root is not None:
        record = Path(settings.record).expanduser()
        if not record.is_absolute():
            settings = settings.model_copy(update={"record": str(workspace_root / record)})
    return LoadedSettings(settings=settings, problems=problems, sources=sources)
