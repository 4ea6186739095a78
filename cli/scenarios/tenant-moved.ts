/**
 * A vault whose subscription moved in from another tenant (issue 11, "error findings count"): its
 * system-assigned identity still belongs to the old tenant. The seed's remediation is a person's
 * (a new identity, new private endpoints, the RBAC set up again); vaultlink reports it as an error,
 * grants and approves nothing for the vault, and the vault is not converged.
 */
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { subscriptionResourceId } from '../../shared/domain/ids';
import { FAST_POLLING, SIMULATION_IDS, sdkOptions } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

export const MOVED_VAULT_NAME = 'rsv-moved';
const MOVED_ENDPOINT_NAME = 'pe-backup-moved';
/** The tenant the spoke subscription came from. */
export const OLD_TENANT_ID = '0d1d0000-0000-4000-8000-0000000000ee';

function identityOf(sim: Simulation, vaultId: string): { principalId?: string; tenantId?: string } | undefined {
  return sim.emulator.store.get(vaultId)?.resource['identity'] as { principalId?: string; tenantId?: string } | undefined;
}

export const tenantMoved: Scenario = {
  name: 'tenant-moved',
  summary: 'a classic vault created (identity on) while its subscription was in another tenant, then moved into this one; the spoke team asks for a private endpoint: vaultlink reports tenant-moved and approves nothing',
  landingZone: { separateHubSubscription: false },
  async before(sim) {
    const spoke = sim.zone.spokeSubscriptionId;
    // The subscription's past: it belonged to another tenant, where the platform team made the vault.
    sim.emulator.control.setSubscriptionTenant(spoke, OLD_TENANT_ID);
    const client = new RecoveryServicesClient(sim.emulator.credentialFor(SIMULATION_IDS.platformPrincipalId, OLD_TENANT_ID), spoke, sdkOptions(sim.emulator));
    await sim.step('platform', `creates Recovery Services vault ${MOVED_VAULT_NAME} with its system-assigned identity, in the old tenant ${OLD_TENANT_ID}`, () =>
      client.vaults.beginCreateOrUpdateAndWait(sim.zone.backupResourceGroup, MOVED_VAULT_NAME, { location: 'uksouth', sku: { name: 'Standard' }, identity: { type: 'SystemAssigned' }, properties: { publicNetworkAccess: 'Enabled' } }, FAST_POLLING),
    );
    sim.emulator.control.setSubscriptionTenant(spoke, SIMULATION_IDS.tenantId);
    sim.note('platform', `moves subscription ${spoke} into tenant ${SIMULATION_IDS.tenantId}: the vault's identity stays in the old one`);
  },
  async play(sim) {
    sim.note('platform', 'deploys vaultlink');
    await sim.sweep();
    await sim.createPrivateEndpoint(MOVED_ENDPOINT_NAME, sim.vaultId(MOVED_VAULT_NAME));
  },
  expected: {
    exitCode: 1,
    converged: false,
    because: 'the seed: after a tenant move the vault needs a new identity and new private endpoints, which only a person can do; vaultlink reports tenant-moved as an error and grants and approves nothing for the vault',
  },
  check(sim, outcome) {
    const problems: string[] = [];
    const vaultId = sim.vaultId(MOVED_VAULT_NAME);
    // Azure's view first: the identity's tenant against the subscription's.
    const identity = identityOf(sim, vaultId);
    const subscriptionTenant = sim.emulator.store.get(subscriptionResourceId(sim.zone.spokeSubscriptionId))?.resource['tenantId'];
    if (identity?.tenantId !== OLD_TENANT_ID || subscriptionTenant !== SIMULATION_IDS.tenantId) {
      problems.push(`the vault identity is in tenant ${identity?.tenantId ?? '(none)'} and the subscription in ${String(subscriptionTenant)}: not a moved vault`);
    }
    const connections = sim.emulator.store.children(vaultId, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections');
    const statuses = connections.map((c) => (c.resource['properties'] as { privateLinkServiceConnectionState?: { status?: string } } | undefined)?.privateLinkServiceConnectionState?.status);
    if (statuses.length !== 1 || statuses[0] !== 'Pending') problems.push(`the vault's connections are [${statuses.join(', ')}], expected one Pending`);
    const principal = identity?.principalId?.toLowerCase();
    const granted = sim.emulator.store
      .list({ type: 'Microsoft.Authorization/roleAssignments' })
      .filter((r) => (r.resource['properties'] as { principalId?: string }).principalId?.toLowerCase() === principal);
    if (granted.length > 0) problems.push(`the old tenant's identity holds ${granted.length} role assignment(s)`);
    const touched = sim.emulator.writes.log().filter((w) => w.principalId === sim.runtime.principalId && !w.faulted && w.path.toLowerCase().includes(`/vaults/${MOVED_VAULT_NAME}`));
    if (touched.length > 0) problems.push(`vaultlink wrote to the moved vault ${touched.length} time(s)`);
    const ofVault = <T>(m: ReadonlyMap<string, T>): T | undefined => [...m.entries()].find(([id]) => id.toLowerCase() === vaultId.toLowerCase())?.[1];
    const codes = ofVault(outcome.findingCodes) ?? [];
    if (!codes.includes('tenant-moved')) problems.push('no tenant-moved finding');
    const checklist = ofVault(outcome.checklists);
    if (checklist?.['health'] !== 'failed') problems.push(`health is ${checklist?.['health']}, not failed`);
    return problems;
  },
};
