"""Rendering an (old, new) pair of line lists as each patch format, the way a careful model would."""

from __future__ import annotations

import difflib

NO_NEWLINE = "\x00"
"""Appended to a file's last line (see ``tagged``) when the file does not end with a newline."""


def tagged(lines: list[str], final_newline: bool) -> list[str]:
    """The lines with the last one marked when the file has no final newline, so diffs see that change."""
    return [*lines[:-1], lines[-1] + NO_NEWLINE] if lines and not final_newline else list(lines)


def _count(lines: list[str], pattern: list[str], start: int) -> int:
    k = len(pattern)
    plain = [line.replace(NO_NEWLINE, "") for line in pattern]
    return sum(
        1 for i in range(start, len(lines) - k + 1) if [x.replace(NO_NEWLINE, "") for x in lines[i : i + k]] == plain
    )


def chunks(old: list[str], new: list[str]) -> list[tuple[int, list[str], list[tuple[str, str]]]]:
    """Change regions with just enough context to be unique (ignoring ``NO_NEWLINE``) forward from the previous one.

    Each item is (old start, old pattern, ops) where ops are (' '|'-'|'+', text) lines.
    """
    opcodes = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    result: list[tuple[list[str], list[tuple[str, str]]]] = []
    cursor = 0
    i = 0
    while i < len(opcodes):
        group = [opcodes[i]]
        while True:
            lo_limit = cursor
            hi_limit = opcodes[i + len(group)][1] if i + len(group) < len(opcodes) else len(old)
            i1, i2 = group[0][1], group[-1][2]
            found = None
            for before in range(0, i1 - lo_limit + 1):
                for after in range(0, hi_limit - i2 + 1):
                    if before + after == 0 and i1 == i2:
                        continue
                    pattern = old[i1 - before : i2 + after]
                    if pattern and _count(old, pattern, cursor) == 1:
                        found = (before, after)
                        break
                if found:
                    break
            if found or i + len(group) >= len(opcodes):
                break
            group.append(opcodes[i + len(group)])
        i1, i2 = group[0][1], group[-1][2]
        before, after = found or (i1 - cursor, len(old) - i2)
        ops: list[tuple[str, str]] = [(" ", line) for line in old[i1 - before : i1]]
        position = i1
        for _, a1, a2, b1, b2 in group:
            ops += [(" ", line) for line in old[position:a1]]
            ops += [("-", line) for line in old[a1:a2]]
            ops += [("+", line) for line in new[b1:b2]]
            position = a2
        ops += [(" ", line) for line in old[i2 : i2 + after]]
        result.append((i1 - before, old[i1 - before : i2 + after], ops))
        cursor = i2 + after
        i += len(group)
    return result


def codex(path: str, old: list[str], new: list[str]) -> str:
    """A Codex apply_patch update."""
    body = [f"*** Update File: {path}"]
    for _, _, ops in chunks(old, new):
        body.append("@@")
        body += [f"{op}{line}" for op, line in ops]
    return "\n".join(["*** Begin Patch", *body, "*** End Patch"]) + "\n"


def unified(path: str, old: list[str], new: list[str]) -> str:
    """A unified diff as ``diff -u`` would write it."""
    return "\n".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", lineterm="")) + "\n"


def sloppy_unified(path: str, old: list[str], new: list[str], *, shift: int = 0, count_error: int = 0) -> str:
    """A unified diff as a model writes one: hunk line numbers off by ``shift``, line counts off by ``count_error``.

    ``old`` and ``new`` may be ``tagged``: a tagged last line gets a ``\\ No newline at end of file`` line.
    A hunk without old lines has no content to be placed by: its count stays right and its line number is off by
    the same ``shift`` as the hunk before it (it is placed relative to that one).
    """
    out = [f"--- a/{path}", f"+++ b/{path}"]
    offset = 0
    for start, _, ops in chunks(old, new):
        old_count = sum(1 for op, _ in ops if op != "+")
        new_count = sum(1 for op, _ in ops if op != "-")
        old_at, new_at = (start + 1 if old_count else start), (start + 1 + offset if new_count else start + offset)
        moved, miscount = (shift, count_error) if old_count else (shift, 0)
        out.append(
            f"@@ -{max(old_at + moved, 0)},{max(old_count + miscount, 0)} "
            f"+{max(new_at + moved, 0)},{max(new_count + miscount, 0)} @@"
        )
        for op, line in ops:
            out.append(op + line.replace(NO_NEWLINE, ""))
            if line.endswith(NO_NEWLINE):
                out.append("\\ No newline at end of file")
        offset += new_count - old_count
    return "\n".join(out) + "\n"


def whole_file(new: list[str], lang: str = "python") -> str:
    """The new file as the only code block of an answer."""
    return "Here is the whole file:\n\n```" + lang + "\n" + "\n".join(new) + "\n```\n\nThat should do it.\n"


def search_replace(path: str, old: list[str], new: list[str]) -> str:
    """SEARCH/REPLACE blocks, each with the path on the line before the fence."""
    blocks = []
    for _, _, ops in chunks(old, new):
        search = [line for op, line in ops if op != "+"]
        replace = [line for op, line in ops if op != "-"]
        blocks.append(
            "\n".join([path, "```", "<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE", "```"])
        )
    return "Here are the edits:\n\n" + "\n\n".join(blocks) + "\n"
