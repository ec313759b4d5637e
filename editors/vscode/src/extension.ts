// Claif for VS Code: starts claif-lsp through vscode-languageclient and adds the review UI around it. This module
// only wires the parts together: the client's lifecycle (serverClient), its middleware, asks and their streamed
// answers (answerView), refines and retries, decisions, providers, restored proposals, and the review
// (proposalStore, diffViews, lenses, partialAnswer, proposalPick).
import * as vscode from 'vscode';
import { AnswerViews } from './answerView';
import { Asks } from './ask';
import { UiCommands, registerCommands } from './commands';
import { Decisions } from './decisions';
import { DiffViews } from './diffViews';
import { emit, outputChannel } from './events';
import { decorateLenses, refreshServerLenses } from './lenses';
import { ServerMessages } from './messages';
import { createMiddleware } from './middleware';
import { RawAnswers, ReviewNotes } from './partialAnswer';
import { routeServerProgress } from './progress';
import { pickProposal } from './proposalPick';
import { proposalPaths } from './proposalView';
import { revisionReport } from './refineText';
import { EditFollower, ProposalStore } from './proposalStore';
import { Providers, openProviderSettings } from './providers';
import { Refines } from './refine';
import { restoreProposals } from './restore';
import { RunningRequests } from './running';
import { ServerClient } from './serverClient';
import { userOnlyKeys } from './settingsPolicy';
import { StatusItem } from './status';
import { type AnswerParams, Commands, Notifications, PROPOSALS_CHANGED, type Proposal, type ProposalsChangedParams } from './types';

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
        refine: (arg) => refines.refine(arg),
        retry: (arg) => refines.retry(arg),
        decision: (command, arg, run) => decisions.run(command, arg, run),
        decorateLenses: (document, lenses) => decorateLenses(store, document, lenses),
      }),
    attach: (client) => [
      messages.attach(client),
      client.onNotification(PROPOSALS_CHANGED, (params: ProposalsChangedParams) => void store.onProposalsChanged(params)),
      client.onNotification(Notifications.answer, (params: AnswerParams) => answers.onAnswer(params)),
    ],
    running: (client) => {
      const progress = routeServerProgress(client);
      void providers.refresh();
      void restoreProposals(serverClient, { get: (id) => store.get(id), refresh: (id) => store.refresh(id), review: presentRestored });
      return progress;
    },
  });
  server = serverClient;
  const providers = new Providers(serverClient, status);
  const requests = new RunningRequests(serverClient, status);
  const answers = new AnswerViews();
  const rawAnswers = new RawAnswers();
  const notes = new ReviewNotes(rawAnswers, { refine: (id) => refines.refine({ proposal: id }), retry: (id) => refines.retry({ proposal: id }) });
  /** Each proposal's review, with what its diff does not show (a partial answer, an answer from the cache). */
  const presentNotes = (ids: string[]) => ids.map((id) => store.get(id)).forEach((p) => p && notes.present(p));
  const presentRestored = async (proposal: Proposal | undefined) => {
    const chosen = proposal ?? (await pickProposal(store, undefined, 'Review'));
    await views.review(chosen);
    if (chosen) presentNotes([chosen.id]);
  };
  const refines = new Refines(requests, {
    pick: (resource, verb) => pickProposal(store, resource, verb),
    get: (id) => store.get(id),
    showRevision: async (id) => {
      const proposal = await views.showRevision(id);
      if (proposal) void vscode.window.showInformationMessage(revisionReport(proposal));
      presentNotes([id]);
    },
  });
  const asks = new Asks(serverClient, requests, answers, async (ids) => {
    await views.show(ids);
    presentNotes(ids);
  }, {
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
      refine: (resource) => refines.refine(resource),
      retry: (resource) => refines.retry(resource),
      showAnswer: async (resource) => {
        const proposal = await pickProposal(store, resource, 'Show the answer of');
        if (proposal?.answer) await rawAnswers.open(proposal);
        else void vscode.window.showInformationMessage('Claif: this proposal has no raw answer to show.');
      },
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
    answers,
    rawAnswers,
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
