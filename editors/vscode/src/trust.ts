// Settings a repository must not choose: they run a program, pick a secret, send code elsewhere, write files or
// apply edits unreviewed. package.json declares them with `machine` scope (generated from the server's settings
// model), so VS Code ignores them in a workspace's .vscode/settings.json; on top of that this module only ever reads
// the user's own value (`inspect().globalValue`), which the extension passes to the server in initializationOptions
// and never in its answers to workspace/configuration (settingsPolicy.ts decides which keys those are).
import * as vscode from 'vscode';
import { SECTION, attemptedKeys, parseJsonc, serverSettings, valuesFingerprint } from './settingsPolicy';

/** The user's own value of `claif.<key>`; a workspace or folder value is never returned. */
export function userValue<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration(SECTION).inspect<T>(key)?.globalValue;
}

/** The user's values of the server's user-only settings, nested as the server reads them (`{providers: {...}}`). */
export function userServerSettings(keys: readonly string[]): Record<string, unknown> {
  return serverSettings(keys, userValue);
}

/** A fingerprint of every user-only value: the server is restarted when it changes. */
export function userValuesFingerprint(keys: readonly string[]): string {
  return valuesFingerprint(keys, userValue);
}

/**
 * User-only keys this workspace's settings files try to set. VS Code drops them (and `inspect` does not report
 * them), so the files are read here to tell the user; nested spellings (`"claif": {"server": {...}}`) count too.
 */
export async function workspaceAttempts(keys: readonly string[]): Promise<string[]> {
  const sources: { uri: vscode.Uri; settings: (parsed: any) => unknown }[] = (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
    uri: vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'),
    settings: (parsed) => parsed,
  }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== 'untitled') sources.push({ uri: workspaceFile, settings: (parsed) => parsed?.settings });
  const found = new Set<string>();
  for (const source of sources) {
    let parsed: unknown;
    try {
      parsed = source.settings(parseJsonc(new TextDecoder().decode(await vscode.workspace.fs.readFile(source.uri))));
    } catch {
      continue; // no such file, or one VS Code cannot read either
    }
    for (const key of attemptedKeys(parsed, keys)) found.add(key);
  }
  return [...found].sort();
}
