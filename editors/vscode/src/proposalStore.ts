// The proposals this window knows, as the server last described them: refreshed after each ask and decision and
// on the server's `claif/proposalsChanged`. Views (diff editors, lenses, context keys) follow its events.
import * as vscode from 'vscode';
import { emit } from './events';
import { proposalUri, sameUri } from './proposalUri';
import { openProposals, touches } from './proposalView';
import { OPEN_STATES, type Proposal, type ProposalsChangedParams } from './types';

export interface ProposalSource {
  fetch(id: string): Promise<Proposal>;
}

export class ProposalStore implements vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  /** The line each hunk was last placed at: a stale hunk has no range, its lens goes where it was. */
  private readonly lastLines = new Map<string, number>();
  private readonly contentChanged = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with each `claif-proposal:` URI whose text may have changed. */
  readonly onDidChangeContent = this.contentChanged.event;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  /** Fires when the set of open proposals changes. */
  readonly onDidChangeProposals = this.stateChanged.event;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  /** Fires when the lenses drawn for stale hunks may have changed. */
  readonly onDidChangeLenses = this.lensesChanged.event;

  /** `closed` closes the views of a proposal that is no longer open; refresh waits for it. */
  constructor(
    private readonly source: ProposalSource,
    private readonly closed: (id: string) => Promise<void>,
  ) {}

  get(id: string): Proposal | undefined {
    return this.proposals.get(id);
  }

  /** Every known proposal, in arrival order. */
  all(): IterableIterator<Proposal> {
    return this.proposals.values();
  }

  /** Open proposals, newest first. */
  open(): Proposal[] {
    return openProposals(this.proposals.values());
  }

  /** Open proposals touching `uri`, newest first. */
  forDocument(uri: vscode.Uri): Proposal[] {
    const key = uri.toString();
    return this.open().filter((p) => touches(p, key, sameUri));
  }

  lastLine(hunk: string): number | undefined {
    return this.lastLines.get(hunk);
  }

  /** Re-read one proposal from the server and update its views. */
  async refresh(id: string): Promise<Proposal | undefined> {
    let proposal: Proposal;
    try {
      proposal = await this.source.fetch(id);
    } catch (error) {
      emit('review.fetchFailed', { proposal: id, error: String(error) });
      return undefined;
    }
    this.proposals.set(id, proposal);
    emit('review.refreshed', { proposal: id, state: proposal.state, hunks: proposal.files.flatMap((f) => f.hunks.map((h) => ({ id: h.id, state: h.state, line: h.range?.start.line ?? null }))) });
    for (const hunk of proposal.files.flatMap((f) => f.hunks)) if (hunk.range) this.lastLines.set(hunk.id, hunk.range.start.line);
    proposal.files.forEach((_, i) => this.contentChanged.fire(proposalUri(proposal, i)));
    this.lensesChanged.fire();
    if (!OPEN_STATES.has(proposal.state)) await this.closed(id);
    this.stateChanged.fire();
    return proposal;
  }

  /** `claif/proposalsChanged`: refresh open proposals, close the views of finished ones. */
  async onProposalsChanged(params: ProposalsChangedParams): Promise<void> {
    emit('proposalsChanged', { proposals: params.proposals });
    for (const { id, state } of params.proposals ?? []) {
      if (OPEN_STATES.has(state)) {
        await this.refresh(id);
      } else {
        const known = this.proposals.get(id);
        if (known) known.state = state;
        await this.closed(id);
        this.stateChanged.fire();
        // A stale proposal keeps its stale hunks (to drop them): read which.
        if (state === 'stale') await this.refresh(id);
        else this.lensesChanged.fire();
      }
    }
  }

  dispose(): void {
    this.contentChanged.dispose();
    this.stateChanged.dispose();
    this.lensesChanged.dispose();
  }
}

/** Re-reads the proposals of an edited file once its edits pause (the server has the edits by then). */
export class EditFollower implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: ProposalStore,
    private readonly delayMs = 300,
  ) {}

  schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        const ids = this.store.forDocument(uri).map((p) => p.id);
        emit('review.followEdits', { uri: key, proposals: ids });
        for (const id of ids) void this.store.refresh(id);
      }, this.delayMs),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
