// Claif for VS Code: starts claif-lsp through vscode-languageclient and adds the review UI around it. This module
// only wires the parts together: the client's lifecycle (serverClient), its middleware, asks, decisions,
// providers, and the review (proposalStore, diffViews, lenses, proposalPick).
import * as vscode from 'vscode';
import { Asks } from './ask';
import { UiCommands, registerCommands } from './commands';
import { Decisions } from './decisions';
import { DiffViews } from './diffViews';
import { emit, outputChannel } from './events';
import { decorateLenses, refreshServerLenses } from './lenses';
import { ServerMessages } from './messages';
import { createMiddleware } from './middleware';
import { routeServerProgress } from './progress';
import { pickProposal } from './proposalPick';
import { proposalPaths } from './proposalView';
import { EditFollower, ProposalStore } from './proposalStore';
import { Providers, openProviderSettings } from './providers';
import { ServerClient } from './serverClient';
import { userOnlyKeys } from './settingsPolicy';
import { StatusItem } from './status';
import { Commands, PROPOSALS_CHANGED, type Proposal, type ProposalsChangedParams } from './types';

let server: ServerClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = outputChannel();
  const status = new StatusItem(UiCommands.selectProvider);
  const messages = new ServerMessages();
  /** Settings only the user's own settings may set (`server.path`, `providers`, ...), from package.json. */
  const userOnly = userOnlyKeys(context.extension.packageJSON);

  // The parts refer to each other through closures, called only once activate has built them all.
  const store = new ProposalStore({ fetch: (id) => serverClient.execute<Proposal>(Commands.proposal, { proposal: id }) }, (id) => views.closeDiffs(id));
  const views = new DiffViews(store);
  const followEdits = new EditFollower(store);
  const review = {
    pick: (resource: unknown, verb: string) => pickProposal(store, resource, verb),
    get: (id: string) => store.get(id),
    refresh: (id: string) => store.refresh(id),
  };
  const serverClient: ServerClient = new ServerClient(status, userOnly, context.extension.extensionPath, {
    middleware: () =>
      createMiddleware({
        client: () => serverClient.client,
        userOnly,
        ask: (arg) => asks.fromServerCommand(arg),
        decision: (command, arg, run) => decisions.run(command, arg, run),
        decorateLenses: (document, lenses) => decorateLenses(store, document, lenses),
      }),
    attach: (client) => [
      messages.attach(client),
      client.onNotification(PROPOSALS_CHANGED, (params: ProposalsChangedParams) => void store.onProposalsChanged(params)),
    ],
    running: (client) => {
      const progress = routeServerProgress(client);
      void providers.refresh();
      return progress;
    },
  });
  server = serverClient;
  const providers = new Providers(serverClient, status);
  const asks = new Asks(serverClient, status, (ids) => views.show(ids), {
    askProblem: (provider) => providers.askProblem(provider),
    select: () => providers.select(),
    openSettings: openProviderSettings,
  });
  const decisions = new Decisions(serverClient, review, messages);

  context.subscriptions.push(
    ...registerCommands({
      ask: () => asks.fromEditor('ask'),
      explain: () => asks.fromEditor('explain'),
      accept: (resource) => decisions.decide('accept', resource),
      reject: (resource) => decisions.decide('reject', resource),
      acceptAll: (resource) => decisions.decide('accept', resource),
      rejectAll: (resource) => decisions.decide('reject', resource),
      review: async (resource) => views.review(await pickProposal(store, resource, 'Review')),
      selectProvider: () => providers.select(),
      showLog: () => output.show(true),
      restart: () => serverClient.restart(),
      cancel: () => asks.cancelAll(),
    }),
    store.onDidChangeProposals(() => {
      void vscode.commands.executeCommand('setContext', 'claif.hasOpenProposals', store.open().length > 0);
      // The files with an open proposal: their editors' title bars show Accept all / Reject all / Review at once,
      // in the group the user works in (VS Code shows the diff's own title buttons only once its group is active).
      void vscode.commands.executeCommand('setContext', 'claif.proposalPaths', proposalPaths(store.open(), (uri) => vscode.Uri.parse(uri).fsPath));
    }),
    // After an undo, a redo or any edit of a file under review, the server has moved or re-decided its hunks:
    // read the proposal again so that the diff and the lenses follow.
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length && store.forDocument(event.document.uri).length) followEdits.schedule(event.document.uri);
    }),
    store.onDidChangeLenses(() => refreshServerLenses(serverClient.client)),
    output,
    status,
    serverClient,
    views,
    store,
    followEdits,
  );

  let providerTimer: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (serverClient.userSettingsChanged()) {
        // Those values reach the server at start (initializationOptions) only; a workspace's change is ignored.
        output.info('user-only Claif settings changed; restarting claif-lsp');
        void serverClient.restart();
      } else if (event.affectsConfiguration('claif')) {
        // The server pulls the new settings itself; refresh the status bar once it had the time to.
        clearTimeout(providerTimer);
        providerTimer = setTimeout(() => void providers.refresh(), 800);
      }
    }),
  );
  emit('activated', { version: context.extension.packageJSON.version });
  await serverClient.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
