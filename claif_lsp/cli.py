"""The ``claif-lsp`` command: the server by default, plus ``providers``, ``patch``, ``schema`` and ``demo``.

Each command imports what only it needs where it runs (each such import names the heavy package it brings):
pydantic, loguru and pygls are most of the start-up of ``claif-lsp patch`` and ``--help``, which need none of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from claif_lsp import __version__, patch_cli

if TYPE_CHECKING:
    from claif_lsp.provider_check import CheckResult
    from claif_lsp.registry import ProviderRegistry

LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
"""loguru's levels, as ``claif_lsp.logs.LEVELS`` (a test keeps them equal); not imported from there, because
loguru's import would be a third of the ``patch`` command's start-up."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="claif-lsp", description="Any LLM, one code action away.")
    parser.add_argument("--version", action="version", version=f"claif-lsp {__version__}")
    _add_logging_options(parser)
    sub = parser.add_subparsers(dest="command")
    # Each subcommand takes the logging options too (`claif-lsp providers --log-level DEBUG`), without defaults
    # of its own, so options given before the subcommand survive.
    logging_only = argparse.ArgumentParser(add_help=False)
    _add_logging_options(logging_only, defaults=False)

    serve = sub.add_parser("serve", parents=[logging_only], help="run the language server (the default)")
    _add_transport_options(parser)
    # SUPPRESS: options given before `serve` (`claif-lsp --tcp serve`) must survive the subcommand's defaults.
    _add_transport_options(serve, defaults=False)

    providers = sub.add_parser("providers", parents=[logging_only], help="list installed providers and their status")
    providers.add_argument("--json", action="store_true", help="print JSON")
    providers.add_argument(
        "--check",
        nargs="?",
        const="",
        metavar="NAME",
        help="send a tiny request (a few billed tokens) to each ready provider, or to NAME, and say if it worked",
    )

    patch_cli.configure_parser(
        sub.add_parser("patch", parents=[logging_only], help="check or apply a patch to files on disk")
    )

    schema = sub.add_parser(
        "schema", parents=[logging_only], help="print the settings schema or a document generated from it"
    )
    schema.add_argument(
        "--format",
        choices=["json", "vscode", "markdown", "protocol-json", "protocol-markdown", "typescript", "lua"],
        default="json",
        help="json, vscode, markdown: from the settings; the others: from the protocol models",
    )

    demo_parser = sub.add_parser(
        "demo", parents=[logging_only], help="drive a real server through a scripted session, offline"
    )
    demo_parser.add_argument("--workdir", help="work in this directory instead of a temporary one")
    return parser


def _add_logging_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--log-file", default=default(None), help="write logs here instead of stderr")
    _add_level_option(
        parser,
        "--log-level",
        default(None),
        "level of claif's records (default: WARNING on stderr, INFO in --log-file; the editor's log gets INFO)",
    )
    _add_level_option(
        parser,
        "--pygls-log-level",
        default("WARNING"),
        "level of pygls' own records (INFO logs every message body); never sent to the editor",
    )
    _add_level_option(
        parser,
        "--library-log-level",
        default("WARNING"),
        "level of other libraries' records (HTTP clients log headers at DEBUG); never sent to the editor",
    )


def _add_level_option(parser: argparse.ArgumentParser, flag: str, default: object, help_text: str) -> None:
    parser.add_argument(flag, default=default, type=str.upper, choices=LEVELS, help=help_text)


def _add_transport_options(parser: argparse.ArgumentParser, *, defaults: bool = True) -> None:
    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    group = parser.add_mutually_exclusive_group()
    group.add_argument("--stdio", action="store_true", default=default(False), help="talk over stdin/stdout (default)")
    group.add_argument("--tcp", action="store_true", default=default(False), help="listen on TCP")
    group.add_argument("--ws", action="store_true", default=default(False), help="listen on WebSockets")
    parser.add_argument("--host", default=default("127.0.0.1"), help="address for --tcp/--ws")
    parser.add_argument("--port", type=int, default=default(2087), help="port for --tcp/--ws")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``claif-lsp`` console script."""
    try:
        return run_command(argv)
    except BrokenPipeError:
        # The reader left (`claif-lsp providers | head -1`): stop quietly, as other command-line tools do. Python
        # flushes stdout again at exit, so point it at /dev/null first or that flush fails too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def run_command(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the subcommand they name."""
    args = build_parser().parse_args(argv)
    if sum(bool(getattr(args, name)) for name in ("stdio", "tcp", "ws")) > 1:
        build_parser().error("choose one of --stdio, --tcp and --ws")
    command = args.command or "serve"
    if command == "patch" and not args.log_file:
        # The command reports on stdout/stderr itself; logging is configured only when a log file asks for it.
        return patch_cli.run(args)
    from claif_lsp.logs import configure_logging  # loguru

    configure_logging(
        args.log_level, args.log_file, pygls_level=args.pygls_log_level, library_level=args.library_log_level
    )
    if command == "serve":
        return serve(args)
    if command == "providers":
        return print_providers(settings_registry(), as_json=args.json, check=args.check)
    if command == "patch":
        return patch_cli.run(args)
    if command == "schema":
        from claif_lsp import schema  # pydantic
        from claif_lsp.protocol import documents  # pydantic

        render = documents.render if args.format in documents.FORMATS else schema.render
        sys.stdout.write(render(args.format))
        return 0
    if command == "demo":
        from claif_lsp import demo  # pygls' client

        return demo.run(args.workdir)
    return 2


