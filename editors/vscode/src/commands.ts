// The extension's commands and the glue between them, the language client and the review UI.
//
// Palette/context-menu commands use the `claif.ui.*` ids; the server's own commands (`claif.ask`,
// `claif.accept`, ...) are registered by the language client from `executeCommandProvider`, and this module
// intercepts them (middleware) so that code actions and CodeLenses get the same input box, progress
// notification and review UI as the palette.
import * as vscode from 'vscode';
import {
  CodeLensRequest,
  type ConfigurationParams,
  ExecuteCommandRequest,
  LanguageClient,
  type Middleware,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';
import { emit, errorMessage, outputChannel } from './events';
import { ServerMessages } from './messages';
import { acceptMessage } from './outcome';
import { NotificationProgress, routeServerProgress } from './progress';
import { ReviewManager } from './review';
import { ServerNotFoundError, readServerConfig, resolveServer } from './server';
import type { StatusItem } from './status';
import { userOnlyKeys, userServerSettings, userValuesFingerprint, withoutUserOnlyKeys, workspaceAttempts } from './trust';
import {
  type AcceptResult,
  type AskArgs,
  type AskResult,
  Commands,
  PROPOSALS_CHANGED,
  type Proposal,
  type ProposalsChangedParams,
  type ProvidersResult,
} from './types';

export const UiCommands = {
  ask: 'claif.ui.ask',
  explain: 'claif.ui.explain',
  accept: 'claif.ui.acceptProposal',
  reject: 'claif.ui.rejectProposal',
  selectProvider: 'claif.ui.selectProvider',
  showLog: 'claif.ui.showLog',
  restart: 'claif.ui.restartServer',
  cancel: 'claif.ui.cancel',
} as const;

export class Controller implements vscode.Disposable {
  client: LanguageClient | undefined;
  readonly review: ReviewManager;
  private counter = 0;
  private readonly running = new Map<string, NotificationProgress>();
  private readonly clientDisposables: vscode.Disposable[] = [];
  private readonly messages = new ServerMessages();
  private starting: Promise<void> | undefined;
  /** Settings only the user's own settings may set (`server.path`, `providers`, ...), from package.json. */
  readonly userOnly: string[];
  /** The server's working directory: the extension's own folder, never a repository's (see resolveServer). */
  private readonly extensionPath: string;
  /** The user-only values the running server was started with. */
  private startedWith: string | undefined;
  private warnedAttempts = '';

  constructor(
    private readonly status: StatusItem,
    extension: { packageJSON: Parameters<typeof userOnlyKeys>[0]; extensionPath: string },
  ) {
    this.userOnly = userOnlyKeys(extension.packageJSON);
    this.extensionPath = extension.extensionPath;
    this.review = new ReviewManager({ fetch: (id) => this.execute<Proposal>(Commands.proposal, { proposal: id }) });
    this.review.onDidChangeProposals(() => {
      void vscode.commands.executeCommand('setContext', 'claif.hasOpenProposals', this.review.open().length > 0);
    });
    // The stale-hunk lenses ride on the server's: ask VS Code for the server's lenses again when they change.
    this.review.onDidChangeLenses(() => {
      const document = vscode.window.activeTextEditor?.document ?? vscode.window.visibleTextEditors[0]?.document;
      if (document && this.client?.state === State.Running) {
        this.client.getFeature(CodeLensRequest.method).getProvider(document)?.onDidChangeCodeLensEmitter.fire();
      }
    });
  }

  register(context: vscode.ExtensionContext): void {
    const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
    reg(UiCommands.ask, () => this.askFromEditor('ask'));
    reg(UiCommands.explain, () => this.askFromEditor('explain'));
    reg(UiCommands.accept, (resource?: unknown) => this.decide('accept', resource));
    reg(UiCommands.reject, (resource?: unknown) => this.decide('reject', resource));
    reg(UiCommands.selectProvider, () => this.selectProvider());
    reg(UiCommands.showLog, () => outputChannel().show(true));
    reg(UiCommands.restart, () => this.restart());
    reg(UiCommands.cancel, () => this.cancelAll());
  }

  // ---- server lifecycle -------------------------------------------------------------------------------

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.status.setServer('starting');
    void this.warnAboutWorkspaceAttempts();
    this.startedWith = userValuesFingerprint(this.userOnly);
    let server;
    try {
      server = await resolveServer(readServerConfig(), this.extensionPath);
    } catch (error) {
      return this.startFailed(error);
    }
    outputChannel().info(`starting claif-lsp: ${server.description} ${server.executable.args?.join(' ') ?? ''}`);
    const client = new LanguageClient(
      'claif',
      'Claif',
      { run: server.executable, debug: server.executable },
      {
        documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
        synchronize: { configurationSection: 'claif' },
        // The user's own values of user-only settings travel here, never in workspace/configuration answers.
        // The extension draws review itself (diff editor); initializationOptions win over user settings.
        initializationOptions: { ...userServerSettings(this.userOnly), preview: 'none' },
        outputChannel: outputChannel(),
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        middleware: this.middleware(),
      },
    );
    this.client = client;
    this.clientDisposables.push(
      this.messages.attach(client),
      client.onNotification(PROPOSALS_CHANGED, (params: ProposalsChangedParams) => void this.review.onProposalsChanged(params)),
      client.onDidChangeState((event) => {
        if (event.newState === State.Running) {
          this.status.setServer('running');
          this.clientDisposables.push(routeServerProgress(client));
          void this.refreshProviders();
        } else if (event.newState === State.Stopped) {
          this.status.setServer('stopped');
        }
        emit('client.state', { state: State[event.newState] });
      }),
    );
    try {
      await client.start();
    } catch (error) {
      return this.startFailed(error, server.description);
    }
    emit('server.ready', { command: server.description });
  }

  private startFailed(error: unknown, command?: string): void {
    const message =
      error instanceof ServerNotFoundError
        ? error.message
        : `claif-lsp failed to start: ${errorMessage(error)}. Check "Claif: Show log"; install the server with "pip install claif-lsp" or set "claif.server.path".`;
    outputChannel().error(message);
    this.status.setServer('failed', message);
    emit('server.failed', { message, command });
    // Not awaited: while the message is up, start() must be over so that fixing a setting restarts the server.
    void vscode.window.showErrorMessage(`Claif: ${message}`, 'Open Settings', 'Show Log').then(async (choice) => {
      if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'claif.server');
      if (choice === 'Show Log') outputChannel().show(true);
    });
  }

  /** True when a user-only setting of the user's changed since the server started (a workspace change is ignored). */
  userSettingsChanged(): boolean {
    return this.startedWith !== userValuesFingerprint(this.userOnly);
  }

  /** One warning per set of ignored keys: a workspace tried to set what only the user may. */
  async warnAboutWorkspaceAttempts(): Promise<void> {
    const attempts = await workspaceAttempts(this.userOnly);
    const shown = attempts.join(', ');
    if (!attempts.length || shown === this.warnedAttempts) return;
    this.warnedAttempts = shown;
    const message =
      `Claif: this workspace's settings set ${shown}; they are ignored, because a repository may not choose programs to run, ` +
      'which key is sent or where your code goes. Set them in your user settings.';
    outputChannel().warn(message);
    emit('trust.ignored', { keys: attempts });
    void vscode.window.showWarningMessage(message, 'Open User Settings').then(async (choice) => {
      if (choice) await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    if (client && client.state !== State.Stopped) {
      try {
        await client.stop(5000);
      } catch (error) {
        outputChannel().warn(`stopping claif-lsp: ${errorMessage(error)}`);
      }
    }
  }

  private middleware(): Middleware {
    return {
      executeCommand: (command, args, next) => this.interceptCommand(command, args, next),
      provideCodeLenses: async (document, token, next) => this.review.decorateLenses(document, (await next(document, token)) ?? []),
      window: {
        // Answers (explain) and previews the server shows open beside the code they are about, not over it, and
        // never take the focus (even when the server asks to): they arrive while the user may be typing.
        showDocument: async (params, token, next) => {
          if (params.external || !params.uri.startsWith('file:')) return next(params, token);
          try {
            const editor = await vscode.window.showTextDocument(vscode.Uri.parse(params.uri), {
              viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
              preserveFocus: true,
              preview: true,
              selection: params.selection && this.client?.protocol2CodeConverter.asRange(params.selection),
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
          return result.map((value, i) => (params.items[i]?.section === 'claif' ? withoutUserOnlyKeys(value, this.userOnly) : value));
        },
      },
    };
  }

  private requireClient(): LanguageClient {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      throw new Error('claif-lsp is not running (see "Claif: Show log")');
    }
    return client;
  }

  async execute<T>(command: string, arg?: unknown, workDoneToken?: string): Promise<T> {
    const client = this.requireClient();
    return client.sendRequest(ExecuteCommandRequest.type, {
      command,
      arguments: arg === undefined ? [] : [arg],
      ...(workDoneToken ? { workDoneToken } : {}),
    }) as Promise<T>;
  }

  async refreshProviders(): Promise<ProvidersResult | undefined> {
    try {
      const result = await this.execute<ProvidersResult>(Commands.providers);
      this.status.setProviders(result);
      emit('providers', { active: result.active, configured: result.configured });
      return result;
    } catch (error) {
      outputChannel().warn(`claif.providers: ${errorMessage(error)}`);
      return undefined;
    }
  }

  // ---- commands from the server (code actions, CodeLenses) ------------------------------------------------

  private async interceptCommand(command: string, args: any[], next: (command: string, args: any[]) => unknown): Promise<unknown> {
    if (command === Commands.ask) {
      const arg = (args[0] ?? {}) as Partial<AskArgs>;
      if (!arg.uri || !arg.range) {
        const fromEditor = this.editorTarget();
        if (!fromEditor) return undefined;
        Object.assign(arg, { uri: arg.uri ?? fromEditor.uri, range: arg.range ?? fromEditor.range });
      }
      return this.ask(arg as AskArgs);
    }
    emit('command', { command, args });
    if (command === Commands.accept || command === Commands.reject) {
      return this.decision(command, args[0], () => next(command, args) as Promise<AcceptResult>);
    }
    try {
      return await next(command, args);
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${command} failed: ${errorMessage(error)}`);
      return undefined;
    }
  }

  // ---- ask / explain ---------------------------------------------------------------------------------------

  private editorTarget(): { uri: string; range: AskArgs['range'] } | undefined {
    const editor = vscode.window.activeTextEditor;
    const client = this.client;
    if (!editor || !client) {
      void vscode.window.showInformationMessage('Claif: open a file and select some code first.');
      return undefined;
    }
    const c2p = client.code2ProtocolConverter;
    return { uri: c2p.asUri(editor.document.uri), range: c2p.asRange(editor.selection) };
  }

  async askFromEditor(action: string): Promise<AskResult | undefined> {
    try {
      this.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    const target = this.editorTarget();
    if (!target) return undefined;
    return this.ask({ ...target, action });
  }

  async ask(input: AskArgs): Promise<AskResult | undefined> {
    const args: AskArgs = { ...input };
    const action = args.action ?? 'ask';
    if (action === 'ask' && !args.instruction) {
      const instruction = await vscode.window.showInputBox({
        title: 'Claif: Ask',
        prompt: 'What should the model do with the selection?',
        placeHolder: 'e.g. add type hints and a docstring',
        ignoreFocusOut: true,
      });
      if (!instruction?.trim()) return undefined;
      args.instruction = instruction.trim();
    }
    let client: LanguageClient;
    try {
      client = this.requireClient();
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    args.requestId ??= `vscode-${process.pid}-${++this.counter}`;
    const token = `claif-vscode-${args.requestId}`;
    const progress = new NotificationProgress(client, token, `Claif: ${action}`);
    this.running.set(args.requestId, progress);
    const done = this.status.begin();
    emit('ask.start', { requestId: args.requestId, action, instruction: args.instruction, token });
    try {
      const result = (await this.execute<AskResult>(Commands.ask, args, token)) ?? {};
      emit('ask.result', { requestId: args.requestId, result, cancelled: progress.cancelled });
      if (progress.cancelled || result.cancelled) return result;
      const problems = result.errors ?? [];
      for (const problem of problems) outputChannel().warn(`ask ${args.requestId}: ${problem}`);
      if (problems.length) void vscode.window.showWarningMessage(`Claif: ${problems.join('; ')}`, 'Show Log').then((c) => c && outputChannel().show(true));
      if (result.proposals?.length) {
        await this.review.show(result.proposals);
      } else if (typeof result.answer === 'string') {
        await showAnswer(result);
      } else if (!problems.length) {
        void vscode.window.showInformationMessage('Claif: the model proposed no changes.');
      }
      return result;
    } catch (error) {
      if (progress.cancelled) {
        emit('ask.cancelled', { requestId: args.requestId, error: errorMessage(error) });
        return undefined;
      }
      emit('ask.error', { requestId: args.requestId, error: errorMessage(error) });
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`, 'Show Log').then((c) => c && outputChannel().show(true));
      return undefined;
    } finally {
      progress.dispose();
      this.running.delete(args.requestId);
      done();
    }
  }

  async cancelAll(): Promise<void> {
    for (const progress of this.running.values()) progress.cancel();
    if (this.client?.state === State.Running) await this.execute(Commands.cancel, {}).catch(() => undefined);
  }

  // ---- accept / reject -------------------------------------------------------------------------------------

  async decide(verb: 'accept' | 'reject', resource?: unknown): Promise<void> {
    const proposal = await this.review.pick(resource, verb === 'accept' ? 'Accept' : 'Reject');
    if (!proposal) {
      void vscode.window.showInformationMessage('Claif: there is no open proposal.');
      return;
    }
    const command = verb === 'accept' ? Commands.accept : Commands.reject;
    emit('decide', { verb, proposal: proposal.id });
    const arg = { proposal: proposal.id };
    await this.decision(command, arg, () => this.execute<AcceptResult>(command, arg));
  }

  /** Run an accept or reject and tell the user about it once (the server's own message about it is merged in). */
  private async decision(
    command: string,
    arg: { proposal?: string } | undefined,
    run: () => Promise<AcceptResult>,
  ): Promise<AcceptResult | undefined> {
    const verb = command === Commands.accept ? 'accept' : 'reject';
    const result = await this.messages.during(run, ({ value, error }) => {
      if (error !== undefined) {
        const reason = errorMessage(error).replace(/^claif:\s*/i, '');
        const text = `Claif: ${verb} failed: ${reason}`;
        emit('decided', { command, arg, error: reason });
        void vscode.window.showErrorMessage(text);
        return [text, reason];
      }
      emit('decided', {
        command,
        arg,
        result: value ? { applied: value.applied, reason: value.reason, accepted: value.accepted, stale: value.stale } : null,
      });
      const message = command === Commands.accept && value ? acceptMessage(value) : undefined;
      if (!message) return [];
      emit('decision.message', { text: message.text });
      void vscode.window.showWarningMessage(message.text);
      return [message.text, ...message.reasons];
    });
    if (arg?.proposal) await this.review.refresh(arg.proposal);
    return result;
  }

  // ---- providers -------------------------------------------------------------------------------------------

  async selectProvider(): Promise<void> {
    let result: ProvidersResult;
    try {
      result = await this.execute<ProvidersResult>(Commands.providers);
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return;
    }
    type Item = vscode.QuickPickItem & { value: string };
    const items: Item[] = [
      {
        label: 'auto',
        description: result.configured === 'auto' ? `current · resolves to ${result.active ?? 'nothing ready'}` : 'the first ready provider',
        value: 'auto',
      },
      ...result.providers.map((p) => ({
        label: `${p.state === 'ready' ? '$(check)' : '$(warning)'} ${p.name}`,
        description: [p.state, p.name === result.active ? 'active' : '', p.enabled === false ? 'disabled' : '', p.displayName ?? '']
          .filter(Boolean)
          .join(' · '),
        detail: p.reason || (p.distribution ? `${p.distribution} ${p.version ?? ''}` : undefined),
        value: p.name,
      })),
    ];
    const choice = await vscode.window.showQuickPick(items, { title: 'Claif: Select provider', placeHolder: `current: ${result.configured}` });
    if (!choice) return;
    const config = vscode.workspace.getConfiguration('claif');
    const inspected = config.inspect('provider');
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await config.update('provider', choice.value, target);
    emit('providerSelected', { provider: choice.value, target });
    setTimeout(() => void this.refreshProviders(), 700);
  }

  dispose(): void {
    void this.stop();
    this.review.dispose();
  }
}

async function showAnswer(result: AskResult): Promise<void> {
  if (result.document) {
    // The server shows the answer document itself (window/showDocument); open it only when it did not.
    const shown = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === vscode.Uri.parse(result.document!).toString());
    if (shown) return;
    try {
      const uri = vscode.Uri.parse(result.document);
      await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
      return;
    } catch {
      // fall back to the answer text
    }
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: result.answer ?? '' });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
  emit('answer.shown', { chars: (result.answer ?? '').length });
}
