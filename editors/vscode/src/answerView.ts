// Explanations shown rendered and read-only, streaming in as the server sends them (`claif/answer`, the whole text
// so far): a webview beside the code, rendered by VS Code's own Markdown renderer (`markdown.api.render`), never
// the raw, editable file under the server's cache folder. Documents the server shows itself (window/showDocument)
// open in VS Code's Markdown preview.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { AnswerStream, answerPage, plainHtml } from './answerText';
import { emit, errorMessage, outputChannel } from './events';
import type { AnswerParams } from './protocol';

/** The Markdown preview's custom editor (the built-in markdown-language-features extension). */
const PREVIEW_EDITOR = 'vscode.markdown.preview.editor';
/** At most one render of a streaming answer this often: each one runs the Markdown renderer on the whole text. */
const RENDER_EVERY_MS = 150;

export const isMarkdown = (uri: vscode.Uri): boolean => /\.(md|markdown)$/i.test(uri.path);

/** Show `uri` rendered beside the code, without the focus; false when the preview cannot open it. */
export async function showRendered(uri: vscode.Uri): Promise<boolean> {
  const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, PREVIEW_EDITOR, { viewColumn: column, preserveFocus: true, preview: true });
    emit('answer.preview', { uri: uri.toString() });
    return true;
  } catch (error) {
    outputChannel().warn(`the Markdown preview could not open ${uri.toString()}: ${errorMessage(error)}`);
    return false;
  }
}

async function renderMarkdown(text: string): Promise<string> {
  try {
    const html = await vscode.commands.executeCommand<string>('markdown.api.render', text);
    if (typeof html === 'string') return html;
  } catch (error) {
    outputChannel().warn(`the Markdown renderer failed: ${errorMessage(error)}`);
  }
  return plainHtml(text);
}

/** One answer's webview: created on its first text, updated as it streams. */
class AnswerView {
  readonly stream = new AnswerStream();
  private panel: vscode.WebviewPanel | undefined;
  /** The user closed it: it is not opened again for this answer. */
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private rendering: Promise<void> = Promise.resolve();
  /** What the page shows now: sent again when the page says it is ready (an update sent while it loaded is lost). */
  private shown = { html: '', streaming: true };

  constructor(
    readonly requestId: string,
    private title: string,
    private readonly reuse: () => vscode.WebviewPanel | undefined,
    private readonly onPanel: (panel: vscode.WebviewPanel) => void,
  ) {}

  setTitle(title: string): void {
    this.title = title;
    if (this.panel) this.panel.title = title;
  }

  /** Render now if it is due, else once it is (the newest text then). */
  schedule(): void {
    if (this.closed) return;
    if (this.stream.due(Date.now(), RENDER_EVERY_MS)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.rendering = this.rendering.then(() => this.render());
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, RENDER_EVERY_MS);
    }
  }

  /** Resolves once everything scheduled so far is on screen. */
  settled(): Promise<void> {
    return this.rendering;
  }

  private async render(): Promise<void> {
    const { text, done } = this.stream;
    const html = await renderMarkdown(text);
    if (this.closed) return;
    this.shown = { html, streaming: !done };
    if (!this.panel) {
      this.panel = this.reuse() ?? this.create();
      this.panel.title = this.title;
      const nonce = randomBytes(16).toString('base64');
      this.panel.webview.html = answerPage(html, { nonce, cspSource: this.panel.webview.cspSource, streaming: !done });
      this.onPanel(this.panel);
      this.panel.webview.onDidReceiveMessage(() => void this.panel?.webview.postMessage(this.shown));
      this.panel.onDidDispose(() => {
        this.closed = true;
        this.panel = undefined;
      });
    } else {
      void this.panel.webview.postMessage(this.shown);
    }
    emit(done ? 'answer.shown' : 'answer.stream', { requestId: this.requestId, chars: text.length, title: this.title });
  }

  private create(): vscode.WebviewPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    return vscode.window.createWebviewPanel(
      'claif.answer',
      this.title,
      { viewColumn: column, preserveFocus: true },
      { enableScripts: true, enableFindWidget: true, localResourceRoots: [] },
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** The answers of this window's asks, by request id. */
export class AnswerViews implements vscode.Disposable {
  private readonly views = new Map<string, AnswerView>();
  /** The newest answer's panel: the next answer replaces it, as a preview tab does, instead of piling up tabs. */
  private last: { panel: vscode.WebviewPanel; view: AnswerView } | undefined;
  /** Asks already over: a late `claif/answer` (the server sends what came of a failed ask too) opens nothing. */
  private readonly over = new Set<string>();

  /** An ask is running: its answer, if it streams one, goes under `title`. */
  expect(requestId: string, title: string): void {
    this.view(requestId, title);
  }

  /** The ask answered with no text to show (an edit, an error, a cancel). */
  abandon(requestId: string): void {
    this.views.get(requestId)?.dispose();
    this.views.delete(requestId);
    this.over.add(requestId);
    if (this.over.size > 100) this.over.delete(this.over.values().next().value!);
  }

  /** `claif/answer`: the whole text so far of an explain-type answer. */
  onAnswer(params: AnswerParams): void {
    const id = params.requestId ?? String(params.token ?? 'answer');
    if (this.over.has(id)) return;
    const view = this.view(id, 'Claif: Answer');
    if (view.stream.update(params)) view.schedule();
  }

  /** The ask's answer: shown in full in its view (opened now when nothing streamed). */
  async finish(requestId: string, title: string, text: string): Promise<void> {
    const view = this.view(requestId, title);
    view.setTitle(title);
    if (view.stream.finish(text)) view.schedule();
    await view.settled();
    this.abandon(requestId);
  }

  private view(requestId: string, title: string): AnswerView {
    let view = this.views.get(requestId);
    if (!view) {
      view = new AnswerView(
        requestId,
        title,
        () => (this.last && this.last.view.stream.done ? this.last.panel : undefined),
        (panel) => {
          this.last = { panel, view: view! };
          panel.reveal(undefined, true);
          panel.onDidDispose(() => {
            if (this.last?.panel === panel) this.last = undefined;
          });
        },
      );
      this.views.set(requestId, view);
    }
    return view;
  }

  dispose(): void {
    for (const view of this.views.values()) view.dispose();
    this.views.clear();
    this.last?.panel.dispose();
  }
}
