/**
 * Property tests of the plan's dependency graph over random vaults (classic or v2, identity on or
 * off, one or two endpoints in different subscriptions, pending or approved, zones present or not):
 * - the graph is well formed: every need is an action of the plan listed before it;
 * - applied in ANY order consistent with the graph, the plan leaves Azure (the planner tests'
 *   in-memory twin) in the same state as applied in the seed's stage order;
 * - with any set of actions failing, apply (the real graph executor) skips exactly the actions that
 *   need a failed one, directly or not (and those following from the identity step), and runs
 *   every other one.
 */
import fc from 'fast-check';
import type { ConnectionStatus, Finding } from '../../../shared/domain';
import { KIND_ORDER, planVault, type ActionOutcome, type ObservedVault, type PlannedAction, type VaultPlan } from '../../../shared/plan';
import { applyPlan } from '../../../shared/reconcile/apply';
import type { ReconcileContext } from '../../../shared/reconcile';
import { applyInMemory, connectionFor, emptyZone, observed, policy, primaryEndpoint, SUB_SPOKE, SUB_STRANGER, TENANT, vault, vnetId } from './fixtures';

const POLICY = policy({
  approval: {
    unmatched: 'leave-pending',
    rules: [
      { name: 'spoke', requester: { tenantId: TENANT, subscriptionId: SUB_SPOKE } },
      { name: 'other', requester: { subscriptionId: SUB_STRANGER } },
    ],
  },
});

interface Shape {
  readonly classic: boolean;
  readonly identityOn: boolean;
  readonly endpoints: readonly { readonly which: 0 | 1; readonly status: ConnectionStatus }[];
  readonly zones: readonly [boolean, boolean, boolean];
}

const ENDPOINTS = [
  (status: ConnectionStatus) => primaryEndpoint('pe-a', { status }),
  (status: ConnectionStatus) => primaryEndpoint('pe-b', { status, subscriptionId: SUB_STRANGER, vnet: vnetId('vnet-b', SUB_STRANGER), firstIp: 40, members: ['fab1', 'fc1', 'id1'] }),
];

const shapes: fc.Arbitrary<Shape> = fc.record({
  classic: fc.boolean(),
  identityOn: fc.boolean(),
  endpoints: fc.uniqueArray(fc.record({ which: fc.constantFrom<0 | 1>(0, 1), status: fc.constantFrom<ConnectionStatus>('Pending', 'Approved') }), { minLength: 1, maxLength: 2, selector: (e) => e.which }),
  zones: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
});

function observedOf(shape: Shape): ObservedVault {
  const pes = shape.endpoints.map((e) => ENDPOINTS[e.which]?.(e.status)).filter((p) => p !== undefined);
  const identity = shape.identityOn || !shape.classic ? undefined : { type: 'None' as const, principalId: undefined, tenantId: undefined };
  return observed({
    vault: vault({
      experience: shape.classic ? 'classic' : 'v2',
      ...(identity === undefined ? {} : { identity }),
      connections: pes.map((p) => connectionFor(p, p.endpoint.connections[0]?.status ?? 'Pending')),
    }),
    privateEndpoints: pes,
    zones: (['backup', 'blob', 'queue'] as const).map((k, i) => emptyZone(k, shape.zones[i] ?? false)),
  });
}

function plan(o: ObservedVault): VaultPlan {
  return planVault(o, POLICY, { cloud: 'AzurePublicCloud' });
}

