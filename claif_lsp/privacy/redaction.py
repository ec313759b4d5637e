"""Keep secrets out of prompts: files that are never sent, and API-key-like strings replaced by ``[REDACTED]``.

Two layers. :func:`never_sent_reason` decides by path (and :func:`secret_content_reason` by content) that a
whole file stays home: ``.env`` files, private keys, anything under ``.git/``. :func:`redact` then scrubs
whatever text does go out, the user's own selection included, replacing only the secret value so the
surrounding code still reads naturally (``API_KEY = "[REDACTED]"``).

The value heuristics aim at real credentials, not code: a value assigned to a ``*_KEY``/``*_TOKEN``/
``*_SECRET``/``password`` name is redacted only when it looks random (mixed character classes, high
Shannon entropy, no spaces, not a snake_case phrase or a URL). Two shapes are redacted without that test
because their intent is plain: passwords inside URLs (``postgres://user:pass@host``) and environment-style
assignments to ``*_SECRET``/``*_TOKEN``/``*PASSWORD`` names (``DB_PASSWORD=hunter2``, as in ``.env`` files).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

REDACTED = "[REDACTED]"

_KEY_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
# A header followed by key material: up to its END line, or (when cut off) through the base64 lines after it.
PRIVATE_KEY_BLOCK = re.compile(
    rf"-----BEGIN {_KEY_LABEL}-----(?:(?P<body>.{{0,20000}}?)-----END {_KEY_LABEL}-----|(?:\s*[A-Za-z0-9+/=]{{20,}})+)",
    re.DOTALL,
)
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{40,}")
_PRIVATE_KEY_HEADER = re.compile(rf"-----BEGIN {_KEY_LABEL}-----")

# Token shapes published by the issuers; each is anchored so it cannot start inside a longer identifier.
_TOKEN_PATTERNS = [
    r"sk-ant-[A-Za-z0-9_\-]{20,}",
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
    r"(?:AKIA|ASIA)[0-9A-Z]{16}",
    r"gh[pousr]_[A-Za-z0-9]{30,}",
    r"github_pat_[A-Za-z0-9_]{22,}",
    r"xox[bapsr]-[A-Za-z0-9\-]{10,}",
    r"AIza[0-9A-Za-z_\-]{35}",
    r"glpat-[A-Za-z0-9_\-]{20,}",
    r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
]
TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_\-])(?:" + "|".join(_TOKEN_PATTERNS) + r")")

# name = value, name: value, "name": "value", NAME=value (.env), name := value, name => value.
# The lookbehind makes matching start only at identifier boundaries, which keeps the scan linear.
ASSIGNMENT_RE = re.compile(
    r"""(?<![A-Za-z0-9_\-])(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)["']?[ \t]*(?::=|=>|=|:)[ \t]*"""
    r"""(?P<value>"[^"\n]{6,}"|'[^'\n]{6,}'|[A-Za-z0-9+/=_\-~]{16,}(?=[ \t]*(?:\#.*)?$))""",
    re.MULTILINE,
)
_SECRET_NAME = re.compile(
    r"(?:key|token|secret|password|passwd|pwd|passphrase|credentials?|auth)$|password|secret",
    re.IGNORECASE,
)
_PASSWORD_NAME = re.compile(r"password|passwd|pwd|passphrase", re.IGNORECASE)

# Credentials inside URLs: ``postgres://user:pass@host``, ``redis://:pass@host``.
URL_PASSWORD_RE = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s'\"`]*:)(?P<value>[^@/\s'\"`]+)(?=@)")
# Environment-style secrets (.env, shell, CI files): ``DB_PASSWORD=...``, ``export API_TOKEN="..."``.
ENV_SECRET_RE = re.compile(
    r"""^(?P<head>[ \t]*(?:export[ \t]+)?(?P<name>[A-Z][A-Z0-9_]*(?:_SECRET|_TOKEN|PASSWORD|PASSWD|_PWD|_PASSPHRASE))"""
    r"""(?P<eq>[ \t]*=[ \t]*))(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s#'"]+)""",
    re.MULTILINE,
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_\-.~]+")
_WORD_CHUNK = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_WORD_SEGMENT = re.compile(r"(?:[A-Z]?[a-z]+|[A-Z]+)[0-9]{0,2}|[0-9]{1,2}")
_PLACEHOLDER = re.compile(r"\$\{|\{\{|<[a-z_ \-]+>|^\*+$|^x+$|\[REDACTED\]|^(?:none|null|true|false)$", re.IGNORECASE)

SECRET_FILE_NAMES = {".netrc", ".pgpass", ".npmrc", ".pypirc", "credentials.json", "secrets.json"}
_SSH_KEY_NAME = re.compile(r"id_(?:rsa|dsa|ecdsa|ed25519)(?:_[\w\-]+)?$")
SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".env")


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def is_wordy(value: str) -> bool:
    """True when ``value`` reads as words (``AsyncCredentials``, ``tok_checkpoint_1``) rather than random."""
    segments = re.split(r"[_\-.]", value)
    if len(segments) > 1 and all(_WORD_SEGMENT.fullmatch(segment) for segment in segments):
        return True
    chunks = _WORD_CHUNK.findall(value)
    if not chunks:
        return False
    numbers = sum(chunk.isdigit() for chunk in chunks)
    return numbers <= 1 and sum(map(len, chunks)) / len(chunks) >= 4


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """True when ``value`` looks like a generated credential rather than a word, phrase, path or URL."""
    if len(value) < min_length or not _TOKEN_CHARS.fullmatch(value) or _PLACEHOLDER.search(value):
        return False
    if value.startswith(("/", "./", "../")) or is_wordy(value):
        return False
    classes = sum(
        (
            any(ch.islower() for ch in value),
            any(ch.isupper() for ch in value),
            any(ch.isdigit() for ch in value),
        )
    )
    return classes >= 2 and shannon_entropy(value) >= 3.0


