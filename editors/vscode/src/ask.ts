// Ask and explain: the instruction box, the progress notification, and the answer shown as a review, a document or
// a note. Cancel stops every running ask.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { completeAskArgs, type AskTarget, askAction, needsInstruction, progressToken, requestId, typedInstruction } from './askArgs';
import { NO_CHANGES, askReaction } from './askOutcome';
import { emit, errorMessage, outputChannel } from './events';
import { NotificationProgress } from './progress';
import type { CommandSender } from './serverClient';
import type { StatusItem } from './status';
import { type AskArgs, type AskResult, Commands } from './types';

export class Asks {
  private counter = 0;
  private readonly running = new Map<string, NotificationProgress>();

  /** `review` presents the proposals an ask returns. */
  constructor(
    private readonly server: CommandSender,
    private readonly status: StatusItem,
    private readonly review: (proposals: string[]) => Promise<void>,
  ) {}

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
      const instruction = typedInstruction(
        await vscode.window.showInputBox({
          title: 'Claif: Ask',
          prompt: 'What should the model do with the selection?',
          placeHolder: 'e.g. add type hints and a docstring',
          ignoreFocusOut: true,
        }),
      );
      if (!instruction) return undefined;
      args.instruction = instruction;
    }
    let client: LanguageClient;
    try {
      client = this.server.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    args.requestId ??= requestId(process.pid, ++this.counter);
    const token = progressToken(args.requestId);
    const progress = new NotificationProgress(client, token, `Claif: ${action}`);
    this.running.set(args.requestId, progress);
    const done = this.status.begin();
    emit('ask.start', { requestId: args.requestId, action, instruction: args.instruction, token });
    try {
      const result = (await this.server.execute<AskResult>(Commands.ask, args, token)) ?? {};
      emit('ask.result', { requestId: args.requestId, result, cancelled: progress.cancelled });
      const reaction = askReaction(result, progress.cancelled);
      if (reaction.kind === 'cancelled') return result;
      for (const problem of reaction.problems) outputChannel().warn(`ask ${args.requestId}: ${problem}`);
      if (reaction.warning) void vscode.window.showWarningMessage(reaction.warning, 'Show Log').then((c) => c && outputChannel().show(true));
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
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`, 'Show Log').then((c) => c && outputChannel().show(true));
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
    const shown = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === vscode.Uri.parse(result.document!).toString());
    if (shown) return;
    try {
      const uri = vscode.Uri.parse(result.document);
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
