// Ask and explain: the instruction box, the progress notification (running.ts), and the answer shown as a review
// or, rendered and streamed, in its answer view. Cancel stops every running request.
import * as vscode from 'vscode';
import { answerTitle } from './answerText';
import type { AnswerViews } from './answerView';
import { completeAskArgs, type AskTarget, askAction, needsInstruction, typedInstruction } from './askArgs';
import { NO_CHANGES, askReaction } from './askOutcome';
import { emit, errorMessage, outputChannel } from './events';
import type { RunningRequests } from './running';
import type { CommandSender } from './serverClient';
import { type AskArgs, type AskResult, Commands } from './types';

/** What asks need of provider picking: whether the provider can answer, and the quick pick. */
export interface ProviderChoice {
  askProblem(provider?: string): Promise<string | undefined>;
  /** The chosen `claif.provider` value (`auto` or a name), if any. */
  select(): Promise<string | undefined>;
  openSettings(): Thenable<unknown>;
}

const SELECT = 'Select Provider';
const SETTINGS = 'Open Settings';
const RETRY = 'Retry';

export class Asks {
  /**
   * The instruction of the last ask that failed: the next input box starts with it, so nothing typed is lost
   * (undefined, never the null an argument may carry: the input box takes no null).
   */
  private kept: string | undefined;

  /** `review` presents the proposals an ask returns; `answers` shows explanations as they stream. */
  constructor(
    private readonly server: CommandSender,
    private readonly requests: RunningRequests,
    private readonly answers: AnswerViews,
    private readonly review: (proposals: string[]) => Promise<void>,
    private readonly providers: ProviderChoice,
  ) {}

  /** A provider that cannot answer, said before the user types anything: pick another or fix its settings. */
  private async refuse(problem: string, input: AskArgs): Promise<void> {
    emit('ask.refused', { problem });
    const choice = await vscode.window.showErrorMessage(`Claif: ${problem}.`, SELECT, SETTINGS);
    if (choice === SELECT) await this.withNewProvider(input);
    else if (choice === SETTINGS) await this.providers.openSettings();
  }

  /** A failed ask, with the ways out; Retry and a new provider send the same instruction again. */
  private async failed(text: string, input: AskArgs): Promise<void> {
    const choice = await vscode.window.showErrorMessage(text, RETRY, SELECT, SETTINGS, 'Show Log');
    if (choice === RETRY) await this.ask(input);
    else if (choice === SELECT) await this.withNewProvider(input);
    else if (choice === SETTINGS) await this.providers.openSettings();
    else if (choice === 'Show Log') outputChannel().show(true);
  }

  /** Select provider, then the same ask with it (named: the server may not have read the new setting yet). */
  private async withNewProvider(input: AskArgs): Promise<void> {
    const chosen = await this.providers.select();
    if (!chosen) return;
    const { provider: _previous, ...rest } = input;
    await this.ask(chosen === 'auto' ? rest : { ...rest, provider: chosen });
  }

  /** A `claif.ask` from a code action or lens: what it lacks comes from the active editor. */
  async fromServerCommand(arg: Partial<AskArgs> | undefined): Promise<AskResult | undefined> {
    const args = completeAskArgs(arg, () => this.editorTarget());
    return args ? this.ask(args) : undefined;
  }

  /** The palette's Ask… and Explain: about the active editor's selection. */
  async fromEditor(action: string): Promise<AskResult | undefined> {
    try {
      this.server.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    const target = this.editorTarget();
    if (!target) return undefined;
    return this.ask({ ...target, action });
  }

  private editorTarget(): AskTarget | undefined {
    const editor = vscode.window.activeTextEditor;
    const client = this.server.client;
    if (!editor || !client) {
      void vscode.window.showInformationMessage('Claif: open a file and select some code first.');
      return undefined;
    }
    const c2p = client.code2ProtocolConverter;
    return { uri: c2p.asUri(editor.document.uri), range: c2p.asRange(editor.selection) };
  }

  async ask(input: AskArgs): Promise<AskResult | undefined> {
    const args: AskArgs = { ...input };
    const action = askAction(args);
    if (needsInstruction(args)) {
      // Checked before the instruction is typed: a misconfigured provider would only fail after it. A provider of
      // null (a code action's argument without one) means the same as none: the active provider.
      const problem = this.server.isRunning ? await this.providers.askProblem(args.provider ?? undefined) : undefined;
      if (problem) {
        void this.refuse(problem, input);
        return undefined;
      }
      const instruction = typedInstruction(
        await vscode.window.showInputBox({
          title: 'Claif: Ask',
          prompt: 'What should the model do with the selection?',
          placeHolder: 'e.g. add type hints and a docstring',
          value: this.kept,
          ignoreFocusOut: true,
        }),
      );
      if (!instruction) return undefined;
      args.instruction = instruction;
    }
    const retryable: AskArgs = { ...input, instruction: args.instruction };
    try {
      this.server.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    const outcome = await this.requests.run<AskResult, AskArgs>({
      command: Commands.ask,
      arg: args,
      title: `Claif: ${action}`,
      about: args.instruction ?? action,
      started: (id, token) => {
        emit('ask.start', { requestId: id, action, instruction: args.instruction, token });
        // An explanation streams into its view (claif/answer) while the ask runs; an edit's ask streams none.
        this.answers.expect(id, answerTitle(action, args.instruction));
      },
    });
    const id = outcome.requestId;
    if (outcome.error !== undefined) {
      this.answers.abandon(id);
      if (outcome.cancelled) {
        emit('ask.cancelled', { requestId: id, error: errorMessage(outcome.error) });
        return undefined;
      }
      emit('ask.error', { requestId: id, error: errorMessage(outcome.error) });
      this.kept = args.instruction ?? undefined;
      void this.failed(`Claif: ${errorMessage(outcome.error)}`, retryable);
      return undefined;
    }
    const result = outcome.value ?? {};
    emit('ask.result', { requestId: id, result, cancelled: outcome.cancelled });
    const reaction = askReaction(result, outcome.cancelled);
    if (reaction.kind === 'cancelled' || reaction.show !== 'answer') this.answers.abandon(id);
    if (reaction.kind === 'cancelled') return result;
    for (const problem of reaction.problems) outputChannel().warn(`ask ${id}: ${problem}`);
    this.kept = reaction.show === 'nothing' ? (args.instruction ?? undefined) : undefined;
    if (reaction.warning && reaction.show === 'nothing') void this.failed(reaction.warning, retryable);
    else if (reaction.warning) void vscode.window.showWarningMessage(reaction.warning, 'Show Log').then((c) => c && outputChannel().show(true));
    if (reaction.show === 'answer') await this.answers.finish(id, answerTitle(action, args.instruction), result.answer ?? '');
    else if (reaction.show === 'no-changes') void vscode.window.showInformationMessage(NO_CHANGES);
    else if (reaction.show !== 'nothing') await this.review(reaction.show.review);
    return result;
  }

  /** Cancel every running request (asks, refines, retries), here and in the server. */
  cancelAll(): Promise<void> {
    return this.requests.cancelAll();
  }
}
