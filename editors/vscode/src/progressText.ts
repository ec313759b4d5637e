// What a progress notification shows for the server's `$/progress`: no `vscode` import, so it is unit-tested under
// plain Node.

/** The notification's title: the server's, prefixed "Claif: " unless it says so already; `fallback` without one. */
export function progressTitle(title: string | undefined, fallback: string): string {
  return !title ? fallback : /^claif\b/i.test(title) ? title : `Claif: ${title}`;
}

const TITLE_TEXT = 60;

/** Text cut to `max` characters on one line, with "…" when it was longer. */
export function shorten(text: string, max = TITLE_TEXT): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}

/**
 * An ask's title for the whole request: "Claif: <provider>: <instruction>". The server's begin message names the
 * provider ("OpenAI-compatible: ask (…)"); its reports then replace the message, so the title must keep what the
 * request is about.
 */
export function askProgressTitle(beginMessage: string | undefined, what: string): string {
  const provider = beginMessage?.includes(': ') ? beginMessage.slice(0, beginMessage.indexOf(': ')).trim() : '';
  const about = shorten(what);
  return provider ? `Claif: ${provider}: ${about}` : `Claif: ${about}`;
}

/** What of the begin message stays below that title: its note in parentheses ("context cut to 200 lines"), if any. */
export function beginNote(beginMessage: string | undefined): string | undefined {
  const match = /\(([^()]*)\)\s*$/.exec(beginMessage ?? '');
  return match ? match[1] : undefined;
}

const STATUS_PART = /^(≈\s*[\d.,]+\s*[kKM]?\s+tokens?|[\d.,]+\s*s)$/;

/**
 * A report's short status: the server's stream reports end with the last streamed line after " · "
 * ("≈50 tokens · 3.3 s · - if item["name"] == name"), which is patch text, never status: only the counts stay.
 * Other messages pass as they are.
 */
export function progressStatus(message: string | undefined): string | undefined {
  if (!message) return message;
  const parts = message.split(' · ');
  if (!STATUS_PART.test(parts[0].trim())) return message;
  const status = [];
  for (const part of parts) {
    if (!STATUS_PART.test(part.trim())) break;
    status.push(part.trim());
  }
  return status.join(' · ');
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
