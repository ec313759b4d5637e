// The status bar item: the active provider, and a spinner while a request runs.
import * as vscode from 'vscode';
import type { ProvidersResult } from './types';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('claif.status', vscode.StatusBarAlignment.Right, 100);
  private provider: string | undefined;
  private configured: string | undefined;
  private running = 0;
  private server: ServerState = 'starting';
  private detail = '';

  constructor(command: string) {
    this.item.name = 'Claif';
    this.item.command = command;
    this.render();
    this.item.show();
  }

  setProviders(result: ProvidersResult | undefined): void {
    this.provider = result?.active ?? undefined;
    this.configured = result?.configured;
    this.detail = (result?.providers ?? []).map((p) => `${p.name}: ${p.state}${p.reason ? ` (${p.reason})` : ''}`).join('\n');
    this.render();
  }

  setServer(state: ServerState, detail?: string): void {
    this.server = state;
    if (detail !== undefined) this.detail = detail;
    this.render();
  }

  /** Marks a request as running until the returned function is called. */
  begin(): () => void {
    this.running++;
    this.render();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      this.render();
    };
  }

  get busy(): boolean {
    return this.running > 0;
  }

  private render(): void {
    const name = this.provider ?? (this.configured && this.configured !== 'auto' ? this.configured : 'no provider');
    if (this.server === 'failed' || this.server === 'stopped') {
      this.item.text = '$(error) Claif';
      this.item.tooltip = `claif-lsp is not running${this.detail ? `: ${this.detail}` : ''}\nClick to choose a provider.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    this.item.backgroundColor = undefined;
    if (this.server === 'starting') {
      this.item.text = '$(loading~spin) Claif';
      this.item.tooltip = 'claif-lsp is starting';
      return;
    }
    this.item.text = this.running > 0 ? `$(loading~spin) Claif: ${name}` : `$(sparkle) Claif: ${name}`;
    const running = this.running > 0 ? `\n${this.running} request(s) running` : '';
    const configured = this.configured ? `\nsetting claif.provider: ${this.configured}` : '';
    this.item.tooltip = `Claif provider: ${name}${configured}${running}${this.detail ? `\n\n${this.detail}` : ''}\n\nClick to select a provider.`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
