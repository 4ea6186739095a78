/**
 * Issue 10, situation 5: Azure Backup creates its `_ecs`/`_prot` endpoints for storage accounts
 * with zone-partitioned names (`<account>.z12.blob.storage.azure.net`). Public DNS answers those
 * names with a CNAME to `<account>.privatelink.blob.core.windows.net`
 * (MicrosoftDocs/azure-docs#82513), so the record is `<account>` in the blob zone (queue likewise);
 * vaultlink writes it, and the name resolves privately from the VNet.
 *
 * Backup's own storage accounts get Azure DNS zone endpoints through the emulator's control
 * (`setStoragePartition`, `PUT /_emulator/network/storagePartitions`) before Backup connects to
 * them; the emulator's resolver follows the public CNAME itself.
 */
import { backupStorageAccountName } from '../../emulator/providers/backup-rules';
import type { NetworkExports } from '../../emulator/providers/network';
import { parseResourceId } from '../../shared/domain/ids';
import { checkResolutionFrom } from './dns-world';
import { ENDPOINT_NAME, VAULT_NAME } from './lifecycle';
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

const PARTITION = 'z12';

/**
 * Backup's `_ecs` and `_prot` storage accounts of the vault (named by Backup from the vault's
 * numeric id, which its endpoints' FQDNs carry) get Azure DNS zone endpoints in {@link PARTITION}.
 */
function partitionBackupAccounts(sim: Simulation, vaultId: string): string[] {
  const names = sim.emulator.provider<{ requiredNames(vaultId: string): Map<string, string[]> }>('backup').requiredNames(vaultId);
  const numericId = /^(\d{19})-ab-pod01-/.exec([...names.keys()][0] ?? '')?.[1];
  if (numericId === undefined) throw new Error(`vault ${parseResourceId(vaultId).name} lists no Backup FQDN yet: its endpoint is not approved`);
  const network = sim.emulator.provider<NetworkExports>('network');
  const accounts = [backupStorageAccountName(numericId, 'ecs'), backupStorageAccountName(numericId, 'prot')];
  for (const account of accounts) network.setStoragePartition(account, PARTITION);
  return accounts;
}

function partitionedNames(sim: Simulation): string[] {
  return sim.emulator.store
    .list({ type: 'Microsoft.Network/privateEndpoints' })
    .flatMap((pe) => ((pe.resource['properties'] as { customDnsConfigs?: { fqdn?: string }[] } | undefined)?.customDnsConfigs ?? []).map((c) => c.fqdn ?? ''))
    .filter((f) => f.endsWith('.storage.azure.net'));
}

export const partitionedStorage: Scenario = {
  name: 'partitioned-storage',
  summary: 'Backup\'s _ecs/_prot endpoints carry zone-partitioned names (<account>.z12.blob.storage.azure.net): vaultlink writes their records in privatelink.blob/queue.core.windows.net',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    const vaultId = await sim.createVault(VAULT_NAME);
    await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
    const accounts = partitionBackupAccounts(sim, vaultId);
    sim.note('azure-backup', `storage accounts ${accounts.join(', ')} have Azure DNS zone endpoints (${PARTITION})`);
    await sim.registerContainer(vaultId);
    await sim.runBackup(vaultId, { fromVnet: false, label: 'starts the first backup job of db01' });
    sim.note('azure-backup', `lists partitioned names: ${partitionedNames(sim).join(', ')}`);
    checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    await sim.runBackup(vaultId, { label: 'backs up db01 from vm-app01 over the private endpoints' });
  },
  expected: { exitCode: 0, converged: true, because: 'a partitioned name maps to its account\'s record in the blob (or queue) zone, where its public CNAME leads' },
  check(sim) {
    const problems = checkResolutionFrom(sim, sim.vaultId(VAULT_NAME), [sim.zone.vnetId]);
    const names = partitionedNames(sim);
    // _ecs blob and queue, _prot blob
    if (names.length < 3) problems.push(`expected the _ecs blob/queue and _prot blob endpoints to list partitioned names, found ${names.length}: ${names.join(', ')}`);
    for (const n of names) {
      const [account, , service] = n.split('.') as [string, string, string];
      const zone = sim.zone.zoneIds.find((z) => parseResourceId(z).name === `privatelink.${service}.core.windows.net`) as string;
      if (!sim.emulator.store.has(`${zone}/A/${account}`)) problems.push(`no record ${account} in privatelink.${service}.core.windows.net for ${n}`);
    }
    return problems;
  },
};
