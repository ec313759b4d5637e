// Bundles src/extension.ts (and vscode-languageclient) into out/extension.js; `vscode` stays external.
import { build } from 'esbuild';

const watch = process.argv.includes('--watch');
const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // Shorter syntax, same names and layout: the bundle stays readable in a stack trace.
  minifySyntax: true,
  outfile: 'out/extension.js',
  sourcemap: process.argv.includes('--sourcemap'),
  logLevel: 'warning',
};
if (watch) {
  const { context } = await import('esbuild');
  await (await context(options)).watch();
} else {
  await build(options);
}
