/** observeVault's read rounds: each read starts as soon as its inputs are known (emulator, real SDK clients). */
import type { AzurePorts } from '../../../shared/azure';
import { planVault } from '../../../shared/plan';
import { observeVault, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import { World, withoutTime } from './world';

/**
 * Ports whose answers are held back until the test releases them, all at once: the number of
 * releases an observation needs is its number of sequential read rounds.
 */
function gated(azure: AzurePorts): { azure: AzurePorts; run<T>(work: Promise<T>): Promise<{ result: T; rounds: number; calls: string[][] }> } {
  let held: (() => void)[] = [];
  let round: string[] = [];
  const rounds: string[][] = [];
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          round.push(String(prop));
          const answer = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await new Promise<void>((resolve) => held.push(resolve));
          return answer;
        };
      },
    });
  const idleTurns = async (): Promise<void> => {
    // let every read that can start now start (the SDK and the emulator share this event loop)
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    azure: { recoveryServices: wrap(azure.recoveryServices), network: wrap(azure.network), privateDns: wrap(azure.privateDns), authorization: wrap(azure.authorization), subscriptions: wrap(azure.subscriptions) },
    async run(work) {
      let done = false;
      let result: unknown;
      work.then((r) => ((done = true), (result = r)));
      for (let guard = 0; !done && guard < 50; guard++) {
        await idleTurns();
        if (done) break;
        if (held.length === 0) continue;
        rounds.push(round.sort());
        round = [];
        const release = held;
        held = [];
        release.forEach((r) => r());
      }
      await work;
      return { result: result as Awaited<typeof work>, rounds: rounds.length, calls: rounds };
    },
  };
}

describe('observeVault read rounds (emulator)', () => {
  let world: World;
  let ctx: ReconcileContext;
  let vaultId: string;
  beforeAll(async () => {
    world = await World.start();
    ctx = world.context(planVault);
    vaultId = await world.createVault('vault-rounds');
    await world.createPrivateEndpoint(vaultId, 'pe-rounds');
    expect((await reconcileVault(ctx, vaultId)).outcomes.filter((o) => o.status === 'failed')).toEqual([]);
  });
  afterAll(() => world.close());

  it('reads a converged classic vault in three rounds, and sees what a plain observation sees', async () => {
    const g = gated(ctx.azure);
    const { result, rounds, calls } = await g.run(observeVault({ ...ctx, azure: g.azure }, vaultId));
    expect(calls).toEqual([
      // the private zones of the subscription in scope (observe's linked zones, issue 10) need nothing of the vault
      ['getSubscriptionTenantId', 'getVault', 'listZones'],
      // the central zones' existence comes from that list of zones: no GET each
      ['listARecordSets', 'listARecordSets', 'listARecordSets', 'listPrivateEndpoints', 'listRoleAssignments', 'listRoleAssignments', 'listVirtualNetworkLinks', 'listVirtualNetworkLinks', 'listVirtualNetworkLinks'],
      ['getSubnet', 'listRoleAssignments'],
    ]);
    expect(rounds).toBe(3);
    expect(withoutTime(result)).toEqual(withoutTime(await observeVault(ctx, vaultId)));
  });

  it('sends each read once (the two usage summaries share a path: they differ by $filter)', async () => {
    world.emu.reads.reset();
    await observeVault(ctx, vaultId);
    const paths = world.emu.reads
      .log()
      // Next pages share their list's path: the emulator pages at 2 where Azure answers in one page.
      .filter((r) => r.principalId.toLowerCase() === world.vaultlink.toLowerCase() && !/backupusagesummaries$/i.test(r.path) && r.nextPage !== true)
      .map((r) => r.path.toLowerCase());
    expect(paths.length).toBeGreaterThan(10);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
