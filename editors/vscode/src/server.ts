// Locating and launching claif-lsp: `claif.server.path`, else `claif.server.python -m claif_lsp`, else
// `claif-lsp` on PATH. Every failure becomes one message that says how to fix it.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Executable } from 'vscode-languageclient/node';
import { userValue } from './trust';

export class ServerNotFoundError extends Error {}

export interface ServerConfig {
  path: string;
  python: string;
  args: string[];
  env: Record<string, string>;
}

/** The user's own `claif.server.*` settings: a workspace never chooses the program VS Code runs (trust.ts). */
export function readServerConfig(): ServerConfig {
  return {
    path: expand(userValue<string>('server.path') ?? ''),
    python: expand(userValue<string>('server.python') ?? ''),
    args: userValue<string[]>('server.args') ?? [],
    env: userValue<Record<string, string>>('server.env') ?? {},
  };
}

function expand(value: string): string {
  let result = (value ?? '').trim();
  if (result.startsWith('~/')) result = path.join(process.env.HOME ?? '', result.slice(2));
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) result = result.replace(/\$\{workspaceFolder\}/g, folder);
  return result;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `command` itself when it contains a slash, else the first executable match on PATH. */
export function which(command: string): string | undefined {
  if (command.includes('/') || command.includes(path.sep)) return isExecutable(command) ? command : undefined;
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      if (dir && isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function run(file: string, args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20000, cwd }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() || (error ? error.message : '') }),
    );
  });
}

const FIX = 'Install it with "pip install claif-lsp" (in the interpreter you point at), or set "claif.server.path" to the claif-lsp executable.';

/**
 * How to start the server; throws ServerNotFoundError with a message that names the fix. It runs in `cwd`, a folder
 * of the extension's own: vscode-languageclient would start it in the workspace folder, and `python -m` puts its
 * working directory first on sys.path, so a repository's `typing.py` or `json.py` would run in the server.
 */
/** How to start the server: `description` names the program (`python -m claif_lsp` or the executable), without the user's arguments. */
export interface ResolvedServer {
  executable: Executable;
  description: string;
}

/** The command line, for the log: the program and every argument it gets. */
export const commandLine = (server: ResolvedServer, config: Pick<ServerConfig, 'args'>): string => [server.description, ...config.args].join(' ');

export async function resolveServer(config: ServerConfig, cwd: string): Promise<ResolvedServer> {
  const options = { env: { ...process.env, ...config.env }, cwd };
  if (config.path) {
    const found = which(config.path);
    if (!found) throw new ServerNotFoundError(`claif.server.path "${config.path}" is not an executable file. ${FIX}`);
    return { executable: { command: found, args: [...config.args], options }, description: found };
  }
  if (config.python) {
    const python = which(config.python);
    if (!python) {
      throw new ServerNotFoundError(
        `claif.server.python "${config.python}" is not an executable file. Point it at a Python interpreter that has claif-lsp ` +
          `("python -m pip install claif-lsp"), or set "claif.server.path" to the claif-lsp executable.`,
      );
    }
    const probe = await run(python, ['-c', 'import claif_lsp'], cwd);
    if (!probe.ok) {
      throw new ServerNotFoundError(
        `"${python}" cannot import claif_lsp (${probe.output.split('\n').pop()}). ` +
          `Run "${python} -m pip install claif-lsp", or set "claif.server.path" to the claif-lsp executable.`,
      );
    }
    return { executable: { command: python, args: ['-m', 'claif_lsp', ...config.args], options }, description: `${python} -m claif_lsp` };
  }
  const onPath = which('claif-lsp');
  if (onPath) return { executable: { command: onPath, args: [...config.args], options }, description: onPath };
  throw new ServerNotFoundError(`claif-lsp was not found on PATH. ${FIX} You can also set "claif.server.python" to a Python interpreter that has it.`);
}
