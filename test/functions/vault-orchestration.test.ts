/**
 * The per-vault orchestrator driven through durable-functions' own replay engine (the handler
 * df.app.orchestration registered) with synthetic histories; assertions on the actions it schedules.
 */
import * as df from 'durable-functions';
import { getRegisteredFunction } from '../../functions/registry';
import { buildChecklist } from '../../shared/domain/checklist';
import type { PlannedAction, VaultPlan } from '../../shared/plan/types';
import {
  APPLY_ACTION_ACTIVITY,
  FAILED_PASS_RETRY_MS,
  IDLE_RECHECK_MS,
  OBSERVE_AND_PLAN_ACTIVITY,
  VAULT_ORCHESTRATOR,
} from '../../functions/vault-orchestration';
import type { VaultStatus } from '../../functions/vault-status';
import { chainStages, vaultId, zoneAction } from './fake-reconciler';

const T0 = new Date('2026-11-29T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const VAULT = vaultId('rsv-one');

/** History builder: events in the shape the host sends, sequence numbers handed out by the test. */
class History {
  readonly events: Record<string, unknown>[] = [];
  private id = 0;
  constructor(input: unknown) {
    this.episode(T0);
    this.push(0, { Name: VAULT_ORCHESTRATOR, Input: JSON.stringify(input) });
  }
  private push(type: number, fields: Record<string, unknown>, when: Date = T0): void {
    this.events.push({ EventType: type, EventId: -1, IsPlayed: false, Timestamp: when.toISOString(), ...fields });
  }
  episode(when: Date): this {
    this.push(12, {}, when);
    return this;
  }
  scheduled(taskId: number, name: string): this {
    this.push(4, { EventId: taskId, Name: name });
    return this;
  }
  completed(taskId: number, result: unknown, when: Date = T0): this {
    this.episode(when).push(5, { TaskScheduledId: taskId, Result: JSON.stringify(result) }, when);
    return this;
  }
  failed(taskId: number, reason: string, when: Date = T0): this {
    this.episode(when).push(6, { TaskScheduledId: taskId, Reason: reason, Details: 'stack' }, when);
    return this;
  }
  timerFired(timerId: number, when: Date): this {
    this.episode(when).push(11, { TimerId: timerId, FireAt: when.toISOString() }, when);
    return this;
  }
  raised(name: string, data: unknown, when: Date): this {
    this.episode(when).push(15, { Name: name, Input: JSON.stringify(data) }, when);
    return this;
  }
  nextId(): number {
    return this.id++;
  }
}

interface RunResult {
  isDone: boolean;
  actions: Record<string, unknown>[][];
  customStatus?: unknown;
}

async function replay(history: History, input: unknown): Promise<RunResult> {
  const handler = getRegisteredFunction(VAULT_ORCHESTRATOR, 'orchestration').handler;
  const ctx = new df.DummyOrchestrationContext(VAULT_ORCHESTRATOR, 'inv', () => undefined);
  return (await handler(
    { history: history.events, input, instanceId: 'vault:x', isReplaying: false, upperSchemaVersion: 2, maximumShortTimerDuration: '6.00:00:00', longRunningTimerIntervalDuration: '3.00:00:00' },
    ctx,
  )) as RunResult;
}

/** The actions flattened, as [type, name-or-fireAt-or-event] pairs. */
function describeActions(result: RunResult): [number, string][] {
  const out: [number, string][] = [];
  const visit = (a: Record<string, unknown>): void => {
    if (Array.isArray(a['compoundActions'])) return (a['compoundActions'] as Record<string, unknown>[]).forEach(visit);
    const type = a['actionType'] as number;
    if (type === 5) out.push([type, (a['fireAt'] as Date).toISOString()]);
    else if (type === 6) out.push([type, a['externalEventName'] as string]);
    else if (type === 4) out.push([type, 'continueAsNew']);
    else out.push([type, (a['functionName'] as string) ?? '']);
  };
  (result.actions[0] ?? []).forEach(visit);
  return out;
}

function continueInput(result: RunResult): Record<string, unknown> {
  const flat = (result.actions[0] ?? []).find((a) => a['actionType'] === 4);
  if (flat === undefined) throw new Error('no continueAsNew');
  return flat['input'] as Record<string, unknown>;
}

function plan(stages: PlannedAction[][], overrides: Partial<VaultPlan> = {}): VaultPlan {
  const open = stages.flat().length > 0;
  return {
    vaultId: VAULT,
    mode: 'enforce',
    actions: chainStages(stages),
    findings: [],
    checklist: buildChecklist({
      eligible: { status: 'ok', detail: '' },
      identity: { status: 'ok', detail: '' },
      roles: { status: 'ok', detail: '' },
      approval: { status: 'ok', detail: '' },
      'dns-zones': { status: open ? 'pending' : 'ok', detail: '' },
      'dns-links': { status: 'ok', detail: '' },
      'dns-records': { status: 'ok', detail: '' },
      'secondary-records': { status: 'not-applicable', detail: '' },
      health: { status: 'ok', detail: '' },
    }),
    requeue: false,
    followUpAfter: undefined,
    ...overrides,
  };
}

const observed = (p: VaultPlan, observedAt: Date = T0) => ({ plan: p, observedAt: observedAt.toISOString(), vaultExists: true });
const applied = (a: PlannedAction) => ({ key: a.key, kind: a.kind, status: 'applied', message: 'created' });
const signal = (sentAt: Date, reason = 'write of vault') => ({ sentAt: sentAt.toISOString(), reason, correlationId: `corr-${reason}` });

const CALL_WITH_RETRY = 1;
const CONTINUE = 4;
const TIMER = 5;
const WAIT = 6;

describe('vaultOrchestrator', () => {
  const input = { vaultId: VAULT, trigger: signal(T0, 'first event') };

  describe('#first pass', () => {
    it('observes, applies stage by stage with the stage fanned out, then passes again to verify', async () => {
      const [zone, blob, queue] = [zoneAction('backup'), zoneAction('blob'), zoneAction('queue')];
      const h = new History(input);
      let r = await replay(h, input);
      expect(describeActions(r)).toEqual([[CALL_WITH_RETRY, OBSERVE_AND_PLAN_ACTIVITY]]);
      expect((r.customStatus as VaultStatus).state).toBe('in-progress');

      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([[zone], [blob, queue]])));
      r = await replay(h, input);
      expect(describeActions(r)).toEqual([
        [CALL_WITH_RETRY, OBSERVE_AND_PLAN_ACTIVITY],
        [CALL_WITH_RETRY, APPLY_ACTION_ACTIVITY],
      ]);

      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(1, applied(zone));
      r = await replay(h, input);
      // stage 2: both actions in one fan-out (a WhenAll of two)
      const stage2 = (r.actions[0] ?? [])[2] as { actionType: number; compoundActions: { input: { action: PlannedAction } }[] };
      expect(stage2.actionType).toBe(12);
      expect(stage2.compoundActions.map((a) => a.input.action.key)).toEqual(['blob', 'queue']);

      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(3, applied(queue)).completed(2, applied(blob));
      r = await replay(h, input);
      expect(r.isDone).toBe(true);
      expect(describeActions(r).at(-1)).toEqual([CONTINUE, 'continueAsNew']);
      const next = continueInput(r);
      expect(next).toMatchObject({ vaultId: VAULT, lastObservedAt: T0.toISOString(), consecutivePasses: 1, trigger: { reason: 'verify the writes of the previous pass' } });
      const status = r.customStatus as VaultStatus;
      expect(status.lastPlan.actions.map((a) => [a.key, a.stage, a.status])).toEqual([
        ['backup', 0, 'applied'],
        ['blob', 1, 'applied'],
        ['queue', 1, 'applied'],
      ]);
      expect(status.state).toBe('pending');
    });

    it('applies nothing in audit mode and reports every action skipped', async () => {
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([[zoneAction('backup')]], { mode: 'audit' })));
      const r = await replay(h, input);
      expect(describeActions(r).filter(([t, n]) => t === CALL_WITH_RETRY && n === APPLY_ACTION_ACTIVITY)).toEqual([]);
      const status = r.customStatus as VaultStatus;
      expect(status.lastPlan.actions.map((a) => a.status)).toEqual(['skipped']);
      expect(status.mode).toBe('audit');
    });

    it('ends the instance when the vault does not exist', async () => {
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, { ...observed(plan([])), vaultExists: false });
      const r = await replay(h, input);
      expect(r.isDone).toBe(true);
      expect(describeActions(r).map(([t]) => t)).not.toContain(CONTINUE);
      expect((r.customStatus as VaultStatus).state).toBe('vault-not-found');
    });
  });

  describe('#the dependency graph', () => {
    const SUBSCRIPTION = VAULT.split('/')[2] as string;
    const rg = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;
    const grant = (pe: string): PlannedAction => ({
      kind: 'grant-role',
      key: `grant-role:${rg(`rg-${pe}`)}|contributor`,
      summary: `grant on rg-${pe}`,
      needs: [],
      scope: rg(`rg-${pe}`),
      roleDefinitionGuid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
      roleName: 'Contributor',
      principalId: '22222222-2222-2222-2222-222222222222',
      name: '00000000-0000-4000-8000-000000000001',
      description: 'marker',
    });
    const approve = (pe: string, needs: string[]): PlannedAction => ({
      kind: 'approve-connection',
      key: `approve-connection:${VAULT}/privateEndpointConnections/${pe}.1.backup.x`,
      summary: `approve ${pe}`,
      needs,
      vaultId: VAULT,
      connectionName: `${pe}.1.backup.x`,
      privateEndpointId: `${rg(`rg-${pe}`)}/providers/Microsoft.Network/privateEndpoints/${pe}`,
      rule: 'spoke',
      description: 'Approved by vaultlink',
    });
    const record = (pe: string, needs: string[]): PlannedAction => ({
      kind: 'upsert-record',
      key: `upsert-record:${pe}`,
      summary: `record of ${pe}`,
      needs,
      zoneId: `${rg('rg-dns')}/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net`,
      recordName: pe,
      ipv4Addresses: ['10.0.0.4'],
      ttl: 10,
      sourcePrivateEndpointId: `${rg(`rg-${pe}`)}/providers/Microsoft.Network/privateEndpoints/${pe}`,
      etag: undefined,
    });
    const graph = (actions: PlannedAction[]): VaultPlan => ({ ...plan([]), actions, checklist: plan([[zoneAction('x')]]).checklist });
    const scheduledKeys = (r: RunResult, index: number): string[] => {
      const a = (r.actions[0] ?? [])[index] as { actionType: number; compoundActions?: { input: { action: PlannedAction } }[]; input?: { action: PlannedAction } };
      return a.compoundActions !== undefined ? a.compoundActions.map((c) => c.input.action.key) : a.input === undefined ? [] : [a.input.action.key];
    };

    it('schedules an approval and a zone creation in the same replay step when neither needs the other', async () => {
      const zone = zoneAction('blob');
      const link: PlannedAction = { kind: 'ensure-link', key: 'ensure-link:blob', summary: 'link', needs: [zone.key], zoneId: zone.zoneId, vnetId: rg('rg-net') + '/providers/Microsoft.Network/virtualNetworks/v', linkName: 'l' };
      const approval = approve('pe-a', []);
      const p = graph([approval, zone, link]);
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(p));
      let r = await replay(h, input);
      // one step, one Task.all: the approval beside the zone; the link waits for its zone only
      const first = (r.actions[0] ?? [])[1] as { actionType: number };
      expect(first.actionType).toBe(12);
      expect(scheduledKeys(r, 1)).toEqual([approval.key, zone.key]);
      expect(describeActions(r).filter(([, n]) => n === APPLY_ACTION_ACTIVITY)).toHaveLength(2);

      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(2, applied(zone)).completed(1, applied(approval));
      r = await replay(h, input);
      expect(scheduledKeys(r, 2)).toEqual([link.key]);
    });

    it('skips only the failed grant\'s own endpoint chain; the other endpoint goes on and the failure names what it held back', async () => {
      const [grantA, grantB] = [grant('pe-a'), grant('pe-b')];
      const [approveA, approveB] = [approve('pe-a', [grantA.key]), approve('pe-b', [grantB.key])];
      const [recordA, recordB] = [record('pe-a', [approveA.key]), record('pe-b', [approveB.key])];
      const p = graph([grantA, grantB, approveA, approveB, recordA, recordB]);
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(p));
      let r = await replay(h, input);
      expect(scheduledKeys(r, 1)).toEqual([grantA.key, grantB.key]);

      // the grant on A's resource group is refused (403: not transient, no retry); B's is applied
      const refusedA = { key: grantA.key, kind: grantA.kind, status: 'failed', message: 'granting failed: AuthorizationFailed', error: { code: 'AuthorizationFailed', message: '403', transient: false } };
      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(1, refusedA).completed(2, applied(grantB));
      r = await replay(h, input);
      expect(scheduledKeys(r, 2)).toEqual([approveB.key]);

      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(3, applied(approveB));
      r = await replay(h, input);
      expect(scheduledKeys(r, 3)).toEqual([recordB.key]);

      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(4, applied(recordB));
      r = await replay(h, input);
      const status = r.customStatus as VaultStatus;
      expect(status.lastPlan.actions.map((a) => [a.key, a.status])).toEqual([
        [grantA.key, 'failed'],
        [grantB.key, 'applied'],
        [approveA.key, 'skipped'],
        [approveB.key, 'applied'],
        [recordA.key, 'skipped'],
        [recordB.key, 'applied'],
      ]);
      expect(status.lastPlan.actions[0]?.message).toContain(`skipped 2 action(s) that need it: ${approveA.key}, ${recordA.key}`);
      expect(status.lastPlan.actions[2]?.message).toContain(`needs ${grantA.key}, which failed`);
      // the refusal becomes a finding on the status, naming the endpoint it held back, and is remembered
      const finding = status.findings.find((f) => f.code === 'roles-not-grantable');
      expect(finding?.resourceId).toBe(approveA.kind === 'approve-connection' ? approveA.privateEndpointId : '');
      expect(status.state).toBe('failed');
      const next = continueInput(await replay(h.timerFired(h.nextId(), at(FAILED_PASS_RETRY_MS + 1)), input));
      expect((next['memory'] as { grantRefusals: { scope: string }[] }).grantRefusals.map((x) => x.scope)).toEqual([grantA.kind === 'grant-role' ? grantA.scope : '']);
    });

    it('skips what follows from the identity step, and their dependents, without scheduling them', async () => {
      const enable: PlannedAction = { kind: 'enable-identity', key: `enable-identity:${VAULT}`, summary: 'identity on', needs: [], vaultId: VAULT };
      const g: PlannedAction = { ...grant('pe-a'), needs: [enable.key], followsFrom: enable.key };
      const a: PlannedAction = { ...approve('pe-a', [g.key]), followsFrom: enable.key };
      const zone = zoneAction('blob');
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed({ ...graph([enable, g, a, zone]), requeue: true }));
      let r = await replay(h, input);
      expect(scheduledKeys(r, 1)).toEqual([enable.key, zone.key]);
      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).completed(1, applied(enable)).completed(2, applied(zone));
      r = await replay(h, input);
      expect(describeActions(r).filter(([, n]) => n === APPLY_ACTION_ACTIVITY)).toHaveLength(2);
      const status = r.customStatus as VaultStatus;
      expect(status.lastPlan.actions.filter((x) => x.status === 'skipped').map((x) => x.key)).toEqual([g.key, a.key]);
      expect(continueInput(r)).toMatchObject({ trigger: { reason: 'the plan needs another pass (requeue)' } });
    });
  });

  describe('#waiting', () => {
    function convergedPass(): History {
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([]), at(1_000)), at(2_000));
      return h;
    }

    it('waits for a signal or the idle timer once converged', async () => {
      const r = await replay(convergedPass(), input);
      expect(describeActions(r).slice(1)).toEqual([
        [WAIT, 'signal'],
        [TIMER, at(2_000 + IDLE_RECHECK_MS).toISOString()],
      ]);
      expect((r.customStatus as VaultStatus).state).toBe('converged');
      expect(r.isDone).toBe(false);
    });

    it('coalesces: skips signals sent before the observation, passes again on a newer one', async () => {
      const h = convergedPass();
      h.nextId(); // timer 1, armed by the wait
      // two signals sent during the pass (before observedAt): both skipped, each skip waits again
      h.raised('signal', signal(at(500), 'during the pass'), at(3_000)).raised('signal', signal(at(900), 'also during'), at(3_000));
      let r = await replay(h, input);
      expect(r.isDone).toBe(false);
      expect(describeActions(r).filter(([t]) => t === WAIT)).toHaveLength(3);
      expect(describeActions(r).map(([t]) => t)).not.toContain(CONTINUE);

      h.raised('signal', signal(at(1_500), 'after the observation'), at(4_000));
      r = await replay(h, input);
      expect(r.isDone).toBe(true);
      expect(continueInput(r)).toMatchObject({ vaultId: VAULT, lastObservedAt: at(1_000).toISOString(), trigger: { reason: 'after the observation' }, consecutivePasses: 0 });
    });

    it('carries the plan\'s memory (connection history, principals of the identity it saw) into the next execution and hands it to its observation', async () => {
      const memory = {
        connections: { firstSeenAt: at(500).toISOString(), privateEndpointIds: [`${VAULT.split('/providers/')[0]}/providers/Microsoft.Network/privateEndpoints/pe-a`] },
        identityChanges: [],
        grantRefusals: [],
        principalsSeen: [{ principalId: '0a0a0a0a-0000-4000-8000-000000000001', firstSeenAt: at(500).toISOString() }],
      };
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([], { memory }), at(1_000)), at(2_000));
      h.nextId();
      h.raised('signal', signal(at(5_000), 'fresh'), at(6_000));
      const next = continueInput(await replay(h, input));
      expect(next['memory']).toMatchObject(memory);
      // The next execution's observation is given it (the evidence that the identity was on before).
      const r = await replay(new History(next), next);
      const observe = (r.actions[0] ?? [])[0] as { input?: unknown } | undefined;
      expect(observe?.input).toMatchObject({ vaultId: VAULT, memory });
    });

    it('continues as new with a bounded input: the next execution starts from an empty history', async () => {
      const h = convergedPass();
      h.nextId();
      for (let i = 0; i < 30; i++) h.raised('signal', signal(at(100 + i), `stale ${i}`), at(3_000));
      h.raised('signal', signal(at(5_000), 'fresh'), at(6_000));
      const r = await replay(h, input);
      expect(r.isDone).toBe(true);
      const next = continueInput(r);
      const size = JSON.stringify(next).length;
      // nothing of the 31 signals but the one that asked for the pass
      expect(JSON.stringify(next)).not.toContain('stale');
      expect(size).toBeLessThan(16 * 1024);
    });

    it('cancels the losing timer when a signal wins the wait', async () => {
      const h = convergedPass();
      h.nextId(); // timer 1, armed by the wait
      h.raised('signal', signal(at(5_000), 'fresh'), at(6_000));
      const r = await replay(h, input);
      expect(r.isDone).toBe(true);
      const timers: Record<string, unknown>[] = [];
      const visit = (a: Record<string, unknown>): void => {
        if (Array.isArray(a['compoundActions'])) (a['compoundActions'] as Record<string, unknown>[]).forEach(visit);
        else if (a['actionType'] === TIMER) timers.push(a);
      };
      (r.actions[0] ?? []).forEach(visit);
      expect(timers.map((t) => t['isCanceled'])).toEqual([true]);
    });

    it('arms the follow-up timer while something is pending and passes again when it fires', async () => {
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([], { followUpAfter: 'PT10M', checklist: buildChecklist({}) })), at(2_000));
      let r = await replay(h, input);
      expect(describeActions(r).slice(1)).toEqual([
        [WAIT, 'signal'],
        [TIMER, at(2_000 + 10 * 60_000).toISOString()],
      ]);
      expect((r.customStatus as VaultStatus).nextPassAt).toBe(at(2_000 + 10 * 60_000).toISOString());
      h.nextId();
      h.timerFired(1, at(2_000 + 10 * 60_000));
      r = await replay(h, input);
      expect(r.isDone).toBe(true);
      expect(continueInput(r)).toMatchObject({ trigger: { reason: 'follow-up timer' } });
    });
  });

  describe('#failures', () => {
    it('retries a failing action, then reports it failed, skips the later stages and retries the pass later', async () => {
      const [zone, link] = [zoneAction('backup'), zoneAction('link')];
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([[zone], [link]])), at(1_000));
      // attempt n, retry timer n+1, next attempt n+2 … four attempts, then one last timer
      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY); // 1
      let clock = 1_000;
      for (let attempt = 1; attempt <= 4; attempt++) {
        const attemptId = attempt === 1 ? 1 : h.nextId();
        h.failed(attemptId, 'transient failure of backup: TooManyRequests', at((clock += 1_000)));
        const timerId = h.nextId();
        const r = await replay(h, input);
        expect(r.isDone).toBe(false);
        expect(describeActions(r).filter(([, n]) => n === APPLY_ACTION_ACTIVITY)).toHaveLength(1);
        h.timerFired(timerId, at((clock += 5_000)));
      }
      const r = await replay(h, input);
      const status = r.customStatus as VaultStatus;
      expect(status.state).toBe('failed');
      expect(status.lastPlan.actions.map((a) => [a.key, a.status])).toEqual([
        ['backup', 'failed'],
        ['link', 'skipped'],
      ]);
      expect(status.lastPlan.actions[0]?.message).toMatch(/gave up after 4 attempts: .*TooManyRequests/);
      expect(describeActions(r).slice(-2)).toEqual([
        [WAIT, 'signal'],
        [TIMER, at(clock + FAILED_PASS_RETRY_MS).toISOString()],
      ]);
    });

    it('keeps waiting for the other actions of a stage after one gave up, and reports both', async () => {
      const [a, b] = [zoneAction('a'), zoneAction('b')];
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY).completed(0, observed(plan([[a, b]])));
      h.scheduled(h.nextId(), APPLY_ACTION_ACTIVITY).scheduled(h.nextId(), APPLY_ACTION_ACTIVITY); // a: 1, b: 2
      // a fails four times while b still runs: attempts 1, 4, 6, 8; retry timers 3, 5, 7, 9
      let attemptId = 1;
      for (let attempt = 1; attempt <= 4; attempt++) {
        h.failed(attemptId, 'boom');
        const timerId = h.nextId();
        h.timerFired(timerId, T0);
        if (attempt < 4) attemptId = h.nextId();
      }
      let r = await replay(h, input);
      expect(r.isDone).toBe(false);
      // nothing new is scheduled while b runs: no second fan-out, no timer
      expect(describeActions(r).filter(([, n]) => n === APPLY_ACTION_ACTIVITY)).toHaveLength(2);
      expect(describeActions(r).map(([t]) => t)).not.toContain(TIMER);
      h.completed(2, applied(b));
      r = await replay(h, input);
      const status = r.customStatus as VaultStatus;
      expect(status.lastPlan.actions.map((x) => [x.key, x.status])).toEqual([
        ['a', 'failed'],
        ['b', 'applied'],
      ]);
      expect(status.state).toBe('failed');
    });

    it('waits and passes again after a failed observation', async () => {
      const h = new History(input);
      h.scheduled(h.nextId(), OBSERVE_AND_PLAN_ACTIVITY);
      let id = 0;
      let clock = 0;
      for (let attempt = 1; attempt <= 4; attempt++) {
        h.failed(id, 'ARM throttled', at((clock += 1_000)));
        const timerId = h.nextId();
        h.timerFired(timerId, at((clock += 1_000)));
        if (attempt < 4) id = h.nextId();
      }
      const r = await replay(h, input);
      const status = r.customStatus as VaultStatus;
      expect(status.state).toBe('observe-failed');
      expect(status.error).toMatch(/ARM throttled/);
      expect(describeActions(r).at(-1)).toEqual([TIMER, at(clock + FAILED_PASS_RETRY_MS).toISOString()]);
    });
  });
});
