import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askReaction } from '../../src/askOutcome';

test('proposals open the review', () => {
  assert.deepEqual(askReaction({ proposals: ['p1', 'p2'] }, false), { kind: 'answered', problems: [], warning: undefined, show: { review: ['p1', 'p2'] } });
});

test('an answer is shown, even an empty one', () => {
  assert.equal(askReaction({ proposals: [], answer: '' }, false).kind, 'answered');
  assert.deepEqual(askReaction({ proposals: [], answer: '' }, false), { kind: 'answered', problems: [], warning: undefined, show: 'answer' });
});

test('nothing proposed and nothing wrong says so', () => {
  assert.deepEqual(askReaction({ proposals: [] }, false), { kind: 'answered', problems: [], warning: undefined, show: 'no-changes' });
});

test('problems make one warning, and replace the "no changes" note', () => {
  assert.deepEqual(askReaction({ errors: ['no key', 'patch did not match'] }, false), {
    kind: 'answered',
    problems: ['no key', 'patch did not match'],
    warning: 'Claif: no key; patch did not match',
    show: 'nothing',
  });
});

test('problems beside proposals warn and still open the review', () => {
  const reaction = askReaction({ proposals: ['p1'], errors: ['one file skipped'] }, false);
  assert.equal(reaction.kind === 'answered' && reaction.warning, 'Claif: one file skipped');
  assert.deepEqual(reaction.kind === 'answered' && reaction.show, { review: ['p1'] });
});

test('a cancelled ask shows nothing, whether the user or the server says so', () => {
  assert.deepEqual(askReaction({ proposals: ['p1'], errors: ['x'] }, true), { kind: 'cancelled' });
  assert.deepEqual(askReaction({ proposals: [], cancelled: true }, false), { kind: 'cancelled' });
});
