// Building an ask from what the user pointed at: no `vscode` import, so it is unit-tested under plain Node.
import type { AskArgs } from './types';

/** The file and selection an ask is about, in protocol terms. */
export type AskTarget = Pick<AskArgs, 'uri' | 'range'>;

/**
 * A server command's ask (a code action's or a lens's argument) with its missing file or selection taken from the
 * editor; `fromEditor` is only called when one is missing, and undefined (no editor) means there is nothing to ask.
 */
export function completeAskArgs(given: Partial<AskArgs> | undefined, fromEditor: () => AskTarget | undefined): AskArgs | undefined {
  const arg = given ?? {};
  if (arg.uri && arg.range) return { ...arg, uri: arg.uri, range: arg.range };
  const target = fromEditor();
  if (!target) return undefined;
  return { ...arg, uri: arg.uri ?? target.uri, range: arg.range ?? target.range };
}

/** The action an ask runs (`ask` when the argument names none). */
export const askAction = (args: Pick<AskArgs, 'action'>): string => args.action ?? 'ask';

/** True when the user must type the instruction first: a free ask that does not carry one. */
export const needsInstruction = (args: Pick<AskArgs, 'action' | 'instruction'>): boolean => askAction(args) === 'ask' && !args.instruction;

/** What the user typed, trimmed; undefined when they cancelled or typed only blanks. */
export function typedInstruction(typed: string | undefined): string | undefined {
  const instruction = typed?.trim();
  return instruction ? instruction : undefined;
}

/** The id of this window's `n`th ask: unique per extension host, so that the server can cancel it. */
export const requestId = (pid: number, n: number): string => `vscode-${pid}-${n}`;

/** The work-done token of an ask: its progress notification listens on it. */
export const progressToken = (id: string): string => `claif-vscode-${id}`;
