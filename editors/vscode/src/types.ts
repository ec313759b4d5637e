// The command protocol between editor plugins and claif-lsp (README, "Commands").
import type { Range } from 'vscode-languageclient';

export type ProposalState = 'pending' | 'partial' | 'accepted' | 'rejected' | 'stale' | 'discarded' | 'failed';
/** `applying`: its edit is in flight; `stale`: the user changed its lines, it has no range and says why. */
export type HunkState = 'pending' | 'accepted' | 'rejected' | 'applying' | 'stale';

export interface Hunk {
  id: string;
  state: HunkState;
  /** Where the hunk is in the current text; null once decided or stale. */
  range: Range | null;
  /** Why the hunk is stale (servers before issue 11 send no such key). */
  reason?: string | null;
  oldText: string;
  newText: string;
}

export interface ProposalFile {
  uri: string;
  path: string;
  operation: 'update' | 'add' | 'delete' | 'rename' | string;
  newUri?: string | null;
  version?: number | null;
  proposedText?: string | null;
  hunks: Hunk[];
}

export interface Proposal {
  id: string;
  state: ProposalState;
  provider: string;
  action: string;
  title: string;
  reason?: string | null;
  diff: string;
  previewUri?: string | null;
  files: ProposalFile[];
}

export interface AskArgs {
  uri: string;
  range: Range;
  instruction?: string;
  action?: string;
  provider?: string;
  providers?: string[];
  diagnostic?: unknown;
  requestId?: string;
}

export interface AskResult {
  proposals?: string[];
  answer?: string;
  document?: string | null;
  /** Set when the ask was cancelled (the server answers `{proposals: [], cancelled: true}`). */
  cancelled?: boolean;
  errors?: string[];
}

export interface AcceptResult {
  /** True when at least one hunk was applied and confirmed by the editor. */
  applied: boolean;
  /** Hunks applied by this accept, and hunks found stale by it (servers before issue 11 send neither). */
  accepted?: string[];
  stale?: string[];
  reason?: string | null;
  proposal: Proposal | string;
}

export interface ProviderReport {
  name: string;
  displayName?: string;
  distribution?: string;
  version?: string;
  state: string;
  reason?: string;
  enabled?: boolean;
}

export interface ProvidersResult {
  active: string | null;
  configured: string;
  providers: ProviderReport[];
}

export interface ProposalsChangedParams {
  proposals: { id: string; state: ProposalState }[];
}

export const OPEN_STATES: ReadonlySet<string> = new Set(['pending', 'partial']);
/** Proposals whose stale hunks can still be dropped. */
export const DROPPABLE_STATES: ReadonlySet<string> = new Set(['pending', 'partial', 'stale']);

export const Commands = {
  ask: 'claif.ask',
  proposal: 'claif.proposal',
  accept: 'claif.accept',
  reject: 'claif.reject',
  applyPatch: 'claif.applyPatch',
  providers: 'claif.providers',
  cancel: 'claif.cancel',
} as const;

export const PROPOSALS_CHANGED = 'claif/proposalsChanged';
