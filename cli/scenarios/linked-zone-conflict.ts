/**
 * Issue 10, situation 3: the spoke VNet is already linked to the app team's own
 * `privatelink.blob.core.windows.net`. Azure refuses a second link of a zone with that name, so:
 * - `linked-zone-conflict` (dns.linkedZones "report"): vaultlink plans no link that would fail
 *   (no 409 on any pass) and reports an error finding naming that zone, its link and the choices;
 *   the blob names of Backup's `_ecs`/`_prot` endpoints do not resolve from the VNet, and the
 *   checklist says so;
 * - `linked-zone-adopt` (dns.linkedZones "adopt", vaultlink granted Private DNS Zone Contributor on
 *   the team's zone): vaultlink writes the vault's blob records into the zone the VNet resolves
 *   through, and the backup from the VNet succeeds;
 * - `linked-zone-unseen`: the team's zone lives where vaultlink reads nothing (another subscription),
 *   so only Azure's 409 on the link shows it: one refused link, then a linked-zone-conflict finding
 *   the vault's memory keeps (in the orchestration's status), and no further attempt on the sweeps
 *   that follow.
 */
import { checkResolutionFrom, createTeamZone, recordsOf, spokeNetworkGroupId, vaultlinkWritesAnswered } from './dns-world';
import { ENDPOINT_NAME, VAULT_NAME } from './lifecycle';
import { FAST_POLLING, REGION, SIMULATION_IDS, privateDnsClient } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

const BLOB_ZONE = 'privatelink.blob.core.windows.net';

async function playWithTeamZone(sim: Simulation, adopt: boolean): Promise<void> {
  await createTeamZone(sim, BLOB_ZONE, sim.zone.vnetId);
  if (adopt) {
    sim.emulator.control.grantRole({ role: 'Private DNS Zone Contributor', principalId: SIMULATION_IDS.vaultlinkPrincipalId, scope: spokeNetworkGroupId(sim), principalType: 'ServicePrincipal' });
    sim.note('platform', `grants vaultlink Private DNS Zone Contributor on ${sim.zone.networkResourceGroup} (where the team's zone lives) and sets dns.linkedZones "adopt"`);
  }
  const vaultId = await sim.createVault(VAULT_NAME);
  await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
  await sim.registerContainer(vaultId);
  await sim.runBackup(vaultId, { fromVnet: false, label: 'starts the first backup job of db01' });
  await sim.sweep();
  await sim.runBackup(vaultId, { mustSucceed: adopt, label: 'backs up db01 from vm-app01 over the private endpoints' });
  checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
}

function teamZoneId(sim: Simulation): string {
  return `${spokeNetworkGroupId(sim)}/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}`;
}

export const linkedZoneConflict: Scenario = {
  name: 'linked-zone-conflict',
  summary: 'the spoke VNet already resolves blob names through the app team\'s own zone: an error finding with the choices, no endless 409s',
  landingZone: { separateHubSubscription: false },
  play: (sim) => playWithTeamZone(sim, false),
  expected: { exitCode: 1, converged: false, because: 'only a person can choose between the team\'s zone and the central one; vaultlink reports it instead of failing a link on every pass' },
  check(sim, outcome) {
    const problems: string[] = [];
    const vaultId = sim.vaultId(VAULT_NAME);
    const refused = vaultlinkWritesAnswered(sim, 409);
    if (refused.length > 0) problems.push(`vaultlink made ${refused.length} write(s) Azure refused with 409: ${refused.join(', ')}`);
    if (!(outcome.findingCodes.get(vaultId) ?? []).includes('linked-zone-conflict')) problems.push('no linked-zone-conflict finding');
    const unresolved = checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    if (unresolved.length === 0) problems.push('every name resolves although the VNet resolves blob names through the team\'s empty zone');
    if (unresolved.some((u) => !/\.blob\.core\.windows\.net/.test(u))) problems.push(`names outside the blob namespace fail: ${unresolved.join('; ')}`);
    const status = outcome.checklists.get(vaultId)?.['secondary-records'];
    if (status !== 'failed') problems.push(`the checklist says secondary-records ${status ?? 'missing'} while blob names do not resolve`);
    if (recordsOf(sim, teamZoneId(sim)).size > 0) problems.push('vaultlink wrote into the team\'s zone under "report"');
    return problems;
  },
};

export const linkedZoneAdopt: Scenario = {
  name: 'linked-zone-adopt',
  summary: 'the same, with dns.linkedZones "adopt": vaultlink writes the vault\'s blob records into the team\'s zone and the backup succeeds',
  landingZone: { separateHubSubscription: false, adjustPolicy: (p) => ({ ...p, dns: { ...p.dns, linkedZones: 'adopt' } }) },
  play: (sim) => playWithTeamZone(sim, true),
  expected: { exitCode: 0, converged: true, because: 'the vault\'s names resolve through the zone the VNet already uses' },
  check(sim) {
    const problems = checkResolutionFrom(sim, sim.vaultId(VAULT_NAME), [sim.zone.vnetId]);
    if (recordsOf(sim, teamZoneId(sim)).size === 0) problems.push('no record in the team\'s zone');
    const refused = vaultlinkWritesAnswered(sim, 409);
    if (refused.length > 0) problems.push(`vaultlink made ${refused.length} write(s) Azure refused with 409: ${refused.join(', ')}`);
    return problems;
  },
};

export const linkedZoneUnseen: Scenario = {
  name: 'linked-zone-unseen',
  summary: 'the spoke VNet resolves blob names through a team zone in a subscription vaultlink does not read: one link Azure refuses (409), then a finding, remembered across sweeps',
  landingZone: { separateHubSubscription: true },
  async play(sim) {
    const hub = sim.zone.hubSubscriptionId;
    const dns = privateDnsClient(sim.emulator, SIMULATION_IDS.platformPrincipalId, hub);
    await sim.step('platform', `creates an app team's ${BLOB_ZONE} in rg-app-dns of the connectivity subscription (outside vaultlink's scope) and links vnet-spoke-app to it`, async () => {
      sim.emulator.control.createResourceGroup(hub, 'rg-app-dns', REGION);
      await dns.privateZones.beginCreateOrUpdateAndWait('rg-app-dns', BLOB_ZONE, { location: 'global' }, FAST_POLLING);
      await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-app-dns', BLOB_ZONE, 'app-team-link', { location: 'global', virtualNetwork: { id: sim.zone.vnetId }, registrationEnabled: false }, FAST_POLLING);
    });
    const vaultId = await sim.createVault('rsv-app01', { experience: 'V2' });
    await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
    await sim.sweep();
    await sim.sweep();
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
  },
  expected: { exitCode: 1, converged: false, because: 'only a person can choose between the team\'s zone and the central one, and vaultlink cannot even read the team\'s zone; it reports Azure\'s refusal instead of repeating it' },
  check(sim, outcome) {
    const vaultId = sim.vaultId('rsv-app01');
    const problems = checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    const refused = vaultlinkWritesAnswered(sim, 409);
    if (refused.length !== 1) problems.push(`vaultlink made ${refused.length} write(s) Azure refused with 409 (expected the one link that showed the conflict): ${refused.join(', ')}`);
    // The final status is a plan without the orchestration's memory (as `vaultlink status` makes
    // it): it cannot know the unseen zone, so it shows the link as still to do, never as done.
    const links = outcome.checklists.get(vaultId)?.['dns-links'];
    if (links === 'ok') problems.push('the checklist says dns-links ok although Azure refused the link');
    return problems;
  },
};
