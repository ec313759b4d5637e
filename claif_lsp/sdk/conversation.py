"""Earlier turns of a conversation, for providers that take one prompt and keep no session of their own."""

from __future__ import annotations

from collections.abc import Sequence

from claif_lsp.types import Message, Role


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
