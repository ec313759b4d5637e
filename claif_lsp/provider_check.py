"""``claif-lsp providers --check``: one tiny real request per provider, to learn whether a key or login works.

Opt-in only: a check sends a few tokens to the provider (and is billed as such), so nothing else calls it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import anyio

from claif_lsp.registry import ProviderRegistry
from claif_lsp.settings import OFFLINE_PROVIDER
from claif_lsp.streaming import describe_failure
from claif_lsp.types import ClaifOptions, Message, TextDelta

CHECK_PROMPT = "Reply with the single word OK."
CHECK_MAX_TOKENS = 16
CHECK_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class CheckResult:
    """How one provider answered the check."""

    name: str
    ok: bool
    detail: str
    """For a success the tokens and seconds it took, for a failure the error's message."""


def names_to_check(registry: ProviderRegistry, requested: str) -> list[str]:
    """``requested`` alone, or (when empty) every ready provider but the offline one, in ``auto`` order."""
    if requested:
        return [requested]
    return [name for name in registry.ready_providers() if name != OFFLINE_PROVIDER]


async def check_one(registry: ProviderRegistry, name: str) -> CheckResult:
    """Send the check prompt to ``name`` and report the outcome in the provider's own words."""
    started = time.monotonic()
    text, usage = "", None
    try:
        provider = await registry.connected(name)
        options = ClaifOptions(
            provider=name,
            max_tokens=CHECK_MAX_TOKENS,
            timeout=min(CHECK_TIMEOUT_SECONDS, registry.settings.provider_settings(name).timeout),
            action="check",
        )
        with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
            async for event in provider.query(CHECK_PROMPT, options):
                if isinstance(event, TextDelta):
                    text += event.text
                elif isinstance(event, Message):
                    text, usage = event.text or text, event.usage
    except TimeoutError:
        return CheckResult(name, False, f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s")
    except Exception as exc:  # any failure is the check's answer, reported in its own words
        return CheckResult(name, False, describe_failure(exc, name).message)
    seconds = time.monotonic() - started
    tokens = f"{usage.input_tokens} in, {usage.output_tokens} out" if usage else "tokens not reported"
    answer = " ".join(text.split())[:40]
    return CheckResult(name, True, f"answered {answer!r} ({tokens}, {seconds:.1f} s)")


async def check_providers(registry: ProviderRegistry, names: list[str]) -> list[CheckResult]:
    """Check each provider in turn, then disconnect them."""
    try:
        return [await check_one(registry, name) for name in names]
    finally:
        await registry.close()
