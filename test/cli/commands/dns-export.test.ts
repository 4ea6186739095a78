/**
 * `vaultlink dns export` against the embedded emulator's landing zone, after vaultlink converged
 * the vault there (real reconciler and SDK clients): what it prints must be what the central
 * zones hold, as Azure answers.
 */
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { runCli } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { reconcilerBackend } from '../../../cli/connect';
import type { VaultlinkBackend } from '../../../cli/backend';
import { startEmbeddedLandingZone, type EmbeddedLandingZone } from '../../../cli/simulation/embedded';
import { createAzureClients } from '../../../shared/azure';
import { parseResourceId } from '../../../shared/domain/ids';
import { planVault, type DnsExport } from '../../../shared/plan';

describe('vaultlink dns export', () => {
  let embedded: EmbeddedLandingZone;
  let backend: VaultlinkBackend;
  const connect = async (): Promise<VaultlinkBackend> => ({ ...backend, close: async () => undefined });

  beforeAll(async () => {
    embedded = await startEmbeddedLandingZone();
    const azure = createAzureClients({ cloud: 'AzurePublicCloud', credential: embedded.credential, armEndpoint: embedded.endpoint, ca: embedded.ca, pollIntervalMs: 5 });
    backend = reconcilerBackend({ azure, policy: { ...embedded.policy, mode: 'enforce' }, cloud: 'AzurePublicCloud', planner: planVault });
    // vaultlink converges the vault: identity, roles, approval, zones, links, records.
    for (let pass = 0; pass < 3; pass++) await backend.reconcileVault(embedded.vaultId);
  }, 60_000);

  afterAll(async () => {
    await embedded.close();
  });

  /** The A records the central backup zone holds (Azure's answer, through the SDK). */
  async function recordsInBackupZone(): Promise<Map<string, string[]>> {
    const zoneId = `/subscriptions/${parseResourceId(embedded.vaultId).subscriptionId}/resourceGroups/rg-private-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uks.backup.windowsazure.com`;
    const z = parseResourceId(zoneId);
    const client = new PrivateDnsManagementClient(embedded.credential, z.subscriptionId as string, { endpoint: embedded.endpoint, tlsOptions: { ca: embedded.ca } });
    const out = new Map<string, string[]>();
    for await (const r of client.recordSets.listByType(z.resourceGroup as string, z.name, 'A')) out.set(r.name as string, (r.aRecords ?? []).map((a) => a.ipv4Address as string));
    return out;
  }

  it('prints, in JSON, the records the zones hold, one zone file per zone, hosts lines and forwarders for all three namespaces', async () => {
    const io = captureIO();
    expect(await runCli(['dns', 'export', '--emulator', '--output', 'json'], io, { connect })).toBe(0);
    const e = JSON.parse(io.out()) as DnsExport;
    const held = await recordsInBackupZone();
    const exported = e.zones.find((z) => z.zone === 'privatelink.uks.backup.windowsazure.com')?.records ?? [];
    expect(held.size).toBe(8);
    expect(new Map(exported.map((r) => [r.name, [...r.addresses]]))).toEqual(held);
    expect(exported.every((r) => r.publicFqdn.endsWith('.uks.backup.windowsazure.com') && r.vaultId.toLowerCase() === embedded.vaultId.toLowerCase())).toBe(true);
    expect(e.hostsLines).toHaveLength(8);
    expect(e.zoneFiles.map((z) => z.zone)).toEqual(['privatelink.uks.backup.windowsazure.com']);
    expect(e.forwarders.map((f) => `${f.zone} ${f.forwarder}`)).toEqual([
      'privatelink.uks.backup.windowsazure.com 168.63.129.16',
      'privatelink.blob.core.windows.net 168.63.129.16',
      'privatelink.queue.core.windows.net 168.63.129.16',
    ]);
  });

  it('prints a pasteable zone file with --format zone-file', async () => {
    const io = captureIO();
    expect(await runCli(['dns', 'export', '--emulator', '--format', 'zone-file'], io, { connect })).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['$TTL 10', '$ORIGIN privatelink.uks.backup.windowsazure.com.']);
    const held = await recordsInBackupZone();
    expect(lines.slice(2).sort()).toEqual([...held].map(([name, ips]) => `${name} 10 IN A ${ips[0]}`).sort());
  });

  it('prints hosts lines with the privatelink name first and the public name as alias', async () => {
    const io = captureIO();
    expect(await runCli(['dns', 'export', '--emulator', '--format', 'hosts'], io, { connect })).toBe(0);
    const first = io.out().split('\n')[0] ?? '';
    expect(first).toMatch(/^10\.1\.2\.\d+ \d{19}-ab-pod01-\w+\.privatelink\.uks\.backup\.windowsazure\.com \d{19}-ab-pod01-\w+\.uks\.backup\.windowsazure\.com$/);
  });
});
