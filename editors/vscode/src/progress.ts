// claif-lsp's `$/progress` as VS Code's native notification with a working Cancel button.
//
// vscode-languageclient 11 shows server progress as a silent status-bar (ProgressLocation.Window) entry that
// cannot be cancelled. Asks sent by this extension carry their own `workDoneToken`, shown here; tokens the
// server creates itself (`window/workDoneProgress/create`) are routed here too. Cancel sends
// `window/workDoneProgress/cancel`, which stops the provider at once.
import * as vscode from 'vscode';
import {
  type LanguageClient,
  type ProgressToken,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { emit } from './events';
import { askProgressTitle, beginNote, progressStatus, progressTitle, progressUpdate } from './progressText';

export class NotificationProgress implements vscode.Disposable {
  private listener: vscode.Disposable | undefined;
  private progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  private finish: (() => void) | undefined;
  private reported = 0;
  private ended = false;
  cancelled = false;

  constructor(
    private readonly client: LanguageClient,
    readonly token: ProgressToken,
    private readonly fallbackTitle = 'Claif',
    private readonly onEnd?: (part: NotificationProgress) => void,
    /** What an ask is about (its instruction or action): the title keeps it and the provider for the whole request. */
    private readonly about?: string,
  ) {
    this.listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'begin') this.begin(value);
      else if (value.kind === 'report') this.report(value);
      else this.dispose();
    });
  }

  private begin(params: WorkDoneProgressBegin): void {
    if (this.ended) return;
    const title = this.about ? askProgressTitle(params.message, this.about) : progressTitle(params.title, this.fallbackTitle);
    if (this.about) params = { ...params, message: beginNote(params.message) };
    emit('progress.begin', { token: this.token, title, message: params.message, cancellable: params.cancellable ?? false });
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: params.cancellable ?? true },
      (progress, cancellation) => {
        if (this.ended) return Promise.resolve();
        this.progress = progress;
        cancellation.onCancellationRequested(() => this.cancel());
        this.report(params);
        return new Promise<void>((resolve) => (this.finish = resolve));
      },
    );
  }

  private report(params: WorkDoneProgressBegin | WorkDoneProgressReport): void {
    if (params.kind === 'report') emit('progress.report', { token: this.token, message: params.message });
    if (!this.progress) return;
    const { update, reported } = progressUpdate(this.reported, { ...params, message: progressStatus(params.message) });
    this.reported = reported;
    this.progress.report(update);
  }

  /** What the Cancel button does. */
  cancel(): void {
    if (this.ended || this.cancelled) return;
    this.cancelled = true;
    emit('progress.cancel', { token: this.token });
    void this.client.sendNotification(WorkDoneProgressCancelNotification.type, { token: this.token });
  }

  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    emit('progress.end', { token: this.token, cancelled: this.cancelled });
    this.listener?.dispose();
    this.listener = undefined;
    this.finish?.();
    this.finish = undefined;
    this.onEnd?.(this);
  }
}

/** Show server-created progress as cancellable notifications too (replaces the client's default handler). */
export function routeServerProgress(client: LanguageClient): vscode.Disposable {
  const parts = new Set<NotificationProgress>();
  const handler = client.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
    parts.add(new NotificationProgress(client, params.token, 'Claif', (part) => parts.delete(part)));
  });
  return new vscode.Disposable(() => {
    handler.dispose();
    for (const part of parts) part.dispose();
  });
}
