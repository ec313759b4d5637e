// The "Select provider" list and where the choice is saved: no `vscode` import, so it is unit-tested under plain Node.
import type { ProvidersResult } from './types';

export interface ProviderItem {
  label: string;
  description: string;
  detail?: string;
  /** What `claif.provider` is set to when the item is chosen. */
  value: string;
}

/** `auto` first (saying what it resolves to when it is the setting), then every provider the server reports. */
export function providerItems(result: ProvidersResult): ProviderItem[] {
  return [
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
}

export type SettingsScope = 'workspaceFolder' | 'workspace' | 'user';

/** Where a new `claif.provider` goes: where it is set now, the most specific place first, else the user's settings. */
export function providerSettingsScope(inspected: { workspaceFolderValue?: unknown; workspaceValue?: unknown } | undefined): SettingsScope {
  if (inspected?.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (inspected?.workspaceValue !== undefined) return 'workspace';
  return 'user';
}
