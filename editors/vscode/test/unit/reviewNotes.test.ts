import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerDocumentName, cachedNote, partialNote, restoredNote, sessionProposals } from '../../src/reviewNotes';
import { proposal } from './fixtures';

const unplaced = (hunk: number, reason = 'its old lines were not found.') => ({ path: 'sample.py', hunk, reason, expected: '    return a - b\n' });

test('a partial answer says how many hunks could not be placed, and why', () => {
  const p = proposal('p2', [], { title: 'Replay: comments', partial: { unplaced: [unplaced(2)] } });
  assert.equal(
    partialNote(p),
    'Claif: Replay: comments is a partial answer: 1 hunk could not be placed (sample.py hunk 2: its old lines were not found). The rest is up for review; nothing was applied.',
  );
});

test('a long list of unplaced hunks is cut after three', () => {
  const p = proposal('p2', [], { partial: { unplaced: [unplaced(1), unplaced(2, 'found twice'), unplaced(3), unplaced(4), unplaced(5)] } });
  const note = partialNote(p)!;
  assert.match(note, /5 hunks could not be placed/);
  assert.match(note, /sample\.py hunk 2: found twice; sample\.py hunk 3: its old lines were not found; and 2 more\)/);
});

test('a whole answer has no partial note', () => {
  assert.equal(partialNote(proposal('p1', [])), undefined);
  assert.equal(partialNote(proposal('p1', [], { partial: { unplaced: [] } })), undefined);
});

test('an answer from the cache says so, with Retry', () => {
  assert.equal(cachedNote(proposal('p1', [], { cached: true, title: 'Replay: x' })), 'Claif: Replay: x is from the cache — Retry to ask again.');
  assert.equal(cachedNote(proposal('p1', [])), undefined);
});

test('restored proposals: each once, newest session first, and one note', () => {
  assert.deepEqual(sessionProposals([{ proposals: ['p7'] }, { proposals: ['p3', 'p4'] }, { proposals: ['p3'] }]), ['p7', 'p3', 'p4']);
  assert.equal(restoredNote([]), undefined);
  assert.equal(restoredNote([proposal('p1', [], { title: 'A' })]), 'Claif: 1 proposal from before the reload is still open: A.');
  const many = ['A', 'B', 'C', 'D', 'E'].map((t, i) => proposal(`p${i}`, [], { title: t }));
  assert.equal(restoredNote(many), 'Claif: 5 proposals from before the reload are still open: A, B, C and 2 more.');
});

test('the raw answer document is named by the proposal and revision, never a hash', () => {
  assert.equal(answerDocumentName(proposal('p2', [], { title: 'Replay: a/b: c', revision: 2 })), 'Replay  a b  c (answer, revision 2).md');
});
