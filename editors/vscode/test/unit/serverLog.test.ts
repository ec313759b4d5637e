import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stderrLine } from '../../src/serverLog';

test('a record the server also forwards as window/logMessage is logged once', () => {
  assert.equal(stderrLine('12:00:01.123 INFO    claif_lsp.server: started', true), undefined);
  assert.equal(stderrLine('12:00:01.123 WARNING providers.openai: slow answer', true), undefined);
});

test('before the server forwards, and for libraries, a record keeps its own level', () => {
  assert.deepEqual(stderrLine('12:00:01.123 INFO    claif_lsp.server: started', false), { level: 'info', text: '12:00:01.123 INFO    claif_lsp.server: started' });
  assert.deepEqual(stderrLine('12:00:01.123 WARNING httpx: retrying', true), { level: 'warn', text: '12:00:01.123 WARNING httpx: retrying' });
  assert.deepEqual(stderrLine('12:00:01.123 ERROR   pygls.protocol: bad message', true)?.level, 'error');
  assert.deepEqual(stderrLine('12:00:01.123 DEBUG   claif_lsp.ask: x', false)?.level, 'debug');
});

test('anything else on stderr (a traceback, a crash) is an error; blank lines are dropped', () => {
  assert.deepEqual(stderrLine('Traceback (most recent call last):', true), { level: 'error', text: 'Traceback (most recent call last):' });
  assert.equal(stderrLine('   ', false), undefined);
});
