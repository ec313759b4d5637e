// Where the "Refine…" lens of a pending hunk goes: right after the server's Reject lens of that one hunk (Accept |
// Reject | Refine… | Accept all | Reject all). No `vscode` import, so it is unit-tested under plain Node.
import { type LensCommand, decisionTarget } from './staleLenses';
import { Commands } from './types';

/** The command the extension's Refine… lens runs (claif.ui.refine, with the hunk). */
export const REFINE_UI = 'claif.ui.refine';

/**
 * The lenses with a Refine… lens after each one-hunk Reject of a hunk `refinable` accepts (pending, in a proposal
 * with a conversation: a stale hunk's Drop is a one-hunk reject too); `make(after, target)` builds it beside `after`.
 */
export function withRefineLenses<T>(
  lenses: readonly T[],
  commandOf: (lens: T) => LensCommand | undefined,
  refinable: (proposal: string, hunk: string) => boolean,
  make: (after: T, target: { proposal: string; hunks: string[] }) => T,
): T[] {
  const refined = new Set(
    lenses
      .map(commandOf)
      .filter((c) => c?.command === Commands.refine || c?.command === REFINE_UI)
      .map((c) => decisionTarget(c))
      .filter((t) => t?.hunks?.length === 1)
      .map((t) => `${t!.proposal} ${t!.hunks![0]}`),
  );
  const result: T[] = [];
  for (const lens of lenses) {
    result.push(lens);
    const command = commandOf(lens);
    const target = command?.command === Commands.reject ? decisionTarget(command) : undefined;
    if (!target?.hunks || target.hunks.length !== 1) continue;
    const key = `${target.proposal} ${target.hunks[0]}`;
    if (refined.has(key) || !refinable(target.proposal, target.hunks[0])) continue;
    refined.add(key);
    result.push(make(lens, { proposal: target.proposal, hunks: [target.hunks[0]] }));
  }
  return result;
}
