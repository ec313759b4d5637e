// What the review says about a revision beyond its hunks: a partial answer, an answer from the cache, proposals
// kept from before a reload. No `vscode` import, so it is unit-tested under plain Node.
import { proposalLabel } from './proposalView';
import type { Proposal, SessionSummary, UnplacedHunk } from './types';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "sample.py hunk 2: its old lines were not found". */
export const unplacedLine = (u: Pick<UnplacedHunk, 'path' | 'hunk' | 'reason'>): string => `${u.path} hunk ${u.hunk}: ${u.reason.replace(/[.\s]+$/, '')}`;

/** The warning of a partial answer: how many hunks could not be placed and why; undefined when it placed in full. */
export function partialNote(proposal: Pick<Proposal, 'id' | 'title' | 'partial'>): string | undefined {
  const unplaced = proposal.partial?.unplaced ?? [];
  if (!unplaced.length) return undefined;
  const shown = unplaced.slice(0, 3).map(unplacedLine);
  const more = unplaced.length > shown.length ? `; and ${unplaced.length - shown.length} more` : '';
  return (
    `Claif: ${proposalLabel(proposal)} is a partial answer: ${plural(unplaced.length, 'hunk')} could not be placed ` +
    `(${shown.join('; ')}${more}). The rest is up for review; nothing was applied.`
  );
}

/** The status line of an answer served from the response cache. */
export const cachedNote = (proposal: Pick<Proposal, 'id' | 'title' | 'cached'>): string | undefined =>
  proposal.cached ? `Claif: ${proposalLabel(proposal)} is from the cache — Retry to ask again.` : undefined;

/** The open proposals the sessions list, each once, newest session first. */
export function sessionProposals(sessions: readonly Pick<SessionSummary, 'proposals'>[]): string[] {
  return [...new Set(sessions.flatMap((s) => s.proposals))];
}

/** "Claif: 2 proposals from before the reload are still open: <title>, <title>." */
export function restoredNote(proposals: readonly Pick<Proposal, 'id' | 'title'>[]): string | undefined {
  if (!proposals.length) return undefined;
  const titles = proposals.slice(0, 3).map(proposalLabel).join(', ');
  const more = proposals.length > 3 ? ` and ${proposals.length - 3} more` : '';
  const verb = proposals.length === 1 ? 'is' : 'are';
  return `Claif: ${plural(proposals.length, 'proposal')} from before the reload ${verb} still open: ${titles}${more}.`;
}

/** The raw answer's read-only document name: "<title> (answer, revision 2).md". */
export function answerDocumentName(proposal: Pick<Proposal, 'id' | 'title' | 'revision'>): string {
  const title = proposalLabel(proposal).replace(/[\\/:*?"<>|\n]+/g, ' ').trim().slice(0, 60);
  return `${title} (answer, revision ${proposal.revision}).md`;
}
