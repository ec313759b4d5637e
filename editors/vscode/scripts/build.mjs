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
  // Minified, but keepNames leaves function and class names in place, so a stack trace still names them.
  minify: true,
  keepNames: true,
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
