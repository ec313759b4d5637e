// The "Claif" output channel, plus a machine-readable event log for end-to-end tests.
//
// When the environment variable E2E_CLAIF_EVENTS names a file, every event is appended to it as one
// JSON line. Tests read it as an oracle next to what the UI shows; users never need it.
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;
const eventsFile = process.env.E2E_CLAIF_EVENTS;

export function outputChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Claif', { log: true });
  return channel;
}

export function emit(event: string, data: Record<string, unknown> = {}): void {
  outputChannel().debug(`[claif-vscode] ${event} ${JSON.stringify(data)}`);
  if (!eventsFile) return;
  try {
    appendFileSync(eventsFile, JSON.stringify({ t: Date.now(), event, ...data }) + '\n');
  } catch {
    // a test hook must never break the extension
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
