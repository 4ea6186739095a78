/**
 * Tenant rules for requesters in other subscriptions: the requester subscription's tenant is read
 * through ARM (GET /subscriptions/{id}), once per pass, and a subscription vaultlink cannot read
 * makes a tenant rule not match, with the reason.
 */
import { observeVault, reconcileVault, type ReconcileContext } from '../../../shared/reconcile';
import { planVault } from '../../../shared/plan';
import type { Policy } from '../../../shared/config';
import { LOCATION, World } from './world';
import { NetworkManagementClient } from '@azure/arm-network';

const poll = { updateIntervalInMs: 1 };

describe('tenant rules for requesters in other subscriptions (emulator)', () => {
  let world: World;
  let readable: string;
  let unreadable: string;
  const teamNetwork = (sub: string) =>
    new NetworkManagementClient(world.emu.credentialFor(world.spokeTeam), sub, { endpoint: world.emu.endpoint, tlsOptions: { ca: world.emu.ca }, retryOptions: { maxRetries: 0 } });
  beforeAll(async () => {
    world = await World.start();
    // Two more subscriptions of the same tenant, each with the spoke team's network and PE groups.
    readable = world.emu.control.createSubscription({ displayName: 'spoke-readable' });
    unreadable = world.emu.control.createSubscription({ displayName: 'spoke-unreadable' });
    for (const sub of [readable, unreadable]) {
      world.emu.control.createResourceGroup(sub, 'rg-team', LOCATION);
      world.emu.control.grantRole({ role: 'Owner', principalId: world.spokeTeam, scope: `/subscriptions/${sub}` });
      await teamNetwork(sub).virtualNetworks.beginCreateOrUpdateAndWait(
        'rg-team',
        'vnet-team',
        { location: LOCATION, addressSpace: { addressPrefixes: ['10.7.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.7.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
        poll,
      );
    }
    // vaultlink may read the first (and grant the vault identity its roles there, as infra lets it), not the second.
    world.emu.control.grantRole({ role: 'Owner', principalId: world.vaultlink, scope: `/subscriptions/${readable}` });
  });
  afterAll(() => world.close());

  function policy(): Policy {
    // The requester's subscription is in scope: vaultlink grants the vault identity its roles there.
    return world.policy({ scope: { subscriptions: [world.sub, readable] }, approval: { unmatched: 'leave-pending', rules: [{ name: 'our-tenant', requester: { tenantId: world.emu.tenantId } }] } });
  }
  function ctx(): ReconcileContext {
    return world.context(planVault, policy());
  }

  async function peInOtherSubscription(sub: string, vaultId: string, name: string): Promise<string> {
    const client = teamNetwork(sub);
    const connection = { name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: 'team in another subscription' };
    const subnet = `/subscriptions/${sub}/resourceGroups/rg-team/providers/Microsoft.Network/virtualNetworks/vnet-team/subnets/pe`;
    const pe = await client.privateEndpoints.beginCreateOrUpdateAndWait('rg-team', name, { location: LOCATION, subnet: { id: subnet }, manualPrivateLinkServiceConnections: [connection] }, poll);
    return pe.id as string;
  }

  it('approves a PE from another subscription of the same tenant, reading that subscription once per pass', async () => {
    // A v2 vault: its identity needs no roles in the other subscription (a classic vault's endpoint there would wait for
    // roles vaultlink cannot grant, lifecycle.test.ts), so the tenant rule alone decides.
    const vaultId = await world.createVault('vault-tenant', 'V2');
    await peInOtherSubscription(readable, vaultId, 'pe-other-sub');
    const before = world.emu.reads.log().length;
    const observed = await observeVault(ctx(), vaultId);
    const subscriptionReads = world.emu.reads
      .log()
      .slice(before)
      .filter((r) => r.principalId === world.vaultlink && r.path.toLowerCase() === `/subscriptions/${readable}`.toLowerCase());
    expect(subscriptionReads).toHaveLength(1);
    expect(Object.entries(observed.subscriptionTenants).find(([s]) => s === readable.toLowerCase())?.[1]).toBe(world.emu.tenantId);

    const report = await reconcileVault(ctx(), vaultId);
    const vault = await world.azure().recoveryServices.getVault(vaultId);
    expect(report.plan.findings.map((f) => f.code)).not.toContain('roles-not-grantable');
    expect(vault?.connections.map((c) => [c.name, c.status])).toEqual([[expect.stringContaining('pe-other-sub'), 'Approved']]);
    expect(vault?.connections[0]?.description).toMatch(/our-tenant/);
  });

  it('leaves a PE from a subscription it cannot read pending, and says why', async () => {
    const vaultId = await world.createVault('vault-tenant-unreadable');
    await peInOtherSubscription(unreadable, vaultId, 'pe-hidden-sub');
    const report = await reconcileVault(ctx(), vaultId);
    expect(report.outcomes.map((o) => o.kind)).not.toContain('approve-connection');
    const approval = report.plan.checklist.find((i) => i.key === 'approval');
    expect(approval?.status).toBe('pending');
    expect(approval?.detail).toContain(`subscription ${unreadable}`);
    expect((await world.azure().recoveryServices.getVault(vaultId))?.connections[0]?.status).toBe('Pending');
  });
});
