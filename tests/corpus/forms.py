"""Every form a model may give one real commit's change in, derived from its ``git show`` diff, and a strict
reference applier that turns the exact diff into the post-image without any of the engine's code.

Used by ``generate.py`` (which checks the reference applier against git's own trees and records what ``git apply``
makes of each unified form) and by ``test_real_diffs.py`` (which applies every form through the engine).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

UNIFIED_FORMS = ("exact", "shifted", "no_numbers", "prose", "prose_fenced")
FORMS = (*UNIFIED_FORMS, "codex", "search_replace")
NO_NEWLINE = "\\ No newline at end of file"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
# What the SEARCH/REPLACE format reserves (as the engine's parser reads it): content lines like these cannot be said.
_MARKER = re.compile(r"^\s*(<{5,9} ?SEARCH|={5,9}|>{5,9} ?REPLACE)\s*$")
SHIFTS = (5, -3, 11, -7)
"""How far the ``shifted`` form moves hunk k's line numbers: ``SHIFTS[k % 4]``."""


@dataclass
class Hunk:
    """One ``@@`` hunk of the exact diff."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    function: str
    lines: list[str] = field(default_factory=list)
    """Body lines as in the diff: ``' '``, ``'-'``, ``'+'`` or ``'\\'`` first."""

    def old_lines(self) -> list[str]:
        """The lines the hunk expects in the pre-image."""
        return [line[1:] for line in self.lines if line[:1] in (" ", "-")]

    def new_lines(self) -> list[str]:
        """The lines the hunk leaves in the post-image."""
        return [line[1:] for line in self.lines if line[:1] in (" ", "+")]


@dataclass
class FileDiff:
    """One ``diff --git`` section."""

    old_path: str | None
    """None for an added file."""
    new_path: str | None
    """None for a deleted file."""
    header: list[str] = field(default_factory=list)
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """``add``, ``delete``, ``rename`` or ``update``."""
        if self.old_path is None:
            return "add"
        if self.new_path is None:
            return "delete"
        return "rename" if self.old_path != self.new_path else "update"


def parse_git_diff(diff: str) -> list[FileDiff]:
    """The sections of ``git show --format= -M`` output (plain paths: the corpus keeps no quoted ones)."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    hunk: Hunk | None = None
    for line in diff.split("\n")[:-1]:
        if line.startswith("diff --git "):
            old, _, new = line[len("diff --git a/") :].partition(" b/")
            current = FileDiff(old, new, [line])
            files.append(current)
            hunk = None
            continue
        assert current is not None, line
        match = _HUNK.match(line)
        if match:
            counts = [int(g) if g is not None else 1 for g in match.group(1, 2, 3, 4)]
            hunk = Hunk(*counts, function=match.group(5))
            current.hunks.append(hunk)
        elif hunk is not None:
            hunk.lines.append(line)
        else:
            current.header.append(line)
            if line.startswith(("new file mode", "--- /dev/null")):
                current.old_path = None
            elif line.startswith(("deleted file mode", "+++ /dev/null")):
                current.new_path = None
            elif line.startswith("rename from "):
                current.old_path = line[len("rename from ") :]
            elif line.startswith("rename to "):
                current.new_path = line[len("rename to ") :]
    return files


