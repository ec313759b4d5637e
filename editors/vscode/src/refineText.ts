// What Refine… and Retry say and send: no `vscode` import, so it is unit-tested under plain Node.
import { hunkLabel } from './outcome';
import { proposalLabel } from './proposalView';
import type { Diagnostic } from './protocol';
import type { AskResult, Proposal } from './types';

/** What a refine is about: a proposal, maybe some of its hunks, maybe the feedback or the diagnostic already. */
export interface RefineTarget {
  proposal: string;
  hunks?: string[];
  feedback?: string;
  diagnostic?: Diagnostic;
}

/** A `claif.refine` / `claif.ui.refine` argument (a lens's, a code action's) read field by field; undefined when it names no proposal. */
export function refineTarget(arg: unknown): RefineTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const { proposal, hunks, feedback, diagnostic } = arg as Record<string, unknown>;
  if (typeof proposal !== 'string' || !proposal) return undefined;
  return {
    proposal,
    ...(Array.isArray(hunks) && hunks.length ? { hunks: hunks.filter((h): h is string => typeof h === 'string') } : {}),
    ...(typeof feedback === 'string' && feedback.trim() ? { feedback: feedback.trim() } : {}),
    ...(diagnostic && typeof diagnostic === 'object' ? { diagnostic: diagnostic as Diagnostic } : {}),
  };
}

/** True when the user must type the feedback first (a fix-again turn carries its diagnostic instead). */
export const needsFeedback = (target: RefineTarget): boolean => !target.feedback && !target.diagnostic;

/** The feedback input box's words. */
export function feedbackBox(proposal: Pick<Proposal, 'id' | 'title'> | undefined, target: RefineTarget): { title: string; prompt: string; placeHolder: string } {
  const about = target.hunks?.length ? ` (${target.hunks.map(hunkLabel).join(', ')})` : '';
  return {
    title: `Claif: Refine ${proposal ? proposalLabel(proposal) : target.proposal}${about}`,
    prompt: 'What should change? The model sees its answer, the hunks you accepted or rejected, and the files as they are now.',
    placeHolder: 'e.g. keep the old name, and add a test',
  };
}

/** The progress notification's "about": the feedback, or the kind of turn. */
export const turnAbout = (kind: 'refine' | 'retry', target?: RefineTarget): string =>
  kind === 'retry' ? 'retry' : target?.feedback ?? (target?.diagnostic ? `fix again: ${target.diagnostic.message}` : 'refine');

/** How a refine or retry went, from its answer: the new revision, or why there is none. */
export type TurnReaction = { kind: 'cancelled' } | { kind: 'revised'; proposal: string; warnings: string[] } | { kind: 'failed'; reason: string };

export function turnReaction(result: AskResult | undefined, cancelledHere: boolean): TurnReaction {
  if (cancelledHere || result?.cancelled) return { kind: 'cancelled' };
  const errors = result?.errors ?? [];
  const proposal = result?.proposals?.[0];
  if (!proposal) return { kind: 'failed', reason: errors.join('; ') || 'the model proposed no changes' };
  return { kind: 'revised', proposal, warnings: errors };
}

/** The server's reason without its "claif:" prefix. */
export const failureReason = (error: string): string => error.replace(/^claif:\s*/i, '');

/** "Claif: refine failed: <why>". */
export const turnFailure = (kind: 'refine' | 'retry', reason: string): string => `Claif: ${kind} failed: ${failureReason(reason)}`;

/** "Claif: revision 2 of <title>: 1 hunk to review, 1 accepted earlier." */
export function revisionReport(proposal: Proposal): string {
  const hunks = proposal.files.flatMap((f) => f.hunks);
  const count = (state: string) => hunks.filter((h) => h.state === state).length;
  const pending = count('pending') + count('applying');
  const parts = [`${pending} ${pending === 1 ? 'hunk' : 'hunks'} to review`];
  if (count('accepted')) parts.push(`${count('accepted')} accepted earlier`);
  if (count('rejected')) parts.push(`${count('rejected')} rejected earlier`);
  return `Claif: revision ${proposal.revision} of ${proposalLabel(proposal)}: ${parts.join(', ')}.`;
}
