"""The base of providers that drive an agent CLI (Claude Code, Codex, Gemini CLI, ...) as a subprocess.

:class:`AgentCliProvider` holds the parts every such provider repeats: finding the executable, the offline
``status()`` template (settings checked, executable found, login checked) and starting the CLI with the prompt
on its stdin inside an :class:`~claif_lsp.process.AgentProcess`, so it never outlives its request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import ClassVar

from claif_lsp.errors import ClaifError, ProviderInitError
from claif_lsp.process import AgentProcess, find_executable, missing_executable_reason
from claif_lsp.provider import BaseProvider
from claif_lsp.types import ClaifOptions, ProviderState, ProviderStatus


def with_system_prompt(prompt: str, options: ClaifOptions) -> str:
    """``prompt`` preceded by the system prompt, for CLIs that read a single prompt."""
    return f"{options.system_prompt}\n\n{prompt}" if options.system_prompt else prompt


class AgentCliProvider(BaseProvider):
    """A provider that runs a command-line agent; subclasses set ``executable_name`` and ``install_hint``."""

    executable_name: ClassVar[str] = ""
    """The executable looked up on PATH when ``providers.<name>.path`` is unset (``codex``)."""
    install_hint: ClassVar[str] = ""
    """How to install it, shown when it is missing (``install with npm i -g @openai/codex``)."""

    def executable(self) -> str | None:
        """The executable to run: ``settings.path``, else ``executable_name`` on PATH; None when missing."""
        return find_executable(self.executable_name, self.environ, self.settings.path)

    def not_installed_reason(self) -> str:
        """Why no executable was found, and how to install one."""
        return missing_executable_reason(self.executable_name, self.settings.path, self.install_hint)

    def child_env(self) -> dict[str, str]:
        """Variables the CLI gets on top of the server's environment (default: the ``env`` setting)."""
        return dict(self.settings.env)

    def check_settings(self) -> None:
        """Raise a ClaifError when the settings are unusable (e.g. an extra argument that would let it write)."""

    def login_status(self, exe: str, environ: Mapping[str, str]) -> ProviderStatus:
        """The status once settings and executable are fine: credentials, login state (default READY)."""
        return ProviderStatus(state=ProviderState.READY, reason=f"using {exe}")

    def status(self) -> ProviderStatus:
        """ERROR for bad settings, NOT_INSTALLED without the executable, else :meth:`login_status`; never runs it."""
        executable = self.executable()
        try:
            self.check_settings()
            environ = {**self.environ, **self.child_env()}
        except ClaifError as exc:
            return ProviderStatus(state=ProviderState.ERROR, reason=exc.message)
        if executable is None:
            return ProviderStatus(state=ProviderState.NOT_INSTALLED, reason=self.not_installed_reason())
        return self.login_status(executable, environ)

    def require_executable(self) -> str:
        """The executable, or ProviderInitError saying how to install it."""
        executable = self.executable()
        if executable is None:
            raise ProviderInitError(self.not_installed_reason(), provider=self.name)
        return executable

    def command(self, exe: str, options: ClaifOptions) -> list[str]:
        """The command line for one query; the prompt goes through stdin, never argv (any local user reads argv)."""
        raise NotImplementedError(f"{type(self).__name__} must implement command() to use run()")

    @asynccontextmanager
    async def run(self, prompt: str, options: ClaifOptions) -> AsyncIterator[AgentProcess]:
        """The CLI started with :meth:`command`, the prompt (system prompt first) written to its stdin and closed.

        Leaving the block for any reason, cancellation included, kills the CLI's whole process group.
        """
        process = AgentProcess(
            self.command(self.require_executable(), options),
            provider=self.name,
            environ=self.environ,
            env=self.child_env(),
            cwd=options.workspace_root,
            timeout=options.timeout,
        )
        async with process:
            await process.write(with_system_prompt(prompt, options))
            await process.close_stdin()
            yield process
