"""Fixtures shared by the real-ACP-agent tests: the real server's (tests/lsp/conftest.py), for the end-to-end ones."""

from tests.lsp.conftest import (  # noqa: F401 - fixtures are found by name
    capability_changes,
    client,
    client_and_result,
    editor,
    initialization_options,
)
