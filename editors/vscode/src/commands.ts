// The palette and context-menu commands (`claif.ui.*`, declared in package.json) and what each one runs. The
// server's own commands (`claif.ask`, `claif.accept`, ...) are registered by the language client (middleware.ts).
import * as vscode from 'vscode';

export const UiCommands = {
  ask: 'claif.ui.ask',
  explain: 'claif.ui.explain',
  accept: 'claif.ui.acceptProposal',
  reject: 'claif.ui.rejectProposal',
  /** The editor title's buttons: the same decisions, labelled for what they do to the hunks. */
  acceptAll: 'claif.ui.acceptAllHunks',
  rejectAll: 'claif.ui.rejectAllHunks',
  review: 'claif.ui.review',
  /** A follow-up turn with the user's feedback, and the same ask again past the cache: the next revision. */
  refine: 'claif.ui.refine',
  retry: 'claif.ui.retry',
  showAnswer: 'claif.ui.showAnswer',
  selectProvider: 'claif.ui.selectProvider',
  showLog: 'claif.ui.showLog',
  restart: 'claif.ui.restartServer',
  cancel: 'claif.ui.cancel',
} as const;

/** What each command runs; Accept and Reject get the editor title's resource (a `claif-proposal:` URI). */
export type CommandTable = Record<keyof typeof UiCommands, (resource?: unknown) => unknown>;

export function registerCommands(table: CommandTable): vscode.Disposable[] {
  return (Object.keys(UiCommands) as (keyof typeof UiCommands)[]).map((name) => vscode.commands.registerCommand(UiCommands[name], table[name]));
}
