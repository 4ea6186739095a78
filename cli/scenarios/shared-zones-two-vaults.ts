/**
 * Issue 10, situation 2: two vaults share the central zones under `recordPolicy: sync`, and
 * vault B's endpoint is named like a secondary of vault A's (`<A's PE>_ecsprod_blob`). Deletes go
 * by the ownership registry (vault id, PE id, connection in each record's metadata), never by name
 * patterns: neither vault deletes the other's records, and nothing flaps (the final sweep writes
 * nothing).
 */
import { checkResolutionFrom } from './dns-world';
import type { Scenario } from './types';

const A = 'rsv-app01';
const B = 'rsv-app02';
const PE_A = 'pe-backup-app01';
const PE_B = `${PE_A}_ecsprod_blob`;

export const sharedZonesTwoVaults: Scenario = {
  name: 'shared-zones-two-vaults',
  summary: 'two vaults share the zones under sync; vault B\'s endpoint is named like a secondary of vault A\'s: nobody deletes the other\'s records',
  landingZone: { separateHubSubscription: false, adjustPolicy: (p) => ({ ...p, dns: { ...p.dns, recordPolicy: 'sync' } }) },
  async play(sim) {
    const a = await sim.createVault(A, { experience: 'V2' });
    await sim.createPrivateEndpoint(PE_A, a);
    const b = await sim.createVault(B, { experience: 'V2' });
    await sim.createPrivateEndpoint(PE_B, b);
    await sim.sweep();
    await sim.sweep();
    checkResolutionFrom(sim, a, [sim.zone.vnetId]);
    checkResolutionFrom(sim, b, [sim.zone.vnetId]);
  },
  expected: { exitCode: 0, converged: true, because: 'the registry ties each record to its vault, so sync deletes nothing live and the vaults stop writing' },
  check(sim) {
    const problems = [...checkResolutionFrom(sim, sim.vaultId(A), [sim.zone.vnetId]), ...checkResolutionFrom(sim, sim.vaultId(B), [sim.zone.vnetId])];
    const deletes = sim.emulator.writes.log().filter((w) => w.method === 'DELETE' && w.principalId.toLowerCase() === sim.runtime.principalId.toLowerCase());
    if (deletes.length > 0) problems.push(`vaultlink deleted ${deletes.length} record(s): ${deletes.map((d) => d.path.split('?')[0]).join(', ')}`);
    return problems;
  },
};
