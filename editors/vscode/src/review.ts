// Review: every open proposal in VS Code's diff editor (current text vs the proposal's `proposedText`,
// served by a TextDocumentContentProvider on the `claif-proposal:` scheme), Accept / Reject in the editor
// title, and refreshes driven by the server's `claif/proposalsChanged` notification. The per-hunk
// CodeLenses (Accept / Reject / Accept all / Reject all) come from the server through the language client;
// a stale hunk (its lines changed, so it can no longer be placed) reads "Stale: <why> | Drop" where it last was:
// the server's drop lens is relabelled (decorateLenses, from the client's middleware), or added when it sends none.
//
// A proposal never takes the focus: it arrives while the user may be typing. It opens beside the file without
// focus, or (review.diff "active", which would cover the file) is announced with a Review button.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { emit } from './events';
import { hunkLabel, shortReason } from './outcome';
import { Commands, DROPPABLE_STATES, OPEN_STATES, type Proposal, type ProposalFile, type ProposalsChangedParams } from './types';

export const SCHEME = 'claif-proposal';

export interface ProposalSource {
  fetch(id: string): Promise<Proposal>;
}

export function proposalUri(proposal: Proposal, index: number, empty = false): vscode.Uri {
  const file = proposal.files[index];
  const filePath = file ? vscode.Uri.parse(file.newUri || file.uri).path : `/${proposal.id}`;
  const query = `proposal=${encodeURIComponent(proposal.id)}&file=${index}${empty ? '&empty=1' : ''}`;
  return vscode.Uri.from({ scheme: SCHEME, path: filePath, query });
}

export function parseProposalUri(uri: vscode.Uri): { id: string; file: number; empty: boolean } | undefined {
  if (uri.scheme !== SCHEME) return undefined;
  const query = new URLSearchParams(uri.query);
  const id = query.get('proposal');
  return id ? { id, file: Number(query.get('file') ?? 0), empty: query.get('empty') === '1' } : undefined;
}

