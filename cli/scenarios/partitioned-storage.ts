/**
 * Issue 10, situation 5: Azure Backup creates its `_ecs`/`_prot` blob endpoints for storage
 * accounts with zone-partitioned names (`<account>.z12.blob.storage.azure.net`). Public DNS
 * answers those names with a CNAME to `<account>.privatelink.blob.core.windows.net`
 * (MicrosoftDocs/azure-docs#82513), so the record is `<account>` in the blob zone; vaultlink writes
 * it, and the name resolves privately from the VNet.
 *
 * The emulator has no control for partitioned names yet (the emu-resources work adds one): the
 * scenario stands in for it by rewriting, as each blob secondary is stored, the FQDN Backup's
 * endpoint lists — before vaultlink reads it — and follows the public CNAME itself when resolving.
 */
import { parseResourceId } from '../../shared/domain/ids';
import { checkResolutionFrom } from './dns-world';
import { ENDPOINT_NAME, VAULT_NAME } from './lifecycle';
import type { Simulation } from '../simulation/world';
import type { Scenario } from './types';

const PARTITION = 'z12';

/** Rewrites `<account>.blob.core.windows.net` to `<account>.z12.blob.storage.azure.net` on every Backup blob secondary as it is stored. */
function partitionBackupBlobNames(sim: Simulation): () => void {
  const store = sim.emulator.store;
  return store.watch('Microsoft.Network/privateEndpoints', (_key, stored) => {
    if (stored === undefined || !/_(ecs|prot)[0-9a-z]*_blob$/i.test(stored.parsed.name)) return;
    const props = stored.resource['properties'] as { customDnsConfigs?: { fqdn?: string; ipAddresses?: string[] }[] } | undefined;
    const configs = props?.customDnsConfigs ?? [];
    if (!configs.some((c) => /\.blob\.core\.windows\.net$/i.test(c.fqdn ?? ''))) return;
    const rewritten = configs.map((c) => ({ ...c, fqdn: (c.fqdn ?? '').replace(/\.blob\.core\.windows\.net$/i, `.${PARTITION}.blob.storage.azure.net`) }));
    store.put(stored.id, { ...stored.resource, properties: { ...(props ?? {}), customDnsConfigs: rewritten } });
  });
}

function partitionedNames(sim: Simulation): string[] {
  return sim.emulator.store
    .list({ type: 'Microsoft.Network/privateEndpoints' })
    .flatMap((pe) => ((pe.resource['properties'] as { customDnsConfigs?: { fqdn?: string }[] } | undefined)?.customDnsConfigs ?? []).map((c) => c.fqdn ?? ''))
    .filter((f) => f.endsWith('.blob.storage.azure.net'));
}

export const partitionedStorage: Scenario = {
  name: 'partitioned-storage',
  summary: 'Backup\'s blob endpoints carry zone-partitioned names (<account>.z12.blob.storage.azure.net): vaultlink writes their records in privatelink.blob.core.windows.net',
  landingZone: { separateHubSubscription: false },
  async play(sim) {
    const stop = partitionBackupBlobNames(sim);
    try {
      const vaultId = await sim.createVault(VAULT_NAME);
      await sim.createPrivateEndpoint(ENDPOINT_NAME, vaultId);
      await sim.registerContainer(vaultId);
      await sim.runBackup(vaultId, { fromVnet: false, label: 'starts the first backup job of db01' });
      sim.note('azure-backup', `lists partitioned names: ${partitionedNames(sim).join(', ')}`);
      checkResolutionFrom(sim, vaultId, [sim.zone.vnetId]);
    } finally {
      stop();
    }
  },
  expected: { exitCode: 0, converged: true, because: 'a partitioned name maps to its account\'s record in the blob zone, where its public CNAME leads' },
  check(sim) {
    const problems = checkResolutionFrom(sim, sim.vaultId(VAULT_NAME), [sim.zone.vnetId]);
    const names = partitionedNames(sim);
    if (names.length < 2) problems.push(`expected the _ecs and _prot blob endpoints to list partitioned names, found ${names.length}`);
    const blobZone = sim.zone.zoneIds.find((z) => parseResourceId(z).name === 'privatelink.blob.core.windows.net') as string;
    for (const n of names) {
      const account = n.split('.')[0] as string;
      if (!sim.emulator.store.has(`${blobZone}/A/${account}`)) problems.push(`no record ${account} in privatelink.blob.core.windows.net for ${n}`);
    }
    return problems;
  },
};
