"""Every ``claif.*`` command's argument and result, and the ``claif/proposalsChanged`` params, as pydantic models.

Each command takes one object, validated by ``claif_lsp.features.arguments.parse_args`` (naming a bad field).
Results are built as models and sent as :meth:`Result.wire`: camelCase keys, and every field present (a field
without a value is sent as ``null``). The README's command table, ``editors/vscode/src/protocol.ts`` and
``editors/neovim/lua/claif/protocol.lua`` are generated from :data:`COMMANDS` and
:data:`NOTIFICATIONS` (``claif-lsp schema --format typescript`` and friends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, TypeAdapter, model_validator
from pydantic.alias_generators import to_camel
from typing_extensions import TypeAliasType

from claif_lsp import actions, protocol
from claif_lsp.registry import ProviderReport

# Named aliases, so the JSON schema (and the TypeScript and Lua generated from it) gives each vocabulary its name.
HunkState = TypeAliasType(
    "HunkState",
    Annotated[
        Literal["pending", "applying", "accepted", "rejected", "stale"],
        Field(
            description="`applying`: its edit is in flight; `stale`: its lines changed, it has no range and says why."
        ),
    ],
)
ProposalState = TypeAliasType(
    "ProposalState",
    Annotated[
        Literal["pending", "partial", "accepted", "rejected", "stale", "discarded", "failed"],
        Field(description="Where a proposal stands (README: proposal state)."),
    ],
)
FileOperation = TypeAliasType(
    "FileOperation",
    Annotated[Literal["add", "update", "delete", "move"], Field(description="What a proposal does to a file.")],
)


class _Args(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Result(BaseModel):
    """A result or notification the server sends; unknown keys are refused so a test sees any drift."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def wire(self) -> dict[str, Any]:
        """The JSON object sent to the editor."""
        return self.model_dump(mode="json", by_alias=True)


class Position(_Args):
    """An LSP position in the negotiated encoding."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class Range(_Args):
    """An LSP range."""

    start: Position
    end: Position


class Diagnostic(_Args):
    """The diagnostic a `fix` action is about."""

    message: str
    range: Range
    source: str | None = None
    code: str | int | None = None
    severity: int | None = None


# --- arguments ------------------------------------------------------------------------------------------------


class AskArgs(_Args):
    """`claif.ask`: run a request on a range of a document."""

    uri: str
    range: Range
    instruction: str | None = None
    action: str = Field(
        default="ask",
        description=f"One of {', '.join(actions.BUILTIN_IDS)}, or custom:<n> (the n-th entry of the actions setting).",
    )
    provider: str | None = None
    providers: list[str] | None = None
    diagnostic: Diagnostic | None = None
    diagnostics: list[Diagnostic] | None = None
    request_id: str | None = None

    @model_validator(mode="after")
    def _check_action(self) -> AskArgs:
        if not actions.is_known(self.action):
            raise ValueError(
                f"action must be one of {', '.join(actions.BUILTIN_IDS)} or custom:<n>, not {self.action!r}"
            )
        builtin = actions.BY_ID.get(self.action)
        if builtin is not None and builtin.needs_diagnostic and self.diagnostic is None:
            raise ValueError(f"action {self.action!r} needs a diagnostic")
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
    """`claif.applyPatch`: a pasted patch, applied under a workspace folder."""

    patch: str = Field(min_length=1, description="A Codex apply_patch block or a unified diff.")
    root: str | None = Field(
        default=None,
        min_length=1,
        description="An absolute path or file URI inside a workspace folder; default the first folder.",
    )


class UriArgs(_Args):
    """`claif.providers` / `claif.settings`: optionally the document or folder whose settings apply."""

    uri: str | None = Field(
        default=None, min_length=1, description="Whose folder's settings to use; default the first."
    )


class RefineArgs(_Args):
    """`claif.refine`: a follow-up turn on a proposal; its answer becomes the proposal's next revision."""

    proposal: str
    feedback: str | None = Field(
        default=None, description="What to change; when left out the server asks the user to pick (plain clients)."
    )
    hunks: list[str] | None = Field(default=None, description="The hunks the feedback is about; default all.")
    diagnostic: Diagnostic | None = Field(
        default=None, description="Fix again: the diagnostic the accepted fix did not clear (feedback optional)."
    )
    request_id: str | None = None


