// The language client's middleware. The server's own commands (`claif.ask`, `claif.refine`, `claif.accept`, ...) are
// registered by the client from `executeCommandProvider`; they are intercepted here so that code actions and
// CodeLenses get the same input box, progress notification and review UI as the palette. Settings answers lose the keys a workspace
// may not set, and documents the server shows open beside the code.
import * as vscode from 'vscode';
import type { ConfigurationParams, LanguageClient, Middleware } from 'vscode-languageclient/node';
import { isMarkdown, showRendered } from './answerView';
import { emit, errorMessage, outputChannel } from './events';
import { withoutUserOnlyKeys } from './settingsPolicy';
import { type AcceptResult, type AskArgs, Commands } from './types';

/** What the middleware hands server commands and lenses to. */
export interface MiddlewareHandlers {
  /** The client whose converters turn protocol ranges into VS Code's. */
  client(): LanguageClient | undefined;
  /** Settings only the user's own settings may set: never answered from the workspace. */
  readonly userOnly: readonly string[];
  /** A `claif.ask` from a code action or lens (its argument as sent, maybe without file or selection). */
  ask(arg: Partial<AskArgs> | undefined): Promise<unknown>;
  /** A `claif.refine` / `claif.retry` (a code action's, a fix-again's): the feedback box, progress and the new revision. */
  refine(arg: unknown): Promise<unknown>;
  retry(arg: unknown): Promise<unknown>;
  /** A `claif.accept` / `claif.reject`: `run` sends it on. */
  decision(command: string, arg: { proposal?: string } | undefined, run: () => Promise<AcceptResult>): Promise<unknown>;
  /** The server's lenses for a document, with what the review adds. */
  decorateLenses(document: vscode.TextDocument, lenses: vscode.CodeLens[]): vscode.CodeLens[];
}

export function createMiddleware(handlers: MiddlewareHandlers): Middleware {
  return {
    executeCommand: (command, args, next) => interceptCommand(handlers, command, args, next),
    provideCodeLenses: async (document, token, next) => handlers.decorateLenses(document, (await next(document, token)) ?? []),
    window: {
      // Answers (explain) and previews the server shows open beside the code they are about, not over it, and
      // never take the focus (even when the server asks to): they arrive while the user may be typing.
      showDocument: async (params, token, next) => {
        if (params.external || !params.uri.startsWith('file:')) return next(params, token);
        const uri = vscode.Uri.parse(params.uri);
        if (isMarkdown(uri) && (await showRendered(uri))) {
          emit('showDocument', { uri: params.uri, rendered: true, takeFocus: params.takeFocus ?? false });
          return { success: true };
        }
        try {
          const editor = await vscode.window.showTextDocument(vscode.Uri.parse(params.uri), {
            viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
            preserveFocus: true,
            preview: true,
            selection: params.selection && handlers.client()?.protocol2CodeConverter.asRange(params.selection),
          });
          emit('showDocument', { uri: params.uri, column: editor.viewColumn, takeFocus: params.takeFocus ?? false });
          return { success: true };
        } catch (error) {
          outputChannel().warn(`window/showDocument ${params.uri}: ${errorMessage(error)}`);
          return { success: false };
        }
      },
    },
    workspace: {
      // VS Code returns all of section `claif`, including this extension's own keys (the server's settings
      // model rejects unknown keys) and user-only ones (which reach the server in initializationOptions only,
      // so that no workspace value can slip through): both are removed here.
      configuration: async (params: ConfigurationParams, token, next) => {
        const result = await next(params, token);
        if (!Array.isArray(result)) return result;
        return result.map((value, i) => (params.items[i]?.section === 'claif' ? withoutUserOnlyKeys(value, handlers.userOnly) : value));
      },
    },
  };
}

async function interceptCommand(
  handlers: MiddlewareHandlers,
  command: string,
  args: any[],
  next: (command: string, args: any[]) => unknown,
): Promise<unknown> {
  if (command === Commands.ask) return handlers.ask(args[0] as Partial<AskArgs> | undefined);
  emit('command', { command, args });
  if (command === Commands.refine) return handlers.refine(args[0]);
  if (command === Commands.retry) return handlers.retry(args[0]);
  if (command === Commands.accept || command === Commands.reject) {
    return handlers.decision(command, args[0], () => next(command, args) as Promise<AcceptResult>);
  }
  try {
    return await next(command, args);
  } catch (error) {
    void vscode.window.showErrorMessage(`Claif: ${command} failed: ${errorMessage(error)}`);
    return undefined;
  }
}
