"""The shared HTTP error helpers: retry hints, key scrubbing, server messages and status codes as claif-lsp errors."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest

from claif_lsp.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailedError,
    ProviderRuntimeError,
    RateLimitError,
    TransportError,
)
from claif_lsp.http_errors import api_message, connection_error, parse_retry_after, scrub, status_error


class SdkError(Exception):
    """Stands in for an SDK error: a message and a ``body`` attribute."""

    def __init__(self, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.body = body


def test_retry_after_seconds_milliseconds_and_negatives() -> None:
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after": "-3"}) == 0.0
    assert parse_retry_after({"retry-after-ms": "2500", "retry-after": "9"}) == 2.5
    assert parse_retry_after({"retry-after-ms": "-1"}) == 0.0
    assert parse_retry_after({"retry-after-ms": "soon", "retry-after": "4"}) == 4.0
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": ""}) is None
    assert parse_retry_after({"retry-after": "whenever"}) is None


def test_retry_after_http_date() -> None:
    future = email.utils.formatdate(time.time() + 60, usegmt=True)
    wait = parse_retry_after({"retry-after": future})
    assert wait is not None and 50 <= wait <= 60
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert parse_retry_after({"retry-after": past}) == 0.0


def test_retry_after_can_ignore_milliseconds_and_dates() -> None:
    future = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert parse_retry_after({"retry-after": future}, http_date=False) is None
    assert parse_retry_after({"retry-after-ms": "2500"}, milliseconds=False) is None
    assert parse_retry_after({"retry-after-ms": "2500", "retry-after": "3"}, milliseconds=False) == 3.0


def test_scrub_masks_every_occurrence_and_tolerates_no_secret() -> None:
    assert scrub("key sk-1 and sk-1 again", "sk-1") == "key *** and *** again"
    assert scrub("nothing to hide", None) == "nothing to hide"
    assert scrub("nothing to hide", "") == "nothing to hide"


def test_api_message_reads_error_message_from_mapping_and_json_bodies() -> None:
    body = {"error": {"type": "overloaded_error", "message": "Overloaded"}}
    assert api_message(SdkError("fallback", body)) == "Overloaded"
    assert api_message(SdkError("fallback", body), with_type=True) == "overloaded_error: Overloaded"
    assert api_message(SdkError("fallback", '{"error": {"message": "from json"}}')) == "from json"
    assert api_message(SdkError("fallback", {"message": "top level"})) == "top level"
    assert api_message(SdkError("fallback", {"type": "t", "message": "m"}), with_type=True) == "t: m"


def test_api_message_falls_back_to_the_raw_body_or_the_exception() -> None:
    assert api_message(SdkError("fallback", "  <html>bad gateway</html>\n")) == "<html>bad gateway</html>"
    assert api_message(SdkError("fallback", "   ")) == "fallback"
    assert api_message(SdkError("fallback")) == "fallback"
    assert api_message(SdkError("fallback", {"error": {"message": ""}})) == "fallback"
    assert api_message(ValueError("plain")) == "plain"


def test_api_message_string_error_only_when_asked() -> None:
    error = SdkError("fallback", {"error": "model 'x' not found"})
    assert api_message(error) == "fallback"
    assert api_message(error, plain_error=True) == "model 'x' not found"
    assert api_message(SdkError("fallback", {"error": ""}), plain_error=True) == "fallback"


def status(code: int, **kwargs: Any) -> Any:
    base: dict[str, Any] = {
        "provider": "myprov",
        "key_source": "MY_KEY",
        "base_url": "http://h/v1",
        "headers": {},
        "request_id": "req-1",
    }
    return status_error(code, "detail text", **{**base, **kwargs})


def test_status_401_and_403_are_authentication_errors() -> None:
    error = status(401)
    assert isinstance(error, AuthenticationError)
    assert str(error).endswith("MY_KEY was rejected (401): check the key")
    keyless = status(401, keyless=True)
    assert isinstance(keyless, AuthenticationError)
    assert "the server at http://h/v1 requires a key (401): set MY_KEY" in str(keyless)
    forbidden = status(403)
    assert isinstance(forbidden, AuthenticationError)
    assert "MY_KEY is not allowed to do this (403): detail text" in str(forbidden)
    assert forbidden.details == {"status": 403, "request_id": "req-1"}
    assert error.provider == forbidden.provider == "myprov"


def test_status_429_carries_the_retry_hint() -> None:
    error = status(429, headers={"retry-after": "7"})
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0
    assert "rate limited (429): retry in 7 s; detail text" in str(error)
    later = status(429)
    assert isinstance(later, RateLimitError) and later.retry_after is None
    assert "retry later" in str(later)


def test_status_404_5xx_and_others() -> None:
    missing = status(404)
    assert isinstance(missing, ConfigurationError)
    assert "not found (404) at http://h/v1: check providers.myprov.model and baseUrl; detail text" in str(missing)
    broken = status(503)
    assert isinstance(broken, TransportError)
    assert "the API failed with status 503 (server side; try again): detail text" in str(broken)
    assert broken.details["status"] == 503
    assert "the server failed with status 500" in str(status(500, server="the server"))
    refused = status(400)
    assert isinstance(refused, ProviderRuntimeError)
    assert "the API refused the request (400): detail text" in str(refused)
    assert "the server refused the request (422)" in str(status(422, server="the server"))


@pytest.mark.parametrize("streaming", [False, True])
def test_connection_error(streaming: bool) -> None:
    error = connection_error(
        OSError("refused"), provider="myprov", base_url="http://h", streaming=streaming, hint="check baseUrl"
    )
    assert isinstance(error, ConnectionFailedError)
    assert error.provider == "myprov"
    if streaming:
        assert "stream ended before the answer was complete (OSError: refused)" in str(error)
    else:
        assert "cannot reach http://h (OSError: refused); check baseUrl" in str(error)
