// Which lenses a stale hunk gets ("Stale: <why> | Drop" where it last was) and which server lens drops it: no
// `vscode` import, so it is unit-tested under plain Node.
import { hunkLabel, shortReason } from './outcome';
import { Commands, DROPPABLE_STATES, type Hunk, type Proposal } from './types';
import { proposalLabel } from './proposalView';

/** A lens's command as the language client hands it over. */
export interface LensCommand {
  command: string;
  arguments?: unknown[];
}

/** The proposal and hunks a decision command (`claif.accept`, `claif.reject`) targets; no hunks means all of them. */
export function decisionTarget(command: LensCommand | undefined): { proposal: string; hunks?: string[] } | undefined {
  const arg = command?.arguments?.[0] as { proposal?: unknown; hunks?: unknown } | undefined;
  if (!arg || typeof arg.proposal !== 'string') return undefined;
  return Array.isArray(arg.hunks) ? { proposal: arg.proposal, hunks: arg.hunks as string[] } : { proposal: arg.proposal };
}

/** True when `command` rejects exactly this one hunk: the server's "Drop" for it. */
export function dropsHunk(command: LensCommand | undefined, proposal: string, hunk: string): boolean {
  const target = command?.command === Commands.reject ? decisionTarget(command) : undefined;
  return target?.proposal === proposal && target.hunks?.length === 1 && target.hunks[0] === hunk;
}

export interface StaleHunk {
  proposal: Proposal;
  hunk: Hunk;
  /** The server's reason without its prefixes. */
  reason: string;
  /** The reason shortened for the lens title (the title need not repeat which hunk). */
  why: string;
  /** "hunk 2 of <title>". */
  label: string;
}

/** The stale hunks of still droppable proposals in the document `isDocument` accepts, in proposal order. */
export function staleHunks(proposals: Iterable<Proposal>, isDocument: (uri: string) => boolean): StaleHunk[] {
  const found: StaleHunk[] = [];
  for (const proposal of proposals) {
    if (!DROPPABLE_STATES.has(proposal.state)) continue;
    for (const hunk of proposal.files.filter((f) => isDocument(f.uri)).flatMap((f) => f.hunks)) {
      if (hunk.state !== 'stale') continue;
      const reason = (hunk.reason || 'the lines changed').replace(/^(claif:\s*)?(stale:\s*)?/i, '');
      found.push({ proposal, hunk, reason, why: shortReason(reason), label: `${hunkLabel(hunk.id)} of ${proposalLabel(proposal)}` });
    }
  }
  return found;
}

/** The line a stale hunk's lenses go on when the server sent no Drop: its range, else where it last was, in the file. */
export function staleLine(hunk: Pick<Hunk, 'range'>, lastLine: number | undefined, lineCount: number): number {
  return Math.min(hunk.range?.start.line ?? lastLine ?? 0, Math.max(lineCount - 1, 0));
}
