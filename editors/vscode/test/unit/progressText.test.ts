import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressTitle, progressUpdate } from '../../src/progressText';

test('the title says Claif once', () => {
  assert.equal(progressTitle('OpenAI-compatible: ask', 'Claif: ask'), 'Claif: OpenAI-compatible: ask');
  assert.equal(progressTitle('claif: indexing', 'Claif'), 'claif: indexing');
  assert.equal(progressTitle('', 'Claif: explain'), 'Claif: explain');
  assert.equal(progressTitle(undefined, 'Claif'), 'Claif');
});

test('percentages become increments that add up to at most 100', () => {
  let reported = 0;
  const steps = [10, 35, 35, 20, 150].map((percentage) => {
    const step = progressUpdate(reported, { percentage });
    reported = step.reported;
    return step.update.increment;
  });
  assert.deepEqual(steps, [10, 25, 0, 0, 65]);
  assert.equal(reported, 100);
});

test('a report without a percentage only carries its message', () => {
  assert.deepEqual(progressUpdate(40, { message: '≈50 tokens' }), { update: { message: '≈50 tokens' }, reported: 40 });
  assert.deepEqual(progressUpdate(40, { message: '' }), { update: {}, reported: 40 });
  assert.deepEqual(progressUpdate(0, { percentage: -5 }), { update: { increment: 0 }, reported: 0 });
});
