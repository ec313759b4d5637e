"""The Anthropic provider in a conversation: earlier turns as messages, prompt-cache breakpoints, cache usage.

Real SDK against the loopback Messages server, whose prompt cache answers a repeated prefix with
``cache_read_input_tokens`` as the API does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from claif_anthropic.provider import AnthropicProvider

from claif_lsp.errors import ConfigurationError
from claif_lsp.settings import ProviderSettings
from claif_lsp.streaming import Answer, collect_answer
from claif_lsp.testing import AnthropicServer, Reply
from claif_lsp.types import ClaifOptions, Message, Role

KEY = "sk-ant-loopback-conversation"
EPHEMERAL = {"type": "ephemeral"}
SYSTEM = "You edit code. Answer with a patch."
FILE_CONTEXT = "File app.py:\n" + "".join(f"def f{n}(x):\n    return x + {n}\n" for n in range(400))
"""A first user message well over the cache's minimum length (about 1024 tokens)."""


@pytest.fixture
def server() -> Iterator[AnthropicServer]:
    with AnthropicServer(Reply(chunks=["first answer"]), Reply(chunks=["second answer"])) as srv:
        yield srv


def provider_for(server: AnthropicServer, **options: Any) -> AnthropicProvider:
    provider = AnthropicProvider()
    provider.configure(ProviderSettings(base_url=server.base_url, options=options), environ={"ANTHROPIC_API_KEY": KEY})
    return provider


def text(block_list: Any) -> str:
    return "".join(block["text"] for block in block_list)


async def two_turns(provider: AnthropicProvider) -> tuple[Answer, Answer]:
    """An ask, then a refine carrying the ask and its answer as history."""
    first = await collect_answer("anthropic", provider.query(FILE_CONTEXT, ClaifOptions(system_prompt=SYSTEM)))
    history = [Message(role=Role.USER, content=FILE_CONTEXT), Message(role=Role.ASSISTANT, content=first.text)]
    second = await collect_answer(
        "anthropic", provider.query("Keep f1 as it was.", ClaifOptions(system_prompt=SYSTEM, history=history))
    )
    await provider.disconnect()
    return first, second


async def test_the_second_request_carries_the_conversation_in_order_with_cache_breakpoints(
    server: AnthropicServer,
) -> None:
    await two_turns(provider_for(server))

    first, second = (request.body for request in server.requests)
    assert [(m["role"], text(m["content"])) for m in second["messages"]] == [
        ("user", FILE_CONTEXT),
        ("assistant", "first answer"),
        ("user", "Keep f1 as it was."),
    ]
    assert [m["content"][0].get("cache_control") for m in second["messages"]] == [EPHEMERAL] * 3
    assert second["system"] == [{"type": "text", "text": SYSTEM, "cache_control": EPHEMERAL}]
    # The stable prefix is byte for byte what the first request sent.
    assert second["system"] == first["system"]
    assert second["messages"][0] == first["messages"][0]
    marks = sum("cache_control" in block for m in second["messages"] for block in m["content"])
    assert marks + len(second["system"]) <= 4, "the Messages API takes at most 4 cache breakpoints"


async def test_the_refine_reads_the_first_turns_prefix_from_the_cache(server: AnthropicServer) -> None:
    first, second = await two_turns(provider_for(server))

    assert first.usage.cache_read_tokens == 0
    assert first.usage.cache_write_tokens > 1024
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens
    reported = server.requests[1].usage
    assert reported is not None
    # Anthropic's input_tokens leaves out cache reads and writes; Usage.input_tokens counts every input token.
    assert second.usage.input_tokens == (
        reported["input_tokens"] + reported["cache_read_input_tokens"] + reported["cache_creation_input_tokens"]
    )
    assert second.usage.input_tokens > second.usage.cache_read_tokens
    assert second.usage.cache_write_tokens == reported["cache_creation_input_tokens"] > 0


async def test_prompt_cache_off_sends_plain_strings(server: AnthropicServer) -> None:
    _, second = await two_turns(provider_for(server, promptCache=False))

    body = server.requests[1].body
    assert body["system"] == SYSTEM
    assert body["messages"] == [
        {"role": "user", "content": FILE_CONTEXT},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "Keep f1 as it was."},
    ]
    assert second.usage.cache_read_tokens == 0


async def test_a_prompt_cache_option_that_is_not_a_boolean_is_refused(server: AnthropicServer) -> None:
    provider = provider_for(server, promptCache="yes")

    with pytest.raises(ConfigurationError, match="promptCache must be true or false"):
        await collect_answer("anthropic", provider.query("hi"))
    assert server.requests == []


async def test_each_turn_writes_the_conversation_so_far_for_the_next_within_four_breakpoints() -> None:
    replies = [Reply(chunks=[f"answer {n}"]) for n in (1, 2, 3)]
    with AnthropicServer(*replies) as server:
        provider = provider_for(server)
        history: list[Message] = []
        usages = []
        for prompt in (FILE_CONTEXT, "Keep f1 as it was. " * 300, "And f2."):
            answer = await collect_answer(
                "anthropic", provider.query(prompt, ClaifOptions(system_prompt=SYSTEM, history=history))
            )
            usages.append(answer.usage)
            history += [Message(role=Role.USER, content=prompt), Message(role=Role.ASSISTANT, content=answer.text)]
        await provider.disconnect()

    third = server.requests[2].body
    marks = [bool(m["content"][0].get("cache_control")) for m in third["messages"]]
    assert marks == [True, False, False, True, True], "first message, latest answer and new prompt"
    assert sum(marks) + len(third["system"]) == 4
    # Turn 3 reads all that turn 2 sent (written at its last breakpoint), more than turn 2 read.
    assert usages[2].cache_read_tokens == usages[1].cache_read_tokens + usages[1].cache_write_tokens
    assert usages[2].cache_read_tokens > usages[1].cache_read_tokens > 0