export class ReviewManager implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Fires when the set of open proposals changes. */
  readonly onDidChangeProposals = this.stateChanged.event;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  /** Fires when what decorateLenses adds may have changed. */
  readonly onDidChangeLenses = this.lensesChanged.event;
  /** The line each hunk was last placed at: a stale hunk has no range, its lens goes where it was. */
  private readonly lastLine = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly source: ProposalSource) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      this.changed,
      this.stateChanged,
      this.lensesChanged,
      // `claif.proposalDiffActive`: the active tab is a proposal's diff, whichever side has focus (editor/title menus).
      vscode.window.tabGroups.onDidChangeTabs(() => this.updateActiveContext()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.updateActiveContext()),
    );
  }

  private updateActiveContext(): void {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const active = input instanceof vscode.TabInputTextDiff && (input.modified.scheme === SCHEME || input.original.scheme === SCHEME);
    void vscode.commands.executeCommand('setContext', 'claif.proposalDiffActive', active);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const parsed = parseProposalUri(uri);
    if (!parsed || parsed.empty) return '';
    const file = this.proposals.get(parsed.id)?.files[parsed.file];
    return file?.proposedText ?? '';
  }

  get(id: string): Proposal | undefined {
    return this.proposals.get(id);
  }

  /** Open proposals, newest first. */
  open(): Proposal[] {
    return [...this.proposals.values()].filter((p) => OPEN_STATES.has(p.state)).reverse();
  }

  /** Open proposals touching `uri`, newest first. */
  forDocument(uri: vscode.Uri): Proposal[] {
    const key = uri.toString();
    return this.open().filter((p) => p.files.some((f) => sameUri(f.uri, key) || (f.newUri && sameUri(f.newUri, key))));
  }

  /** Fetch proposals after an ask and present each: beside the file without focus, or announced. */
  async show(ids: string[]): Promise<void> {
    const mode = vscode.workspace.getConfiguration('claif.review').get<string>('diff', 'beside');
    for (const id of ids) {
      const proposal = await this.refresh(id);
      if (!proposal || !OPEN_STATES.has(proposal.state)) continue;
      if (mode === 'beside') await this.openDiffs(proposal, { focus: false, column: vscode.ViewColumn.Beside });
      else void this.announce(proposal, mode === 'active');
    }
  }

  private async openDiffs(proposal: Proposal, how: { focus: boolean; column: vscode.ViewColumn }): Promise<void> {
    for (let i = 0; i < proposal.files.length; i++) await this.openDiff(proposal, i, how);
  }

  /** "Claif: <title> ready, 3 hunks in app.py" with Review (the user opens it when they are ready). */
  private async announce(proposal: Proposal, offerReview: boolean): Promise<void> {
    const hunks = proposal.files.reduce((n, f) => n + f.hunks.filter((h) => h.state === 'pending').length, 0);
    const files = proposal.files.map((f) => path.basename(f.path || vscode.Uri.parse(f.uri).path)).join(', ');
    const text = `Claif: ${proposal.title || proposal.id} ready, ${hunks} ${hunks === 1 ? 'hunk' : 'hunks'} in ${files}`;
    emit('review.announced', { proposal: proposal.id, text, activeEditor: activeEditorUri() });
    const choice = await (offerReview ? vscode.window.showInformationMessage(text, 'Review') : vscode.window.showInformationMessage(text));
    const current = this.proposals.get(proposal.id);
    if (choice === 'Review' && current && OPEN_STATES.has(current.state)) {
      await this.openDiffs(current, { focus: true, column: vscode.ViewColumn.Active });
    }
  }

  private async openDiff(proposal: Proposal, index: number, how: { focus: boolean; column: vscode.ViewColumn }): Promise<void> {
    const file: ProposalFile = proposal.files[index];
    const left = file.operation === 'add' ? proposalUri(proposal, index, true) : vscode.Uri.parse(file.uri);
    const right = file.operation === 'delete' ? proposalUri(proposal, index, true) : proposalUri(proposal, index);
    const title = `${path.basename(file.path || left.path)} ↔ Claif: ${proposal.title || proposal.id}`;
    await vscode.commands.executeCommand('vscode.diff', left, right, title, {
      preview: false,
      preserveFocus: !how.focus,
      viewColumn: how.column,
    });
    emit('review.diffOpened', { proposal: proposal.id, file: file.path, focus: how.focus, activeEditor: activeEditorUri() });
  }

  /** The server's lenses for `document`, with "Stale: <why> | Drop" for each stale hunk where it last was. */
  decorateLenses(document: vscode.TextDocument, lenses: vscode.CodeLens[]): vscode.CodeLens[] {
    const result = [...lenses];
    const key = document.uri.toString();
    for (const proposal of this.proposals.values()) {
      if (!DROPPABLE_STATES.has(proposal.state)) continue;
      for (const hunk of proposal.files.filter((f) => sameUri(f.uri, key)).flatMap((f) => f.hunks)) {
        if (hunk.state !== 'stale') continue;
        const reason = (hunk.reason || 'the lines changed').replace(/^(claif:\s*)?(stale:\s*)?/i, '');
        const why = shortReason(reason);
        const label = `${hunkLabel(hunk.id)} of ${proposal.title || proposal.id}`;
        const stale = (range: vscode.Range) =>
          new vscode.CodeLens(range, { title: `Stale: ${why}`, command: '', tooltip: `${label} can no longer be placed: ${reason}` });
        const dropsIt = (lens: vscode.CodeLens) => {
          const arg = lens.command?.arguments?.[0] as { proposal?: string; hunks?: string[] } | undefined;
          return lens.command?.command === Commands.reject && arg?.proposal === proposal.id && arg.hunks?.length === 1 && arg.hunks[0] === hunk.id;
        };
        const drop = result.find(dropsIt);
        if (drop?.command) {
          drop.command = { ...drop.command, title: 'Drop', tooltip: `Drop ${label}` };
          result.splice(result.indexOf(drop), 0, stale(drop.range));
          continue;
        }
        const line = Math.min(hunk.range?.start.line ?? this.lastLine.get(hunk.id) ?? 0, Math.max(document.lineCount - 1, 0));
        const range = new vscode.Range(line, 0, line, 0);
        result.push(
          stale(range),
          new vscode.CodeLens(range, { title: 'Drop', command: Commands.reject, arguments: [{ proposal: proposal.id, hunks: [hunk.id] }], tooltip: `Drop ${label}` }),
        );
      }
    }
    return result;
  }

  /** Re-read one proposal from the server and update its diff views. */
  async refresh(id: string): Promise<Proposal | undefined> {
    let proposal: Proposal;
    try {
      proposal = await this.source.fetch(id);
    } catch (error) {
      emit('review.fetchFailed', { proposal: id, error: String(error) });
      return undefined;
    }
    this.proposals.set(id, proposal);
    for (const hunk of proposal.files.flatMap((f) => f.hunks)) if (hunk.range) this.lastLine.set(hunk.id, hunk.range.start.line);
    proposal.files.forEach((_, i) => this.changed.fire(proposalUri(proposal, i)));
    this.lensesChanged.fire();
    if (!OPEN_STATES.has(proposal.state)) await this.closeDiffs(id);
    this.stateChanged.fire();
    return proposal;
  }

  /** `claif/proposalsChanged`: refresh open proposals, close the diff of finished ones. */
  async onProposalsChanged(params: ProposalsChangedParams): Promise<void> {
    emit('proposalsChanged', { proposals: params.proposals });
    for (const { id, state } of params.proposals ?? []) {
      if (OPEN_STATES.has(state)) {
        await this.refresh(id);
      } else {
        const known = this.proposals.get(id);
        if (known) known.state = state;
        await this.closeDiffs(id);
        this.stateChanged.fire();
        // A stale proposal keeps its stale hunks (to drop them): read which.
        if (state === 'stale') await this.refresh(id);
        else this.lensesChanged.fire();
      }
    }
  }

  async closeDiffs(id: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => {
        const input = tab.input;
        const uris =
          input instanceof vscode.TabInputTextDiff ? [input.original, input.modified] : input instanceof vscode.TabInputText ? [input.uri] : [];
        return uris.some((uri) => parseProposalUri(uri)?.id === id);
      });
    if (tabs.length) {
      await vscode.window.tabGroups.close(tabs, true);
      emit('review.diffClosed', { proposal: id });
    }
  }

  /** The proposal a command is about: from a `claif-proposal:` resource, the active editor, or a quick pick. */
  async pick(resource?: unknown, verb = 'Review'): Promise<Proposal | undefined> {
    const fromUri = (uri: vscode.Uri | undefined) => {
      const parsed = uri && parseProposalUri(uri);
      if (parsed) return this.proposals.get(parsed.id);
      return uri ? this.forDocument(uri)[0] : undefined;
    };
    if (resource instanceof vscode.Uri) {
      const found = fromUri(resource);
      if (found) return found;
    }
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputTextDiff) {
      const found = fromUri(tab.modified) ?? fromUri(tab.original);
      if (found) return found;
    }
    const active = fromUri(vscode.window.activeTextEditor?.document.uri);
    if (active) return active;
    const open = this.open();
    if (open.length <= 1) return open[0];
    const choice = await vscode.window.showQuickPick(
      open.map((p) => ({ label: p.title || p.id, description: `${p.provider} · ${p.state}`, detail: p.files.map((f) => f.path).join(', '), proposal: p })),
      { placeHolder: `${verb} which Claif proposal?` },
    );
    return choice?.proposal;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

const activeEditorUri = () => vscode.window.activeTextEditor?.document.uri.toString();

function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return vscode.Uri.parse(a).toString() === vscode.Uri.parse(b).toString();
  } catch {
    return false;
  }
}
