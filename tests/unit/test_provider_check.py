"""``providers --check``: which providers are checked, and how an answer or a failure is reported."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio

from claif_lsp.errors import AuthenticationError
from claif_lsp.provider import BaseProvider
from claif_lsp.provider_check import CHECK_MAX_TOKENS, check_providers, names_to_check
from claif_lsp.registry import OFFLINE_PROVIDER, ProviderEntry, ProviderRegistry
from claif_lsp.settings import Settings
from claif_lsp.types import ClaifOptions, Message, ProviderState, ProviderStatus, StreamEvent, TextDelta, Usage

SEEN: list[ClaifOptions] = []


class AnsweringProvider(BaseProvider):
    """Ready; answers OK and reports its usage."""

    def status(self) -> ProviderStatus:
        return ProviderStatus(state=ProviderState.READY)

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        assert options is not None
        SEEN.append(options)
        yield TextDelta(text="OK")
        yield Message(role="assistant", content="OK", usage=Usage(input_tokens=9, output_tokens=1))


class RefusingProvider(AnsweringProvider):
    """Ready, but its key is refused."""

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[StreamEvent]:
        raise AuthenticationError("KEY_ENV was rejected (401): check the key")
        yield  # pragma: no cover


class IdleProvider(AnsweringProvider):
    """Installed, not ready."""

    def status(self) -> ProviderStatus:
        return ProviderStatus(state=ProviderState.NEEDS_CREDENTIAL, reason="KEY_ENV is not set")


def registry() -> ProviderRegistry:
    classes = {"good": "AnsweringProvider", "refused": "RefusingProvider", "idle": "IdleProvider"}
    classes[OFFLINE_PROVIDER] = "AnsweringProvider"
    entries = {
        name: ProviderEntry(name=name, value=f"{__name__}:{cls}", distribution="tests", version="0")
        for name, cls in classes.items()
    }
    registry_ = ProviderRegistry(entries=entries, environ={})
    registry_.update_settings(Settings(auto_order=["refused", "good"]))
    return registry_


def test_every_ready_provider_but_the_offline_one_is_checked_unless_one_is_named() -> None:
    assert names_to_check(registry(), "") == ["refused", "good"]
    assert names_to_check(registry(), "idle") == ["idle"]


def test_a_check_reports_the_answer_or_the_providers_error() -> None:
    SEEN.clear()
    good, refused, missing = anyio.run(check_providers, registry(), ["good", "refused", "missing"])
    assert (good.ok, good.detail.split(" (")[0]) == (True, "answered 'OK'") and "9 in, 1 out" in good.detail
    assert SEEN[0].max_tokens == CHECK_MAX_TOKENS
    assert (refused.ok, refused.detail) == (False, "KEY_ENV was rejected (401): check the key")
    assert not missing.ok and "no provider named 'missing' is installed" in missing.detail
