"""``claif-lsp patch``: check a patch (Codex, unified diff, SEARCH/REPLACE or a model's answer) or apply it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claif_lsp.errors import PatchError


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the ``patch`` subcommand's arguments."""
    parser.add_argument("--root", default=".", help="workspace root the patch's paths are relative to")
    parser.add_argument("--write", action="store_true", help="apply the patch to disk (all files or none)")
    parser.add_argument("patch_file", nargs="?", default="-", help="patch file, or - for stdin")


def run(args: argparse.Namespace) -> int:
    """Check (default) or apply (``--write``) a patch; 0 success, 1 the patch does not apply, 2 usage error."""
    # Deferred: the patch engine loads only for this subcommand, not for every `claif-lsp` start.
    from claif_lsp.patches import disk_reader, parse_answer, render_proposal, resolve_patch, write_proposal

    root = Path(args.root)
    if not root.is_dir():
        sys.stderr.write(f"claif-lsp patch: --root {args.root}: not a directory\n")
        return 2
    name = "standard input" if args.patch_file == "-" else args.patch_file
    try:
        data = sys.stdin.buffer.read() if args.patch_file == "-" else Path(args.patch_file).read_bytes()
    except OSError as error:
        sys.stderr.write(f"claif-lsp patch: cannot read {args.patch_file}: {error}\n")
        return 2
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # Readable but not a patch we can use: an invalid patch (1), not a usage error (2).
        sys.stderr.write(
            f"claif-lsp patch: invalid patch: {name} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); save the patch as UTF-8\n"
        )
        return 1
    try:
        # Codex's CLI leaves every file it updates ending with a newline; so does this command, for conformance.
        resolved = resolve_patch(parse_answer(text), root, disk_reader(root), codex_final_newline=True)
        if args.write:
            lines = write_proposal(resolved, root)
            sys.stdout.write("Success. Updated the following files:\n" + "".join(f"{line}\n" for line in lines))
            return 0
    except PatchError as error:
        sys.stderr.write(f"claif-lsp patch: {error}\n")
        return 1
    summary = "".join(f"{line}\n" for line in resolved.summary())
    sys.stdout.write(f"The patch applies. Would update the following files:\n{summary}\n{render_proposal(resolved)}")
    return 0
