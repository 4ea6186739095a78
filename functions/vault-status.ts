/**
 * The per-vault status the orchestration publishes as its custom status, and the status
 * endpoints serve. Durable keeps at most 16 KB of custom status (serialised JSON), so the status
 * is trimmed to {@link CUSTOM_STATUS_LIMIT_BYTES}: the last plan's list keeps failed actions first,
 * then drops entries (counting them), then findings, then checklist details.
 */
import type { Checklist, Finding } from '../shared/domain';
import { summariseChecklist } from '../shared/domain/checklist';
import type { ActionKind, ActionOutcomeStatus, Mode } from '../shared/plan/types';

/** Durable Functions' limit is 16 KB; keep a margin for the envelope it adds. */
export const CUSTOM_STATUS_LIMIT_BYTES = 15 * 1024;

export interface ActionReport {
  readonly key: string;
  readonly kind: ActionKind;
  readonly summary: string;
  /** 0-based stage of the plan. */
  readonly stage: number;
  readonly status: ActionOutcomeStatus;
  readonly message: string;
  readonly attempts?: number | undefined;
}

export type PassState = 'converged' | 'pending' | 'failed' | 'vault-not-found' | 'observe-failed' | 'in-progress';

export interface VaultStatus {
  readonly vaultId: string;
  readonly mode: Mode | undefined;
  readonly state: PassState;
  /** When the last completed pass started (orchestration clock). */
  readonly lastPassAt: string | undefined;
  /** When that pass's observation started. */
  readonly observedAt: string | undefined;
  readonly converged: boolean;
  /** One line: `converged` or `2 pending: roles, dns-links`. */
  readonly summary: string;
  readonly checklist: Checklist;
  readonly findings: readonly Finding[];
  readonly lastPlan: {
    readonly actions: readonly ActionReport[];
    /** Entries dropped to stay under the custom status limit. */
    readonly omitted: number;
  };
  /** When the orchestration will look again without a signal (follow-up or idle timer), if it will. */
  readonly nextPassAt: string | undefined;
  /** The signal or start that caused the last pass. */
  readonly triggeredBy: { readonly reason: string; readonly correlationId: string | null } | undefined;
  /** Set while a pass runs (the rest is the previous pass's). */
  readonly passStartedAt?: string | undefined;
  /** Why observation failed, when it did. */
  readonly error?: string | undefined;
  /** Findings dropped to stay under the limit. */
  readonly omittedFindings?: number | undefined;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

const STATUS_ORDER: Record<ActionOutcomeStatus, number> = { failed: 0, applied: 1, 'already-done': 2, skipped: 3 };

/** The status trimmed to fit the custom status limit (returns the same object when it fits). */
export function trimVaultStatus(status: VaultStatus, limitBytes: number = CUSTOM_STATUS_LIMIT_BYTES): VaultStatus {
  if (byteLength(status) <= limitBytes) return status;
  // failed actions are what people need to see: keep them first, stable otherwise
  const actions = [...status.lastPlan.actions].map((a, i) => ({ a, i })).sort((x, y) => STATUS_ORDER[x.a.status] - STATUS_ORDER[y.a.status] || x.i - y.i).map((x) => x.a);
  let trimmed: VaultStatus = status;
  let kept = actions.length;
  while (kept > 0) {
    kept = Math.floor(kept / 2);
    trimmed = { ...status, lastPlan: { actions: actions.slice(0, kept), omitted: status.lastPlan.omitted + actions.length - kept } };
    if (byteLength(trimmed) <= limitBytes) {
      // grow back as far as it fits
      while (kept < actions.length) {
        const next: VaultStatus = { ...status, lastPlan: { actions: actions.slice(0, kept + 1), omitted: status.lastPlan.omitted + actions.length - kept - 1 } };
        if (byteLength(next) > limitBytes) break;
        trimmed = next;
        kept++;
      }
      return trimmed;
    }
  }
  let findings = [...status.findings];
  while (findings.length > 0 && byteLength(trimmed) > limitBytes) {
    findings = findings.slice(0, Math.floor(findings.length / 2));
    trimmed = { ...trimmed, findings, omittedFindings: status.findings.length - findings.length };
  }
  if (byteLength(trimmed) > limitBytes) {
    trimmed = { ...trimmed, checklist: trimmed.checklist.map((item) => ({ ...item, detail: item.detail.slice(0, 200) })) };
  }
  if (byteLength(trimmed) > limitBytes) {
    trimmed = { ...trimmed, checklist: trimmed.checklist.map((item) => ({ ...item, detail: '' })), summary: trimmed.summary.slice(0, 500), error: trimmed.error?.slice(0, 500) };
  }
  return trimmed;
}

/** The one-line summary of a checklist. */
export function checklistSummaryText(checklist: Checklist): string {
  return summariseChecklist(checklist).text;
}

/** The row of `GET /api/vaults` for one vault. */
export interface VaultListEntry {
  readonly vaultId: string;
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly mode: Mode | undefined;
  readonly state: PassState | undefined;
  readonly converged: boolean;
  readonly summary: string;
  readonly lastPassAt: string | undefined;
  readonly passInProgress: boolean;
}

/** Reads a custom status defensively: it is JSON from storage, written by whichever version ran. */
export function asVaultStatus(value: unknown): VaultStatus | undefined {
  if (typeof value === 'string') {
    try {
      return asVaultStatus(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<VaultStatus>;
  return typeof v.vaultId === 'string' && Array.isArray(v.checklist) ? (value as VaultStatus) : undefined;
}
