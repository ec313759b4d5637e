// Which proposal a palette or editor-title command is about.
import * as vscode from 'vscode';
import type { ProposalStore } from './proposalStore';
import { parseProposalUri } from './proposalUri';
import { pickEntry } from './proposalView';
import type { Proposal } from './types';

/** The proposal a command is about: from a `claif-proposal:` resource, the active editor, or a quick pick. */
export async function pickProposal(store: ProposalStore, resource?: unknown, verb = 'Review'): Promise<Proposal | undefined> {
  const fromUri = (uri: vscode.Uri | undefined) => {
    const parsed = uri && parseProposalUri(uri);
    if (parsed) return store.get(parsed.id);
    return uri ? store.forDocument(uri)[0] : undefined;
  };
  if (resource instanceof vscode.Uri) {
    const found = fromUri(resource);
    if (found) return found;
  }
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tab instanceof vscode.TabInputTextDiff) {
    const found = fromUri(tab.modified) ?? fromUri(tab.original);
    if (found) return found;
  }
  const active = fromUri(vscode.window.activeTextEditor?.document.uri);
  if (active) return active;
  const open = store.open();
  if (open.length <= 1) return open[0];
  const choice = await vscode.window.showQuickPick(
    open.map((p) => ({ ...pickEntry(p), proposal: p })),
    { placeHolder: `${verb} which Claif proposal?` },
  );
  return choice?.proposal;
}
