// What the user sees once an ask is answered: no `vscode` import, so it is unit-tested under plain Node.
import type { AskResult } from './types';

export const NO_CHANGES = 'Claif: the model proposed no changes.';

/** What to show for an answer: nothing when cancelled; else the problems, then the review, the answer or a note. */
export type AskReaction =
  | { kind: 'cancelled' }
  | {
      kind: 'answered';
      /** The server's problems, each logged; `warning` is the one message that shows them. */
      problems: string[];
      warning: string | undefined;
      show: { review: string[] } | 'answer' | 'no-changes' | 'nothing';
    };

/** How to react to `result`; `cancelledHere` is true when the user pressed Cancel on its notification. */
export function askReaction(result: AskResult, cancelledHere: boolean): AskReaction {
  if (cancelledHere || result.cancelled) return { kind: 'cancelled' };
  const problems = result.errors ?? [];
  const warning = problems.length ? `Claif: ${problems.join('; ')}` : undefined;
  const show = result.proposals?.length
    ? { review: result.proposals }
    : typeof result.answer === 'string'
      ? 'answer'
      : problems.length
        ? 'nothing'
        : 'no-changes';
  return { kind: 'answered', problems, warning, show };
}
