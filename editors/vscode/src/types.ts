// The command protocol between editor plugins and claif-lsp (README, "Commands").
import type { Range } from 'vscode-languageclient';

export type ProposalState = 'pending' | 'partial' | 'accepted' | 'rejected' | 'stale' | 'discarded' | 'failed';
export type HunkState = 'pending' | 'accepted' | 'rejected';

export interface Hunk {
  id: string;
  state: HunkState;
  range: Range;
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
  applied: boolean;
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
