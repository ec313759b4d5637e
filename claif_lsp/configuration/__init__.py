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

One module a job: :mod:`.sources` reads each source, :mod:`.merging` merges them (with :mod:`claif_lsp.trust`),
:mod:`.validation` validates key by key, :mod:`.loading` does all three for the server and the command line.
"""

from claif_lsp.configuration.loading import LoadedSettings, load_settings
from claif_lsp.configuration.merging import Layer, deep_merge, merge_into, merge_layers
from claif_lsp.configuration.sources import (
    ENV_PREFIX,
    SETTING_NAMES,
    WORKSPACE_FILE,
    normalise_keys,
    read_environment,
    read_toml,
    user_config_file,
)
from claif_lsp.configuration.validation import KNOWN_KEYS, validate_leniently, without_foreign_keys

__all__ = [
    "ENV_PREFIX",
    "KNOWN_KEYS",
    "SETTING_NAMES",
    "WORKSPACE_FILE",
    "Layer",
    "LoadedSettings",
    "deep_merge",
    "load_settings",
    "merge_into",
    "merge_layers",
    "normalise_keys",
    "read_environment",
    "read_toml",
    "user_config_file",
    "validate_leniently",
    "without_foreign_keys",
]
