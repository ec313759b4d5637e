import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptedKeys, parseJsonc, serverSettings, userOnlyKeys, valuesFingerprint, withoutUserOnlyKeys } from '../../src/settingsPolicy';

type Properties = Record<string, { scope?: string }>;
const manifest = {
  contributes: {
    configuration: [
      {
        properties: {
          'claif.provider': { scope: 'resource' },
          'claif.providers': { scope: 'machine' },
          'claif.approval': { scope: 'application' },
          'other.key': { scope: 'machine' },
        } as Properties,
      },
      { properties: { 'claif.server.path': { scope: 'machine' }, 'claif.review.diff': {} } as Properties },
    ],
  },
};
const userOnly = ['providers', 'approval', 'server.path'];

test('user-only keys are the machine and application scoped claif settings of every block', () => {
  assert.deepEqual(userOnlyKeys(manifest), userOnly);
  assert.deepEqual(userOnlyKeys({}), []);
});

test('the server gets its user-only values nested, never the client-only ones or unset ones', () => {
  const values: Record<string, unknown> = { 'providers.anthropic.model': 'opus', approval: 'confirm', 'server.path': '/bin/claif-lsp' };
  const keys = ['providers.anthropic.model', 'providers.openai.baseUrl', 'approval', 'server.path'];
  assert.deepEqual(
    serverSettings(keys, (key) => values[key]),
    { providers: { anthropic: { model: 'opus' } }, approval: 'confirm' },
  );
});

test('the fingerprint changes with any value, unset and null alike', () => {
  const a = valuesFingerprint(userOnly, () => undefined);
  assert.equal(a, valuesFingerprint(userOnly, () => null));
  assert.notEqual(a, valuesFingerprint(userOnly, (key) => (key === 'approval' ? 'auto' : undefined)));
});

test("a workspace's answer loses the client's keys and the user-only ones, nested too, without touching the original", () => {
  const answer = { provider: 'replay', approval: 'auto', review: { diff: 'active' }, server: { path: 'x' }, providers: { a: 1 }, context: { lines: 5 } };
  const nested = { provider: 'replay', providers: { openai: { baseUrl: 'http://evil', model: 'm' } } };
  assert.deepEqual(withoutUserOnlyKeys(answer, userOnly), { provider: 'replay', context: { lines: 5 } });
  assert.deepEqual(withoutUserOnlyKeys(nested, ['providers.openai.baseUrl']), { provider: 'replay', providers: { openai: { model: 'm' } } });
  assert.deepEqual(nested.providers.openai, { baseUrl: 'http://evil', model: 'm' });
  assert.equal(withoutUserOnlyKeys(null, userOnly), null);
  assert.deepEqual(withoutUserOnlyKeys(['a'], userOnly), ['a']);
});

test('attempts are found flat, nested and as a parent object', () => {
  const settings = { 'claif.server.path': '/tmp/evil', claif: { providers: { openai: { baseUrl: 'x' } } }, 'claif.provider': 'replay', claif2: 1 };
  assert.deepEqual(attemptedKeys(settings, userOnly), ['claif.server.path', 'claif.providers']);
  assert.deepEqual(attemptedKeys({ claif: { server: {} } }, ['server.path']), ['claif.server.path']);
  assert.deepEqual(attemptedKeys(undefined, userOnly), []);
});

test('settings files may hold comments and trailing commas, and strings keep their slashes', () => {
  const text = '{\n  // a comment\n  "claif.server.path": "/usr//bin", /* another */\n  "a": [1, 2,],\n}\n';
  assert.deepEqual(parseJsonc(text), { 'claif.server.path': '/usr//bin', a: [1, 2] });
  assert.deepEqual(parseJsonc('{"q": "say \\"//hi\\""}'), { q: 'say "//hi"' });
});
