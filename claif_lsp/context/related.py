"""Related-file discovery: the files a document imports (Python, JS/TS), its test or module, nearby files.

Discovery only finds paths; whether one may be sent, and how much of it fits, is decided by the caller.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from loguru import logger

from claif_lsp.privacy.redaction import secret_content_reason

MAX_FILE_BYTES = 512_000
"""Related files larger than this are not read at all."""
MAX_IMPORTS = 40
MAX_NEIGHBOURS = 6

JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
_JS_RESOLVE_SUFFIXES = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}

_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?P<modules>[\w. \t,]+)", re.MULTILINE)
_PY_FROM = re.compile(
    r"^[ \t]*from[ \t]+(?P<dots>\.*)(?P<module>[\w.]*)[ \t]+import[ \t]+(?:\((?P<group>[^)]*)\)|(?P<names>[^\n#;]*))",
    re.MULTILINE,
)
_JS_SPECIFIER = re.compile(
    r"""(?:\bfrom[ \t]*|\bimport[ \t]*\(?[ \t]*|\brequire[ \t]*\([ \t]*)["'](?P<spec>\.{1,2}/[^"'\n]*)["']""",
    re.MULTILINE,
)


def related_paths(text: str, path: Path, root: Path) -> list[Path]:
    """Files ``text`` (the document at ``path``) imports, then its close neighbours; unresolved, may repeat."""
    suffix = path.suffix.lower()
    found: list[Path] = []
    if suffix in (".py", ".pyi"):
        found.extend(python_imports(text, path, root))
    elif suffix in JS_SUFFIXES:
        found.extend(js_imports(text, path))
    found.extend(neighbours(path, root))
    return found


def read_related_file(path: Path) -> tuple[str | None, str | None]:
    """A related file's text, or the reason it is not sent (too large, unreadable, binary, a secret inside)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, "too large"
        data = path.read_bytes()
    except OSError as exc:
        logger.debug("context: cannot read {}: {}", path, exc)
        return None, "unreadable"
    if b"\x00" in data[:8192]:
        return None, "binary"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "binary"
    reason = secret_content_reason(text)
    return (None, reason) if reason else (text, None)


def python_imports(text: str, path: Path, root: Path) -> list[Path]:
    """Files under ``root`` that ``import x`` / ``from x import y`` / ``from . import y`` in ``text`` refer to."""
    bases: list[Path] = []
    directory = path.parent
    while True:
        bases.append(directory)
        if directory == root or root not in directory.parents:
            break
        directory = directory.parent
    if (root / "src").is_dir():
        bases.append(root / "src")
    found: list[Path] = []
    requests: list[tuple[int, str, list[str]]] = []
    for match in _PY_IMPORT.finditer(text):
        for item in match.group("modules").split(","):
            module = item.strip().split()[0] if item.strip() else ""
            if module:
                requests.append((0, module, []))
    for match in _PY_FROM.finditer(text):
        names_text = match.group("group") if match.group("group") is not None else match.group("names") or ""
        names = [part.strip().split()[0] for part in names_text.replace("\\", " ").split(",") if part.strip()]
        requests.append((len(match.group("dots")), match.group("module"), [n for n in names if n != "*"]))
    for level, module, names in requests[:MAX_IMPORTS]:
        if level:
            package = path.parent
            for _ in range(level - 1):
                package = package.parent
            found.extend(_python_module(package, module, names))
            continue
        for base in bases:
            hits = _python_module(base, module, names)
            if hits:
                found.extend(hits)
                break
    return found


def _python_module(base: Path, module: str, names: list[str]) -> list[Path]:
    target = base.joinpath(*module.split(".")) if module else base
    hits: list[Path] = []
    if module:
        for candidate in (target.with_name(target.name + ".py"), target / "__init__.py"):
            if candidate.is_file():
                hits.append(candidate)
                break
    if target.is_dir():
        for name in names:
            submodule = target / f"{name}.py"
            if submodule.is_file():
                hits.append(submodule)
        if not module and not hits and (target / "__init__.py").is_file():
            hits.append(target / "__init__.py")
    return hits


def js_imports(text: str, path: Path) -> list[Path]:
    """Files that relative ``import … from './x'``, ``import('./x')`` and ``require('./x')`` in ``text`` refer to."""
    found: list[Path] = []
    seen: set[str] = set()
    for match in _JS_SPECIFIER.finditer(text):
        spec = match.group("spec")
        if spec in seen:
            continue
        seen.add(spec)
        resolved = _resolve_js(path.parent / spec)
        if resolved is not None:
            found.append(resolved)
        if len(seen) >= MAX_IMPORTS:
            break
    return found


def _resolve_js(target: Path) -> Path | None:
    candidates: list[Path] = []
    if target.suffix in _JS_TO_TS:
        candidates.extend(target.with_suffix(suffix) for suffix in _JS_TO_TS[target.suffix])
    candidates.append(target)
    candidates.extend(target.with_name(target.name + suffix) for suffix in _JS_RESOLVE_SUFFIXES)
    candidates.extend(target / f"index{suffix}" for suffix in _JS_RESOLVE_SUFFIXES)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def counterpart_names(name: str) -> list[str]:
    """File names of the test for a module, or of the module for a test (``x.py`` ↔ ``test_x.py``)."""
    stem, dot, suffix = name.partition(".")
    suffix = dot + suffix
    names: list[str] = []
    for marker in (".test", ".spec"):
        if stem and suffix.startswith(marker + "."):
            names.append(stem + suffix[len(marker) :])
    if stem.startswith("test_"):
        names.append(stem[5:] + suffix)
    for tail in ("_test", "Test", "Tests", "_spec"):
        if stem.endswith(tail) and len(stem) > len(tail):
            names.append(stem[: -len(tail)] + suffix)
    if not names:
        tails = ("_test", ".test", ".spec", "Test", "Tests")
        names.append(f"test_{stem}{suffix}")
        names.extend(f"{stem}{tail}{suffix}" for tail in tails)
    return names


def neighbours(path: Path, root: Path) -> list[Path]:
    """Close neighbours of ``path``: its test or module counterpart first, then same-suffix files nearby."""
    counterparts = counterpart_names(path.name)
    directories = [path.parent]
    for tests in ("tests", "test", "__tests__"):
        for directory in (path.parent / tests, root / tests):
            if directory.is_dir() and directory not in directories:
                directories.append(directory)
                directories.extend(sub for sub in _subdirectories(directory) if sub not in directories)
    found: list[Path] = []
    for directory in directories:
        for name in counterparts:
            candidate = directory / name
            if candidate != path and candidate.is_file():
                found.append(candidate)
    suffix = path.suffix
    if not suffix:
        return found
    siblings: list[tuple[int, str]] = []
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if entry.name == path.name or not entry.name.endswith(suffix) or entry.name.startswith("."):
                    continue
                if entry.is_file():
                    siblings.append((_common_prefix(entry.name, path.name), entry.name))
    except OSError:
        return found
    siblings.sort(key=lambda item: (-item[0], item[1]))
    found.extend(path.parent / name for _, name in siblings[:MAX_NEIGHBOURS])
    return found


def _subdirectories(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as entries:
            return sorted(Path(entry.path) for entry in entries if entry.is_dir() and not entry.name.startswith("."))
    except OSError:
        return []


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
