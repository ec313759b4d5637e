"""``initialize``, ``initialized``, configuration changes and ``shutdown``.

Settings are pulled with ``workspace/configuration`` (section ``claif``) for each workspace folder once
the client is initialized, and pulled again whenever ``workspace/didChangeConfiguration`` arrives.
Invalid settings are shown once with ``window/showMessage``, naming the key; defaults stand in for them.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from loguru import logger
from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from claif_lsp import __version__
from claif_lsp.features import log_forwarding
from claif_lsp.server import ClaifLanguageServer

SECTION = "claif"


def register(server: ClaifLanguageServer) -> None:
    """Register the lifecycle handlers."""
    sink_ids: list[int] = []

    @server.feature(types.INITIALIZE)
    def initialize(ls: ClaifLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        # VS Code's client sends a list when settings are per folder; Neovim sends a dict.
        if isinstance(options, dict) and isinstance(options.get(SECTION), dict):
            options = options[SECTION]
        ls.state.initialization_options = options
        ls.state.workspace_roots = _workspace_roots(params)
        # Settings are validated once `initialized` arrives: answering `initialize` first keeps start-up lean.

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ClaifLanguageServer, params: types.InitializedParams) -> None:
        sink_ids.append(log_forwarding.start(ls))
        apply_settings(ls, {})
        logger.info("claif-lsp {} ready; providers: {}", __version__, ", ".join(ls.registry.names()) or "none")
        if get_capability(ls.client_capabilities, "workspace.did_change_configuration.dynamic_registration", False):
            registration = types.Registration(
                id=str(uuid.uuid4()),
                method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                register_options={"section": SECTION},
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception as exc:  # the client then pushes changes, or never changes settings
                logger.debug("client/registerCapability failed: {}", exc)
        try:
            await pull_configuration(ls)
        finally:
            ls.state.settings_ready.set()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ClaifLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
        if not await pull_configuration(ls) and isinstance(pushed, dict):
            # Clients that cannot be asked push the settings with the notification instead.
            apply_settings(ls, {"": pushed}, source=types.WORKSPACE_DID_CHANGE_CONFIGURATION)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: ClaifLanguageServer, params: None) -> None:
        while sink_ids:
            log_forwarding.stop(sink_ids.pop())
        await ls.registry.close()


def _workspace_roots(params: types.InitializeParams) -> list[Path]:
    uris = [folder.uri for folder in params.workspace_folders or []]
    if not uris and params.root_uri:
        uris = [params.root_uri]
    roots = [Path(p) for p in (to_fs_path(uri) for uri in uris) if p]
    if not roots and params.root_path:
        roots = [Path(params.root_path)]
    return roots


def _folder_uris(ls: ClaifLanguageServer) -> list[str]:
    return [folder.uri for folder in ls.workspace.folders.values()]


async def pull_configuration(ls: ClaifLanguageServer) -> bool:
    """Ask the client for section ``claif`` per folder; False when the client cannot be asked."""
    if not get_capability(ls.client_capabilities, "workspace.configuration", False):
        return False
    scopes: list[str | None] = [*_folder_uris(ls)] or [None]
    items = [types.ConfigurationItem(section=SECTION, scope_uri=scope) for scope in scopes]
    try:
        answers = await asyncio.wait_for(
            ls.workspace_configuration_async(types.ConfigurationParams(items=items)), timeout=10
        )
    except Exception as exc:  # a client that fails here must not stop the server
        logger.warning("workspace/configuration failed: {}", exc)
        return False
    pulled = {scope or "": answer for scope, answer in zip(scopes, answers or [], strict=False)}
    apply_settings(ls, pulled)
    return True


def apply_settings(
    ls: ClaifLanguageServer, client_settings: dict[str, Any], source: str = types.WORKSPACE_CONFIGURATION
) -> None:
    """Rebuild settings for every folder from all sources and report new problems.

    ``source`` is how the client gave ``client_settings`` (pulled or pushed); messages name it with the folder.
    """
    from claif_lsp.configuration import load_settings  # deferred: pydantic loads after `initialize` is answered

    scopes = _folder_uris(ls) or [""]
    loaded = {}
    for scope in scopes:
        root = Path(p) if scope and (p := to_fs_path(scope)) else ls.state.root_for()
        answered_for = scope if scope in client_settings else ""
        answer = client_settings.get(answered_for)
        loaded[scope] = load_settings(
            initialization_options=ls.state.initialization_options,
            client_configuration=answer if isinstance(answer, dict) else None,
            client_source=f"{source} for {answered_for}" if answered_for else source,
            environ=ls.environ,
            workspace_root=root,
            provider_names=ls.registry.names,
        )
    ls.state.loaded = loaded
    for scope, result in loaded.items():
        logger.debug(
            "settings for {}: provider {}; set by {}", scope or "the window", result.settings.provider, result.sources
        )
    ls.registry.update_settings(ls.state.settings_for())
    problems = [p for result in loaded.values() for p in result.problems]
    new = [p for p in dict.fromkeys(problems) if p not in ls.state.shown_problems]
    if new:
        ls.state.shown_problems.update(new)
        message = "claif-lsp settings: " + "; ".join(new)
        logger.warning(message)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
