// Refine… and Retry: a follow-up turn on a proposal (`claif.refine`, with the feedback typed in an input box) or
// its ask again past the cache (`claif.retry`). Both run like an ask (running.ts: progress, Cancel) and their answer
// is the proposal's next revision, which the open review then shows. Feedback is never lost: a failed or cancelled
// refine keeps it, and the next input box for that proposal starts with it.
import * as vscode from 'vscode';
import { typedInstruction } from './askArgs';
import { emit, errorMessage, outputChannel } from './events';
import { type RefineTarget, feedbackBox, needsFeedback, refineTarget, turnAbout, turnFailure, turnReaction } from './refineText';
import type { RunningRequests } from './running';
import { type AskResult, Commands, type Proposal, type RefineArgs, type RetryArgs } from './types';

/** What refines need of the review: the proposal a command is about, and showing its new revision. */
export interface RefineReview {
  pick(resource: unknown, verb: string): Promise<Proposal | undefined>;
  get(id: string): Proposal | undefined;
  /** The new revision of `id` in the open review (or a new one). */
  showRevision(id: string): Promise<void>;
}

const TRY_AGAIN = 'Try Again';

export class Refines {
  /** Feedback whose refine did not go through, by proposal: the next input box starts with it. */
  private readonly kept = new Map<string, string>();

  constructor(
    private readonly requests: RunningRequests,
    private readonly review: RefineReview,
  ) {}

  /** Which proposal (and hunks) a command is about: a lens's or code action's argument, else the editor or a pick. */
  private async target(arg: unknown, verb: string): Promise<RefineTarget | undefined> {
    const given = refineTarget(arg);
    if (given) return given;
    const proposal = await this.review.pick(arg, verb);
    if (!proposal) void vscode.window.showInformationMessage('Claif: there is no open proposal.');
    return proposal ? { proposal: proposal.id } : undefined;
  }

  /** Refine…: ask for the feedback (prefilled with feedback that did not go through), then send the turn. */
  async refine(resource?: unknown): Promise<AskResult | undefined> {
    const target = await this.target(resource, 'Refine');
    if (!target) return undefined;
    if (needsFeedback(target)) {
      const feedback = await this.askFeedback(target, this.kept.get(target.proposal));
      if (!feedback) return undefined;
      target.feedback = feedback;
    }
    return this.sendRefine(target);
  }

  private async askFeedback(target: RefineTarget, value: string | undefined): Promise<string | undefined> {
    const box = feedbackBox(this.review.get(target.proposal), target);
    emit('refine.input', { proposal: target.proposal, hunks: target.hunks ?? null, value: value ?? null });
    return typedInstruction(await vscode.window.showInputBox({ ...box, value, ignoreFocusOut: true }));
  }

  private async sendRefine(target: RefineTarget): Promise<AskResult | undefined> {
    const arg: RefineArgs = { ...target };
    const result = await this.turn('refine', Commands.refine, arg, turnAbout('refine', target));
    if (result.ok) {
      this.kept.delete(target.proposal);
      return result.value;
    }
    if (target.feedback) this.kept.set(target.proposal, target.feedback);
    if (result.message) {
      // The same text again, editable: nothing the user typed is lost (a fix-again turn is sent again as it was).
      void vscode.window.showErrorMessage(result.message, TRY_AGAIN, 'Show Log').then(async (choice) => {
        if (choice === 'Show Log') outputChannel().show(true);
        if (choice !== TRY_AGAIN) return;
        if (!target.feedback) {
          await this.sendRefine(target);
          return;
        }
        const feedback = await this.askFeedback(target, target.feedback);
        if (feedback) await this.sendRefine({ ...target, feedback });
      });
    }
    return result.value;
  }

  /** Retry: the proposal's ask again as a fresh first turn, past the cache. */
  async retry(resource?: unknown): Promise<AskResult | undefined> {
    const target = await this.target(resource, 'Retry');
    if (!target) return undefined;
    const arg: RetryArgs = { proposal: target.proposal };
    const result = await this.turn('retry', Commands.retry, arg, turnAbout('retry'));
    if (result.message) {
      void vscode.window.showErrorMessage(result.message, TRY_AGAIN, 'Show Log').then((choice) => {
        if (choice === TRY_AGAIN) void this.retry({ proposal: target.proposal });
        else if (choice === 'Show Log') outputChannel().show(true);
      });
    }
    return result.value;
  }

  /** Send one turn; on a new revision show it. `message` is the failure to tell the user (none when cancelled). */
  private async turn(
    kind: 'refine' | 'retry',
    command: string,
    arg: RefineArgs | RetryArgs,
    about: string,
  ): Promise<{ ok: boolean; value?: AskResult; message?: string }> {
    const outcome = await this.requests.run<AskResult, RefineArgs | RetryArgs>({
      command,
      arg,
      title: `Claif: ${kind}`,
      about,
      started: (requestId, token) => emit(`${kind}.start`, { requestId, token, ...arg }),
    });
    if (outcome.error !== undefined) {
      emit(`${kind}.error`, { requestId: outcome.requestId, error: errorMessage(outcome.error), cancelled: outcome.cancelled });
      return outcome.cancelled ? { ok: false } : { ok: false, message: turnFailure(kind, errorMessage(outcome.error)) };
    }
    const reaction = turnReaction(outcome.value, outcome.cancelled);
    emit(`${kind}.result`, { requestId: outcome.requestId, result: outcome.value ?? null, reaction: reaction.kind });
    if (reaction.kind === 'cancelled') return { ok: false, value: outcome.value };
    if (reaction.kind === 'failed') return { ok: false, value: outcome.value, message: turnFailure(kind, reaction.reason) };
    for (const warning of reaction.warnings) outputChannel().warn(`${kind} ${outcome.requestId}: ${warning}`);
    await this.review.showRevision(reaction.proposal);
    return { ok: true, value: outcome.value };
  }
}
