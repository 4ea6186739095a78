/**
 * A fake reconciler for the Functions tests: each vault wants a list of stages of actions (each
 * stage needing the one before: see chainStages); a pass
 * plans the ones not yet applied; applying one records a write. Failures can be scripted per
 * action key (transient ones a number of times, permanent ones always).
 */
import { buildChecklist } from '../../shared/domain/checklist';
import type { ActionOutcome, EnsureZoneAction, PlannedAction, VaultPlan } from '../../shared/plan/types';
import type { ObservedPlan, VaultReconciler } from '../../functions/deps';
import { currentTime } from '../../functions/clock';

export const SUB = '00000000-0000-0000-0000-000000000001';

export function vaultId(name: string, rg = 'rg-backup'): string {
  return `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`;
}

export function zoneAction(key: string): EnsureZoneAction {
  return { kind: 'ensure-zone', key, summary: `create zone ${key}`, needs: [], zoneId: `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${key}`, zoneName: key };
}

/** Stages as a dependency graph: each action needs every action of the stage before (a strict chain of waves). */
export function chainStages(stages: readonly (readonly PlannedAction[])[]): PlannedAction[] {
  return stages.flatMap((stage, i) => stage.map((a) => ({ ...a, needs: i === 0 ? a.needs : (stages[i - 1] ?? []).map((x) => x.key) }) as PlannedAction));
}

interface FakeVault {
  stages: PlannedAction[][];
  exists: boolean;
  mode: 'audit' | 'enforce';
  /** While set, plans say so (pending, with this follow-up). */
  followUpAfter: string | undefined;
}

export class FakeVaultWorld implements VaultReconciler {
  readonly vaults = new Map<string, FakeVault>();
  readonly applied = new Set<string>();
  readonly writes: string[] = [];
  readonly observations: string[] = [];
  readonly transientFailures = new Map<string, number>();
  readonly permanentFailures = new Set<string>();
  readonly privateEndpoints = new Map<string, string[]>();
  /** When set, observeAndPlan throws this many times first. */
  observeFailures = 0;

  addVault(id: string, stages: PlannedAction[][], options: Partial<Omit<FakeVault, 'stages'>> = {}): void {
    this.vaults.set(id.toLowerCase(), { stages, exists: options.exists ?? true, mode: options.mode ?? 'enforce', followUpAfter: options.followUpAfter });
  }

  vault(id: string): FakeVault {
    const v = this.vaults.get(id.toLowerCase());
    if (v === undefined) throw new Error(`no fake vault ${id}`);
    return v;
  }

  async observeAndPlan(vaultId: string): Promise<ObservedPlan> {
    if (this.observeFailures > 0) {
      this.observeFailures--;
      throw new Error('ARM throttled the read (429)');
    }
    const observedAt = currentTime().toISOString();
    this.observations.push(vaultId);
    const v = this.vaults.get(vaultId.toLowerCase());
    const remaining = chainStages((v?.exists ? v.stages : []).map((s) => s.filter((a) => !this.applied.has(a.key))).filter((s) => s.length > 0));
    const pending = remaining.length > 0 || v?.followUpAfter !== undefined;
    const plan: VaultPlan = {
      vaultId,
      mode: v?.mode ?? 'enforce',
      actions: remaining,
      findings: [],
      checklist: buildChecklist({
        eligible: { status: 'ok', detail: 'no item protected' },
        identity: { status: 'not-applicable', detail: 'v2 vault' },
        roles: { status: 'not-applicable', detail: 'v2 vault' },
        approval: { status: 'ok', detail: 'no pending connection' },
        'dns-zones': { status: remaining.length > 0 ? 'pending' : 'ok', detail: `${remaining.length} zone(s) to create` },
        'dns-links': { status: 'ok', detail: 'linked' },
        'dns-records': { status: 'ok', detail: 'records in place' },
        'secondary-records': { status: v?.followUpAfter !== undefined ? 'pending' : 'not-applicable', detail: v?.followUpAfter !== undefined ? 'waiting for _ecs PEs' : 'v2' },
        health: { status: 'ok', detail: 'no error finding' },
      }),
      requeue: false,
      followUpAfter: pending ? v?.followUpAfter : undefined,
    };
    return { plan, observedAt, vaultExists: v?.exists ?? false };
  }

  async applyAction(action: PlannedAction): Promise<ActionOutcome> {
    const left = this.transientFailures.get(action.key) ?? 0;
    if (left > 0) {
      this.transientFailures.set(action.key, left - 1);
      return { key: action.key, kind: action.kind, status: 'failed', message: 'throttled', error: { code: 'TooManyRequests', message: 'retry later', transient: true } };
    }
    if (this.permanentFailures.has(action.key)) {
      return { key: action.key, kind: action.kind, status: 'failed', message: 'forbidden', error: { code: 'AuthorizationFailed', message: 'no permission', transient: false } };
    }
    if (this.applied.has(action.key)) return { key: action.key, kind: action.kind, status: 'already-done', message: 'exists' };
    this.applied.add(action.key);
    this.writes.push(action.key);
    return { key: action.key, kind: action.kind, status: 'applied', message: 'created' };
  }

  async listVaultsInScope(): Promise<string[]> {
    return [...this.vaults.entries()].filter(([, v]) => v.exists).map(([id]) => id);
  }

  async vaultsForPrivateEndpoint(privateEndpointId: string): Promise<string[]> {
    return this.privateEndpoints.get(privateEndpointId.toLowerCase()) ?? [];
  }

  /** Drifted resources route like private endpoints here: through the same map, by resource id. */
  async vaultsForDriftedResource(_kind: 'dns-record' | 'dns-link' | 'role-assignment', resourceId: string): Promise<string[]> {
    return this.privateEndpoints.get(resourceId.toLowerCase()) ?? [];
  }
}
