import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askProgressTitle, beginNote, progressStatus, progressTitle, progressUpdate, shorten } from '../../src/progressText';

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

test('an ask keeps its provider and instruction as the title for the whole request', () => {
  assert.equal(askProgressTitle('OpenAI-compatible: ask', 'make the lookups case-insensitive'), 'Claif: OpenAI-compatible: make the lookups case-insensitive');
  assert.equal(askProgressTitle('Replay: explain (context cut to 200 lines)', 'explain'), 'Claif: Replay: explain');
  assert.equal(askProgressTitle(undefined, 'ask'), 'Claif: ask');
  assert.equal(askProgressTitle('no provider here', 'ask'), 'Claif: ask');
  assert.equal(shorten('x'.repeat(80), 10), 'xxxxxxxxx…');
  assert.equal(shorten('two\nlines'), 'two lines');
});

test('the begin message leaves only its note in parentheses below the title', () => {
  assert.equal(beginNote('Replay: ask (context cut to 200 lines)'), 'context cut to 200 lines');
  assert.equal(beginNote('Replay: ask'), undefined);
  assert.equal(beginNote(undefined), undefined);
});

test('a stream report shows its counts, never the streamed line after them', () => {
  assert.equal(progressStatus('≈50 tokens · 3.3 s · - if item["name"] == name'), '≈50 tokens · 3.3 s');
  assert.equal(progressStatus('≈1.2k tokens · 12.0 s · *** End Patch'), '≈1.2k tokens · 12.0 s');
  assert.equal(progressStatus('≈7 tokens · 0.4 s · '), '≈7 tokens · 0.4 s');
  assert.equal(progressStatus('applying the patch'), 'applying the patch');
  assert.equal(progressStatus(undefined), undefined);
});
