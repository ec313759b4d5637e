// The language client's lifecycle: find the server, start it with the user's own user-only values, restart it
// when those change, stop it; and send it commands.
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, type Middleware, RevealOutputChannelOn, State } from 'vscode-languageclient/node';
import { emit, errorMessage, outputChannel } from './events';
import { ServerNotFoundError, commandLine, readServerConfig, resolveServer } from './server';
import { stderrLine } from './serverLog';
import { startFailure, workspaceAttemptsWarning } from './serverText';
import type { StatusItem } from './status';
import { userServerSettings, userValuesFingerprint, workspaceAttempts } from './trust';

/** What the rest of the extension adds to each client it starts. */
export interface ClientHooks {
  middleware(): Middleware;
  /** Handlers for a new client (before it starts); disposed when it stops. */
  attach(client: LanguageClient): vscode.Disposable[];
  /** The client is running (after a start or restart); what it returns is disposed when it stops. */
  running(client: LanguageClient): vscode.Disposable | undefined;
}

/** How the server's commands are sent: what asks, decisions and provider picking need of the client. */
export interface CommandSender {
  execute<T>(command: string, arg?: unknown, workDoneToken?: string): Promise<T>;
  /** The running client; throws a message for the user when there is none. */
  requireClient(): LanguageClient;
  /** The client, running or not. */
  readonly client: LanguageClient | undefined;
  readonly isRunning: boolean;
}

export class ServerClient implements CommandSender, vscode.Disposable {
  client: LanguageClient | undefined;
  private readonly clientDisposables: vscode.Disposable[] = [];
  private starting: Promise<void> | undefined;
  /** The user-only values the running server was started with. */
  private startedWith: string | undefined;
  private warnedAttempts = '';

  /** `userOnly`: settings only the user's own settings may set; `cwd`: the extension's folder (see resolveServer). */
  constructor(
    private readonly status: StatusItem,
    private readonly userOnly: readonly string[],
    private readonly cwd: string,
    private readonly hooks: ClientHooks,
  ) {}

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.status.setServer('starting');
    void this.warnAboutWorkspaceAttempts();
    this.startedWith = userValuesFingerprint(this.userOnly);
    const config = readServerConfig();
    let server;
    try {
      server = await resolveServer(config, this.cwd);
    } catch (error) {
      return this.startFailed(error);
    }
    outputChannel().info(`starting claif-lsp: ${commandLine(server, config)}`);
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
        middleware: this.hooks.middleware(),
        // Each server record once, at its own level (serverLog.ts).
        stdioOptions: {
          stdout: (input, channel) => void createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (line) => channel.info(line)),
          stderr: (input, channel) => {
            createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (line) => {
              const entry = stderrLine(line, client.state === State.Running);
              if (entry) channel[entry.level](entry.text);
            });
          },
        },
      },
    );
    this.client = client;
    this.clientDisposables.push(
      ...this.hooks.attach(client),
      client.onDidChangeState((event) => {
        if (event.newState === State.Running) {
          this.status.setServer('running');
          const running = this.hooks.running(client);
          if (running) this.clientDisposables.push(running);
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
    const message = startFailure(errorMessage(error), error instanceof ServerNotFoundError);
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
    const message = workspaceAttemptsWarning(attempts);
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

  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  requireClient(): LanguageClient {
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

  dispose(): void {
    void this.stop();
  }
}
