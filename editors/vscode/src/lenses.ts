// The per-hunk CodeLenses (Accept / Reject / Accept all / Reject all) come from the server through the language
// client, and each pending hunk gets a Refine… lens beside them (refineLenses.ts); a stale hunk (its lines changed, so it can no longer be placed) reads "Stale: <why> | Drop" where it last
// was: the server's drop lens is relabelled (from the client's middleware), or added when it sends none.
import * as vscode from 'vscode';
import { CodeLensRequest, type LanguageClient, State } from 'vscode-languageclient/node';
import type { ProposalStore } from './proposalStore';
import { sameUri } from './proposalUri';
import { REFINE_UI, withRefineLenses } from './refineLenses';
import { dropsHunk, staleHunks, staleLine } from './staleLenses';
import { Commands } from './types';

/** The server's lenses for `document`, with Refine… per pending hunk and "Stale: <why> | Drop" for each stale hunk where it last was. */
export function decorateLenses(store: ProposalStore, document: vscode.TextDocument, lenses: vscode.CodeLens[]): vscode.CodeLens[] {
  const result = withRefineLenses(
    lenses,
    (lens) => lens.command,
    (proposal, hunk) => {
      const known = store.get(proposal);
      return !!known?.session && known.files.some((f) => f.hunks.some((h) => h.id === hunk && h.state === 'pending'));
    },
    (after, target) =>
      new vscode.CodeLens(after.range, { title: 'Refine…', command: REFINE_UI, arguments: [target], tooltip: 'Tell the model what to change in this hunk' }),
  );
  const key = document.uri.toString();
  for (const { proposal, hunk, reason, why, label } of staleHunks(store.all(), (uri) => sameUri(uri, key))) {
    const stale = (range: vscode.Range) =>
      new vscode.CodeLens(range, { title: `Stale: ${why}`, command: '', tooltip: `${label} can no longer be placed: ${reason}` });
    const drop = result.find((lens) => dropsHunk(lens.command, proposal.id, hunk.id));
    if (drop?.command) {
      drop.command = { ...drop.command, title: 'Drop', tooltip: `Drop ${label}` };
      result.splice(result.indexOf(drop), 0, stale(drop.range));
      continue;
    }
    const line = staleLine(hunk, store.lastLine(hunk.id), document.lineCount);
    const range = new vscode.Range(line, 0, line, 0);
    result.push(
      stale(range),
      new vscode.CodeLens(range, { title: 'Drop', command: Commands.reject, arguments: [{ proposal: proposal.id, hunks: [hunk.id] }], tooltip: `Drop ${label}` }),
    );
  }
  return result;
}

/** Ask VS Code for the server's lenses of the active document again: the stale-hunk lenses ride on them. */
export function refreshServerLenses(client: LanguageClient | undefined): void {
  const document = vscode.window.activeTextEditor?.document ?? vscode.window.visibleTextEditors[0]?.document;
  if (document && client?.state === State.Running) {
    client.getFeature(CodeLensRequest.method).getProvider(document)?.onDidChangeCodeLensEmitter.fire();
  }
}
