"""The wire protocol editor plugins use (README: Commands): the names of the ``claif.*`` commands and notifications.

The argument and result models are in :mod:`claif_lsp.protocol.models`. The names stay here, free of pydantic,
because every feature module imports them while the server starts, before it has answered ``initialize``.
"""

ASK = "claif.ask"
PROPOSAL = "claif.proposal"
ACCEPT = "claif.accept"
REJECT = "claif.reject"
APPLY_PATCH = "claif.applyPatch"
PROVIDERS = "claif.providers"
SETTINGS = "claif.settings"
CANCEL = "claif.cancel"
REFINE = "claif.refine"
RETRY = "claif.retry"
SESSIONS = "claif.sessions"
DROP_SESSION = "claif.dropSession"
PROPOSALS_CHANGED = "claif/proposalsChanged"
ANSWER = "claif/answer"
