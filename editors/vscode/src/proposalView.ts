// How proposals are named and listed in the review UI: no `vscode` import, so it is unit-tested under plain Node.
import { type Hunk, OPEN_STATES, type Proposal, type ProposalFile } from './types';

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

/** The diff editor's title, short enough for a tab: "app.py ↔ Claif proposal" (the proposal's title is in the announcement and the pick). */
export const diffTitle = (fileName: string): string => `${fileName} ↔ Claif proposal`;

/** The files a proposal changes, as the `resourcePath` context key spells them (for its editor-title buttons). */
export function proposalPaths(proposals: Iterable<Proposal>, fsPath: (uri: string) => string): string[] {
  return [...new Set([...proposals].flatMap((p) => p.files.flatMap((f) => [f.uri, ...(f.newUri ? [f.newUri] : [])])).map(fsPath))];
}

/** One line of the "which proposal?" quick pick. */
export function pickEntry(proposal: Proposal): { label: string; description: string; detail: string } {
  return { label: proposalLabel(proposal), description: `${proposal.provider} · ${proposal.state}`, detail: proposal.files.map((f) => f.path).join(', ') };
}

/** Offsets of each line's start in `text`. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/**
 * The proposed side of a file as it stands now: the current text with every open hunk's new text at the range the
 * server tracks for it. The server's `proposedText` is built from the text at ask time (with accepted hunks), so
 * after an undo it still showed an undone hunk as pending. Undefined when a hunk's range does not hold its old text
 * (then the server's text is all there is).
 */
export function proposedFromCurrent(text: string, hunks: readonly Hunk[]): string | undefined {
  const starts = lineStarts(text);
  const offset = (p: { line: number; character: number }) => (p.line < starts.length ? starts[p.line] + p.character : text.length);
  // The server's range ends at the end of the hunk's last old line; its old and new texts end with the newline.
  const through = (start: number, end: number, old: string) => (text.slice(start, end) !== old && text[end] === '\n' && text.slice(start, end + 1) === old ? end + 1 : end);
  const open = hunks
    .filter((h) => h.range && (h.state === 'pending' || h.state === 'applying'))
    .map((h) => {
      const start = offset(h.range!.start);
      return { hunk: h, start, end: through(start, offset(h.range!.end), h.oldText) };
    })
    .sort((a, b) => b.start - a.start);
  let result = text;
  for (const { hunk, start, end } of open) {
    if (text.slice(start, end) !== hunk.oldText) return undefined;
    result = result.slice(0, start) + hunk.newText + result.slice(end);
  }
  return result;
}
