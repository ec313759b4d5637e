import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFailure, workspaceAttemptsWarning } from '../../src/serverText';

test('a server that was not found says its own fix; any other failure points at the log', () => {
  assert.equal(startFailure('claif-lsp was not found on PATH. Install it.', true), 'claif-lsp was not found on PATH. Install it.');
  assert.match(startFailure('spawn EACCES', false), /^claif-lsp failed to start: spawn EACCES\. Check "Claif: Show log"/);
});

test('the workspace warning names every ignored key', () => {
  const text = workspaceAttemptsWarning(['claif.providers', 'claif.server.path']);
  assert.match(text, /^Claif: this workspace's settings set claif\.providers, claif\.server\.path; they are ignored/);
  assert.match(text, /Set them in your user settings\.$/);
});
