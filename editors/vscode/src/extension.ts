// Claif for VS Code: starts claif-lsp through vscode-languageclient and adds the review UI around it.
import * as vscode from 'vscode';
import { Controller, UiCommands } from './commands';
import { emit, outputChannel } from './events';
import { StatusItem } from './status';

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = outputChannel();
  const status = new StatusItem(UiCommands.selectProvider);
  controller = new Controller(status, context.extension);
  controller.register(context);
  context.subscriptions.push(output, status, controller);

  let providerTimer: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (controller?.userSettingsChanged()) {
        // Those values reach the server at start (initializationOptions) only; a workspace's change is ignored.
        output.info('user-only Claif settings changed; restarting claif-lsp');
        void controller.restart();
      } else if (event.affectsConfiguration('claif')) {
        // The server pulls the new settings itself; refresh the status bar once it had the time to.
        clearTimeout(providerTimer);
        providerTimer = setTimeout(() => void controller?.refreshProviders(), 800);
      }
    }),
  );
  emit('activated', { version: context.extension.packageJSON.version });
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
}
