// The "Select provider" list, where the choice is saved, and whether a provider can answer: no `vscode` import, so
// it is unit-tested under plain Node.
import type { ProviderReport, ProvidersResult } from './types';

export interface ProviderItem {
  label: string;
  description: string;
  detail?: string;
  /** What `claif.provider` is set to when the item is chosen. */
  value: string;
}

const STATES: Record<string, string> = {
  ready: 'ready',
  needs_credential: 'needs a key or sign-in',
  needs_config: 'needs a setting',
  not_installed: 'not installed',
  error: 'failed its check',
};

/** What `active` says when no provider can answer (the server's registry.NO_PROVIDER). */
export const NO_PROVIDER = 'none';

/** A provider state in words: `needs_credential` → "needs a key or sign-in". */
export const stateText = (state: string): string => STATES[state] ?? state.replace(/_/g, ' ');

/** The same as the end of a sentence about the provider: "… is not installed". */
const stateSentence = (state: string): string => (state === 'not_installed' || state === 'ready' ? `is ${stateText(state)}` : stateText(state));

/** A provider's name for people: its display name, with the setting's id when they differ ("Claude API (anthropic)"). */
export const providerName = (p: Pick<ProviderReport, 'name' | 'displayName'>): string =>
  p.displayName && p.displayName !== p.name ? `${p.displayName} (${p.name})` : p.name;

/** `auto` first (saying what it resolves to when it is the setting), then every provider the server reports. */
export function providerItems(result: ProvidersResult): ProviderItem[] {
  return [
    {
      label: 'auto',
      description: result.configured === 'auto' ? `current · resolves to ${result.active === NO_PROVIDER ? 'nothing ready' : result.active}` : 'the first ready provider',
      value: 'auto',
    },
    ...result.providers.map((p) => ({
      label: `${p.state === 'ready' ? '$(check)' : '$(warning)'} ${providerName(p)}`,
      description: [
        stateText(p.state),
        p.name === result.configured ? 'current' : p.name === result.active ? 'active' : '',
        p.enabled ? '' : 'disabled',
      ]
        .filter(Boolean)
        .join(' · '),
      detail: p.reason || `${p.distribution} ${p.version}`,
      value: p.name,
    })),
  ];
}

/** The item the list starts on: the configured provider's (auto's when it is `auto` or unknown). */
export function currentItem(items: readonly ProviderItem[], configured: string): ProviderItem | undefined {
  return items.find((item) => item.value === configured) ?? items[0];
}

/**
 * Why `name` (the configured or requested provider; `active` when omitted) cannot answer, in words with what to do,
 * or undefined when it is ready.
 */
export function unready(result: ProvidersResult, name = result.active): string | undefined {
  const report = result.providers.find((p) => p.name === name);
  if (!report && name === NO_PROVIDER) return 'no provider is ready to answer';
  if (!report) return `the provider "${name}" is not installed`;
  if (report.state === 'ready' && report.enabled) return undefined;
  const why = report.enabled ? stateSentence(report.state) : 'is disabled';
  return `${providerName(report)} ${why}${report.reason ? `: ${report.reason}` : ''}`;
}

export type SettingsScope = 'workspaceFolder' | 'workspace' | 'user';

/** Where a new `claif.provider` goes: where it is set now, the most specific place first, else the user's settings. */
export function providerSettingsScope(inspected: { workspaceFolderValue?: unknown; workspaceValue?: unknown } | undefined): SettingsScope {
  if (inspected?.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (inspected?.workspaceValue !== undefined) return 'workspace';
  return 'user';
}
