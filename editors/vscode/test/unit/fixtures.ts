// Proposals as the server describes them (`claif.proposal`), small enough to read in a test.
import type { Hunk, Proposal, ProposalFile } from '../../src/types';

export const range = (line: number, endLine = line + 1) => ({ start: { line, character: 0 }, end: { line: endLine, character: 0 } });

export function hunk(id: string, extra: Partial<Hunk> = {}): Hunk {
  return { id, state: 'pending', range: range(0), oldText: 'a\n', newText: 'b\n', ...extra };
}

export function file(uri: string, hunks: Hunk[], extra: Partial<ProposalFile> = {}): ProposalFile {
  return { uri, path: uri.replace(/^file:\/\/\/?/, ''), operation: 'update', hunks, ...extra };
}

export function proposal(id: string, files: ProposalFile[], extra: Partial<Proposal> = {}): Proposal {
  return { id, state: 'pending', provider: 'replay', action: 'ask', title: `title of ${id}`, diff: '', files, ...extra };
}
