"""Secrets never leave: token shapes, secret assignments, private keys, secret files; ordinary code is untouched."""

from __future__ import annotations

import pytest

from claif_lsp.privacy.redaction import REDACTED, matches_glob, never_sent_reason, redact, secret_content_reason

ORDINARY_PYTHON = '''"""Settings loading for the billing service."""

from __future__ import annotations

import os
from dataclasses import dataclass

API_KEY_ENV = "BILLING_API_KEY"
TOKEN_URL = "https://auth.example.com/oauth/token"
cache_key = "user-profile-settings"
sort_key = lambda item: item.created_at  # noqa: E731
PASSWORD_MIN_LENGTH = 12


@dataclass
class Credentials:
    api_key: str
    token: str | None = None

    @classmethod
    def from_env(cls) -> Credentials:
        api_key = os.environ["BILLING_API_KEY"]
        token = os.environ.get("BILLING_TOKEN")
        secret_name = "billing/prod"
        return cls(api_key=api_key, token=token)


def hash_password(password: str, salt: bytes) -> str:
    key = derive(password, salt, iterations=600_000)
    credentials: "Credentials" = load()
    return key.hex()
'''

ORDINARY_TS = """import { readFile } from './io';
const tokenKey = 'session';
export const config = { apiKey: process.env.API_KEY, authTokenHeader: 'X-Auth-Token' };
"""

AWS = "AKIA" + "IOSFODNN7EXAMPLE"
OPENAI = "sk-" + "proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
ANTHROPIC = "sk-ant-" + "api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0Ed"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789"
SLACK = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKl"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
RANDOM = "9fK2xQ7vL0pZ4mB8nW3cR6tY1hJ5gD"


def test_ordinary_code_is_unchanged() -> None:
    assert redact(ORDINARY_PYTHON) == ORDINARY_PYTHON
    assert redact(ORDINARY_TS) == ORDINARY_TS


@pytest.mark.parametrize("secret", [AWS, OPENAI, ANTHROPIC, GITHUB, GITHUB_PAT, SLACK, GOOGLE])
def test_known_token_shapes_are_redacted_anywhere(secret: str) -> None:
    text = f'client = Client("{secret}")  # see {secret}\n'
    redacted = redact(text)
    assert secret not in redacted
    assert redacted == f'client = Client("{REDACTED}")  # see {REDACTED}\n'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f'STRIPE_SECRET = "{RANDOM}"', f'STRIPE_SECRET = "{REDACTED}"'),
        (f"DB_TOKEN={RANDOM}", f"DB_TOKEN={REDACTED}"),
        (f'"api_key": "{RANDOM}",', f'"api_key": "{REDACTED}",'),
        (f"auth_token: {RANDOM}", f"auth_token: {REDACTED}"),
        ('password = "correct-horse-battery"', f'password = "{REDACTED}"'),
        ("db_password='hunter2hunter2'", f"db_password='{REDACTED}'"),
    ],
)
def test_secret_assignments_keep_the_name_and_lose_the_value(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        'TOKEN_TYPE = "Bearer"',
        'password_prompt = "Enter your password"',
        "secret_key = settings.SECRET_KEY",
        'primary_key = "user_account_id"',
        'credentials: "AsyncCredentials"',
        'api_key = "${API_KEY}"',
        f"unrelated = {RANDOM}",
    ],
)
def test_ordinary_assignments_are_left_alone(line: str) -> None:
    assert redact(line) == line


def test_private_key_block_is_redacted_but_marker_constants_are_not() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" * 3
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    text = f"KEY = '''{pem}'''\nprint('done')\n"
    assert redact(text) == f"KEY = '''{REDACTED}'''\nprint('done')\n"
    markers = '_PKCS1 = ("-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----")\n'
    assert redact(markers) == markers


def test_redaction_is_idempotent() -> None:
    text = f'OPENAI = "{OPENAI}"\nSTRIPE_SECRET = "{RANDOM}"\n'
    once = redact(text)
    assert redact(once) == once
    assert once.count(REDACTED) == 2


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        (".env", "secret file"),
        ("services/api/.env.production", "secret file"),
        ("deploy/id_rsa", "secret file"),
        ("certs/server.pem", "secret file"),
        ("certs/server.key", "secret file"),
        (".git/config", "inside .git"),
        ("src/app.py", None),
        ("deploy/id_rsa.pub", None),
        ("docs/environment.md", None),
    ],
)
def test_never_sent_by_path(relative: str, reason: str | None) -> None:
    assert never_sent_reason(relative) == reason


@pytest.mark.parametrize(
    ("relative", "pattern", "matched"),
    [
        ("secrets/prod.yaml", "secrets/**", True),
        ("a/b/secrets/prod.yaml", "**/secrets/*", True),
        ("config/local.toml", "*.toml", True),
        ("deep/dir/notes.txt", "notes.txt", True),
        ("vendor/lib/x.py", "vendor/", True),
        ("src/vendored.py", "vendor/", False),
        ("src/app.py", "*.toml", False),
    ],
)
def test_exclude_globs(relative: str, pattern: str, matched: bool) -> None:
    assert matches_glob(relative, pattern) is matched
    assert (never_sent_reason(relative, [pattern]) == "excluded") is matched


def test_private_key_content_is_never_sent() -> None:
    assert secret_content_reason("x\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n") == "contains a private key"
    assert secret_content_reason(ORDINARY_PYTHON) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "DATABASE_URL=postgres://app:s3cret-pw@db.internal:5432/app",
            f"DATABASE_URL=postgres://app:{REDACTED}@db.internal:5432/app",
        ),
        (
            'engine = create_engine("mysql+pymysql://root:hunter2@localhost/x")',
            f'engine = create_engine("mysql+pymysql://root:{REDACTED}@localhost/x")',
        ),
        ("REDIS_URL=redis://:p4ssw0rd@cache:6379/0", f"REDIS_URL=redis://:{REDACTED}@cache:6379/0"),
        ("DB_PASSWORD=hunter2", f"DB_PASSWORD={REDACTED}"),
        ("export GITHUB_TOKEN=abc123def", f"export GITHUB_TOKEN={REDACTED}"),
        ("JWT_SECRET=letmein99", f"JWT_SECRET={REDACTED}"),
        ('PASSWORD="supersecret"', f'PASSWORD="{REDACTED}"'),
    ],
)
def test_connection_strings_and_env_secrets_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected
    assert redact(expected) == expected


@pytest.mark.parametrize(
    "line",
    [
        "BASE_URL=https://example.com:8443/api",
        'proxy = "http://${PROXY_USER}:${PROXY_PASS}@proxy:3128"',
        "AUTH_TOKEN=${AUTH_TOKEN}",
        "MAX_TOKEN=100",
        "API_TOKEN = token_value",
        'HEADER_TOKEN = "X-Auth-Token"',
        "DB_PASSWORD=",
    ],
)
def test_urls_and_env_lines_without_secrets_are_left_alone(line: str) -> None:
    assert redact(line) == line
