"""A provider written the way Claif's plugin-development guide shows, adapted only in its imports.

It yields whole messages (no deltas), declares `name` and `capabilities` as properties, takes no settings
in `__init__`, raises `ProviderError` with one argument, and prints to stdout the way careless SDKs do.
"""

from collections.abc import AsyncIterator

from claif_lsp.errors import ProviderError
from claif_lsp.provider import BaseProvider
from claif_lsp.types import ClaifOptions, Message, Role, TextBlock

PATCH = """*** Begin Patch
*** Update File: app.py
@@ def total(values):
-    s = 0
-    for v in values:
-        s = s + v
-    return s
+    return sum(values)
*** End Patch
"""


class MyProvider(BaseProvider):
    """MyProvider implementation for Claif."""

    def __init__(self):
        self._connected = False

    @property
    def name(self) -> str:
        return "guide"

    @property
    def capabilities(self) -> set[str]:
        return {"text"}

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False

    async def query(self, prompt: str, options: ClaifOptions | None = None) -> AsyncIterator[Message]:
        if not self._connected:
            await self.connect()
        if "please fail" in prompt:
            raise ProviderError("MyProvider query failed: scripted")
        print("stray output from an SDK")  # on purpose: the server must survive it
        for part in ("Here is the change:\n", PATCH):
            yield Message(
                role=Role.ASSISTANT, content=[TextBlock(text=part)], metadata={"model": "guide-1", "tokens": 42}
            )
