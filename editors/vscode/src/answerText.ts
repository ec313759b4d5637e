// The answer view's words and page: no `vscode` import, so it is unit-tested under plain Node.
import type { AnswerParams } from './protocol';

/** The answer tab's title: "Claif: Explain", or the instruction of a free ask that answered in prose. */
export function answerTitle(action: string, instruction?: string | null): string {
  const about = instruction?.trim() || action.replace(/^custom:\d+$/, 'answer');
  const short = about.length > 40 ? `${about.slice(0, 39)}…` : about;
  return `Claif: ${short.charAt(0).toUpperCase()}${short.slice(1)}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The plain text as HTML, for when the Markdown renderer is not there. */
export const plainHtml = (text: string): string => `<pre class="plain">${escapeHtml(text)}</pre>`;

/**
 * The webview's page: `body` (rendered Markdown) and a script that swaps in each update without reloading the page
 * (a reload would reset the scroll while the answer streams). Nothing but that script and the styles may run.
 */
export function answerPage(body: string, opts: { nonce: string; cspSource: string; streaming: boolean }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${opts.cspSource} 'unsafe-inline'`,
    `img-src ${opts.cspSource} https: data:`,
    `script-src 'nonce-${opts.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<style>
body { font-family: var(--vscode-markdown-font-family, var(--vscode-font-family)); font-size: var(--vscode-markdown-font-size, 14px); line-height: 1.6; padding: 0 20px 20px; color: var(--vscode-foreground); }
code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px 12px; overflow-x: auto; }
pre.plain { white-space: pre-wrap; background: none; padding: 0; }
#status { color: var(--vscode-descriptionForeground); font-style: italic; }
</style></head>
<body><div id="answer">${body}</div><p id="status">${opts.streaming ? 'Claif is still answering…' : ''}</p>
<script nonce="${opts.nonce}">
const vscode = acquireVsCodeApi();
window.addEventListener('message', (event) => {
  const { html, streaming } = event.data;
  document.getElementById('answer').innerHTML = html;
  document.getElementById('status').textContent = streaming ? 'Claif is still answering…' : '';
});
vscode.postMessage({ ready: true });
</script></body></html>`;
}

/** One answer as it streams: the newest text wins, and nothing changes once it is done. */
export class AnswerStream {
  text = '';
  done = false;
  private lastRender = -Infinity;

  /** Take a `claif/answer` notification; true when the text changed. */
  update(params: Pick<AnswerParams, 'text' | 'done'>): boolean {
    if (this.done) return false;
    const changed = params.text !== this.text;
    this.text = params.text;
    this.done = params.done;
    return changed || params.done;
  }

  /** The final text (the ask's answer), whatever streamed before. */
  finish(text: string): boolean {
    const changed = !this.done || text !== this.text;
    this.text = text;
    this.done = true;
    return changed;
  }

  /** True when the view should render now: the end at once, else at most every `everyMs` (rendering is not free). */
  due(now: number, everyMs = 150): boolean {
    if (!this.done && now - this.lastRender < everyMs) return false;
    this.lastRender = now;
    return true;
  }
}
