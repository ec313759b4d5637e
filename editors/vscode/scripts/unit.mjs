// Unit tests of the extension's pure modules under Node's own runner: each test/unit/*.test.ts is bundled by
// esbuild into a scratch folder and run with `node --test`. Nothing is external, so a module under test that
// imports `vscode` (which only exists inside VS Code) fails the build: the pure modules stay pure.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test', 'unit');
const tests = readdirSync(dir).filter((name) => name.endsWith('.test.ts'));
const out = mkdtempSync(join(tmpdir(), 'claif-vscode-unit-'));
try {
  await build({
    entryPoints: tests.map((name) => join(dir, name)),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: out,
    outExtension: { '.js': '.cjs' },
    logLevel: 'error',
  });
  const files = tests.map((name) => join(out, name.replace(/\.ts$/, '.cjs')));
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
