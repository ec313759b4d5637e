"""A plugin that imports and reports ready, but whose connect fails (a server that is down, a bad login).

Setting ``providers.unreachable.options.reachable = true`` lets it connect, as a fixed setting would.
"""

from collections.abc import AsyncIterator

from claif_lsp.provider import BaseProvider
from claif_lsp.types import ClaifOptions, Message, Role, TextBlock


class UnreachableProvider(BaseProvider):
    """Fails in connect until its settings say it is reachable."""

    name = "unreachable"
    display_name = "Unreachable"

    async def connect(self) -> None:
        if not self.settings.options.get("reachable"):
            raise ConnectionRefusedError("127.0.0.1:9 refused the connection (scripted)")

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[Message]:
        yield Message(role=Role.ASSISTANT, content=[TextBlock(text="Reached.\n")], metadata={"model": "u-1"})
