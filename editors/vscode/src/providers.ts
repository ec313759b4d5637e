// Provider picking: the status bar's provider, refreshed from `claif.providers`, and "Select provider", which saves
// the choice where `claif.provider` is set now.
import * as vscode from 'vscode';
import { emit, errorMessage, outputChannel } from './events';
import { type ProviderItem, type SettingsScope, providerItems, providerSettingsScope } from './providerItems';
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

  async select(): Promise<void> {
    let result: ProvidersResult;
    try {
      result = await this.server.execute<ProvidersResult>(Commands.providers);
    } catch (error) {
      void vscode.window.showErrorMessage(`Claif: ${errorMessage(error)}`);
      return;
    }
    const choice = await vscode.window.showQuickPick<ProviderItem>(providerItems(result), {
      title: 'Claif: Select provider',
      placeHolder: `current: ${result.configured}`,
    });
    if (!choice) return;
    const config = vscode.workspace.getConfiguration('claif');
    const target = TARGETS[providerSettingsScope(config.inspect('provider'))];
    await config.update('provider', choice.value, target);
    emit('providerSelected', { provider: choice.value, target });
    setTimeout(() => void this.refresh(), 700);
  }
}
