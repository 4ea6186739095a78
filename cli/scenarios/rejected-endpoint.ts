/**
 * Issue 10, situation 2 (second half): under `recordPolicy: sync`, the records of an endpoint a
 * person rejected, and of one that was deleted, are deleted — exactly those, by the registry — so
 * the VNet stops resolving the vault to a dead endpoint; a new endpoint then gets the names.
 */
import { NetworkManagementClient } from '@azure/arm-network';
import { resourceInGroupId } from '../../shared/domain/ids';
import { FAST_POLLING, SIMULATION_IDS, sdkOptions } from '../simulation/landing-zone';
import { addressesOf, checkResolutionFrom, decideConnectionByHand, recordsOf } from './dns-world';
import type { Scenario } from './types';

const VAULT = 'rsv-app01';
const REJECTED = 'pe-backup-app01';
const DELETED = 'pe-backup-app02';
const LIVE = 'pe-backup-app03';

export const rejectedEndpoint: Scenario = {
  name: 'rejected-endpoint',
  summary: 'sync: a rejected endpoint\'s records and a deleted endpoint\'s records are deleted; the live endpoint then holds the names',
  landingZone: { separateHubSubscription: false, adjustPolicy: (p) => ({ ...p, dns: { ...p.dns, recordPolicy: 'sync' } }) },
  async play(sim) {
    const vaultId = await sim.createVault(VAULT, { experience: 'V2' });
    await sim.createPrivateEndpoint(REJECTED, vaultId);
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    await decideConnectionByHand(sim, vaultId, REJECTED, 'Rejected');
    await sim.sweep();
    const backupZone = sim.zone.zoneIds.find((z) => /backup/.test(z)) as string;
    sim.note('vm', `after the rejection, zone ${backupZone.split('/').pop()} holds ${recordsOf(sim, backupZone).size} record(s)`);
    await sim.createPrivateEndpoint(DELETED, vaultId);
    const network = new NetworkManagementClient(sim.emulator.credentialFor(SIMULATION_IDS.spokeTeamPrincipalId), sim.zone.spokeSubscriptionId, sdkOptions(sim.emulator));
    await sim.step('spoke-team', `deletes private endpoint ${DELETED}`, () => network.privateEndpoints.beginDeleteAndWait(sim.zone.networkResourceGroup, DELETED, FAST_POLLING));
    await sim.sweep();
    sim.note('vm', `after the deletion, zone ${backupZone.split('/').pop()} holds ${recordsOf(sim, backupZone).size} record(s)`);
    await sim.createPrivateEndpoint(LIVE, vaultId);
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
  },
  expected: { exitCode: 0, converged: true, because: 'the dead endpoints\' records are gone and the live endpoint\'s names resolve privately' },
  check(sim) {
    const vaultId = sim.vaultId(VAULT);
    const problems = checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    const live = addressesOf(sim, resourceInGroupId(sim.zone.spokeSubscriptionId, sim.zone.networkResourceGroup, 'Microsoft.Network/privateEndpoints', LIVE));
    const backupZone = sim.zone.zoneIds.find((z) => /backup/.test(z)) as string;
    for (const [name, ips] of recordsOf(sim, backupZone)) if (!ips.every((ip) => live.includes(ip))) problems.push(`record ${name} still points at a dead endpoint (${ips.join(', ')})`);
    const deletes = sim.emulator.writes.log().filter((w) => w.method === 'DELETE' && /\/A\//.test(w.path) && w.principalId.toLowerCase() === sim.runtime.principalId.toLowerCase());
    if (deletes.length === 0) problems.push('vaultlink deleted no record');
    return problems;
  },
};
