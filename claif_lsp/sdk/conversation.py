"""Earlier turns of a conversation, for providers that take one prompt and keep no session of their own."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence

from loguru import logger

from claif_lsp.types import ClaifOptions, Message, Role, StreamEvent

SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")


def conversation_prompt(history: Sequence[Message], prompt: str) -> str:
    """One prompt holding the earlier turns, oldest first, then ``prompt``; just ``prompt`` without history.

    The earlier turns come first and unchanged, so the prompt of each turn starts with the previous one's.
    """
    if not history:
        return prompt
    parts = []
    for message in history:
        who = "Your earlier answer" if message.role is Role.ASSISTANT else "Earlier request"
        parts.append(f"<{who.lower().replace(' ', '_')}>\n{message.text}\n</{who.lower().replace(' ', '_')}>")
    parts.append(prompt)
    return "\n\n".join(parts)


def resumable_session(options: ClaifOptions) -> str | None:
    """``options.resume`` when it looks like a session id a CLI may be given (letters, digits, ``._:-``, not
    starting with ``-``), else None: the id goes on a command line, where a dash-leading value would be a flag."""
    session = options.resume
    if session and SESSION_ID.fullmatch(session):
        return session
    return None


class SessionGone(Exception):
    """The CLI no longer has the session a later turn asked to resume (raise it before yielding anything)."""


async def resume_or_resend(
    provider: str, prompt: str, options: ClaifOptions, turn: Callable[[str, ClaifOptions], AsyncIterator[StreamEvent]]
) -> AsyncIterator[StreamEvent]:
    """A turn of a CLI that keeps sessions: resume ``options.resume`` with only ``prompt``; without a usable
    session id, or when ``turn`` raises :class:`SessionGone`, send the whole conversation as one prompt."""
    resume = resumable_session(options)
    if resume is not None:
        try:
            async for event in turn(prompt, options):
                yield event
            return
        except SessionGone:
            logger.info("{}: session {} is gone; sending the conversation again", provider, resume)
    async for event in turn(conversation_prompt(options.history, prompt), options.model_copy(update={"resume": None})):
        yield event
