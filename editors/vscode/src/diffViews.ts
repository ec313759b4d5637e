// A proposal in VS Code's diff editor: current text against its `proposedText`, served on the `claif-proposal:`
// scheme; Accept / Reject sit in the editor title (`claif.proposalDiffActive`).
//
// A proposal never takes the focus: it arrives while the user may be typing. It opens beside the file without
// focus, or (review.diff "active", which would cover the file) is announced with a Review button.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { emit } from './events';
import type { ProposalStore } from './proposalStore';
import { SCHEME, parseProposalUri, proposalUri, sameUri } from './proposalUri';
import { announcement, diffTitle, proposedFromCurrent } from './proposalView';
import { OPEN_STATES, type Proposal, type ProposalFile } from './types';

interface Placement {
  focus: boolean;
  column: vscode.ViewColumn;
}

export class DiffViews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  readonly onDidChange: vscode.Event<vscode.Uri>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: ProposalStore) {
    this.onDidChange = store.onDidChangeContent;
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
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
    const file = this.store.get(parsed.id)?.files[parsed.file];
    if (!file) return '';
    // An open file's proposed side follows its edits (an undo of an accepted hunk included): see proposedFromCurrent.
    const document = file.operation === 'update' ? vscode.workspace.textDocuments.find((d) => sameUri(d.uri.toString(), file.uri)) : undefined;
    return (document && proposedFromCurrent(document.getText(), file.hunks)) ?? file.proposedText ?? '';
  }

  /** Fetch proposals after an ask and present each: beside the file without focus, or announced. */
  async show(ids: string[]): Promise<void> {
    const mode = vscode.workspace.getConfiguration('claif.review').get<string>('diff', 'beside');
    for (const id of ids) {
      const proposal = await this.store.refresh(id);
      if (!proposal || !OPEN_STATES.has(proposal.state)) continue;
      if (mode === 'beside') await this.openDiffs(proposal, { focus: false, column: vscode.ViewColumn.Beside });
      else void this.announce(proposal, mode === 'active');
    }
  }

  /**
   * A proposal's new revision (after a refine or retry): the open review follows it where it is (its content
   * provider serves the new text), files the revision adds open beside it; without an open review it opens beside.
   */
  async showRevision(id: string): Promise<Proposal | undefined> {
    const proposal = await this.store.refresh(id);
    if (!proposal || !OPEN_STATES.has(proposal.state)) return proposal;
    const column = this.reviewColumn(id) ?? vscode.ViewColumn.Beside;
    // A diff already open shows the new text by itself; opening it again would make its group the active one.
    const shown = new Set(
      vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => (t.input instanceof vscode.TabInputTextDiff ? t.input.modified.toString() : ''))),
    );
    for (let i = 0; i < proposal.files.length; i++) {
      const right = proposal.files[i].operation === 'delete' ? proposalUri(proposal, i, true) : proposalUri(proposal, i);
      if (!shown.has(right.toString())) await this.openDiff(proposal, i, { focus: false, column });
    }
    emit('review.revision', { proposal: id, revision: proposal.revision, column });
    return proposal;
  }

  /** The column of an open diff of proposal `id`, if any. */
  private reviewColumn(id: string): vscode.ViewColumn | undefined {
    for (const group of vscode.window.tabGroups.all) {
      if (group.tabs.some((tab) => tab.input instanceof vscode.TabInputTextDiff && parseProposalUri(tab.input.modified)?.id === id)) return group.viewColumn;
    }
    return undefined;
  }

  private async openDiffs(proposal: Proposal, how: Placement): Promise<void> {
    for (let i = 0; i < proposal.files.length; i++) await this.openDiff(proposal, i, how);
  }

  /** "Claif: <title> ready, 3 hunks in app.py" with Review (the user opens it when they are ready). */
  private async announce(proposal: Proposal, offerReview: boolean): Promise<void> {
    const text = announcement(proposal, (f) => path.basename(f.path || vscode.Uri.parse(f.uri).path));
    emit('review.announced', { proposal: proposal.id, text, activeEditor: activeEditorUri() });
    const choice = await (offerReview ? vscode.window.showInformationMessage(text, 'Review') : vscode.window.showInformationMessage(text));
    const current = this.store.get(proposal.id);
    if (choice === 'Review' && current && OPEN_STATES.has(current.state)) {
      await this.openDiffs(current, { focus: true, column: vscode.ViewColumn.Active });
    }
  }

  private async openDiff(proposal: Proposal, index: number, how: Placement): Promise<void> {
    const file: ProposalFile = proposal.files[index];
    const left = file.operation === 'add' ? proposalUri(proposal, index, true) : vscode.Uri.parse(file.uri);
    const right = file.operation === 'delete' ? proposalUri(proposal, index, true) : proposalUri(proposal, index);
    await vscode.commands.executeCommand('vscode.diff', left, right, diffTitle(path.basename(file.path || left.path)), {
      preview: false,
      preserveFocus: !how.focus,
      viewColumn: how.column,
    });
    revealFirstHunk(file, left, right);
    emit('review.diffOpened', { proposal: proposal.id, file: file.path, focus: how.focus, activeEditor: activeEditorUri() });
  }

  /** "Review proposal": open (again) the diff of the proposal `resource` names, or the one the user picks, with the focus. */
  async review(proposal: Proposal | undefined): Promise<void> {
    if (!proposal || !OPEN_STATES.has(proposal.state)) {
      void vscode.window.showInformationMessage('Claif: there is no open proposal to review.');
      return;
    }
    const column = this.reviewColumn(proposal.id) ?? vscode.ViewColumn.Beside;
    await this.openDiffs(proposal, { focus: true, column });
  }

  /** Close every tab showing a side of proposal `id`. */
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

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Show the first open hunk from its first column in the diff's two sides and in the file's own editors: the diff
 * editor keeps the horizontal scroll of a long selected line, which hid the start of every line (`def `).
 */
function revealFirstHunk(file: ProposalFile, left: vscode.Uri, right: vscode.Uri): void {
  const line = file.hunks.find((h) => h.range && (h.state === 'pending' || h.state === 'applying'))?.range?.start.line ?? 0;
  const sides = new Set([left.toString(), right.toString(), vscode.Uri.parse(file.uri).toString()]);
  for (const editor of vscode.window.visibleTextEditors) {
    if (!sides.has(editor.document.uri.toString())) continue;
    const at = new vscode.Range(Math.min(line, editor.document.lineCount - 1), 0, Math.min(line, editor.document.lineCount - 1), 0);
    editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  emit('review.revealed', { file: file.path, line });
}

const activeEditorUri = () => vscode.window.activeTextEditor?.document.uri.toString();
