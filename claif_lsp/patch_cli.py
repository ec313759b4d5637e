"""``claif-lsp patch``: check or apply a patch on disk (being built; see issue 3)."""

from __future__ import annotations

import argparse
import sys


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``patch`` subcommand's arguments."""
    parser.add_argument("--root", default=".", help="workspace root the patch's paths are relative to")
    parser.add_argument("--write", action="store_true", help="apply the patch to disk")
    parser.add_argument("patch_file", nargs="?", default="-", help="patch file, or - for stdin")


def run(args: argparse.Namespace) -> int:
    """Not yet available."""
    sys.stderr.write("claif-lsp patch: the patch engine is not built yet\n")
    return 2
