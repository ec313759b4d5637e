import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentItem, providerItems, providerSettingsScope, stateText, unready } from '../../src/providerItems';
import { providerReport, providersResult } from './fixtures';

const result = providersResult([
  providerReport('anthropic', { displayName: 'Claude API', state: 'needs_credential', reason: 'set ANTHROPIC_API_KEY' }),
  providerReport('replay'),
  providerReport('codex', { enabled: false }),
]);

test('auto comes first and says what it resolves to when it is the setting', () => {
  const [auto] = providerItems(result);
  assert.deepEqual(auto, { label: 'auto', description: 'current · resolves to replay', value: 'auto' });
  assert.equal(providerItems({ ...result, configured: 'replay' })[0].description, 'the first ready provider');
  assert.equal(providerItems({ ...result, active: 'none' })[0].description, 'current · resolves to nothing ready');
});

test('each provider shows its state, whether it is active or disabled, and why it is not ready', () => {
  const [, anthropic, replay, codex] = providerItems(result);
  assert.deepEqual(anthropic, {
    label: '$(warning) Claude API (anthropic)',
    description: 'needs a key or sign-in',
    detail: 'set ANTHROPIC_API_KEY',
    value: 'anthropic',
  });
  assert.deepEqual(replay, { label: '$(check) replay', description: 'ready · active', detail: 'claif-replay 0.1.0', value: 'replay' });
  assert.equal(providerItems({ ...result, configured: 'replay' })[2].description, 'ready · current');
  assert.deepEqual(codex, { label: '$(check) codex', description: 'ready · disabled', detail: 'claif-codex 0.1.0', value: 'codex' });
});

test('the choice is saved where the setting is now, the most specific place first', () => {
  assert.equal(providerSettingsScope({ workspaceFolderValue: 'a', workspaceValue: 'b' }), 'workspaceFolder');
  assert.equal(providerSettingsScope({ workspaceValue: 'b' }), 'workspace');
  assert.equal(providerSettingsScope({}), 'user');
  assert.equal(providerSettingsScope(undefined), 'user');
});

test('states read as words, never as ids', () => {
  assert.equal(stateText('needs_credential'), 'needs a key or sign-in');
  assert.equal(stateText('not_installed'), 'not installed');
  assert.equal(stateText('needs_config'), 'needs a setting');
  assert.equal(stateText('some_new_state'), 'some new state');
  for (const item of providerItems(result)) assert.doesNotMatch(item.description, /_/);
});

test('the list starts on the configured provider', () => {
  const items = providerItems({ ...result, configured: 'replay' });
  assert.equal(currentItem(items, 'replay')?.value, 'replay');
  assert.equal(currentItem(items, 'auto')?.value, 'auto');
  assert.equal(currentItem(items, 'gone')?.value, 'auto');
});

test('a provider that cannot answer is named with why and what to do', () => {
  assert.equal(unready(result), undefined);
  assert.equal(unready(result, 'anthropic'), 'Claude API (anthropic) needs a key or sign-in: set ANTHROPIC_API_KEY');
  assert.equal(unready(result, 'codex'), 'codex is disabled');
  assert.equal(unready(result, 'gemini'), 'the provider "gemini" is not installed');
  assert.equal(unready({ ...result, active: 'none' }), 'no provider is ready to answer');
  assert.equal(unready({ ...result, active: 'anthropic', configured: 'anthropic' }), 'Claude API (anthropic) needs a key or sign-in: set ANTHROPIC_API_KEY');
});
