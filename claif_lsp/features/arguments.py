"""A command's one object argument validated against its protocol model, or InvalidParams naming the bad field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pygls.exceptions import JsonRpcInvalidParams

ArgsT = TypeVar("ArgsT", bound=BaseModel)


def parse_args(model: type[ArgsT], raw: tuple[Any, ...], *, optional: bool = False) -> ArgsT:
    """The command's one object argument as ``model``; InvalidParams naming the bad field otherwise."""
    if not raw and optional:
        raw = ({},)
    if len(raw) != 1 or not isinstance(raw[0], dict):
        raise JsonRpcInvalidParams(f"expected one object argument, got {len(raw)} arguments")
    try:
        return model.model_validate(raw[0])
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'argument'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise JsonRpcInvalidParams(problems) from None
