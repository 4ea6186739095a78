/**
 * Issue 10, situation 4: the policy's `geoCodes` says `uksouth` → `uksouth` (the most reported
 * mistake: the region name instead of Backup's code `uks`). The FQDNs Azure lists on the endpoint
 * are the ground truth: vaultlink links and writes `privatelink.uks.backup.windowsazure.com`, the
 * names resolve, and a warning names both codes.
 */
import { checkResolutionFrom, recordsOf } from './dns-world';
import type { Scenario } from './types';

const VAULT = 'rsv-app01';

export const wrongGeoOverride: Scenario = {
  name: 'wrong-geo-override',
  summary: 'geoCodes maps uksouth to "uksouth": vaultlink follows the FQDNs (uks), the names resolve, and a warning names both codes',
  landingZone: { separateHubSubscription: false, adjustPolicy: (p) => ({ ...p, geoCodes: { uksouth: 'uksouth' } }) },
  async play(sim) {
    const vaultId = await sim.createVault(VAULT, { experience: 'V2' });
    await sim.createPrivateEndpoint('pe-backup-app01', vaultId);
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
  },
  expected: { exitCode: 0, converged: true, because: 'the zone comes from the FQDNs Azure lists, so the wrong override cannot break resolution' },
  check(sim, outcome) {
    const vaultId = sim.vaultId(VAULT);
    const problems = checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    if (!(outcome.findingCodes.get(vaultId) ?? []).includes('geo-code-contradiction')) problems.push('no geo-code-contradiction finding');
    const wrongZone = sim.zone.dnsResourceGroupId + '/providers/Microsoft.Network/privateDnsZones/privatelink.uksouth.backup.windowsazure.com';
    if (sim.emulator.store.has(wrongZone) && recordsOf(sim, wrongZone).size > 0) problems.push('records were written into privatelink.uksouth.backup.windowsazure.com');
    return problems;
  },
};
