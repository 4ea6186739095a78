/**
 * Issue 10, situation 1: a second private endpoint of the vault in another VNet must not repoint
 * the names the first VNet already resolves. The established endpoint keeps the records; the
 * second VNet is linked to the same central zones and resolves to the first endpoint's addresses
 * (an approved endpoint of the vault), and a warning names both endpoints and the ways out.
 * The second endpoint's name sorts first: the old planner (lowest PE id wins) repointed here.
 */
import { resourceInGroupId } from '../../shared/domain/ids';
import { addressesOf, checkResolutionFrom, createSpokeVnet, recordsOf } from './dns-world';
import type { Scenario } from './types';

const VAULT = 'rsv-app01';
const FIRST = 'pe-backup-app01';
const SECOND = 'pe-backup-app00-vnet-b';
const VNET_B = 'vnet-spoke-b';

export const twoVnets: Scenario = {
  name: 'two-vnets',
  summary: 'a second endpoint of the vault in another VNet: the first keeps its names, both VNets resolve privately, a warning names both endpoints',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    const vaultId = await sim.createVault(VAULT, { experience: 'V2' });
    await sim.createPrivateEndpoint(FIRST, vaultId);
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    const b = await createSpokeVnet(sim, VNET_B, '10.2');
    await sim.createPrivateEndpoint(SECOND, vaultId, { subnetId: b.endpointSubnetId });
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId, b.vnetId]);
  },
  expected: { exitCode: 0, converged: true, because: 'both VNets resolve every name to an approved endpoint of the vault; the second endpoint is a warning, not a failure' },
  check(sim, outcome) {
    const vaultId = sim.vaultId(VAULT);
    const vnetB = resourceInGroupId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup, 'Microsoft.Network/virtualNetworks', VNET_B);
    const problems = checkResolutionFrom(sim, vaultId, [sim.zone.vnetId, vnetB]);
    const first = addressesOf(sim, resourceInGroupId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup, 'Microsoft.Network/privateEndpoints', FIRST));
    const backupZone = sim.zone.zoneIds.find((z) => /backup/.test(z)) as string;
    for (const [name, ips] of recordsOf(sim, backupZone)) if (!ips.every((ip) => first.includes(ip))) problems.push(`record ${name} was repointed away from ${FIRST} (${ips.join(', ')})`);
    if (!(outcome.findingCodes.get(vaultId) ?? []).includes('record-claimed-by-several-endpoints')) problems.push('no warning names both endpoints');
    return problems;
  },
};
