// Proposals kept from before a window reload (or a server restart): once the server runs, ask it for the
// workspace's sessions (`claif.sessions`), read each open proposal (`claif.proposal`) into the store, so that
// their lenses, title buttons and Review come back, and say so with a Review button.
import * as vscode from 'vscode';
import { emit, errorMessage, outputChannel } from './events';
import { restoredNote, sessionProposals } from './reviewNotes';
import type { CommandSender } from './serverClient';
import { Commands, OPEN_STATES, type Proposal, type SessionsResult } from './types';

/** What restoring needs of the review. */
export interface RestoreReview {
  get(id: string): Proposal | undefined;
  /** Read a proposal into the store and update its views. */
  refresh(id: string): Promise<Proposal | undefined>;
  review(proposal: Proposal | undefined): Promise<void>;
}

/** Read the server's open proposals this window does not know yet; returns those it found. */
export async function restoreProposals(server: CommandSender, review: RestoreReview): Promise<Proposal[]> {
  let sessions: SessionsResult;
  try {
    sessions = await server.execute<SessionsResult>(Commands.sessions, {});
  } catch (error) {
    // An older server has no sessions: nothing to restore.
    outputChannel().info(`no sessions to restore: ${errorMessage(error)}`);
    return [];
  }
  const restored: Proposal[] = [];
  for (const id of sessionProposals(sessions?.sessions ?? [])) {
    // Known here (a server restart in the same window): re-read, the user has seen it already.
    if (review.get(id)) {
      await review.refresh(id);
      continue;
    }
    // Finished proposals stay out of the store: only open ones get lenses and buttons.
    const proposal = await server.execute<Proposal>(Commands.proposal, { proposal: id }).catch(() => undefined);
    if (!proposal || !OPEN_STATES.has(proposal.state)) continue;
    const read = await review.refresh(id);
    if (read && OPEN_STATES.has(read.state)) restored.push(read);
  }
  emit('restore', { sessions: sessions?.sessions?.length ?? 0, proposals: restored.map((p) => ({ id: p.id, revision: p.revision, restored: p.restored })) });
  const note = restoredNote(restored);
  if (note) {
    void vscode.window.showInformationMessage(note, 'Review').then((choice) => {
      if (choice === 'Review') void review.review(restored.length === 1 ? review.get(restored[0].id) : undefined);
    });
  }
  return restored;
}
