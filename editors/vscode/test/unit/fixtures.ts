// Protocol objects as the server sends them (`claif.proposal`, `claif.accept`, `claif.providers`): every field
// present, nulls kept, so a test reads the shapes the generated types describe. Each factory takes the fields a
// test cares about and fills in the rest the way the server would.
import type { AcceptResult, Hunk, Proposal, ProposalFile, ProviderReport, ProvidersResult } from '../../src/types';

export const range = (line: number, endLine = line + 1) => ({ start: { line, character: 0 }, end: { line: endLine, character: 0 } });

/** A pending hunk turning line 1's `a` into `b`; `file` gives it its file's uri, as the server does. */
export function hunk(id: string, extra: Partial<Hunk> = {}): Hunk {
  return { id, uri: 'file:///app.py', state: 'pending', range: range(0), reason: null, oldText: 'a\n', newText: 'b\n', ...extra };
}

/** An update of the open document `uri` (path relative to the root `/`), its hunks carrying its uri. */
export function file(uri: string, hunks: Hunk[], extra: Partial<ProposalFile> = {}): ProposalFile {
  return {
    uri,
    path: uri.replace(/^file:\/\/\/?/, ''),
    operation: 'update',
    newUri: null,
    version: 1,
    proposedText: 'b\n',
    hunks: hunks.map((h) => ({ ...h, uri })),
    ...extra,
  };
}

/** A file the patch moves from `uri` to `newUri` (a `rename from`/`rename to` diff, or `*** Move to:`). */
export const moved = (uri: string, newUri: string, hunks: Hunk[] = []): ProposalFile => file(uri, hunks, { operation: 'move', newUri });

/** A pending first revision of the replay provider for `ask`, in its own session, with no preview document. */
export function proposal(id: string, files: ProposalFile[], extra: Partial<Proposal> = {}): Proposal {
  return {
    id,
    state: 'pending',
    reason: null,
    provider: 'replay',
    action: 'ask',
    title: `title of ${id}`,
    session: `s-${id}`,
    revision: 1,
    cached: false,
    restored: false,
    partial: null,
    answer: null,
    usage: null,
    diff: '--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-a\n+b\n',
    previewUri: null,
    files,
    ...extra,
  };
}

/** An accept the editor applied in full: `accepted` names the hunks it applied. */
export function acceptResult(proposalAfter: Proposal, extra: Partial<AcceptResult> = {}): AcceptResult {
  return { applied: true, accepted: [], stale: [], reason: null, proposal: proposalAfter, ...extra };
}

/** An installed, enabled, ready provider from its own distribution. */
export function providerReport(name: string, extra: Partial<ProviderReport> = {}): ProviderReport {
  return { name, displayName: name, distribution: `claif-${name}`, version: '0.1.0', state: 'ready', reason: '', enabled: true, ...extra };
}

/** `claif.providers` with the setting at `auto`, resolved to the offline replay (what auto falls back on). */
export function providersResult(providers: ProviderReport[], extra: Partial<ProvidersResult> = {}): ProvidersResult {
  return { active: 'replay', configured: 'auto', providers, ...extra };
}
