"""Rendering an (old, new) pair of line lists as each patch format, the way a careful model would."""

from __future__ import annotations

import difflib


def _count(lines: list[str], pattern: list[str], start: int) -> int:
    k = len(pattern)
    return sum(1 for i in range(start, len(lines) - k + 1) if lines[i : i + k] == pattern)


def chunks(old: list[str], new: list[str]) -> list[tuple[list[str], list[tuple[str, str]]]]:
    """Change regions with just enough context to be unique forward from the previous one.

    Each item is (old pattern, ops) where ops are (' '|'-'|'+', text) lines.
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
        result.append((old[i1 - before : i2 + after], ops))
        cursor = i2 + after
        i += len(group)
    return result


def codex(path: str, old: list[str], new: list[str]) -> str:
    """A Codex apply_patch update."""
    body = [f"*** Update File: {path}"]
    for _, ops in chunks(old, new):
        body.append("@@")
        body += [f"{op}{line}" for op, line in ops]
    return "\n".join(["*** Begin Patch", *body, "*** End Patch"]) + "\n"


def unified(path: str, old: list[str], new: list[str]) -> str:
    """A unified diff as ``diff -u`` would write it."""
    return "\n".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", lineterm="")) + "\n"


def search_replace(path: str, old: list[str], new: list[str]) -> str:
    """SEARCH/REPLACE blocks, each with the path on the line before the fence."""
    blocks = []
    for _, ops in chunks(old, new):
        search = [line for op, line in ops if op != "+"]
        replace = [line for op, line in ops if op != "-"]
        blocks.append(
            "\n".join([path, "```", "<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE", "```"])
        )
    return "Here are the edits:\n\n" + "\n\n".join(blocks) + "\n"