def _redact_key_block(match: re.Match[str]) -> str:
    body = match.group("body")
    if body is not None and not _KEY_MATERIAL.search(body):
        return match.group(0)
    return REDACTED


def _redact_assignment(match: re.Match[str]) -> str:
    name = match.group("name")
    raw = match.group("value")
    if not _SECRET_NAME.search(name):
        return match.group(0)
    quoted = raw[0] in "\"'"
    value = raw[1:-1] if quoted else raw
    if quoted and _PASSWORD_NAME.search(name):
        # A literal password needs no randomness to be secret; short or spaced strings are prompts or labels.
        secret = len(value) >= 8 and not any(ch.isspace() for ch in value) and not _PLACEHOLDER.search(value)
    elif quoted:
        secret = looks_random(value)
    else:
        # Unquoted values only come from config files (.ini, YAML, shell); code assigns identifiers this way.
        secret = looks_random(value) and any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)
    if not secret:
        return match.group(0)
    replacement = f"{raw[0]}{REDACTED}{raw[0]}" if quoted else REDACTED
    start = match.start("value") - match.start(0)
    return match.group(0)[:start] + replacement


def _redact_url_password(match: re.Match[str]) -> str:
    value = match.group("value")
    if _PLACEHOLDER.search(value) or value.startswith("$"):
        return match.group(0)
    return match.group("head") + REDACTED


def _redact_env_secret(match: re.Match[str]) -> str:
    raw = match.group("value")
    quoted = raw[:1] in ("'", '"')
    value = raw[1:-1] if quoted else raw
    if len(value) < 6 or value.startswith("$") or _PLACEHOLDER.search(value) or value.isdigit():
        return match.group(0)
    if not quoted and match.group("eq").strip() != match.group("eq"):
        return match.group(0)  # ``TOKEN = value`` unquoted is code assigning a name, not a config file
    if any(ch.isspace() for ch in value) or "://" in value:
        return match.group(0)
    if quoted and not _PASSWORD_NAME.search(match.group("name")) and is_wordy(value):
        return match.group(0)  # ``HEADER_TOKEN = "X-Auth-Token"``
    replacement = f"{raw[0]}{REDACTED}{raw[0]}" if quoted else REDACTED
    return match.group("head") + replacement


def redact(text: str) -> str:
    """``text`` with private key blocks, known token shapes and secret-looking assignments replaced."""
    if "PRIVATE KEY" in text:
        text = PRIVATE_KEY_BLOCK.sub(_redact_key_block, text)
    text = TOKEN_RE.sub(REDACTED, text)
    if "://" in text:
        text = URL_PASSWORD_RE.sub(_redact_url_password, text)
    text = ENV_SECRET_RE.sub(_redact_env_secret, text)
    return ASSIGNMENT_RE.sub(_redact_assignment, text)


def is_secret_file_name(name: str) -> bool:
    """True for file names that hold credentials by convention (``.env*``, private keys, ``.netrc`` …)."""
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env."):
        return True
    if lower in SECRET_FILE_NAMES:
        return True
    if _SSH_KEY_NAME.match(lower):
        return True
    return lower.endswith(SECRET_SUFFIXES)


def matches_glob(relative: str, pattern: str) -> bool:
    """Gitignore-like match of a root-relative POSIX path: bare names match at any depth, ``dir/`` a subtree."""
    pattern = pattern.strip()
    if not pattern:
        return False
    pattern = pattern.removeprefix("./").removeprefix("/")
    path = PurePosixPath(relative)
    if pattern.endswith("/"):
        prefix = pattern.rstrip("/")
        return (
            relative == prefix
            or relative.startswith(prefix + "/")
            or any(fnmatchcase(part, prefix) for part in path.parts[:-1])
        )
    if fnmatchcase(relative, pattern):
        return True
    if pattern.startswith("**/") and fnmatchcase(relative, pattern[3:]):
        return True
    if pattern.endswith("/**") and (relative + "/").startswith(pattern[:-2]):
        return True
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in path.parts)
    return False


def never_sent_reason(relative: str, exclude: list[str] | tuple[str, ...] = ()) -> str | None:
    """Why the root-relative path ``relative`` must never be sent, or None when it may be."""
    parts = PurePosixPath(relative).parts
    if ".git" in parts[:-1] or (parts and parts[-1] == ".git"):
        return "inside .git"
    if parts and is_secret_file_name(parts[-1]):
        return "secret file"
    for pattern in exclude:
        if matches_glob(relative, pattern):
            return "excluded"
    return None


def secret_content_reason(text: str) -> str | None:
    """Why a file with this text must never be sent (a private key inside), or None."""
    if "PRIVATE KEY" in text and _PRIVATE_KEY_HEADER.search(text):
        return "contains a private key"
    return None
