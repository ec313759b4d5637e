"""The refusal policy: which documents nothing may leave the machine from, decided on real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claif_lsp.privacy.refusal import DocumentRefusedError, real_path, refusal_message, refusal_reason
from tests.unit.context.workspace import write

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END RSA PRIVATE KEY-----\n"


@pytest.mark.parametrize(
    ("relative", "exclude", "reason"),
    [
        (".env", [], "secret file"),
        (".env.local", [], "secret file"),
        ("deploy/server.pem", [], "secret file"),
        (".git/config", [], "inside .git"),
        ("generated/schema.py", ["generated/"], "excluded"),
        ("app/settings.py", ["*.py"], "excluded"),
        ("app/settings.py", [], None),
    ],
)
def test_inside_the_root_the_relative_path_decides(
    tmp_path: Path, relative: str, exclude: list[str], reason: str | None
) -> None:
    path = write(tmp_path, relative)
    assert refusal_reason(path, tmp_path, "x = 1\n", exclude) == reason


def test_outside_the_root_only_the_name_decides_and_exclusions_do_not_apply(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    outside = write(tmp_path, "elsewhere/generated/a.py")
    assert refusal_reason(outside, root, "x = 1\n", ["generated/"]) is None
    assert refusal_reason(write(tmp_path, "elsewhere/.env"), root, "") == "secret file"
    assert refusal_reason(write(tmp_path, "loose/id_rsa"), None, "") == "secret file"


def test_a_link_to_a_secret_is_refused_as_the_secret(tmp_path: Path) -> None:
    secret = write(tmp_path, ".env", "TOKEN=abc\n")
    link = tmp_path / "config.txt"
    os.symlink(secret, link)
    assert refusal_reason(link, tmp_path, "TOKEN=abc\n") == "secret file"
    assert real_path(link) == secret.resolve()


def test_a_private_key_inside_refuses_any_document() -> None:
    assert refusal_reason(None, None, f"KEY = '''{PRIVATE_KEY}'''") == "contains a private key"
    assert refusal_reason(Path("notes.md"), None, "a private key is secret") is None


def test_real_path_makes_a_missing_path_absolute(tmp_path: Path) -> None:
    missing = tmp_path / "no" / ".." / "such.py"
    assert real_path(missing).is_absolute()


def test_the_refusal_message_names_the_file_reason_and_the_way_out() -> None:
    message = refusal_message("src/.env", "secret file")
    assert message.startswith("Claif never sends src/.env to a provider (secret file)")
    assert "context.exclude" in message
    error = DocumentRefusedError(message, details={"reason": "secret file"})
    assert str(error) == message
