/**
 * ARM's comparison inside the reconciler (issue 13): two resource groups whose names differ only
 * by a Kelvin sign (U+212A) are two resource groups to ARM, which upper-cases per code point and
 * never maps U+212A to `K`. JavaScript's `toLowerCase()` maps it to `k`, so keys built with it
 * merged them: observe listed the endpoints of one group only, and the other group's endpoint was
 * never seen, approved or granted on. Judged by Azure's answer: connection states and role
 * assignments read back from the emulator.
 */
import { planVault } from '../../../shared/plan';
import { reconcileVault } from '../../../shared/reconcile';
import { authorizationClientFor } from '../../emulator/helpers';
import { LOCATION, RG, World } from './world';

const KELVIN_RG = 'rg-spo\u212Ae-pe';

describe('reconcile with ids that only ARM tells apart', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
    world.emu.control.createResourceGroup(world.sub, KELVIN_RG, LOCATION);
    world.emu.control.grantRole({ role: 'Contributor', principalId: world.spokeTeam, scope: world.rgId(KELVIN_RG) });
  });
  afterAll(() => world.close());

  it('observes, approves and grants on both resource groups, each by its own rule', async () => {
    expect(RG.pe).toBe('rg-spoke-pe'); // the name the Kelvin group imitates
    const vaultId = await world.createVault('vault-kelvin');
    await world.createPrivateEndpoint(vaultId, 'pe-plain');
    await world.createPrivateEndpoint(vaultId, 'pe-kelvin', world.spokeTeam, KELVIN_RG);
    const policy = world.policy({
      approval: {
        unmatched: 'leave-pending',
        rules: [
          { name: 'plain', requester: { subscriptionId: world.sub, resourceGroup: RG.pe } },
          { name: 'kelvin', requester: { subscriptionId: world.sub, resourceGroup: KELVIN_RG } },
        ],
      },
    });
    const ctx = world.context(planVault, policy);
    for (let pass = 0; pass < 3; pass++) await reconcileVault(ctx, vaultId);

    const vault = await world.vaults().vaults.get(RG.vault, 'vault-kelvin');
    const states = new Map((vault.properties?.privateEndpointConnections ?? []).map((c) => [c.properties?.privateEndpoint?.id?.split('/').at(-1), c.properties?.privateLinkServiceConnectionState?.status]));
    expect(states).toEqual(new Map([['pe-plain', 'Approved'], ['pe-kelvin', 'Approved']]));

    const principalId = vault.identity?.principalId as string;
    const auth = authorizationClientFor(world.emu);
    const scopesWithRoles = async (rg: string): Promise<number> => {
      let n = 0;
      for await (const a of auth.roleAssignments.listForScope(world.rgId(rg), { filter: `principalId eq '${principalId}'` })) if (a.scope === world.rgId(rg)) n++;
      return n;
    };
    expect(await scopesWithRoles(RG.pe)).toBeGreaterThan(0);
    expect(await scopesWithRoles(KELVIN_RG)).toBeGreaterThan(0);
  });
});