class RetryArgs(_Args):
    """`claif.retry`: the proposal's ask again, past the cache; the answer becomes the next revision."""

    proposal: str
    request_id: str | None = None


class SessionArgs(_Args):
    """`claif.dropSession`: which session."""

    session: str


class CancelArgs(_Args):
    """`claif.cancel`: a request id or progress token; none cancels every running ask."""

    request: StrictStr | StrictInt | None = Field(
        default=None, description="A requestId or progress token; none cancels every running ask."
    )


# --- results --------------------------------------------------------------------------------------------------


class Hunk(Result):
    """A minimal run of changed lines of one file."""

    id: str
    uri: str
    state: HunkState
    range: Range | None = Field(description="Where the hunk applies in the current text; null once decided or stale.")
    reason: str | None = Field(description="Why the hunk is stale; null when it is not.")
    old_text: str
    new_text: str


class ProposalFile(Result):
    """What a proposal does to one file."""

    uri: str
    path: str = Field(description="Relative to the proposal's root.")
    operation: FileOperation
    new_uri: str | None = Field(description="Where a moved file goes; null otherwise.")
    version: int | None = Field(description="The buffer version the hunks were computed for.")
    proposed_text: str | None = Field(description="The whole file with every open hunk applied; null for a deletion.")
    hunks: list[Hunk]


class Usage(Result):
    """Tokens as the provider reported them; cache reads and writes are part of the input."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int


class UnplacedHunk(Result):
    """A hunk of the answer that could not be placed on the file's text."""

    path: str
    hunk: int = Field(description="1-based, in the answer's order for that file.")
    reason: str = Field(description="Why: its old lines were not found, or found more than once.")
    expected: str = Field(description="The old lines the answer expected.")


class PartialAnswer(Result):
    """What an answer proposed that is not in the proposal, even after repair."""

    unplaced: list[UnplacedHunk]


class Proposal(Result):
    """A proposal as editor plugins see it (`claif.proposal`, and in every decision's answer)."""

    id: str
    state: ProposalState
    reason: str | None = Field(description="What happened last, when it was not the plain outcome.")
    provider: str
    action: str
    title: str
    session: str | None = Field(description="Its conversation (`claif.sessions`); null for a pasted patch.")
    revision: int = Field(description="1 for the first answer, one more for each refine or retry.")
    cached: bool = Field(description="True when this revision's answer came from the response cache.")
    restored: bool = Field(description="True when it was kept from an earlier server session.")
    partial: PartialAnswer | None = Field(description="Set when some of the answer could not be placed.")
    answer: str | None = Field(description="The model's whole answer for this revision (the raw text).")
    usage: Usage | None = Field(description="This revision's tokens; null when the provider reported none.")
    diff: str = Field(description="The unified diff of what is still proposed.")
    preview_uri: str | None = Field(description="The diff document shown with window/showDocument, if any.")
    files: list[ProposalFile]


class AskEditResult(Result):
    """`claif.ask`: for an edit action, the proposal ids (one per provider that answered) and the others' errors."""

    proposals: list[str]
    errors: list[str]


class AskExplainResult(Result):
    """`claif.ask`: for an explain action, the Markdown answer, the document it was written to, and the errors."""

    answer: str
    document: str | None = Field(description="A Markdown file in the cache folder; null when it could not be written.")
    errors: list[str]


class AskCancelledResult(Result):
    """`claif.ask`: when the user cancelled (dismissed the instruction picker, or `claif.cancel`)."""

    proposals: list[str] = Field(max_length=0)
    cancelled: Literal[True]


AskResult = TypeAliasType(
    "AskResult",
    Annotated[
        AskEditResult | AskExplainResult | AskCancelledResult,
        Field(description="What `claif.ask` answers: one of three shapes."),
    ],
)