/** The observable Azure state, without what depends on write order (record etags). */
function azureState(o: ObservedVault): unknown {
  return {
    vault: o.vault,
    roles: [...o.roleAssignments].map((r) => r.id).sort(),
    zones: o.zones.map((z) => ({
      zone: z.zone?.id,
      links: z.links.map((l) => `${l.name}|${l.vnetId}`).sort(),
      records: z.records.map((r) => ({ ...r, etag: '' })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    })),
  };
}

/** A topological order of the plan's actions picked by `choices` (each picks among the ready ones). */
function topologicalOrder(actions: readonly PlannedAction[], choices: readonly number[]): PlannedAction[] {
  const left = [...actions];
  const done = new Set<string>();
  const out: PlannedAction[] = [];
  for (let i = 0; left.length > 0; i++) {
    const ready = left.filter((a) => a.needs.every((k) => done.has(k)));
    const pick = ready[(choices[i % Math.max(1, choices.length)] ?? 0) % ready.length] as PlannedAction;
    out.push(pick);
    done.add(pick.key);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

/** Keys that need one of `roots`, directly or not (a root that needs another root is one of them). */
function dependentsOf(actions: readonly PlannedAction[], roots: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const a of actions) {
      if (out.has(a.key)) continue;
      if (a.needs.some((k) => roots.has(k) || out.has(k))) {
        out.add(a.key);
        changed = true;
      }
    }
  }
  return out;
}

describe('the plan as a dependency graph (property)', () => {
  it('is well formed: each need is an action of the plan, listed before it, never another endpoint\'s approval', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const p = plan(observedOf(shape));
        const position = new Map(p.actions.map((a, i) => [a.key, i]));
        for (const [i, a] of p.actions.entries()) {
          for (const k of a.needs) {
            expect(position.get(k)).toBeLessThan(i);
          }
          if (a.kind === 'upsert-record') {
            // a record needs at most one approval: that of its own endpoint
            const approvals = a.needs.filter((k) => k.startsWith('approve-connection:'));
            expect(approvals.length).toBeLessThanOrEqual(1);
            const peName = a.sourcePrivateEndpointId.split('/').pop() as string;
            for (const k of approvals) expect(k).toContain(`/privateEndpointConnections/${peName}.`);
          }
          // the listed order is the seed's kind order
          const next = p.actions[i + 1];
          if (next !== undefined) expect(KIND_ORDER.indexOf(a.kind)).toBeLessThanOrEqual(KIND_ORDER.indexOf(next.kind));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('converges to the same Azure state in any order consistent with the graph as in stage order', () => {
    fc.assert(
      fc.property(shapes, fc.array(fc.nat(50), { minLength: 1, maxLength: 40 }), (shape, choices) => {
        let inStageOrder = observedOf(shape);
        let inGraphOrder = inStageOrder;
        // Passes until nothing is left (the identity step makes a second pass), both ways.
        for (let pass = 0; pass < 4; pass++) {
          const a = plan(inStageOrder);
          const b = plan(inGraphOrder);
          expect(b.actions.map((x) => x.key)).toEqual(a.actions.map((x) => x.key));
          if (a.actions.length === 0) break;
          inStageOrder = applyInMemory(inStageOrder, a.actions);
          inGraphOrder = applyInMemory(inGraphOrder, topologicalOrder(b.actions, choices));
          expect(azureState(inGraphOrder)).toEqual(azureState(inStageOrder));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('skips exactly the dependents of failed actions (and what follows from the identity step); everything else runs', async () => {
    await fc.assert(
      fc.asyncProperty(shapes, fc.array(fc.nat(), { maxLength: 4 }), fc.integer({ min: 1, max: 4 }), async (shape, failing, concurrency) => {
        const p = plan(observedOf(shape));
        if (p.actions.length === 0) return;
        const failed = new Set(failing.map((i) => (p.actions[i % p.actions.length] as PlannedAction).key));
        const deferred = new Set(p.actions.filter((a) => a.followsFrom !== undefined).map((a) => a.key));
        const ran: string[] = [];
        const outcomes = await applyPlan({ policy: { mode: 'enforce' } } as unknown as ReconcileContext, p, {
          concurrency,
          applyOne: async (a): Promise<ActionOutcome> => {
            ran.push(a.key);
            // every need of a running action has succeeded
            for (const k of a.needs) expect(ran).toContain(k);
            return failed.has(a.key)
              ? { key: a.key, kind: a.kind, status: 'failed', message: 'injected', error: { code: 'Injected', message: 'injected', transient: false } }
              : { key: a.key, kind: a.kind, status: 'applied', message: 'ok' };
          },
        });
        const blockedByFailure = dependentsOf(p.actions, new Set([...failed].filter((k) => !deferred.has(k))));
        const blockedByIdentity = new Set([...deferred, ...dependentsOf(p.actions, deferred)]);
        for (const [i, a] of p.actions.entries()) {
          const o = outcomes[i] as ActionOutcome;
          expect(o.key).toBe(a.key);
          const shouldSkip = blockedByIdentity.has(a.key) || blockedByFailure.has(a.key);
          expect(o.status === 'skipped').toBe(shouldSkip);
          if (!shouldSkip) expect(o.status).toBe(failed.has(a.key) ? 'failed' : 'applied');
        }
        // a failure names exactly the actions it held back that nothing else held back first
        for (const o of outcomes.filter((x) => x.status === 'failed')) {
          for (const k of o.skippedDependents ?? []) expect(dependentsOf(p.actions, new Set([o.key])).has(k)).toBe(true);
        }
        const findings: Finding[] = outcomes.flatMap((o) => (o.finding === undefined ? [] : [o.finding]));
        expect(findings.every((f) => f.code === 'roles-not-grantable')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
