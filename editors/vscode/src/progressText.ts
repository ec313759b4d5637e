// What a progress notification shows for the server's `$/progress`: no `vscode` import, so it is unit-tested under
// plain Node.

/** The notification's title: the server's, prefixed "Claif: " unless it says so already; `fallback` without one. */
export function progressTitle(title: string | undefined, fallback: string): string {
  return !title ? fallback : /^claif\b/i.test(title) ? title : `Claif: ${title}`;
}

export interface ProgressUpdate {
  message?: string;
  /** VS Code adds increments up: the step from what was reported so far to the new percentage (0-100). */
  increment?: number;
}

/** The update for one begin or report, and the percentage reported after it (`reported` before). */
export function progressUpdate(reported: number, params: { message?: string; percentage?: number }): { update: ProgressUpdate; reported: number } {
  const update: ProgressUpdate = {};
  if (params.message) update.message = params.message;
  if (typeof params.percentage !== 'number') return { update, reported };
  const percentage = Math.max(0, Math.min(params.percentage, 100));
  update.increment = Math.max(0, percentage - reported);
  return { update, reported: reported + update.increment };
}
