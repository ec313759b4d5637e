"""The real server's fixtures (tests/lsp/conftest.py), for the real-CLI tests."""

from tests.lsp.conftest import (  # noqa: F401 - fixtures are found by name
    capability_changes,
    client,
    client_and_result,
    editor,
    initialization_options,
)
