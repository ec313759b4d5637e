import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFINE_UI, withRefineLenses } from '../../src/refineLenses';

interface Lens {
  title: string;
  command: string;
  arguments?: unknown[];
}
const lens = (title: string, command: string, arg: unknown): Lens => ({ title, command, arguments: [arg] });
const serverLenses = (proposal: string, hunk: string): Lens[] => [
  lens('Accept', 'claif.accept', { proposal, hunks: [hunk] }),
  lens('Reject', 'claif.reject', { proposal, hunks: [hunk] }),
  lens('Accept all', 'claif.accept', { proposal }),
  lens('Reject all', 'claif.reject', { proposal }),
];
const make = (_after: Lens, target: { proposal: string; hunks: string[] }): Lens => lens('Refine…', REFINE_UI, target);
const titles = (lenses: Lens[]) => lenses.map((l) => l.title);

test('each pending hunk gets Refine… right after its Reject', () => {
  const result = withRefineLenses([...serverLenses('p1', 'p1-h1'), ...serverLenses('p1', 'p1-h2')], (l) => l, () => true, make);
  assert.deepEqual(titles(result), ['Accept', 'Reject', 'Refine…', 'Accept all', 'Reject all', 'Accept', 'Reject', 'Refine…', 'Accept all', 'Reject all']);
  assert.deepEqual(result[7].arguments, [{ proposal: 'p1', hunks: ['p1-h2'] }]);
});

test('a hunk that cannot be refined (stale: its Drop is a one-hunk reject too) gets none', () => {
  const drop = lens('Drop stale hunk', 'claif.reject', { proposal: 'p1', hunks: ['p1-h3'] });
  const result = withRefineLenses([drop, ...serverLenses('p1', 'p1-h1')], (l) => l, (_p, h) => h !== 'p1-h3', make);
  assert.deepEqual(titles(result), ['Drop stale hunk', 'Accept', 'Reject', 'Refine…', 'Accept all', 'Reject all']);
});

test('a server that sends its own refine lens for the hunk keeps it alone', () => {
  const own = lens('Refine…', 'claif.refine', { proposal: 'p1', hunks: ['p1-h1'] });
  const result = withRefineLenses([...serverLenses('p1', 'p1-h1'), own], (l) => l, () => true, make);
  assert.deepEqual(titles(result), ['Accept', 'Reject', 'Accept all', 'Reject all', 'Refine…']);
});
