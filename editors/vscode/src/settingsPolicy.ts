// Which `claif.*` settings a repository must not choose, and how they are kept out of what reaches the server:
// no `vscode` import, so it is unit-tested under plain Node (trust.ts reads the values).

export const SECTION = 'claif';
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

/** The server's settings among `keys`, nested as it reads them (`{providers: {...}}`); unset ones are left out. */
export function serverSettings(keys: readonly string[], value: (key: string) => unknown): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    if (isClientKey(key)) continue;
    const found = value(key);
    if (found === undefined) continue;
    const path = key.split('.');
    let node = settings;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = found;
  }
  return settings;
}

/** A fingerprint of every value of `keys`: it changes when one of them does. */
export function valuesFingerprint(keys: readonly string[], value: (key: string) => unknown): string {
  return JSON.stringify(keys.map((key) => [key, value(key) ?? null]));
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

/** The user-only keys (`claif.<key>`) a parsed settings file sets, flat or nested (`"claif": {"server": {...}}`). */
export function attemptedKeys(settings: unknown, keys: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of leafPaths(settings)) {
    for (const key of keys) {
      const name = `${SECTION}.${key}`;
      if (path === name || path.startsWith(`${name}.`) || name.startsWith(`${path}.`)) found.push(name);
    }
  }
  return found;
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
