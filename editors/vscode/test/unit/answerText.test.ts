import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerStream, answerPage, answerTitle, escapeHtml, plainHtml } from '../../src/answerText';

test('the answer tab is titled by the action or the instruction', () => {
  assert.equal(answerTitle('explain'), 'Claif: Explain');
  assert.equal(answerTitle('ask', 'why is this slow?'), 'Claif: Why is this slow?');
  assert.equal(answerTitle('custom:2'), 'Claif: Answer');
  assert.equal(answerTitle('ask', 'x'.repeat(60)), `Claif: X${'x'.repeat(38)}…`);
});

test('text without the renderer is escaped, never run', () => {
  assert.equal(escapeHtml('<script>"a" & b</script>'), '&lt;script&gt;&quot;a&quot; &amp; b&lt;/script&gt;');
  assert.equal(plainHtml('a < b'), '<pre class="plain">a &lt; b</pre>');
});

test('the page runs only its own script (nonce) and says whether the answer is still streaming', () => {
  const page = answerPage('<p>hi</p>', { nonce: 'N0nce', cspSource: 'vscode-resource:', streaming: true });
  assert.match(page, /script-src 'nonce-N0nce'/);
  assert.match(page, /default-src 'none'/);
  assert.match(page, /<div id="answer"><p>hi<\/p><\/div>/);
  assert.match(page, /<p id="status">Claif is still answering…<\/p>/);
  assert.match(answerPage('', { nonce: 'n', cspSource: 'x', streaming: false }), /<p id="status"><\/p>/);
});

test('a stream keeps the newest text, stops at done, and the ask\'s answer is the last word', () => {
  const stream = new AnswerStream();
  assert.equal(stream.update({ text: 'It', done: false }), true);
  assert.equal(stream.update({ text: 'It', done: false }), false);
  assert.equal(stream.update({ text: 'It adds', done: false }), true);
  assert.equal(stream.update({ text: 'It adds.', done: true }), true);
  assert.equal(stream.update({ text: 'late', done: false }), false);
  assert.equal(stream.text, 'It adds.');
  assert.equal(stream.finish('It adds.'), false);
  assert.equal(stream.finish('It adds. (final)'), true);
  assert.equal(stream.text, 'It adds. (final)');
});

test('renders are spaced while streaming, and the end renders at once', () => {
  const stream = new AnswerStream();
  stream.update({ text: 'a', done: false });
  assert.equal(stream.due(1000, 150), true);
  assert.equal(stream.due(1100, 150), false);
  assert.equal(stream.due(1151, 150), true);
  stream.update({ text: 'ab', done: true });
  assert.equal(stream.due(1152, 150), true);
});
