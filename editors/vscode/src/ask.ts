// Ask and explain: the instruction box, the progress notification, and the answer shown as a review, a document or
// a note. Cancel stops every running ask.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { completeAskArgs, type AskTarget, askAction, needsInstruction, progressToken, requestId, typedInstruction } from './askArgs';
import { isMarkdown, isShown, showRendered } from './answerView';
import { NO_CHANGES, askReaction } from './askOutcome';
import { emit, errorMessage, outputChannel } from './events';
import { NotificationProgress } from './progress';
import type { CommandSender } from './serverClient';
import type { StatusItem } from './status';
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
  private counter = 0;
  private readonly running = new Map<string, NotificationProgress>();
  /**
   * The instruction of the last ask that failed: the next input box starts with it, so nothing typed is lost
   * (undefined, never the null an argument may carry: the input box takes no null).
   */
  private kept: string | undefined;

  /** `review` presents the proposals an ask returns. */
  constructor(
    private readonly server: CommandSender,
    private readonly status: StatusItem,
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
    let client: LanguageClient;
    try {
      client = this.server.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    args.requestId ??= requestId(process.pid, ++this.counter);
    const token = progressToken(args.requestId);
    const progress = new NotificationProgress(client, token, `Claif: ${action}`, undefined, args.instruction ?? action);
    this.running.set(args.requestId, progress);
    const done = this.status.begin();
    emit('ask.start', { requestId: args.requestId, action, instruction: args.instruction, token });
    try {
      const result = (await this.server.execute<AskResult>(Commands.ask, args, token)) ?? {};
      emit('ask.result', { requestId: args.requestId, result, cancelled: progress.cancelled });
      const reaction = askReaction(result, progress.cancelled);
      if (reaction.kind === 'cancelled') return result;
      for (const problem of reaction.problems) outputChannel().warn(`ask ${args.requestId}: ${problem}`);
      this.kept = reaction.show === 'nothing' ? (args.instruction ?? undefined) : undefined;
      if (reaction.warning && reaction.show === 'nothing') void this.failed(reaction.warning, retryable);
      else if (reaction.warning) void vscode.window.showWarningMessage(reaction.warning, 'Show Log').then((c) => c && outputChannel().show(true));
      if (reaction.show === 'answer') await showAnswer(result);
      else if (reaction.show === 'no-changes') void vscode.window.showInformationMessage(NO_CHANGES);
      else if (reaction.show !== 'nothing') await this.review(reaction.show.review);
      return result;
    } catch (error) {
      if (progress.cancelled) {
        emit('ask.cancelled', { requestId: args.requestId, error: errorMessage(error) });
        return undefined;
      }
      emit('ask.error', { requestId: args.requestId, error: errorMessage(error) });
      this.kept = args.instruction ?? undefined;
      void this.failed(`Claif: ${errorMessage(error)}`, retryable);
      return undefined;
    } finally {
      progress.dispose();
      this.running.delete(args.requestId);
      done();
    }
  }

  /** Cancel every running ask here, and whatever the server still runs. */
  async cancelAll(): Promise<void> {
    for (const progress of this.running.values()) progress.cancel();
    if (this.server.isRunning) await this.server.execute(Commands.cancel, {}).catch(() => undefined);
  }
}

async function showAnswer(result: AskResult): Promise<void> {
  if (result.document) {
    // The server shows the answer document itself (window/showDocument); open it only when it did not.
    if (isShown(vscode.Uri.parse(result.document))) return;
    try {
      const uri = vscode.Uri.parse(result.document);
      if (isMarkdown(uri) && (await showRendered(uri))) return;
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
      return;
    } catch {
      // fall back to the answer text
    }
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.answer ?? '' });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
  emit('answer.shown', { chars: (result.answer ?? '').length });
}
