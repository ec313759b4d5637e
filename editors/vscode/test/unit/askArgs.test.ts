import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeAskArgs, needsInstruction, progressToken, requestId, typedInstruction } from '../../src/askArgs';
import { range } from './fixtures';

const editor = { uri: 'file:///editor.py', range: range(4, 6) };

test('a code action that carries its file and selection is sent as is, without asking the editor', () => {
  const given = { uri: 'file:///a.py', range: range(1), action: 'docstring' };
  const args = completeAskArgs(given, () => assert.fail('the editor is not consulted'));
  assert.deepEqual(args, given);
});

test('a missing selection comes from the editor, the given file stays', () => {
  assert.deepEqual(completeAskArgs({ uri: 'file:///a.py', instruction: 'x' }, () => editor), {
    uri: 'file:///a.py',
    range: editor.range,
    instruction: 'x',
  });
});

test('no argument at all takes file and selection from the editor', () => {
  assert.deepEqual(completeAskArgs(undefined, () => editor), editor);
});

test('with neither an argument nor an editor there is nothing to ask', () => {
  assert.equal(completeAskArgs({ action: 'explain' }, () => undefined), undefined);
});

test('only a free ask without an instruction needs the input box', () => {
  assert.equal(needsInstruction({}), true);
  assert.equal(needsInstruction({ action: 'ask' }), true);
  assert.equal(needsInstruction({ action: 'ask', instruction: 'add types' }), false);
  assert.equal(needsInstruction({ action: 'explain' }), false);
  assert.equal(needsInstruction({ action: 'custom:0' }), false);
});

test('the typed instruction is trimmed; blanks or Escape ask nothing', () => {
  assert.equal(typedInstruction('  add type hints \n'), 'add type hints');
  assert.equal(typedInstruction('   '), undefined);
  assert.equal(typedInstruction(undefined), undefined);
});

test('request ids and progress tokens name the window and the ask', () => {
  assert.equal(requestId(4242, 3), 'vscode-4242-3');
  assert.equal(progressToken('vscode-4242-3'), 'claif-vscode-vscode-4242-3');
});
