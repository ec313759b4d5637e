// Settings a repository must not choose: they run a program, pick a secret, send code elsewhere, write files or
// apply edits unreviewed. package.json declares them with `machine` scope (generated from the server's settings
// model), so VS Code ignores them in a workspace's .vscode/settings.json; on top of that this module only ever reads
// the user's own value (`inspect().globalValue`), which the extension passes to the server in initializationOptions
// and never in its answers to workspace/configuration.
import * as vscode from 'vscode';

const SECTION = 'claif';
const USER_ONLY_SCOPES = new Set(['machine', 'application']);
/** Prefixes under `claif` that this extension reads itself (the server never sees them). */
export const CLIENT_ONLY_KEYS = ['server', 'review'];

interface ConfigurationBlock {
  properties?: Record<string, { scope?: string }>;
}

/** Keys under `claif` (`server.path`, `providers`) that only the user's settings may set, from the manifest. */
export function userOnlyKeys(packageJSON: { contributes?: { configuration?: ConfigurationBlock | ConfigurationBlock[] } }): string[] {
  const blocks = packageJSON.contributes?.configuration ?? [];
  const keys: string[] = [];
  for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
    for (const [key, entry] of Object.entries(block.properties ?? {})) {
      if (key.startsWith(`${SECTION}.`) && USER_ONLY_SCOPES.has(entry.scope ?? '')) keys.push(key.slice(SECTION.length + 1));
    }
  }
  return keys;
}

export const isClientKey = (key: string): boolean => CLIENT_ONLY_KEYS.includes(key.split('.')[0]);

/** The user's own value of `claif.<key>`; a workspace or folder value is never returned. */
export function userValue<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration(SECTION).inspect<T>(key)?.globalValue;
}

/** The user's values of the server's user-only settings, nested as the server reads them (`{providers: {...}}`). */
export function userServerSettings(keys: readonly string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    if (isClientKey(key)) continue;
    const value = userValue(key);
    if (value === undefined) continue;
    const path = key.split('.');
    let node = settings;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  }
  return settings;
}

/** A fingerprint of every user-only value: the server is restarted when it changes. */
export function userValuesFingerprint(keys: readonly string[]): string {
  return JSON.stringify(keys.map((key) => [key, userValue(key) ?? null]));
}

/** `value` (an answer for section `claif`) without the keys the server must not take from the workspace. */
export function withoutUserOnlyKeys(value: unknown, keys: readonly string[]): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of CLIENT_ONLY_KEYS) delete copy[key];
  for (const key of keys) removePath(copy, key.split('.'));
  return copy;
}

function removePath(node: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (!rest.length) {
    delete node[head];
    return;
  }
  const child = node[head];
  if (child && typeof child === 'object' && !Array.isArray(child)) {
    node[head] = { ...(child as Record<string, unknown>) };
    removePath(node[head] as Record<string, unknown>, rest);
  }
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
    for (const path of leafPaths(parsed)) {
      for (const key of keys) {
        const name = `${SECTION}.${key}`;
        if (path === name || path.startsWith(`${name}.`) || name.startsWith(`${path}.`)) found.add(name);
      }
    }
  }
  return [...found].sort();
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return prefix ? [prefix] : [];
  return entries.flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** JSON with comments and trailing commas, as VS Code's settings files are written. */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}
