import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptMessage, decisionCommand, decisionFailure, decisionReport, decisionSummary, decisionVerb, hunkLabel, hunkStates, sameEvent } from '../../src/outcome';
import { acceptResult, file, hunk, proposal } from './fixtures';

test('verbs and server commands map both ways', () => {
  assert.equal(decisionCommand('accept'), 'claif.accept');
  assert.equal(decisionCommand('reject'), 'claif.reject');
  assert.equal(decisionVerb('claif.accept'), 'accept');
  assert.equal(decisionVerb('claif.reject'), 'reject');
});

test('a failed decision quotes the server without its "claif:" prefix', () => {
  assert.deepEqual(decisionFailure('reject', 'Claif: no proposal p9'), { reason: 'no proposal p9', text: 'Claif: reject failed: no proposal p9' });
});

test('the event log keeps what the answer says about the edit, not the proposal', () => {
  const value = acceptResult(proposal('p1', []), { accepted: ['p1-h1'] });
  assert.deepEqual(decisionSummary(value), { applied: true, accepted: ['p1-h1'], stale: [], reason: null });
  assert.equal(decisionSummary(undefined), null);
});

test('hunk ids read as hunk numbers', () => {
  assert.equal(hunkLabel('p3-h12'), 'hunk 12');
  assert.equal(hunkLabel('odd'), 'odd');
});

test('an accept that went as asked says nothing more', () => {
  assert.equal(acceptMessage(acceptResult(proposal('p1', []), { accepted: ['p1-h1'] })), undefined);
});

test('an accept the editor did not apply says why', () => {
  const message = acceptMessage(acceptResult(proposal('p1', []), { applied: false, reason: 'claif: the document changed.' }));
  assert.deepEqual(message, { text: 'Claif: "title of p1" was not applied: the document changed.', reasons: ['the document changed'] });
});

test('stale hunks are named with their reason, what was applied and what is left', () => {
  const stale = hunk('p1-h2', { state: 'stale', range: null, reason: 'stale: hunk 2 of app.py no longer applies, its lines changed' });
  const after = proposal('p1', [file('file:///app.py', [hunk('p1-h1', { state: 'accepted', range: null }), stale, hunk('p1-h3')])], { state: 'partial' });
  const result = acceptResult(after, {
    accepted: ['p1-h1'],
    stale: ['p1-h2'],
    reason: 'stale: hunk 2 of app.py no longer applies, its lines changed: drop it with Reject',
  });
  assert.deepEqual(acceptMessage(result), {
    text: 'Claif: hunk 2 of "title of p1" is stale (its lines changed); applied hunk 1. Drop it from the lens; 1 hunk still pending.',
    reasons: ['stale: hunk 2 of app.py no longer applies, its lines changed', 'stale: hunk 2 of app.py no longer applies, its lines changed: drop it with Reject'],
  });
});

test("a server message saying what the decision's message says is the same event", () => {
  assert.equal(sameEvent('Claif: hunk 2 of app.py no longer applies, its lines changed.', 'hunk 2 of app.py no longer applies,  its lines changed'), true);
  assert.equal(sameEvent('CLAIF: The Edit Failed', 'Claif: "x" was not applied: the edit failed.'), true);
  assert.equal(sameEvent('Claif: applied hunk 1', 'Claif: rejected hunk 2'), false);
  assert.equal(sameEvent('Claif:', 'anything'), false, 'an empty message is no event');
});

test('a decision says what it did to the hunks, in numbers', () => {
  const three = (states: string[]) =>
    proposal('p1', [file('file:///a.py', states.map((state, i) => hunk(`p1-h${i + 1}`, { state: state as 'pending' })))]);
  const before = hunkStates(three(['pending', 'pending', 'pending']));
  assert.equal(decisionReport(before, three(['accepted', 'pending', 'pending'])), 'Claif: 1 accepted; 2 still pending.');
  assert.equal(decisionReport(before, three(['accepted', 'rejected', 'rejected'])), 'Claif: 1 accepted, 2 rejected.');
  assert.equal(decisionReport(hunkStates(three(['accepted', 'pending', 'pending'])), three(['accepted', 'rejected', 'rejected'])), 'Claif: 2 rejected.');
  assert.equal(decisionReport(before, three(['pending', 'pending', 'pending'])), undefined);
  assert.equal(decisionReport(new Map(), undefined), undefined);
});
