"""How a use case says no; ``features`` maps each to its JSON-RPC error."""

from __future__ import annotations

from claif_lsp.errors import ClaifError


class InvalidRequest(ClaifError):
    """The request itself cannot be served (a bad argument, a file that may not be read or sent): InvalidParams."""


class RequestFailed(ClaifError):
    """The request was fine but could not be done (every provider failed, an edit is in flight): RequestFailed."""
