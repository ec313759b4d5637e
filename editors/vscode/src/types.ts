// The command protocol between editor plugins and claif-lsp (README, "Commands"): the generated types of
// ./protocol.ts (from the server's models, `claif-lsp schema --format typescript`) under the names this extension uses.
import type { AskCancelledResult, AskEditResult, AskExplainResult } from './protocol';

export type {
  AcceptResult,
  AnswerParams,
  AskArgs,
  Hunk,
  HunkState,
  Proposal,
  ProposalFile,
  ProposalsChangedParams,
  ProposalState,
  ProviderReport,
  ProvidersResult,
  RefineArgs,
  RejectResult,
  RetryArgs,
  SessionsResult,
  SessionSummary,
  UnplacedHunk,
} from './protocol';
export { Commands, Notifications, PROPOSALS_CHANGED } from './protocol';

/** Any of the three shapes `claif.ask` answers with, read field by field (`{}` when the client got nothing). */
export type AskResult = Partial<AskEditResult & AskExplainResult & AskCancelledResult>;

export const OPEN_STATES: ReadonlySet<string> = new Set(['pending', 'partial']);
/** Proposals whose stale hunks can still be dropped. */
export const DROPPABLE_STATES: ReadonlySet<string> = new Set(['pending', 'partial', 'stale']);