class AcceptResult(Result):
    """`claif.accept`: what was applied, what turned stale, and the proposal after it."""

    applied: bool = Field(description="True when the editor confirmed the edit with applied: true.")
    accepted: list[str] = Field(description="Hunks this accept applied.")
    stale: list[str] = Field(description="Hunks that turned (or named hunks that were) stale.")
    reason: str | None = Field(description="Why not everything was applied; null when it was.")
    proposal: Proposal


class RejectResult(Result):
    """`claif.reject`: the proposal after it."""

    proposal: Proposal


class ApplyPatchResult(Result):
    """`claif.applyPatch`: the proposal made of the pasted patch."""

    proposals: list[str]


class CancelResult(Result):
    """`claif.cancel`: the request ids of the asks it stopped."""

    cancelled: list[str]


class ProvidersResult(Result):
    """`claif.providers`: every installed provider with its status, as seen from one folder."""

    active: str = Field(description="The provider an ask without `provider` uses; `none` when no provider can answer.")
    configured: str = Field(description="The `provider` setting (`auto` or a name).")
    providers: list[ProviderReport]


class SettingsResult(Result):
    """`claif.settings`: the settings in effect for a folder and what was wrong with them."""

    settings: dict[str, Any] = Field(description="Every setting, camelCase, as in the README's settings table.")
    problems: list[str]


class SessionSummary(Result):
    """One conversation: what was asked, its proposals and what it cost."""

    id: str
    uri: str = Field(description="The document the first ask was about.")
    title: str
    provider: str
    action: str
    created: str = Field(description="When it began, ISO 8601 UTC.")
    updated: str = Field(description="Its latest turn, ISO 8601 UTC.")
    turns: int
    proposals: list[str]
    usage: Usage = Field(description="Every turn's tokens added up.")


class SessionsResult(Result):
    """`claif.sessions`: the conversations of the workspace (of the folder holding `uri`), newest first."""

    sessions: list[SessionSummary]


class DropSessionResult(Result):
    """`claif.dropSession`: the session dropped and its proposals, which are discarded."""

    dropped: str
    proposals: list[str]


class ChangedProposal(Result):
    """A proposal that was created or changed state (or revision)."""

    id: str
    state: ProposalState
    revision: int


class ProposalsChangedParams(Result):
    """`claif/proposalsChanged`: sent whenever a proposal is created or changes state."""

    proposals: list[ChangedProposal]


class AnswerParams(Result):
    """`claif/answer`: an explain-type answer as it streams (the whole text so far), then once with `done`."""

    request_id: str | None = Field(description="The ask's requestId; null when the ask had none.")
    token: str | int | None = Field(description="The ask's progress token, when it reports progress.")
    text: str = Field(description="The whole Markdown answer so far.")
    done: bool


# --- the table the documents are generated from ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name, argument model, result type, and whether the argument may be left out."""

    name: str
    arguments: type[BaseModel]
    result: Any
    optional_argument: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(protocol.ASK, AskArgs, AskResult),
    Command(protocol.PROPOSAL, ProposalArgs, Proposal),
    Command(protocol.ACCEPT, DecisionArgs, AcceptResult),
    Command(protocol.REJECT, DecisionArgs, RejectResult),
    Command(protocol.APPLY_PATCH, ApplyPatchArgs, ApplyPatchResult),
    Command(protocol.PROVIDERS, UriArgs, ProvidersResult, optional_argument=True),
    Command(protocol.CANCEL, CancelArgs, CancelResult, optional_argument=True),
    Command(protocol.SETTINGS, UriArgs, SettingsResult, optional_argument=True),
    Command(protocol.REFINE, RefineArgs, AskResult),
    Command(protocol.RETRY, RetryArgs, AskResult),
    Command(protocol.SESSIONS, UriArgs, SessionsResult, optional_argument=True),
    Command(protocol.DROP_SESSION, SessionArgs, DropSessionResult),
)

NOTIFICATIONS: dict[str, type[Result]] = {
    protocol.PROPOSALS_CHANGED: ProposalsChangedParams,
    protocol.ANSWER: AnswerParams,
}
"""Notifications the server sends, by method."""

ASK_RESULT: TypeAdapter[AskResult] = TypeAdapter(AskResult)
