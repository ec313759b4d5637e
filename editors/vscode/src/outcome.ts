// What the user is told about a decision: one message, in Claif's words, built from the server's answer. No
// `vscode` import, so it is unit-tested under plain Node.
import { type AcceptResult, Commands, type Hunk, type Proposal } from './types';

export type Verb = 'accept' | 'reject';

/** The server command a verb runs. */
export const decisionCommand = (verb: Verb): string => (verb === 'accept' ? Commands.accept : Commands.reject);

/** The verb of a server command: `claif.accept` accepts, anything else (`claif.reject`) rejects. */
export const decisionVerb = (command: string): Verb => (command === Commands.accept ? 'accept' : 'reject');

/** What a failed decision says: the server's reason without its "claif:" prefix, and the message built from it. */
export function decisionFailure(verb: Verb, error: string): { reason: string; text: string } {
  const reason = error.replace(/^claif:\s*/i, '');
  return { reason, text: `Claif: ${verb} failed: ${reason}` };
}

/** The part of an accept's answer the event log records (null when the server answered nothing). */
export function decisionSummary(value: AcceptResult | undefined): Pick<AcceptResult, 'applied' | 'reason' | 'accepted' | 'stale'> | null {
  return value ? { applied: value.applied, reason: value.reason, accepted: value.accepted, stale: value.stale } : null;
}

/** `p3-h2` → `hunk 2`; the id itself when it has no number. */
export function hunkLabel(id: string): string {
  const match = /-h(\d+)$/.exec(id);
  return match ? `hunk ${match[1]}` : id;
}

function hunkList(ids: readonly string[]): string {
  const labels = ids.map(hunkLabel);
  if (labels.length <= 1) return labels.join('');
  const numbers = labels.map((label) => label.replace(/^hunk /, ''));
  return `hunks ${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

const withoutPrefix = (text: string) => text.replace(/^claif:\s*/i, '').replace(/[.\s]+$/, '');
/** "hunk 1 of app.py no longer applies, its lines changed" → "its lines changed" (the message names the hunk). */
export const shortReason = (reason: string) => reason.replace(/^(stale:\s*)?hunk \d+ of .+? no longer applies, /i, '');

export function allHunks(proposal: Proposal | undefined): Hunk[] {
  return proposal?.files.flatMap((file) => file.hunks) ?? [];
}

export interface DecisionMessage {
  text: string;
  /** The server's own words in it (its reason, each stale hunk's reason): messages saying them are the same event. */
  reasons: string[];
}

/** The one message an accept's answer deserves, or undefined when it went as asked. */
export function acceptMessage(result: AcceptResult): DecisionMessage | undefined {
  const proposal = typeof result.proposal === 'object' ? result.proposal : undefined;
  const title = proposal?.title || proposal?.id || 'the proposal';
  const hunks = allHunks(proposal);
  const stale = result.stale ?? [];
  const accepted = result.accepted ?? [];
  const staleReasons = [...new Set(hunks.filter((h) => stale.includes(h.id) && h.reason).map((h) => withoutPrefix(h.reason!)))];
  const reasons = [...staleReasons, ...(result.reason ? [withoutPrefix(result.reason)] : [])].filter(Boolean);
  if (stale.length) {
    const why = staleReasons.length ? [...new Set(staleReasons.map(shortReason))].join('; ') : 'its lines changed';
    const pending = hunks.filter((h) => h.state === 'pending').length;
    const done = accepted.length ? `applied ${hunkList(accepted)}` : 'nothing was applied';
    const one = stale.length === 1;
    const left = pending ? `; ${pending} ${pending === 1 ? 'hunk' : 'hunks'} still pending` : '';
    const text = `Claif: ${hunkList(stale)} of "${title}" ${one ? 'is' : 'are'} stale (${why}); ${done}. Drop ${one ? 'it' : 'them'} from the lens${left}.`;
    return { text, reasons };
  }
  if (result.applied === false) {
    return { text: `Claif: "${title}" was not applied: ${result.reason ? withoutPrefix(result.reason) : 'the editor did not apply the edit'}.`, reasons };
  }
  return undefined;
}

const normal = (text: string) =>
  text
    .replace(/^claif:\s*/i, '')
    .replace(/[.\s]+$/, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();

/** True when two messages tell the same event: one contains the other (case, "Claif:" prefix, spacing and a final full stop aside). */
export function sameEvent(a: string, b: string): boolean {
  const [x, y] = [normal(a), normal(b)];
  return !!x && !!y && (x.includes(y) || y.includes(x));
}

/** Each hunk's state, by id: what a decision changed is read by comparing two of them. */
export function hunkStates(proposal: Proposal | undefined): Map<string, string> {
  return new Map(allHunks(proposal).map((h) => [h.id, h.state]));
}

/**
 * What a decision did, in one line: "Claif: 1 accepted, 2 rejected." (with "; 1 still pending" when some are
 * left); undefined when no hunk changed state.
 */
export function decisionReport(before: Map<string, string>, after: Proposal | undefined): string | undefined {
  const counts = { accepted: 0, rejected: 0, stale: 0 };
  for (const hunk of allHunks(after)) {
    const was = before.get(hunk.id);
    if (was === hunk.state || !(hunk.state in counts)) continue;
    counts[hunk.state as keyof typeof counts]++;
  }
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  if (!parts.length) return undefined;
  const pending = allHunks(after).filter((h) => h.state === 'pending').length;
  return `Claif: ${parts.join(', ')}${pending ? `; ${pending} still pending` : ''}.`;
}
