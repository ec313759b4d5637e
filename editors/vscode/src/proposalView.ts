// How proposals are named and listed in the review UI: no `vscode` import, so it is unit-tested under plain Node.
import { OPEN_STATES, type Proposal, type ProposalFile } from './types';

/** The query of a proposal file's `claif-proposal:` URI; `empty` stands for the missing side of an add or delete. */
export function proposalQuery(id: string, file: number, empty = false): string {
  return `proposal=${encodeURIComponent(id)}&file=${file}${empty ? '&empty=1' : ''}`;
}

/** The proposal, file index and side a `claif-proposal:` URI's query names; undefined when it names none. */
export function parseProposalQuery(query: string): { id: string; file: number; empty: boolean } | undefined {
  const params = new URLSearchParams(query);
  const id = params.get('proposal');
  return id ? { id, file: Number(params.get('file') ?? 0), empty: params.get('empty') === '1' } : undefined;
}

/** Its title, or its id when it has none. */
export const proposalLabel = (proposal: Pick<Proposal, 'id' | 'title'>): string => proposal.title || proposal.id;

/** Open proposals (pending or partly decided), newest first: `all` is in arrival order. */
export function openProposals(all: Iterable<Proposal>): Proposal[] {
  return [...all].filter((p) => OPEN_STATES.has(p.state)).reverse();
}

/** True when the proposal changes (or renames to) the document `uri`; `same` compares two URIs. */
export function touches(proposal: Proposal, uri: string, same: (a: string, b: string) => boolean): boolean {
  return proposal.files.some((f) => same(f.uri, uri) || (!!f.newUri && same(f.newUri, uri)));
}

/** "Claif: <title> ready, 3 hunks in app.py": `fileName` names a file for the user. */
export function announcement(proposal: Proposal, fileName: (file: ProposalFile) => string): string {
  const hunks = proposal.files.reduce((n, f) => n + f.hunks.filter((h) => h.state === 'pending').length, 0);
  const files = proposal.files.map(fileName).join(', ');
  return `Claif: ${proposalLabel(proposal)} ready, ${hunks} ${hunks === 1 ? 'hunk' : 'hunks'} in ${files}`;
}

/** The diff editor's title: "app.py ↔ Claif: <title>". */
export const diffTitle = (fileName: string, proposal: Proposal): string => `${fileName} ↔ Claif: ${proposalLabel(proposal)}`;

/** One line of the "which proposal?" quick pick. */
export function pickEntry(proposal: Proposal): { label: string; description: string; detail: string } {
  return { label: proposalLabel(proposal), description: `${proposal.provider} · ${proposal.state}`, detail: proposal.files.map((f) => f.path).join(', ') };
}
