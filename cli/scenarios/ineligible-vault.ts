/**
 * A vault that protected items before it had any private endpoint: Azure refuses endpoints for it
 * forever (only a new vault can fix that). It existed before vaultlink was deployed; the sweep
 * finds it, and vaultlink reports it and writes nothing to it.
 */
import type { Scenario } from './types';

const VAULT = 'rsv-legacy';

export const ineligibleVault: Scenario = {
  name: 'ineligible-vault',
  summary: 'a vault with items protected before any private endpoint: reported as ineligible, never touched',
  landingZone: { separateHubSubscription: false },
  async before(sim) {
    const vaultId = await sim.createVault(VAULT);
    await sim.registerContainer(vaultId);
    await sim.runBackup(vaultId, { label: 'backs up db01 of vm-app01 over the public network (no private endpoint yet)' });
  },
  async play(sim) {
    sim.note('platform', 'deploys vaultlink');
    await sim.sweep();
    await sim.createPrivateEndpoint('pe-backup-legacy', sim.vaultId(VAULT), { expectRefusal: true });
  },
  expected: { exitCode: 1, converged: false, because: 'an ineligible vault cannot converge; vaultlink reports it and leaves it alone' },
  check(sim) {
    const problems: string[] = [];
    const vaultKey = sim.vaultId(VAULT).toLowerCase();
    const touched = sim.emulator.writes.log().filter((w) => w.principalId === sim.runtime.principalId && !w.faulted && w.path.toLowerCase().includes('/vaults/rsv-legacy'));
    if (touched.length > 0) problems.push(`vaultlink wrote to the ineligible vault ${vaultKey} ${touched.length} time(s)`);
    if (sim.vaultlinkWrites() > 0) problems.push(`vaultlink made ${sim.vaultlinkWrites()} write(s); expected none`);
    return problems;
  },
};
