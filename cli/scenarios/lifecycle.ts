/**
 * The seed's lifecycle for a classic (v1) vault, end to end: the default scenario.
 *
 * create the vault → vaultlink turns its identity on and grants the roles → the spoke team creates
 * a private endpoint (Pending) → vaultlink approves it, links the VNet, writes the records → names
 * resolve privately from the VM's VNet → the VM registers → Backup creates the `_ecs` endpoints →
 * records → the first backup job → Backup creates the `_prot` endpoint → record → the backup from
 * the VM's VNet succeeds.
 */
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

export const VAULT_NAME = 'rsv-app01';
export const ENDPOINT_NAME = 'pe-backup-app01';

/** The lifecycle's steps, shared by the scenarios that replay it under other conditions. */
export async function playClassicLifecycle(sim: Simulation, options: { sweepAfterEachStep?: boolean } = {}): Promise<void> {
  const sweep = async (): Promise<void> => {
    if (options.sweepAfterEachStep) await sim.sweep();
  };
  const vaultId = await sim.createVault(VAULT_NAME);
  await sweep();
  await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
  await sweep();
  sim.checkNameResolution(vaultId);
  await sim.registerContainer(vaultId);
  await sweep();
  await sim.runBackup(vaultId, { fromVnet: false, label: 'starts the first backup job of db01' });
  await sweep();
  await sim.runBackup(vaultId, { label: 'backs up db01 from vm-app01 over the private endpoints' });
  sim.checkNameResolution(vaultId);
}

export const lifecycle: Scenario = {
  name: 'lifecycle',
  summary: 'the seed\'s lifecycle for a new classic vault: identity, roles, approval, DNS, _ecs and _prot records, a backup that succeeds',
  landingZone: { separateHubSubscription: false },
  play: (sim) => playClassicLifecycle(sim),
  expected: { exitCode: 0, converged: true, because: 'vaultlink does every step of the procedure, so the vault converges and the backup succeeds' },
  check: (sim) => {
    const problems: string[] = [];
    const vault = sim.emulator.store.get(sim.vaultId(VAULT_NAME));
    const identity = vault?.resource['identity'] as { type?: string } | undefined;
    if (identity?.type !== 'SystemAssigned') problems.push(`the vault identity is ${identity?.type ?? 'absent'}, not SystemAssigned`);
    const secondaries = sim.emulator.store.list({ type: 'Microsoft.Network/privateEndpoints' }).filter((pe) => /_(ecs|prot)[0-9a-f]+_(blob|queue)$/i.test(pe.parsed.name));
    if (secondaries.length !== 3) problems.push(`Azure Backup created ${secondaries.length} _ecs/_prot endpoints, expected 3 (ecs blob, ecs queue, prot blob)`);
    return problems;
  },
};
