import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcement, diffTitle, openProposals, parseProposalQuery, pickEntry, proposalPaths, proposalQuery, proposedFromCurrent, touches } from '../../src/proposalView';
import { file, hunk, moved, proposal, range } from './fixtures';

test('a proposal URI query names the proposal, the file and the empty side, and reads back', () => {
  assert.equal(proposalQuery('p 1&2', 3), 'proposal=p%201%262&file=3');
  assert.deepEqual(parseProposalQuery(proposalQuery('p 1&2', 3)), { id: 'p 1&2', file: 3, empty: false });
  assert.deepEqual(parseProposalQuery(proposalQuery('p1', 0, true)), { id: 'p1', file: 0, empty: true });
  assert.equal(parseProposalQuery('file=1'), undefined);
});

test('open proposals are the pending and partial ones, newest first', () => {
  const all = [proposal('p1', []), proposal('p2', [], { state: 'accepted' }), proposal('p3', [], { state: 'partial' }), proposal('p4', [], { state: 'stale' })];
  assert.deepEqual(
    openProposals(all).map((p) => p.id),
    ['p3', 'p1'],
  );
});

test('a proposal touches the files it changes and the one it moves to', () => {
  const renamed = proposal('p1', [moved('file:///old.py', 'file:///new.py')]);
  const same = (a: string, b: string) => a === b;
  assert.equal(touches(renamed, 'file:///old.py', same), true);
  assert.equal(touches(renamed, 'file:///new.py', same), true);
  assert.equal(touches(renamed, 'file:///other.py', same), false);
});

test('the announcement counts pending hunks only, over every file', () => {
  const p = proposal('p1', [
    file('file:///a.py', [hunk('p1-h1'), hunk('p1-h2', { state: 'accepted' })]),
    file('file:///b.py', [hunk('p1-h3')]),
  ]);
  assert.equal(announcement(p, (f) => f.path), 'Claif: title of p1 ready, 2 hunks in a.py, b.py');
  const one = proposal('p2', [file('file:///a.py', [hunk('p2-h1')])], { title: '' });
  assert.equal(announcement(one, (f) => f.path), 'Claif: p2 ready, 1 hunk in a.py');
});

test('the diff title and the quick pick name the proposal', () => {
  const p = proposal('p1', [file('file:///src/a.py', [])], { provider: 'openai' });
  assert.equal(diffTitle('a.py'), 'a.py ↔ Claif proposal');
  assert.deepEqual(pickEntry(p), { label: 'title of p1', description: 'openai · pending', detail: 'src/a.py' });
});

test('the paths of the files under review include a moved file\'s new name, once each', () => {
  const a = proposal('p1', [file('file:///src/a.py', []), moved('file:///src/old.py', 'file:///src/new.py')]);
  const b = proposal('p2', [file('file:///src/a.py', [])]);
  assert.deepEqual(proposalPaths([a, b], (uri) => uri.replace('file://', '')), ['/src/a.py', '/src/old.py', '/src/new.py']);
});

test('the proposed side is the current text with each open hunk at its tracked range', () => {
  const text = 'a\nb\nc\nd\n';
  const hunks = [
    hunk('p1-h1', { state: 'accepted', range: null, oldText: 'x\n', newText: 'y\n' }),
    hunk('p1-h2', { range: range(1, 2), oldText: 'b\n', newText: 'B\nB2\n' }),
    hunk('p1-h3', { range: range(3, 4), oldText: 'd\n', newText: '' }),
  ];
  assert.equal(proposedFromCurrent(text, hunks), 'a\nB\nB2\nc\n');
  // After an undo the accepted hunk is not proposed again: only the open ones are.
  assert.equal(proposedFromCurrent('a\nb\n', [hunk('p1-h1', { range: range(1, 2), oldText: 'b\n', newText: 'c\n', state: 'rejected' })]), 'a\nb\n');
  // The server's ranges end at the end of the last old line, before its newline.
  const lineEnd = { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } };
  assert.equal(proposedFromCurrent(text, [hunk('p1-h2', { range: lineEnd, oldText: 'b\n', newText: 'B\n' })]), 'a\nB\nc\nd\n');
  // A range that no longer holds its old text: the server's proposed text is used instead.
  assert.equal(proposedFromCurrent(text, [hunk('p1-h2', { range: range(1, 2), oldText: 'zzz\n' })]), undefined);
});
