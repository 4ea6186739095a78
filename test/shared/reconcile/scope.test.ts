/** listVaultsInScope, vaultsForPrivateEndpoint, and the read budget of observe (emulator). */
import type { AzurePorts } from '../../../shared/azure';
import { planVault } from '../../../shared/plan';
import { listVaultsInScope, observeVault, reconcileVault, vaultsForPrivateEndpoint, type ReconcileContext } from '../../../shared/reconcile';
import { RG, World } from './world';

/** The ports with every call counted (reads and writes alike). */
function counted(azure: AzurePorts): { azure: AzurePorts; calls: () => number } {
  let n = 0;
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    azure: { recoveryServices: wrap(azure.recoveryServices), network: wrap(azure.network), privateDns: wrap(azure.privateDns), authorization: wrap(azure.authorization), subscriptions: wrap(azure.subscriptions) },
    calls: () => n,
  };
}

describe('scope and mapping (emulator)', () => {
  let world: World;
  let vaultId: string;
  let ctx: ReconcileContext;
  beforeAll(async () => {
    world = await World.start();
    vaultId = await world.createVault('vault-scope');
    await world.createPrivateEndpoint(vaultId, 'pe-scope');
    ctx = world.context(planVault);
  });
  afterAll(() => world.close());

  describe('#listVaultsInScope', () => {
    it('lists the vaults of the subscriptions in scope, normalised and sorted', async () => {
      const other = await world.createVault('a-vault');
      await expect(listVaultsInScope(ctx)).resolves.toEqual([other, vaultId].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    });

    it('throws when no subscription in scope can be listed', async () => {
      const rule = world.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/read' }, fault: { kind: 'error', status: 403, code: 'AuthorizationFailed' } });
      try {
        await expect(listVaultsInScope(ctx)).rejects.toThrow(/listing vaults of subscription/);
      } finally {
        world.emu.faults.remove(rule);
      }
    });
  });

  describe('#vaultsForPrivateEndpoint', () => {
    it('maps a primary to its vault, a classic secondary to its primary\'s vault, anything else to nothing', async () => {
      await reconcileVault(ctx, vaultId);
      expect((await world.registerContainer(vaultId)).status).toBe('Completed');
      const inGroup = await ctx.azure.network.listPrivateEndpoints(world.sub, RG.pe);
      const secondary = inGroup.find((p) => p.name.startsWith('pe-scope_ecs'));
      expect(secondary).toBeDefined();
      await expect(vaultsForPrivateEndpoint(ctx, world.peId('pe-scope'))).resolves.toEqual([vaultId]);
      await expect(vaultsForPrivateEndpoint(ctx, secondary?.id as string)).resolves.toEqual([vaultId]);
      await expect(vaultsForPrivateEndpoint(ctx, world.peId('no-such-pe'))).resolves.toEqual([]);
      await expect(vaultsForPrivateEndpoint(ctx, world.vnetId)).resolves.toEqual([]);
    });
  });

  describe('#observeVault read budget', () => {
    it('makes the same number of reads however many events happened since', async () => {
      const first = counted(world.azure());
      await observeVault({ ...ctx, azure: first.azure }, vaultId);
      // Ten more writes on the vault (tags), each an event vaultlink would be signalled for.
      for (let i = 0; i < 10; i++) await world.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault-scope', { tags: { touch: String(i) } }, { updateIntervalInMs: 1 });
      const second = counted(world.azure());
      await observeVault({ ...ctx, azure: second.azure }, vaultId);
      expect(second.calls()).toBe(first.calls());
      expect(first.calls()).toBeLessThan(20);
    });
  });
});
