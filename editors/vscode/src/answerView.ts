// Explanations (the server's Markdown answer documents) shown rendered, read-only, in VS Code's Markdown preview:
// the raw file under the server's cache folder was editable and named by a hash. The preview follows the file as
// the server writes it.
import * as vscode from 'vscode';
import { emit, errorMessage, outputChannel } from './events';

/** The Markdown preview's custom editor (the built-in markdown-language-features extension). */
const PREVIEW_EDITOR = 'vscode.markdown.preview.editor';

export const isMarkdown = (uri: vscode.Uri): boolean => /\.(md|markdown)$/i.test(uri.path);

/** Show `uri` rendered beside the code, without the focus; false when the preview cannot open it. */
export async function showRendered(uri: vscode.Uri): Promise<boolean> {
  const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, PREVIEW_EDITOR, { viewColumn: column, preserveFocus: true, preview: true });
    emit('answer.preview', { uri: uri.toString() });
    return true;
  } catch (error) {
    outputChannel().warn(`the Markdown preview could not open ${uri.toString()}: ${errorMessage(error)}`);
    return false;
  }
}

/** True when a tab shows `uri`, as text or as its preview. */
export function isShown(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .some(
      (tab) =>
        (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key) ||
        (tab.input instanceof vscode.TabInputCustom && tab.input.uri.toString() === key),
    );
}
