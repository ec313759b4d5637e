"""The core's errors as JSON-RPC errors: InvalidParams for a request that cannot be served, else RequestFailed."""

from __future__ import annotations

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from claif_lsp.core.errors import InvalidRequest
from claif_lsp.errors import ClaifError

REQUEST_FAILED = -32803


def jsonrpc_error(exc: ClaifError) -> JsonRpcException:
    """The JSON-RPC error carrying ``exc``'s user-facing message."""
    if isinstance(exc, InvalidRequest):
        return JsonRpcInvalidParams(str(exc))
    return JsonRpcException(str(exc), code=REQUEST_FAILED)
