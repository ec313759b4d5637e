"""Arguments of the ``claif.*`` commands editor plugins send (see the README's Commands section).

Each command takes one object; :func:`parse_args` validates it, so a bad argument becomes a JSON-RPC
``InvalidParams`` error that names the field.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pygls.exceptions import JsonRpcInvalidParams

BUILTIN_ACTIONS = ("ask", "explain", "refactor", "docstrings", "tests", "fix")


class _Args(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class PositionArg(_Args):
    """An LSP position in the negotiated encoding."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class RangeArg(_Args):
    """An LSP range."""

    start: PositionArg
    end: PositionArg


class DiagnosticArg(_Args):
    """The diagnostic a `fix` action is about."""

    message: str
    range: RangeArg
    source: str | None = None
    code: str | int | None = None
    severity: int | None = None


class AskArgs(_Args):
    """`claif.ask`: run a request on a range of a document."""

    uri: str
    range: RangeArg
    instruction: str | None = None
    action: str = "ask"
    provider: str | None = None
    providers: list[str] | None = None
    diagnostic: DiagnosticArg | None = None
    diagnostics: list[DiagnosticArg] | None = None
    request_id: str | None = None

    @model_validator(mode="after")
    def _check_action(self) -> AskArgs:
        if self.action not in BUILTIN_ACTIONS and not self.action.startswith("custom:"):
            raise ValueError(f"action must be one of {', '.join(BUILTIN_ACTIONS)} or custom:<n>, not {self.action!r}")
        if self.action == "fix" and self.diagnostic is None:
            raise ValueError("action 'fix' needs a diagnostic")
        if self.providers is not None and not self.providers:
            raise ValueError("providers must name at least one provider")
        return self


class ProposalArgs(_Args):
    """`claif.proposal`: which proposal."""

    proposal: str


class DecisionArgs(_Args):
    """`claif.accept` / `claif.reject`: a proposal and optionally some of its hunks."""

    proposal: str
    hunks: list[str] | None = None


class ApplyPatchArgs(_Args):
    """`claif.applyPatch`: a pasted patch; ``root`` (an absolute path or file URI) defaults to the first folder."""

    patch: str = Field(min_length=1)
    root: str | None = Field(default=None, min_length=1)


class UriArgs(_Args):
    """`claif.providers` / `claif.settings`: optionally the document or folder whose settings apply."""

    uri: str | None = Field(default=None, min_length=1)


class CancelArgs(_Args):
    """`claif.cancel`: a request id or progress token; none cancels every running ask."""

    request: StrictStr | StrictInt | None = None


ArgsT = TypeVar("ArgsT", bound=_Args)


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
