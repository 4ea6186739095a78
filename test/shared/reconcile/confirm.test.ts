/**
 * confirmWrites: the observation after a pass's writes, from a re-read of what they wrote and the
 * rest of the same pass's observation. It must read what a full observation reads, and keep the
 * pass's `observedAt` (a signal sent after it still asks for a full pass).
 */
import { planVault } from '../../../shared/plan';
import type { ObservedVault } from '../../../shared/plan/types';
import { applyPlan, confirmWrites, observeVault, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import { appliedActions } from '../../../shared/reconcile/reconcile';
import { World, withoutTime } from './world';

describe('confirmWrites (emulator)', () => {
  let world: World;
  let ctx: ReconcileContext;
  beforeAll(async () => {
    world = await World.start();
    ctx = world.context(planVault);
    // the zones exist once a first vault with an endpoint is reconciled: the passes below write no zone
    const first = await world.createVault('vault-confirm-first');
    await world.createPrivateEndpoint(first, 'pe-confirm-first');
    await reconcileVault(ctx, first);
    expect((await observeVault(ctx, first)).zones.map((z) => z.zone !== undefined)).toEqual([true, true, true]);
  }, 120_000);
  afterAll(() => world.close());

  /** One pass: observe, plan, apply; then the confirmed observation and a full one. */
  async function pass(vaultId: string): Promise<{ before: ObservedVault; confirmed: ObservedVault | undefined; fresh: ObservedVault; reads: number; kinds: string[] }> {
    const before = await observeVault(ctx, vaultId);
    const plan = planVault(before, ctx.policy, { cloud: ctx.cloud });
    const outcomes = await applyPlan(ctx, plan);
    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    const applied = appliedActions(plan, outcomes);
    world.emu.reads.reset();
    const confirmed = await confirmWrites(ctx, before, applied);
    const reads = world.emu.reads.log().filter((r) => r.principalId.toLowerCase() === world.vaultlink.toLowerCase() && r.nextPage !== true).length;
    return { before, confirmed, fresh: await observeVault(ctx, vaultId), reads, kinds: [...new Set(applied.map((a) => a.kind))].sort() };
  }

  it('after the identity, then the approval, grants and records: what a full observation sees, with the pass\'s observedAt, for fewer reads', async () => {
    const vaultId = await world.createVault('vault-confirm');
    const identity = await pass(vaultId);
    expect(identity.kinds).toEqual(['enable-identity']);
    expect(identity.confirmed).toBeDefined();
    expect(withoutTime(identity.confirmed as ObservedVault)).toEqual(withoutTime(identity.fresh));
    expect(identity.confirmed?.observedAt).toBe(identity.before.observedAt);

    await world.createPrivateEndpoint(vaultId, 'pe-confirm');
    const endpoint = await pass(vaultId);
    expect(endpoint.kinds).toEqual(expect.arrayContaining(['approve-connection', 'grant-role', 'upsert-record']));
    expect(endpoint.confirmed).toBeDefined();
    expect(withoutTime(endpoint.confirmed as ObservedVault)).toEqual(withoutTime(endpoint.fresh));
    // the vault, the PE list, the records of the zone written, two role lists
    expect(endpoint.reads).toBeLessThan(13);
  });

  it('observes in full (undefined) after a write it does not re-read on its own: a zone', async () => {
    const vaultId = await world.createVault('vault-confirm-zone');
    const before = await observeVault(ctx, vaultId);
    const zone = before.zones[0];
    if (zone === undefined) throw new Error('the policy places no zone');
    expect(await confirmWrites(ctx, before, [{ kind: 'ensure-zone', key: `ensure-zone:${zone.resourceId}`, summary: 'test', needs: [], zoneId: zone.resourceId, zoneName: zone.name }])).toBeUndefined();
  });
});
