// The server's window/showMessage, shown once per event. While a decision (accept, reject) runs, the server's
// messages are held; when its answer arrives the extension shows one message about it, in its own words, and
// drops held messages that say the same thing (the server warns about a stale hunk and answers with the same
// reason). Anything else held is shown then, unchanged.
import * as vscode from 'vscode';
import { type LanguageClient, MessageType, type ShowMessageParams, ShowMessageNotification } from 'vscode-languageclient/node';
import { emit } from './events';
import { sameEvent } from './outcome';

/** A decision the server has not answered by then lets its messages through (the server bounds its own waits). */
const HOLD_AT_MOST_MS = 15000;

export class ServerMessages {
  private held: ShowMessageParams[] | undefined;
  /** What the running decisions told the user themselves; held messages saying the same are dropped. */
  private told: string[] = [];
  private depth = 0;

  /** Take over the client's window/showMessage handler. */
  attach(client: LanguageClient): vscode.Disposable {
    return client.onNotification(ShowMessageNotification.type, (params) => this.receive(params));
  }

  private receive(params: ShowMessageParams): void {
    if (this.held) {
      this.held.push(params);
      return;
    }
    show(params);
  }

  /** Run `decision` holding server messages; `settle` gets its outcome and returns the texts it showed itself. */
  async during<T>(decision: () => Promise<T>, settle: (outcome: { value?: T; error?: unknown }) => string[]): Promise<T | undefined> {
    this.held ??= [];
    this.depth++;
    const release = setTimeout(() => this.release(), HOLD_AT_MOST_MS);
    let outcome: { value?: T; error?: unknown };
    try {
      outcome = { value: await decision() };
    } catch (error) {
      outcome = { error };
    } finally {
      clearTimeout(release);
    }
    this.told.push(...settle(outcome));
    if (--this.depth === 0) {
      const [held, told] = [this.held ?? [], this.told];
      this.held = undefined;
      this.told = [];
      for (const message of held) {
        if (told.some((text) => sameEvent(text, message.message))) emit('message.merged', { message: message.message });
        else show(message);
      }
    }
    return outcome.value;
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) show(message);
  }
}

function show(params: ShowMessageParams): void {
  emit('message.shown', { type: params.type, message: params.message });
  if (params.type === MessageType.Error) void vscode.window.showErrorMessage(params.message);
  else if (params.type === MessageType.Warning) void vscode.window.showWarningMessage(params.message);
  else void vscode.window.showInformationMessage(params.message);
}
