// Accept and reject, from the palette, the editor title or a lens: run the decision, tell the user once (the
// server's own message about it merged in), and re-read the proposal.
import * as vscode from 'vscode';
import { emit, errorMessage } from './events';
import type { ServerMessages } from './messages';
import { type Verb, acceptMessage, decisionCommand, decisionFailure, decisionReport, decisionSummary, decisionVerb, hunkStates } from './outcome';
import type { CommandSender } from './serverClient';
import type { AcceptResult, Proposal } from './types';

/** What decisions need of the review: which proposal a command is about, and re-reading one. */
export interface DecisionReview {
  pick(resource: unknown, verb: string): Promise<Proposal | undefined>;
  get(id: string): Proposal | undefined;
  refresh(id: string): Promise<Proposal | undefined>;
}

export class Decisions {
  constructor(
    private readonly server: CommandSender,
    private readonly review: DecisionReview,
    private readonly messages: ServerMessages,
  ) {}

  /** The palette's or editor title's Accept / Reject proposal: the whole proposal `resource` (or the user) picks. */
  async decide(verb: Verb, resource?: unknown): Promise<void> {
    const proposal = await this.review.pick(resource, verb === 'accept' ? 'Accept' : 'Reject');
    if (!proposal) {
      void vscode.window.showInformationMessage('Claif: there is no open proposal.');
      return;
    }
    const command = decisionCommand(verb);
    emit('decide', { verb, proposal: proposal.id });
    const arg = { proposal: proposal.id };
    await this.run(command, arg, () => this.server.execute<AcceptResult>(command, arg));
  }

  /** Run an accept or reject and tell the user about it once (the server's own message about it is merged in). */
  async run(command: string, arg: { proposal?: string } | undefined, send: () => Promise<AcceptResult>): Promise<AcceptResult | undefined> {
    const verb = decisionVerb(command);
    const before = hunkStates(arg?.proposal ? this.review.get(arg.proposal) : undefined);
    let told = false;
    const result = await this.messages.during(send, ({ value, error }) => {
      if (error !== undefined) {
        told = true;
        const { reason, text } = decisionFailure(verb, errorMessage(error));
        emit('decided', { command, arg, error: reason });
        void vscode.window.showErrorMessage(text);
        return [text, reason];
      }
      emit('decided', { command, arg, result: decisionSummary(value) });
      const message = verb === 'accept' && value ? acceptMessage(value) : undefined;
      if (!message) return [];
      told = true;
      emit('decision.message', { text: message.text });
      void vscode.window.showWarningMessage(message.text);
      return [message.text, ...message.reasons];
    });
    if (!arg?.proposal) return result;
    const after = await this.review.refresh(arg.proposal);
    // What happened, in numbers ("1 accepted, 2 rejected."), unless a message above already said it.
    const report = told ? undefined : decisionReport(before, after ?? (typeof result?.proposal === 'object' ? result.proposal : undefined));
    if (report) {
      emit('decision.report', { command, text: report });
      void vscode.window.showInformationMessage(report);
    }
    return result;
  }
}
