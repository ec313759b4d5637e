// What the user is told when the server cannot start or a workspace oversteps: no `vscode` import, so it is
// unit-tested under plain Node.

/** The message for a failed start: a not-found message says its own fix; anything else points at the log. */
export function startFailure(error: string, notFound: boolean): string {
  return notFound
    ? error
    : `claif-lsp failed to start: ${error}. Check "Claif: Show log"; install the server with "pip install claif-lsp" or set "claif.server.path".`;
}

/** The warning for a workspace whose settings try user-only keys (`attempts`, non-empty). */
export function workspaceAttemptsWarning(attempts: readonly string[]): string {
  return (
    `Claif: this workspace's settings set ${attempts.join(', ')}; they are ignored, because a repository may not choose programs to run, ` +
    'which key is sent or where your code goes. Set them in your user settings.'
  );
}