def _split(text: str) -> list[str]:
    """Lines with their ``\\n`` kept (only ``\\n`` ends a line, as in a diff)."""
    parts = text.split("\n")
    lines = [f"{part}\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def reference_apply(pre: dict[str, str | None], diff: str) -> dict[str, str | None]:
    """The post-image of every touched path (None: gone), applying the exact diff strictly at its line numbers."""
    post: dict[str, str | None] = {}
    for file in parse_git_diff(diff):
        source = pre[file.old_path] if file.old_path is not None else ""
        assert source is not None, file.old_path
        lines = _split(source)
        out: list[str] = []
        pos = 0
        for hunk in file.hunks:
            start = hunk.old_start - 1 if hunk.old_count else hunk.old_start
            assert start >= pos, (file.old_path, hunk.old_start)
            out += lines[pos:start]
            pos = start
            last: str | None = None
            for line in hunk.lines:
                marker, text = line[:1], line[1:]
                if marker in (" ", "-"):
                    assert lines[pos].removesuffix("\n") == text, (file.old_path, pos, text)
                    if marker == " ":
                        out.append(lines[pos])
                    pos += 1
                elif marker == "+":
                    out.append(f"{text}\n")
                elif marker == "\\" and last in (" ", "+"):
                    out[-1] = out[-1].removesuffix("\n")
                last = marker
        out += lines[pos:]
        if file.old_path is not None:
            post[file.old_path] = None
        if file.new_path is not None:
            post[file.new_path] = "".join(out)
    return post


def _shift_headers(diff: str) -> str:
    count = 0

    def shift(match: re.Match[str]) -> str:
        nonlocal count
        by = SHIFTS[count % len(SHIFTS)]
        count += 1
        old, new = int(match.group(1)), int(match.group(3))
        old_count = f",{match.group(2)}" if match.group(2) is not None else ""
        new_count = f",{match.group(4)}" if match.group(4) is not None else ""
        # A number 0 (an empty side) stays 0: it is part of what the hunk says, not a position.
        old, new = (max(old + by, 1) if old else 0), (max(new + by, 1) if new else 0)
        return f"@@ -{old}{old_count} +{new}{new_count} @@{match.group(5)}"

    return re.sub(_HUNK.pattern, shift, diff, flags=re.M)


def _fence_for(diff: str) -> str:
    runs = [len(m.group(1)) for m in re.finditer(r"^[ +\\-]?\s*(`{3,})", diff, re.M)]
    return "`" * max(3, *(run + 1 for run in runs)) if runs else "```"


def codex_form(pre: dict[str, str | None], post: dict[str, str | None], diff: str) -> str | None:
    """The change as a Codex apply_patch, as a careful model writes one (``*** End of File`` on a last hunk)."""
    body = ["*** Begin Patch"]
    for file in parse_git_diff(diff):
        if file.kind == "add":
            assert file.new_path is not None
            body.append(f"*** Add File: {file.new_path}")
            body += [f"+{line.removesuffix(chr(10))}" for line in _split(post[file.new_path] or "")]
            continue
        if file.kind == "delete":
            body.append(f"*** Delete File: {file.old_path}")
            continue
        if not file.hunks and file.kind == "update":
            continue  # a mode change: no text to give
        if not file.hunks:
            # A pure rename: Codex has no move without a change, so it is a delete and an add.
            assert file.new_path is not None
            body += [f"*** Delete File: {file.old_path}", f"*** Add File: {file.new_path}"]
            body += [f"+{line.removesuffix(chr(10))}" for line in _split(post[file.new_path] or "")]
            continue
        body.append(f"*** Update File: {file.old_path}")
        if file.kind == "rename":
            body.append(f"*** Move to: {file.new_path}")
        total = len(_split(pre[file.old_path] or ""))
        for hunk in file.hunks:
            body.append("@@")
            body += [line for line in hunk.lines if line[:1] != "\\"]
            if hunk.old_count and hunk.old_start - 1 + hunk.old_count == total:
                body.append("*** End of File")
    if len(body) == 1:
        return None
    return "\n".join([*body, "*** End Patch"]) + "\n"


def search_replace_form(diff: str) -> str | None:
    """The change as SEARCH/REPLACE blocks, each hunk one block with its path before the fence; None when the
    format cannot say it (a delete, a rename, or a content line the format reserves as a marker)."""
    blocks = []
    for file in parse_git_diff(diff):
        if file.kind in ("delete", "rename"):
            return None
        path = file.new_path
        hunks = file.hunks or ([Hunk(0, 0, 0, 0, "")] if file.kind == "add" else [])
        for hunk in hunks:
            search, replace = hunk.old_lines(), hunk.new_lines()
            if any(_MARKER.match(line) for line in [*search, *replace]):
                return None
            block = [path or "", "```", "<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE", "```"]
            blocks.append("\n".join(block))
    if not blocks:
        return None
    return "Here are the edits:\n\n" + "\n\n".join(blocks) + "\n"


def derive(pre: dict[str, str | None], post: dict[str, str | None], diff: str, subject: str) -> dict[str, str | None]:
    """Every form of one commit's change (None where the form cannot say it)."""
    prose = f"{subject}\n\nHere is the change:\n\n"
    fence = _fence_for(diff)
    return {
        "exact": diff,
        "shifted": _shift_headers(diff),
        "no_numbers": re.sub(_HUNK.pattern, "@@", diff, flags=re.M),
        "prose": f"{prose}{diff}\nThat is all; run the tests after applying it.\n",
        "prose_fenced": f"{prose}{fence}diff\n{diff}{fence}\n\nThat is all; run the tests after applying it.\n",
        "codex": codex_form(pre, post, diff),
        "search_replace": search_replace_form(diff),
    }


def digest(text: str | None) -> str | None:
    """A short fingerprint of a derived form, stored with the corpus so a change of the derivation is noticed."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def with_final_newline(text: str | None, final_newline: bool) -> str | None:
    """The text ending with a newline or not (an empty text stays empty)."""
    if not text:
        return text
    return text if text.endswith("\n") == final_newline else (text + "\n" if final_newline else text[:-1])
