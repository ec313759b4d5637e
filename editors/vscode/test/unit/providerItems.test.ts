import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerItems, providerSettingsScope } from '../../src/providerItems';

const result = {
  active: 'replay',
  configured: 'auto',
  providers: [
    { name: 'anthropic', displayName: 'Claude API', state: 'needs_credential', reason: 'set ANTHROPIC_API_KEY' },
    { name: 'replay', distribution: 'claif-replay', version: '0.1.0', state: 'ready' },
    { name: 'codex', state: 'ready', enabled: false },
  ],
};

test('auto comes first and says what it resolves to when it is the setting', () => {
  const [auto] = providerItems(result);
  assert.deepEqual(auto, { label: 'auto', description: 'current · resolves to replay', value: 'auto' });
  assert.equal(providerItems({ ...result, configured: 'replay' })[0].description, 'the first ready provider');
  assert.equal(providerItems({ ...result, active: null })[0].description, 'current · resolves to nothing ready');
});

test('each provider shows its state, whether it is active or disabled, and why it is not ready', () => {
  const [, anthropic, replay, codex] = providerItems(result);
  assert.deepEqual(anthropic, {
    label: '$(warning) anthropic',
    description: 'needs_credential · Claude API',
    detail: 'set ANTHROPIC_API_KEY',
    value: 'anthropic',
  });
  assert.deepEqual(replay, { label: '$(check) replay', description: 'ready · active', detail: 'claif-replay 0.1.0', value: 'replay' });
  assert.deepEqual(codex, { label: '$(check) codex', description: 'ready · disabled', detail: undefined, value: 'codex' });
});

test('the choice is saved where the setting is now, the most specific place first', () => {
  assert.equal(providerSettingsScope({ workspaceFolderValue: 'a', workspaceValue: 'b' }), 'workspaceFolder');
  assert.equal(providerSettingsScope({ workspaceValue: 'b' }), 'workspace');
  assert.equal(providerSettingsScope({}), 'user');
  assert.equal(providerSettingsScope(undefined), 'user');
});
