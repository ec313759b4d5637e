"""The core stays free of the language server library: importing the use cases loads no pygls module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import claif_lsp


def test_the_use_cases_load_without_pygls() -> None:
    probe = (
        "import sys\n"
        "import claif_lsp.core.ask, claif_lsp.core.review, claif_lsp.core.proposals, claif_lsp.protocol.models\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pygls'))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert loaded.stdout.strip() == "[]", f"the core pulled in {loaded.stdout.strip()}"


def test_the_server_starts_without_the_use_cases() -> None:
    # The server answers `initialize` in about the time of a bare pygls server because pydantic, the core and the
    # context machinery load with the first ask or proposal (bench/startup.py measures it).
    probe = (
        "import sys\n"
        "import claif_lsp.features\n"
        "claif_lsp.features.create_server()\n"
        "heavy = ('pydantic', 'claif_lsp.core.review', 'claif_lsp.core.ask', 'claif_lsp.context',"
        " 'claif_lsp.patches')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert loaded.stdout.strip() == "[]", f"start-up loads {loaded.stdout.strip()}"


def test_no_module_imports_another_modules_private_names() -> None:
    # What two modules share is public (or lives in a module of its own): a private name may change at any time.
    package = Path(claif_lsp.__file__).parent
    borrowed = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("claif_lsp"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                borrowed += [f"{path.relative_to(package)}: {name} from {node.module}" for name in private]
    assert borrowed == []
