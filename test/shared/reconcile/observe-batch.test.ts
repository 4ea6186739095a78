/** observeSweep: a sweep observed as one batch, on the emulator with the real SDK clients. */
import { readKind } from '../../../bench/read-kinds';
import { planVault } from '../../../shared/plan';
import { observeSweep, observeVault, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import { World, withoutTime } from './world';

describe('observeSweep (emulator)', () => {
  let world: World;
  let ctx: ReconcileContext;
  const converged: string[] = [];
  let pending: string;

  beforeAll(async () => {
    world = await World.start();
    ctx = world.context(planVault);
    for (const name of ['vault-a', 'vault-b', 'vault-c']) {
      const id = await world.createVault(name);
      await world.createPrivateEndpoint(id, `pe-${name}`);
      const report = await reconcileVault(ctx, id);
      expect(report.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
      converged.push(id);
    }
    pending = await world.createVault('vault-new');
    await world.createPrivateEndpoint(pending, 'pe-vault-new');
  });
  afterAll(() => world.close());

  /** vaultlink's reads during `run`, by kind. */
  async function readsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
    world.emu.reads.reset();
    await run();
    const byKind: Record<string, number> = {};
    // Lists count once: next pages exist because the emulator pages at 2, where Azure answers these in one page.
    for (const r of world.emu.reads.log()) if (r.principalId.toLowerCase() === world.vaultlink.toLowerCase() && r.nextPage !== true) byKind[readKind(r.path)] = (byKind[readKind(r.path)] ?? 0) + 1;
    return byKind;
  }

  it('observes every vault exactly as the per-vault observation does', async () => {
    const batch = await observeSweep(ctx);
    expect(batch.map((b) => b.observed.vaultId.toLowerCase())).toEqual([...converged, pending].map((id) => id.toLowerCase()).sort());
    for (const b of batch) {
      const single = await observeVault(ctx, b.observed.vaultId);
      expect(withoutTime(b.observed)).toEqual(withoutTime(single));
    }
  });

  it('reads what the vaults share once per sweep, and nothing per vault that has a private endpoint', async () => {
    const byKind = await readsDuring(() => observeSweep(ctx));
    // no usage summaries: every vault here shows a connection, and the counts decide eligibility
    // only before the first one; no zone GETs: the central zones are in the subscription listed below
    expect(byKind).toEqual({
      'vault list': 1,
      'PE list': 1,
      subnet: 1,
      // the zones the vaults' VNets already resolve through (issue 10): one list of the subscription
      'zone list': 1,
      'zone link list': 3,
      'record list': 3,
      'role assignment list': 1,
      subscription: 1,
    });
  });

  it('asks for a pass only for the vault with something to do', async () => {
    const verdicts = (await observeSweep(ctx)).map((b) => b.verdict);
    const byVault = new Map(verdicts.map((v) => [v.vaultId.toLowerCase(), v]));
    for (const id of converged) expect(byVault.get(id.toLowerCase())).toMatchObject({ needsPass: false, reason: 'nothing to do' });
    expect(byVault.get(pending.toLowerCase())).toMatchObject({ needsPass: true, reason: expect.stringMatching(/action\(s\) to apply/) });
  });

  it('sees a change made after the previous sweep: nothing is kept from one sweep to the next', async () => {
    expect((await observeSweep(ctx)).find((b) => b.observed.vaultId.toLowerCase() === converged[0]?.toLowerCase())?.verdict.needsPass).toBe(false);
    const zone = (await observeVault(ctx, converged[0] as string)).zones.find((z) => z.records.length > 0);
    const record = zone?.records[0];
    expect(record).toBeDefined();
    const zoneName = zone?.name as string;
    await world.dns().recordSets.delete('rg-dns', zoneName, 'A', record?.name as string);
    const after = (await observeSweep(ctx)).find((b) => b.observed.vaultId.toLowerCase() === converged[0]?.toLowerCase());
    expect(after?.verdict).toMatchObject({ needsPass: true, reason: expect.stringMatching(/action\(s\) to apply/) });
  });
});
