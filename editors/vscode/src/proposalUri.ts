// The `claif-proposal:` URIs the diff editor shows a proposal's side through, and how they compare to a file's.
import * as vscode from 'vscode';
import { parseProposalQuery, proposalQuery } from './proposalView';
import type { Proposal } from './types';

export const SCHEME = 'claif-proposal';

/** The proposed side of file `index` of the proposal (its empty side with `empty`), named like the file. */
export function proposalUri(proposal: Proposal, index: number, empty = false): vscode.Uri {
  const file = proposal.files[index];
  const filePath = file ? vscode.Uri.parse(file.newUri || file.uri).path : `/${proposal.id}`;
  return vscode.Uri.from({ scheme: SCHEME, path: filePath, query: proposalQuery(proposal.id, index, empty) });
}

export function parseProposalUri(uri: vscode.Uri): { id: string; file: number; empty: boolean } | undefined {
  return uri.scheme === SCHEME ? parseProposalQuery(uri.query) : undefined;
}

/** True when two URI strings name the same document (VS Code's normal form: `%3A` and `:` alike). */
export function sameUri(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return vscode.Uri.parse(a).toString() === vscode.Uri.parse(b).toString();
  } catch {
    return false;
  }
}
