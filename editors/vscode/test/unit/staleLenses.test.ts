import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionTarget, dropsHunk, staleHunks, staleLine } from '../../src/staleLenses';
import { file, hunk, proposal, range } from './fixtures';

const reject = (arg: unknown) => ({ command: 'claif.reject', arguments: [arg] });

test('a decision command targets its proposal and, when it lists them, those hunks', () => {
  assert.deepEqual(decisionTarget(reject({ proposal: 'p1', hunks: ['p1-h2'] })), { proposal: 'p1', hunks: ['p1-h2'] });
  assert.deepEqual(decisionTarget({ command: 'claif.accept', arguments: [{ proposal: 'p1' }] }), { proposal: 'p1' });
  assert.equal(decisionTarget({ command: 'claif.accept', arguments: [] }), undefined);
  assert.equal(decisionTarget(undefined), undefined);
});

test("the server's Drop of a hunk is a reject of exactly that one hunk", () => {
  assert.equal(dropsHunk(reject({ proposal: 'p1', hunks: ['p1-h2'] }), 'p1', 'p1-h2'), true);
  assert.equal(dropsHunk(reject({ proposal: 'p1', hunks: ['p1-h2', 'p1-h3'] }), 'p1', 'p1-h2'), false, 'a reject of several hunks');
  assert.equal(dropsHunk(reject({ proposal: 'p1' }), 'p1', 'p1-h2'), false, 'reject all');
  assert.equal(dropsHunk(reject({ proposal: 'p2', hunks: ['p1-h2'] }), 'p1', 'p1-h2'), false, 'another proposal');
  assert.equal(dropsHunk({ command: 'claif.accept', arguments: [{ proposal: 'p1', hunks: ['p1-h2'] }] }, 'p1', 'p1-h2'), false, 'an accept');
});

test('stale hunks of droppable proposals in this document, with their reason shortened for the lens', () => {
  const staleHunk = hunk('p1-h2', { state: 'stale', range: null, reason: 'Claif: stale: hunk 2 of app.py no longer applies, its lines changed' });
  const proposals = [
    proposal('p1', [file('file:///app.py', [hunk('p1-h1'), staleHunk]), file('file:///other.py', [hunk('p1-h9', { state: 'stale' })])], {
      state: 'stale',
    }),
    proposal('p2', [file('file:///app.py', [hunk('p2-h1', { state: 'stale' })])], { state: 'rejected' }),
    proposal('p3', [file('file:///app.py', [hunk('p3-h1', { state: 'stale', reason: null })])], { title: '' }),
  ];
  const found = staleHunks(proposals, (uri) => uri === 'file:///app.py');
  assert.deepEqual(
    found.map(({ proposal: p, hunk: h, reason, why, label }) => ({ p: p.id, h: h.id, reason, why, label })),
    [
      { p: 'p1', h: 'p1-h2', reason: 'hunk 2 of app.py no longer applies, its lines changed', why: 'its lines changed', label: 'hunk 2 of title of p1' },
      { p: 'p3', h: 'p3-h1', reason: 'the lines changed', why: 'the lines changed', label: 'hunk 1 of p3' },
    ],
  );
});

test('a stale lens goes on its range, else where the hunk last was, always inside the file', () => {
  assert.equal(staleLine({ range: range(7) }, 3, 100), 7);
  assert.equal(staleLine({ range: null }, 3, 100), 3);
  assert.equal(staleLine({ range: null }, undefined, 100), 0);
  assert.equal(staleLine({ range: null }, 40, 10), 9, 'the file got shorter');
  assert.equal(staleLine({ range: null }, 5, 0), 0, 'an empty file');
});
