"""Related-file discovery on real directory trees: imports, counterparts, neighbours, reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from claif_lsp.context.related import (
    MAX_FILE_BYTES,
    MAX_IMPORTS,
    MAX_NEIGHBOURS,
    counterpart_names,
    js_imports,
    neighbours,
    python_imports,
    read_related_file,
    related_paths,
)
from tests.unit.context.workspace import touch, write


def names(paths: list[Path], root: Path) -> list[str]:
    """Root-relative names; discovery leaves ``..`` in place, the caller resolves."""
    return [path.resolve().relative_to(root.resolve()).as_posix() for path in paths]


def test_python_absolute_imports_resolve_from_the_nearest_base(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/__init__.py", "pkg/models.py", "pkg/util/__init__.py", "src/lib/core.py")
    doc = write(tmp_path, "pkg/views.py")
    text = "import os, pkg.util\nimport pkg.models as m\nfrom lib.core import thing\nfrom missing import x\n"
    assert names(python_imports(text, doc, tmp_path), tmp_path) == [
        "pkg/util/__init__.py",
        "pkg/models.py",
        "src/lib/core.py",
    ]


def test_python_relative_imports_climb_one_package_per_dot(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/__init__.py", "pkg/helpers.py")
    touch(tmp_path, "pkg/api/__init__.py", "pkg/api/routes.py", "pkg/api/schemas.py")
    doc = write(tmp_path, "pkg/api/views.py")
    text = (
        "from .. import helpers\n"
        "from .routes import (\n    ROUTES,\n)\n"
        "from . import schemas, nothing\n"
        "from . import *\n"
    )
    assert names(python_imports(text, doc, tmp_path), tmp_path) == [
        "pkg/helpers.py",
        "pkg/api/routes.py",
        "pkg/api/schemas.py",
        "pkg/api/__init__.py",
    ]


def test_python_imports_read_at_most_max_imports_statements(tmp_path: Path) -> None:
    for i in range(MAX_IMPORTS + 5):
        write(tmp_path, f"m{i}.py")
    doc = write(tmp_path, "main.py")
    text = "".join(f"import m{i}\n" for i in range(MAX_IMPORTS + 5))
    assert len(python_imports(text, doc, tmp_path)) == MAX_IMPORTS


def test_js_imports_resolve_relative_specifiers_only(tmp_path: Path) -> None:
    touch(tmp_path, "web/a.ts", "web/b.js", "web/c.ts", "web/lib/index.tsx", "shared/types.d.ts")
    doc = write(tmp_path, "web/main.ts")
    text = (
        "import React from 'react';\n"
        "import { a } from './a';\n"
        "import { a as again } from './a';\n"
        "const b = require('./b');\n"
        "import c from './c.js';\n"
        "const lazy = import('./lib');\n"
        'import type { T } from "../shared/types";\n'
        "import gone from './gone';\n"
    )
    assert names(js_imports(text, doc), tmp_path) == [
        "web/a.ts",
        "web/b.js",
        "web/c.ts",
        "web/lib/index.tsx",
        "shared/types.d.ts",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("test_parser.py", ["parser.py"]),
        ("parser_test.go", ["parser.go"]),
        ("Button.test.tsx", ["Button.tsx"]),
        ("api.spec.ts", ["api.ts"]),
        ("ParserTests.cs", ["Parser.cs"]),
        (
            "parser.py",
            ["test_parser.py", "parser_test.py", "parser.test.py", "parser.spec.py", "parserTest.py", "parserTests.py"],
        ),
    ],
)
def test_counterparts_pair_a_module_with_its_test(name: str, expected: list[str]) -> None:
    assert counterpart_names(name) == expected


def test_neighbours_put_the_counterpart_first_then_the_closest_names(tmp_path: Path) -> None:
    doc = write(tmp_path, "pkg/parser.py")
    write(tmp_path, "tests/unit/test_parser.py")
    write(tmp_path, "pkg/parser_utils.py")
    write(tmp_path, "pkg/other.py")
    write(tmp_path, "pkg/.hidden.py")
    write(tmp_path, "pkg/README.md")
    assert names(neighbours(doc, tmp_path), tmp_path) == [
        "tests/unit/test_parser.py",
        "pkg/parser_utils.py",
        "pkg/other.py",
    ]


def test_neighbours_keep_at_most_max_neighbours_siblings(tmp_path: Path) -> None:
    doc = write(tmp_path, "a/main.go")
    for i in range(MAX_NEIGHBOURS + 4):
        write(tmp_path, f"a/f{i:02d}.go")
    found = neighbours(doc, tmp_path)
    assert len(found) == MAX_NEIGHBOURS
    assert doc not in found


def test_a_file_without_suffix_has_only_counterparts(tmp_path: Path) -> None:
    doc = write(tmp_path, "bin/tool")
    write(tmp_path, "bin/other")
    write(tmp_path, "bin/test_tool")
    assert names(neighbours(doc, tmp_path), tmp_path) == ["bin/test_tool"]


def test_related_paths_put_imports_before_neighbours_for_python_and_js_only(tmp_path: Path) -> None:
    write(tmp_path, "pkg/dep.py")
    write(tmp_path, "pkg/zeta.py")
    doc = write(tmp_path, "pkg/main.py")
    assert names(related_paths("import dep\n", doc, tmp_path), tmp_path) == ["pkg/dep.py", "pkg/dep.py", "pkg/zeta.py"]
    write(tmp_path, "web/x.ts")
    ts = write(tmp_path, "web/main.ts")
    assert names(related_paths("import x from './x'\n", ts, tmp_path), tmp_path) == ["web/x.ts", "web/x.ts"]
    go = write(tmp_path, "svc/main.go")
    write(tmp_path, "svc/dep.go")
    # A Go file's imports are not followed: only its neighbours count.
    assert names(related_paths('import "./dep"\n', go, tmp_path), tmp_path) == ["svc/dep.go"]


def test_reading_a_related_file_says_why_it_is_not_sent(tmp_path: Path) -> None:
    plain = write(tmp_path, "a.py", "x = 1\n")
    assert read_related_file(plain) == ("x = 1\n", None)
    big = tmp_path / "big.py"
    big.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    assert read_related_file(big) == (None, "too large")
    binary = tmp_path / "blob.py"
    binary.write_bytes(b"abc\x00def")
    assert read_related_file(binary) == (None, "binary")
    latin = tmp_path / "latin.py"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    assert read_related_file(latin) == (None, "binary")
    key = write(tmp_path, "keys.py", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n")
    assert read_related_file(key) == (None, "contains a private key")
    assert read_related_file(tmp_path / "missing.py") == (None, "unreadable")
