// Provider picking: the status bar's provider, refreshed from `claif.providers`, and "Select provider", which saves
// the choice where `claif.provider` is set now.
import * as vscode from 'vscode';
import { emit, errorMessage, outputChannel } from './events';
import { type ProviderItem, type SettingsScope, currentItem, providerItems, providerSettingsScope, unready } from './providerItems';
import type { CommandSender } from './serverClient';
import type { StatusItem } from './status';
import { Commands, type ProvidersResult } from './types';

const TARGETS: Record<SettingsScope, vscode.ConfigurationTarget> = {
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
  workspace: vscode.ConfigurationTarget.Workspace,
  user: vscode.ConfigurationTarget.Global,
};

export class Providers {
  constructor(
    private readonly server: CommandSender,
    private readonly status: StatusItem,
  ) {}

  /** Ask the server which providers are ready and show the active one in the status bar. */
  async refresh(): Promise<ProvidersResult | undefined> {
    try {
      const result = await this.server.execute<ProvidersResult>(Commands.providers);
      this.status.setProviders(result);
      emit('providers', { active: result.active, configured: result.configured });
      return result;
    } catch (error) {
      outputChannel().warn(`claif.providers: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** The quick pick, starting on the current provider; the chosen `claif.provider` value, if any. */
  async select(): Promise<string | undefined> {
    let result: ProvidersResult;
    try {
      result = await this.server.execute<ProvidersResult>(Commands.providers);
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return undefined;
    }
    const choice = await pick(providerItems(result), result.configured);
    if (!choice) return undefined;
    const config = vscode.workspace.getConfiguration('claif');
    const target = TARGETS[providerSettingsScope(config.inspect('provider'))];
    await config.update('provider', choice.value, target);
    emit('providerSelected', { provider: choice.value, target });
    // Saved all the same (the user may be about to set its key), but said at once, with the way to fix it.
    const problem = choice.value === 'auto' ? undefined : unready(result, choice.value);
    if (problem) {
      emit('provider.unready', { provider: choice.value, problem });
      void vscode.window.showWarningMessage(`Claif: ${problem}. Asks will fail until it is set up.`, 'Open Settings').then((c) => c && openProviderSettings());
    }
    setTimeout(() => void this.refresh(), 700);
    return choice.value;
  }

  /** Why an ask with `provider` (the configured one when omitted) would fail now; undefined when it can answer. */
  async askProblem(provider?: string): Promise<string | undefined> {
    try {
      const result = await this.server.execute<ProvidersResult>(Commands.providers);
      return unready(result, provider);
    } catch (error) {
      return errorMessage(error);
    }
  }
}

/** Select provider's list, its active item the current provider (showQuickPick would start on the first). */
function pick(items: ProviderItem[], configured: string): Promise<ProviderItem | undefined> {
  const quickPick = vscode.window.createQuickPick<ProviderItem>();
  quickPick.title = 'Claif: Select provider';
  quickPick.placeholder = `current: ${configured}`;
  quickPick.items = items;
  const current = currentItem(items, configured);
  if (current) quickPick.activeItems = [current];
  return new Promise((resolve) => {
    let chosen: ProviderItem | undefined;
    quickPick.onDidAccept(() => {
      chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      quickPick.dispose();
      resolve(chosen);
    });
    quickPick.show();
    emit('providerPick.shown', { active: current?.value, labels: items.map((i) => i.label) });
  });
}

/** The settings UI at the providers' settings. */
export function openProviderSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', 'claif.provider');
}
