#!/usr/bin/env node
// Regenerates the server's part of `contributes.configuration` in package.json from the server's settings
// schema (`claif-lsp schema --format vscode`). The hand-written "Claif: VS Code" object (settings only this
// extension reads: claif.server.*, claif.review.*) is kept as it is.
//
//   node scripts/sync-settings.mjs            rewrite package.json
//   node scripts/sync-settings.mjs --check    exit 1 when package.json is out of date
//   CLAIF_LSP=/path/to/claif-lsp node scripts/sync-settings.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkgPath = join(here, '..', 'package.json');
const repoRoot = join(here, '..', '..', '..');
const CLIENT_TITLE = 'Claif: VS Code';

const candidates = [process.env.CLAIF_LSP, join(repoRoot, '.venv', 'bin', 'claif-lsp'), 'claif-lsp'].filter(Boolean);
const cli = candidates.find((c) => !c.includes('/') || existsSync(c));
const generated = JSON.parse(execFileSync(cli, ['schema', '--format', 'vscode'], { encoding: 'utf8' }));

const text = readFileSync(pkgPath, 'utf8');
const pkg = JSON.parse(text);
const current = pkg.contributes?.configuration;
const handWritten = (Array.isArray(current) ? current : [current]).find((c) => c && c.title === CLIENT_TITLE);
if (!handWritten) throw new Error(`package.json: no contributes.configuration object titled "${CLIENT_TITLE}"`);
pkg.contributes.configuration = [generated, handWritten];
const updated = JSON.stringify(pkg, null, 2) + '\n';

if (process.argv.includes('--check')) {
  if (updated !== text) {
    console.error('package.json contributes.configuration is out of date: run `npm run sync-settings` in editors/vscode');
    process.exit(1);
  }
  console.log('package.json settings are up to date');
} else if (updated !== text) {
  writeFileSync(pkgPath, updated);
  console.log('package.json updated');
} else {
  console.log('package.json already up to date');
}
