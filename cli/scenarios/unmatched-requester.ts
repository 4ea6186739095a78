/**
 * A requester the allowlist does not match: an outsider, in a sandbox subscription of the same
 * tenant, asks for a private endpoint to the spoke's vault. Its connection must stay Pending
 * (policy `unmatched: leave-pending`) and be reported, while the spoke team's own endpoint is
 * approved as usual.
 */
import { NetworkManagementClient } from '@azure/arm-network';
import { resourceGroupResourceId } from '../../shared/domain/ids';
import { FAST_POLLING, REGION, SIMULATION_IDS, sdkOptions } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

const ROGUE_ENDPOINT = 'pe-sandbox-backup';

async function layOutSandbox(sim: Simulation): Promise<string> {
  const { control } = sim.emulator;
  const sandbox = control.createSubscription({ subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, displayName: 'sandbox' });
  control.createResourceGroup(sandbox, 'rg-sandbox', REGION);
  control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.outsiderPrincipalId, scope: resourceGroupResourceId(sandbox, 'rg-sandbox'), principalType: 'User' });
  const network = new NetworkManagementClient(sim.emulator.credentialFor(SIMULATION_IDS.outsiderPrincipalId), sandbox, sdkOptions(sim.emulator));
  const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-sandbox',
    'vnet-sandbox',
    { location: REGION, addressSpace: { addressPrefixes: ['10.9.0.0/16'] }, subnets: [{ name: 'snet-pe', addressPrefix: '10.9.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
    FAST_POLLING,
  );
  return `${vnet.id as string}/subnets/snet-pe`;
}

function connectionStatusOf(sim: Simulation, vaultId: string, endpointName: string): string | undefined {
  const connections = sim.emulator.store.children(vaultId, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections');
  for (const c of connections) {
    const props = c.resource['properties'] as { privateEndpoint?: { id?: string }; privateLinkServiceConnectionState?: { status?: string } } | undefined;
    if (props?.privateEndpoint?.id?.toLowerCase().endsWith(`/privateendpoints/${endpointName.toLowerCase()}`)) return props.privateLinkServiceConnectionState?.status;
  }
  return undefined;
}

export const unmatchedRequester: Scenario = {
  name: 'unmatched-requester',
  summary: 'an outsider\'s endpoint the allowlist does not match stays Pending and is reported; the spoke team\'s is approved',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    const subnetId = await layOutSandbox(sim);
    const vaultId = await sim.createVault('rsv-app01');
    await sim.createPrivateEndpoint('pe-backup-app01', vaultId);
    await sim.createPrivateEndpoint(ROGUE_ENDPOINT, vaultId, { as: 'outsider', subnetId, subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, resourceGroup: 'rg-sandbox' });
    sim.note('outsider', `waits: the connection of ${ROGUE_ENDPOINT} is ${connectionStatusOf(sim, vaultId, ROGUE_ENDPOINT) ?? 'gone'}`);
    sim.checkNameResolution(vaultId);
  },
  expected: {
    exitCode: 1,
    converged: false,
    because: 'a pending connection nobody may approve is left to a person, so the vault is not converged until one decides',
  },
  check(sim) {
    const vaultId = sim.vaultId('rsv-app01');
    const problems: string[] = [];
    const rogue = connectionStatusOf(sim, vaultId, ROGUE_ENDPOINT);
    if (rogue !== 'Pending') problems.push(`the outsider's connection is ${rogue ?? 'missing'}, not Pending`);
    const own = connectionStatusOf(sim, vaultId, 'pe-backup-app01');
    if (own !== 'Approved') problems.push(`the spoke team's connection is ${own ?? 'missing'}, not Approved`);
    return problems;
  },
};
