import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedbackBox, needsFeedback, refineTarget, revisionReport, turnAbout, turnFailure, turnReaction } from '../../src/refineText';
import { file, hunk, proposal } from './fixtures';

test('a lens or code action argument names the proposal and its hunks', () => {
  assert.deepEqual(refineTarget({ proposal: 'p3', hunks: ['p3-h2'] }), { proposal: 'p3', hunks: ['p3-h2'] });
  assert.deepEqual(refineTarget({ proposal: 'p3', hunks: [], feedback: '  keep the name ' }), { proposal: 'p3', feedback: 'keep the name' });
  assert.deepEqual(refineTarget({ proposal: 'p3', feedback: '   ', hunks: null }), { proposal: 'p3' });
});

test('an editor-title resource or nothing names no proposal (the review picks one)', () => {
  assert.equal(refineTarget(undefined), undefined);
  assert.equal(refineTarget('claif-proposal:/sample.py?proposal=p1&file=0'), undefined);
  assert.equal(refineTarget({ proposal: '' }), undefined);
  assert.equal(refineTarget({ hunks: ['p1-h1'] }), undefined);
});

test('the feedback is typed unless the turn carries it or a diagnostic (fix again)', () => {
  assert.equal(needsFeedback({ proposal: 'p1' }), true);
  assert.equal(needsFeedback({ proposal: 'p1', feedback: 'shorter' }), false);
  const diagnostic = { message: 'undefined name x', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
  assert.equal(needsFeedback({ proposal: 'p1', diagnostic }), false);
  assert.equal(turnAbout('refine', { proposal: 'p1', diagnostic }), 'fix again: undefined name x');
  assert.equal(turnAbout('refine', { proposal: 'p1', feedback: 'shorter' }), 'shorter');
  assert.equal(turnAbout('retry'), 'retry');
});

test('the input box names the proposal and the hunks the feedback is about', () => {
  const p = proposal('p3', [], { title: 'Replay: add comments' });
  assert.equal(feedbackBox(p, { proposal: 'p3' }).title, 'Claif: Refine Replay: add comments');
  assert.equal(feedbackBox(p, { proposal: 'p3', hunks: ['p3-h2', 'p3-h5'] }).title, 'Claif: Refine Replay: add comments (hunk 2, hunk 5)');
  assert.equal(feedbackBox(undefined, { proposal: 'p9' }).title, 'Claif: Refine p9');
});

test('a refine answered with the proposal is a new revision; its errors are warnings', () => {
  assert.deepEqual(turnReaction({ proposals: ['p3'], errors: [] }, false), { kind: 'revised', proposal: 'p3', warnings: [] });
  assert.deepEqual(turnReaction({ proposals: ['p3'], errors: ['slow'] }, false), { kind: 'revised', proposal: 'p3', warnings: ['slow'] });
});

test('a cancelled refine shows nothing; one with no proposal failed, saying why', () => {
  assert.deepEqual(turnReaction({ proposals: ['p3'] }, true), { kind: 'cancelled' });
  assert.deepEqual(turnReaction({ proposals: [], cancelled: true }, false), { kind: 'cancelled' });
  assert.deepEqual(turnReaction({ proposals: [], errors: ['claif: no hunk applies', 'x'] }, false), { kind: 'failed', reason: 'claif: no hunk applies; x' });
  assert.deepEqual(turnReaction({}, false), { kind: 'failed', reason: 'the model proposed no changes' });
  assert.equal(turnFailure('refine', 'claif: no hunk applies'), 'Claif: refine failed: no hunk applies');
});

test('the revision report counts what is left to review and what was decided earlier', () => {
  const p = proposal('p3', [file('file:///app.py', [hunk('p3-h1', { state: 'accepted', range: null }), hunk('p3-h3'), hunk('p3-h4', { state: 'rejected', range: null })])], {
    title: 'Replay: add comments',
    revision: 2,
  });
  assert.equal(revisionReport(p), 'Claif: revision 2 of Replay: add comments: 1 hunk to review, 1 accepted earlier, 1 rejected earlier.');
  const q = proposal('p4', [file('file:///app.py', [hunk('p4-h1'), hunk('p4-h2')])], { revision: 3 });
  assert.equal(revisionReport(q), 'Claif: revision 3 of title of p4: 2 hunks to review.');
});
