import { setVaultReconcilerFactory, type VaultReconciler } from '../../../functions/deps';
import { LocalDurableDriver } from '../../../functions/local/driver';
import { vaultInstanceId } from '../../../functions/instance-ids';
import { FakeVaultWorld, vaultId, zoneAction } from '../fake-reconciler';
import type { VaultStatus } from '../../../functions/vault-status';

function vaultEvent(id: string, eventId: string, operation = 'Microsoft.RecoveryServices/vaults/write') {
  return {
    id: eventId,
    topic: '/subscriptions/00000000-0000-0000-0000-000000000001',
    subject: id,
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: '2026-11-29T10:00:00Z',
    dataVersion: '2',
    metadataVersion: '1',
    data: { operationName: operation, resourceUri: id, correlationId: `corr-${eventId}`, status: 'Succeeded' },
  };
}

describe('LocalDurableDriver', () => {
  let world: FakeVaultWorld;
  let driver: LocalDurableDriver;
  let restore: () => void;
  const V1 = vaultId('rsv-one');

  beforeEach(() => {
    world = new FakeVaultWorld();
    restore = setVaultReconcilerFactory(() => world);
    driver = new LocalDurableDriver({ startAt: new Date('2026-11-29T10:00:00Z') });
    driver.install();
  });
  afterEach(() => {
    driver.dispose();
    restore();
  });

  describe('#deliverEvents', () => {
    it('runs a vault from an event to converged, then a verification pass that writes nothing', async () => {
      world.addVault(V1, [[zoneAction('backup')], [zoneAction('blob'), zoneAction('queue')]]);
      expect(await driver.deliverEvents([vaultEvent(V1, 'e1')])).toEqual([]);
      await driver.idle();
      expect(world.writes).toEqual(['backup', 'blob', 'queue']);
      const view = driver.instance(vaultInstanceId(V1));
      expect(view?.runtimeStatus).toBe('Running');
      const status = view?.customStatus as VaultStatus;
      expect(status.state).toBe('converged');
      expect(status.converged).toBe(true);
      // pass 1 applies, pass 2 verifies
      expect(world.observations).toHaveLength(2);
    });

    it('turns duplicates and out-of-order events into no extra writes', async () => {
      world.addVault(V1, [[zoneAction('backup')]]);
      const events = [vaultEvent(V1, 'e2'), vaultEvent(V1, 'e1'), vaultEvent(V1, 'e2'), vaultEvent(V1.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'), 'e3')];
      expect(await driver.deliverEvents(events)).toEqual([]);
      await driver.idle();
      expect(world.writes).toEqual(['backup']);
      // again, the same batch: passes, but no writes
      await driver.deliverEvents(events);
      await driver.idle();
      expect(world.writes).toEqual(['backup']);
      expect(driver.instanceIds()).toEqual([vaultInstanceId(V1)]);
    });

    it('routes a private endpoint event to the vault it concerns', async () => {
      const pe = `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-one`;
      world.addVault(V1, [[zoneAction('backup')]]);
      world.privateEndpoints.set(pe.toLowerCase(), [V1]);
      await driver.deliverEvents([{ ...vaultEvent(pe, 'p1', 'Microsoft.Network/privateEndpoints/write') }]);
      await driver.idle();
      expect(world.writes).toEqual(['backup']);
      expect(driver.instance('pe:00000000-0000-0000-0000-000000000001:rg-net:pe-one')?.runtimeStatus).toBe('Completed');
    });

    it('reports the events it could not signal when the client fails', async () => {
      world.addVault(V1, [[zoneAction('backup')]]);
      driver.client.getStatus = async () => {
        throw new Error('storage unavailable (503)');
      };
      const failed = await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      expect(failed).toHaveLength(1);
      expect(failed[0]?.error).toMatch(/storage unavailable/);
    });
  });

  describe('#advance', () => {
    it('fires the follow-up timer while something is pending, and the idle timer after', async () => {
      world.addVault(V1, [], { followUpAfter: 'PT2M' });
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(world.observations).toHaveLength(1);
      const status = driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus;
      expect(status.state).toBe('pending');
      expect(status.nextPassAt).toBe('2026-11-29T10:02:00.000Z');
      await driver.advance(60_000);
      expect(world.observations).toHaveLength(1);
      await driver.advance(60_000);
      expect(world.observations).toHaveLength(2);
      world.vault(V1).followUpAfter = undefined;
      await driver.advance(120_000);
      expect(world.observations).toHaveLength(3);
      expect((driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus).nextPassAt).toBe('2026-11-30T10:04:00.000Z');
    });

    it('keeps every execution\'s history bounded however many signals arrive', async () => {
      world.addVault(V1, [[zoneAction('backup')]]);
      for (let i = 0; i < 40; i++) {
        await driver.deliverEvents([vaultEvent(V1, `e${i}`)]);
        if (i % 3 === 0) await driver.idle();
        await driver.advance(1_000);
      }
      await driver.idle();
      const view = driver.instance(vaultInstanceId(V1));
      expect(world.writes).toEqual(['backup']);
      expect(view?.executions).toBeGreaterThan(10);
      expect(view?.maxHistoryLength).toBeLessThan(40);
    });
  });

  describe('#idle', () => {
    it('retries a transiently failing action with back-off on the driver clock, then converges', async () => {
      world.addVault(V1, [[zoneAction('backup'), zoneAction('blob')], [zoneAction('queue')]]);
      world.transientFailures.set('backup', 2);
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(world.writes).toEqual(['blob', 'backup', 'queue']);
      const attempts = driver.activityCalls.filter((c) => (c.input as { action?: { key: string } }).action?.key === 'backup').map((c) => [c.attempt, c.ok]);
      expect(attempts).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      // back-offs of 5 s then 10 s moved the clock
      expect(driver.now().getTime() - new Date('2026-11-29T10:00:00Z').getTime()).toBe(15_000);
      expect((driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus).state).toBe('converged');
    });

    it('reports a permanently failing action, skips what depends on it, and retries the pass later', async () => {
      world.addVault(V1, [[zoneAction('backup')], [zoneAction('queue')]]);
      world.permanentFailures.add('backup');
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      let status = driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus;
      expect(status.state).toBe('failed');
      expect(status.lastPlan.actions.map((a) => [a.key, a.status])).toEqual([
        ['backup', 'failed'],
        ['queue', 'skipped'],
      ]);
      expect(world.writes).toEqual([]);
      world.permanentFailures.delete('backup');
      await driver.advance(5 * 60_000);
      status = driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus;
      expect(world.writes).toEqual(['backup', 'queue']);
      expect(status.state).toBe('converged');
    });

    it('ends the orchestration of a deleted vault and starts it again on the next signal', async () => {
      world.addVault(V1, [[zoneAction('backup')]], { exists: false });
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(driver.instance(vaultInstanceId(V1))?.runtimeStatus).toBe('Completed');
      world.vault(V1).exists = true;
      await driver.deliverEvents([vaultEvent(V1, 'e2')]);
      await driver.idle();
      expect(driver.instance(vaultInstanceId(V1))?.runtimeStatus).toBe('Running');
      expect(world.writes).toEqual(['backup']);
    });
  });

  describe('#idle, fan-out', () => {
    /** Makes `method` of the world yield `turns` event-loop turns before it runs, and records how many calls were in flight at once. */
    function holdCalls<K extends 'applyAction' | 'observeAndPlan'>(method: K, turnsOf: (arg: Parameters<FakeVaultWorld[K]>[0]) => number = () => 5): { peak: number; finished: string[] } {
      const seen = { peak: 0, finished: [] as string[] };
      let running = 0;
      const original = world[method].bind(world) as (arg: unknown) => Promise<unknown>;
      (world as unknown as Record<string, unknown>)[method] = async (arg: Parameters<FakeVaultWorld[K]>[0]) => {
        running++;
        seen.peak = Math.max(seen.peak, running);
        // hand the event loop over, so that the driver can start the other activities of the fan-out meanwhile
        for (let i = turnsOf(arg); i > 0; i--) await new Promise<void>((resolve) => setImmediate(resolve));
        running--;
        const result = await original(arg);
        seen.finished.push(typeof arg === 'string' ? arg : (arg as { key: string }).key);
        return result;
      };
      return seen;
    }

    it('runs the actions of one stage in flight together, as the host does', async () => {
      world.addVault(V1, [[zoneAction('a'), zoneAction('b'), zoneAction('c'), zoneAction('d')]]);
      const seen = holdCalls('applyAction');
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(seen.peak).toBe(4);
      expect([...world.writes].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(driver.activitiesInFlight()).toBe(0);
      expect((driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus).state).toBe('converged');
    });

    it('never runs more activities at once than maxConcurrentActivityFunctions', async () => {
      driver.dispose();
      driver = new LocalDurableDriver({ startAt: new Date('2026-11-29T10:00:00Z'), maxConcurrentActivityFunctions: 2 });
      driver.install();
      world.addVault(V1, [['a', 'b', 'c', 'd', 'e'].map(zoneAction)]);
      const seen = holdCalls('applyAction');
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(seen.peak).toBe(2);
      expect([...world.writes].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect((driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus).state).toBe('converged');
    });

    it('runs one activity at a time with a bound of 1', async () => {
      driver.dispose();
      driver = new LocalDurableDriver({ startAt: new Date('2026-11-29T10:00:00Z'), maxConcurrentActivityFunctions: 1 });
      driver.install();
      world.addVault(V1, [[zoneAction('a'), zoneAction('b'), zoneAction('c')]]);
      const seen = holdCalls('applyAction');
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(seen.peak).toBe(1);
      expect(world.writes).toEqual(['a', 'b', 'c']);
    });

    it('replays completions in the order the activities finish, not the order they were scheduled', async () => {
      world.addVault(V1, [[zoneAction('slow'), zoneAction('fast')], [zoneAction('last')]]);
      const seen = holdCalls('applyAction', (action) => (action.key === 'slow' ? 20 : 1));
      await driver.deliverEvents([vaultEvent(V1, 'e1')]);
      await driver.idle();
      expect(seen.finished).toEqual(['fast', 'slow', 'last']);
      const status = driver.instance(vaultInstanceId(V1))?.customStatus as VaultStatus;
      expect(status.state).toBe('converged');
      // the driver logs each activity call as it finishes
      const applyCalls = driver.activityCalls.filter((c) => c.name === 'vaultlinkApplyAction').map((c) => (c.input as { action: { key: string } }).action.key);
      expect(applyCalls).toEqual(['fast', 'slow', 'last']);
    });

    it('runs the activities of different vaults concurrently', async () => {
      const V2 = vaultId('rsv-two');
      const V3 = vaultId('rsv-three');
      for (const v of [V1, V2, V3]) world.addVault(v, []);
      const seen = holdCalls('observeAndPlan');
      await driver.runSweep();
      await driver.idle();
      expect(seen.peak).toBe(3);
      expect(new Set(seen.finished.map((v) => v.toLowerCase()))).toEqual(new Set([V1, V2, V3].map((v) => v.toLowerCase())));
    });

    it('refuses a bound below 1', () => {
      expect(() => new LocalDurableDriver({ maxConcurrentActivityFunctions: 0 })).toThrow(/maxConcurrentActivityFunctions must be an integer ≥ 1, got 0/);
    });
  });

  describe('#runSweep', () => {
    it('signals every vault in scope, and the status API lists them', async () => {
      const V2 = vaultId('rsv-two');
      world.addVault(V1, [[zoneAction('a')]]);
      world.addVault(V2, [], { mode: 'audit' });
      await driver.runSweep();
      await driver.idle();
      expect(world.writes).toEqual(['a']);
      const list = await driver.httpGet('/api/vaults');
      expect(list.status).toBe(200);
      const body = list.jsonBody as { vaults: { vaultId: string; converged: boolean; mode: string }[] };
      expect(body.vaults.map((v) => [v.vaultId.toLowerCase(), v.converged, v.mode])).toEqual([
        [V1.toLowerCase(), true, 'enforce'],
        [V2.toLowerCase(), true, 'audit'],
      ]);
    });

    it('with a batch verdict, signals only the vaults that need a pass or have no live orchestration', async () => {
      const V2 = vaultId('rsv-two');
      const V3 = vaultId('rsv-three');
      for (const v of [V1, V2]) world.addVault(v, []);
      // the first sweep starts both orchestrations (each passes once)
      await driver.runSweep();
      await driver.idle();
      expect(world.observations).toHaveLength(2);
      world.addVault(V3, []);
      const needsPass = new Set([V2.toLowerCase()]);
      (world as VaultReconciler).planSweep = async () => [V1, V2, V3].map((v) => ({ vaultId: v, needsPass: needsPass.has(v.toLowerCase()), reason: needsPass.has(v.toLowerCase()) ? '1 action(s) to apply' : 'nothing to do' }));
      await driver.advance(1_000);
      const report = (await driver.runSweep()) as { vaults: number; signalled: number; unchanged: number; failed: number };
      await driver.idle();
      expect(report).toEqual({ vaults: 3, signalled: 2, unchanged: 1, failed: 0 });
      // V1 left alone; V2 signalled (a pass); V3 had no orchestration: started (a pass)
      expect(world.observations.slice(2).map((v) => v.toLowerCase()).sort()).toEqual([V2, V3].map((v) => v.toLowerCase()).sort());
      expect(driver.logs.some((l) => l.message.includes('sweep.unchanged') && l.message.toLowerCase().includes(V1.toLowerCase()))).toBe(true);
    });
  });
});