def serve(args: argparse.Namespace) -> int:
    """Run the server on the chosen transport."""
    from claif_lsp.features import create_server  # pygls

    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    elif args.ws:
        server.start_ws(args.host, args.port)
    else:
        # stdout carries JSON-RPC: keep the real stream for pygls and send stray prints (SDKs, plugins)
        # to stderr, where they cannot corrupt a message frame.
        rpc_out = sys.stdout.buffer
        sys.stdout = sys.stderr
        server.start_io(stdin=sys.stdin.buffer, stdout=rpc_out)
    return 0


def settings_registry() -> ProviderRegistry:
    """A registry with the settings the server would use here: environment, user and ``.claif.toml`` in the cwd."""
    from claif_lsp.configuration import load_settings  # pydantic
    from claif_lsp.registry import ProviderRegistry  # the plugins' entry points

    registry = ProviderRegistry()
    loaded = load_settings(environ=os.environ, workspace_root=Path.cwd(), provider_names=registry.names)
    for problem in loaded.problems:
        sys.stderr.write(f"claif-lsp settings: {problem}\n")
    registry.update_settings(loaded.settings)
    return registry


def print_providers(registry: ProviderRegistry, *, as_json: bool = False, check: str | None = None) -> int:
    """Print every provider (name, distribution and version, status, reason), and the checks asked for."""
    reports = registry.reports()
    checks = run_checks(registry, check) if check is not None else None
    failed = 1 if checks and not all(result.ok for result in checks) else 0
    if as_json:
        import json  # a few milliseconds that `claif-lsp patch` need not pay

        payload: dict[str, object] = {
            "active": registry.active(),
            "configured": registry.settings.provider,
            "providers": [r.model_dump(mode="json", by_alias=True) for r in reports],
        }
        if checks is not None:
            payload["checks"] = [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]
        print(json.dumps(payload, indent=2))
        return failed
    if not reports:
        print(registry.nothing_ready_message())
        return 1
    rows = [(r.name, f"{r.distribution} {r.version}", r.state.value, r.reason) for r in reports]
    widths = [max(len(row[i]) for row in [("NAME", "DISTRIBUTION", "STATUS", ""), *rows]) for i in range(3)]
    print(f"{'NAME':<{widths[0]}}  {'DISTRIBUTION':<{widths[1]}}  {'STATUS':<{widths[2]}}  REASON")
    for name, dist, state, reason in rows:
        print(f"{name:<{widths[0]}}  {dist:<{widths[1]}}  {state:<{widths[2]}}  {reason}")
    print()
    print(f"active: {active_line(registry)}")
    print(f"user settings: {user_file_line()}")
    if checks is not None:
        print()
        if not checks:
            print("check: no provider is ready to check (name one: --check NAME)")
        for result in checks:
            print(f"check {result.name}: {'ok' if result.ok else 'failed'}: {result.detail}")
    return failed


def active_line(registry: ProviderRegistry) -> str:
    """Which provider an ask uses and why: the setting, or what ``auto`` found."""
    from claif_lsp.registry import NO_PROVIDER  # pydantic
    from claif_lsp.settings import AUTO_PROVIDER  # pydantic

    configured = registry.settings.provider
    active = registry.active()
    if configured != AUTO_PROVIDER:
        return f"{active} (provider = {configured!r})"
    if active == NO_PROVIDER:
        return f"none ({registry.nothing_ready_message()})"
    if not registry.status(active).ready:
        return f"{active} (provider = 'auto' and no other provider is ready: the offline fallback; see REASON above)"
    return f"{active} (provider = 'auto': the first ready one in autoOrder)"


def user_file_line() -> str:
    """The user's settings file on this machine, and whether it exists."""
    from claif_lsp.configuration import user_config_file  # platformdirs

    path = user_config_file()
    return f"{path}" if path.is_file() else f"{path} (not created yet)"


def run_checks(registry: ProviderRegistry, requested: str) -> list[CheckResult]:
    """The opt-in checks of ``--check``: one tiny request to ``requested`` or to every ready provider."""
    import anyio  # an event loop: only a check needs one

    from claif_lsp import provider_check  # the providers' query machinery (streaming, their SDKs)

    names = provider_check.names_to_check(registry, requested)
    return anyio.run(provider_check.check_providers, registry, names)
