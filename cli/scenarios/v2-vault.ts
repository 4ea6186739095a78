/**
 * A vault of the newer (v2) private-endpoint experience: no managed identity needed, no `_ecs`/
 * `_prot` endpoints. vaultlink must not apply the classic steps to it.
 */
import type { Scenario } from './types';

export const v2Vault: Scenario = {
  name: 'v2-vault',
  summary: 'a v2-experience vault: approval and DNS only; no identity, no roles, no secondary endpoints',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    const vaultId = await sim.createVault('rsv-app02', { experience: 'V2' });
    await sim.createPrivateEndpoint('pe-backup-app02', vaultId);
    sim.checkNameResolution(vaultId);
    await sim.registerContainer(vaultId);
    await sim.runBackup(vaultId, { label: 'backs up db01 from vm-app01 over the private endpoint' });
  },
  expected: { exitCode: 0, converged: true, because: 'approval and DNS are all a v2 vault needs' },
  check: (sim) => {
    const problems: string[] = [];
    const vault = sim.emulator.store.get(sim.vaultId('rsv-app02'));
    const identity = vault?.resource['identity'] as { type?: string } | undefined;
    if (identity?.type && identity.type !== 'None') problems.push(`the v2 vault's identity was turned on (${identity.type})`);
    const grants = sim.emulator.writes.log().filter((w) => w.principalId === sim.runtime.principalId && /roleAssignments/i.test(w.path));
    if (grants.length > 0) problems.push(`vaultlink wrote ${grants.length} role assignment(s) for a v2 vault`);
    return problems;
  },
};
