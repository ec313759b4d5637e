// What a revision says beside its diff: a partial answer (the hunks that could not be placed, and the model's raw
// answer a button opens as a read-only document) and an answer served from the cache (with Retry). Each is said
// once per revision, when the review presents it.
import * as vscode from 'vscode';
import { emit } from './events';
import { answerDocumentName, cachedNote, partialNote } from './reviewNotes';
import type { Proposal } from './types';

export const ANSWER_SCHEME = 'claif-answer';
const SHOW_ANSWER = 'Show Raw Answer';

/** What the notes' buttons run. */
export interface NoteActions {
  refine(proposal: string): unknown;
  retry(proposal: string): unknown;
}

/** The raw answers shown so far, as read-only `claif-answer:` documents (a virtual document cannot be edited). */
export class RawAnswers implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(ANSWER_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Open the raw answer of this revision beside the review, read-only. */
  async open(proposal: Proposal): Promise<void> {
    const uri = vscode.Uri.from({
      scheme: ANSWER_SCHEME,
      path: `/${answerDocumentName(proposal)}`,
      query: `proposal=${encodeURIComponent(proposal.id)}&revision=${proposal.revision}`,
    });
    this.texts.set(uri.toString(), proposal.answer ?? '');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    emit('answer.raw', { proposal: proposal.id, revision: proposal.revision, chars: (proposal.answer ?? '').length, uri: uri.toString() });
  }

  dispose(): void {
    this.registration.dispose();
  }
}

export class ReviewNotes {
  /** `<id>@<revision>` of the revisions already told about. */
  private readonly told = new Set<string>();

  constructor(
    private readonly answers: RawAnswers,
    private readonly actions: NoteActions,
  ) {}

  /** Tell the user what the revision's diff does not show (once per revision). */
  present(proposal: Proposal): void {
    const key = `${proposal.id}@${proposal.revision}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    const partial = partialNote(proposal);
    if (partial) {
      emit('review.partial', { proposal: proposal.id, revision: proposal.revision, text: partial, unplaced: proposal.partial?.unplaced ?? [] });
      const buttons = [...(proposal.answer ? [SHOW_ANSWER] : []), 'Refine…', 'Retry'];
      void vscode.window.showWarningMessage(partial, ...buttons).then((choice) => this.run(choice, proposal));
    }
    const cached = cachedNote(proposal);
    if (cached) {
      emit('review.cached', { proposal: proposal.id, revision: proposal.revision, text: cached });
      void vscode.window.showInformationMessage(cached, 'Retry').then((choice) => this.run(choice, proposal));
    }
  }

  private run(choice: string | undefined, proposal: Proposal): void {
    if (choice === SHOW_ANSWER) void this.answers.open(proposal);
    else if (choice === 'Refine…') void this.actions.refine(proposal.id);
    else if (choice === 'Retry') void this.actions.retry(proposal.id);
  }
}
