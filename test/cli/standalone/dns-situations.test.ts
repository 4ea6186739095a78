/**
 * Issue 10's "Done when": the five situations of "What was seen", each played through the CLI
 * (`vaultlink plan --apply --endpoint … --principal …`) against a STANDALONE emulator
 * (`emulator/main.ts` as a child process), in a lived-in landing zone: central zones shared by
 * several vaults, several VNets, an app team's own zone, people deleting and rejecting endpoints
 * between passes. Each ends with Azure's answer — every name Backup needs resolving privately to an
 * approved endpoint's address from every VNet that hosts one of the vault's endpoints, or the
 * finding the issue describes — and a further pass that makes ZERO writes (the emulator's write
 * counter for vaultlink's principal).
 *
 * One emulator for the file; each situation has its own vaults and VNets (and its own policy file,
 * scoped with --vault), sharing the hub's central zones as a landing zone's vaults do.
 */
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { SIMULATION_IDS, sdkOptions } from '../../../cli/simulation/landing-zone';
import { parseResourceId } from '../../../shared/domain/ids';
import { checklistOf, findingCodes, layOutStandaloneLandingZone, startStandaloneEmulator, type PlanApplyRun, type StandaloneEmulator, type StandaloneLandingZone } from './harness';

jest.setTimeout(120_000);

let emulator: StandaloneEmulator;
let lz: StandaloneLandingZone;

beforeAll(async () => {
  emulator = await startStandaloneEmulator();
  lz = await layOutStandaloneLandingZone(emulator, { separateHubSubscription: true });
});

afterAll(async () => {
  lz?.dispose();
  await emulator?.stop();
});

/** The connection states of a vault's endpoints, as the vault lists them: endpoint name → status. */
async function connectionStates(vaultId: string): Promise<Record<string, string>> {
  const v = parseResourceId(vaultId);
  const vault = await new RecoveryServicesClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), v.subscriptionId as string, sdkOptions(emulator)).vaults.get(v.resourceGroup as string, v.name);
  return Object.fromEntries(
    (vault.properties?.privateEndpointConnections ?? []).map((c) => [parseResourceId(c.properties?.privateEndpoint?.id as string).name, c.properties?.privateLinkServiceConnectionState?.status ?? '?']),
  );
}

/** The A record sets of a zone in the hub's DNS resource group: name → addresses. */
async function hubRecords(zoneName: string): Promise<Map<string, string[]>> {
  const dns = new PrivateDnsManagementClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), lz.zone.hubSubscriptionId, sdkOptions(emulator));
  const out = new Map<string, string[]>();
  for await (const r of dns.recordSets.listByType(parseResourceId(lz.zone.dnsResourceGroupId).resourceGroup as string, zoneName, 'A')) {
    out.set((r.name ?? '').toLowerCase(), (r.aRecords ?? []).map((a) => a.ipv4Address ?? ''));
  }
  return out;
}

/** The private IPs a private endpoint's `customDnsConfigs` list. */
async function addressesOf(privateEndpointId: string): Promise<string[]> {
  const pe = parseResourceId(privateEndpointId);
  const { NetworkManagementClient } = await import('@azure/arm-network');
  const got = await new NetworkManagementClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), pe.subscriptionId as string, sdkOptions(emulator)).privateEndpoints.get(pe.resourceGroup as string, pe.name);
  return (got.customDnsConfigs ?? []).flatMap((c) => c.ipAddresses ?? []);
}

function expectApplied(run: PlanApplyRun): void {
  // A pass that applied something reports no failed action; stderr stays empty.
  expect(run.stderr).toBe('');
  const failed = run.vaults.flatMap((v) => v.applied.filter((o) => o.status === 'failed'));
  expect(failed).toEqual([]);
}

const BACKUP_ZONE = 'privatelink.uks.backup.windowsazure.com';

describe('issue 10 through the CLI against a standalone emulator', () => {
  describe('situation 1: a second endpoint of the vault in another VNet', () => {
    it('keeps the first endpoint\'s names, resolves both VNets privately, warns naming both endpoints, and a further pass writes nothing', async () => {
      const vaultId = await lz.createVault('rsv-s1', { experience: 'V2' });
      const first = await lz.createPrivateEndpoint('pe-backup-s1', vaultId);
      const policyPath = lz.writePolicy('s1', (p) => p);
      // The first pass goes through the real entry point (tsx cli/main.ts), as a user runs it.
      const one = await lz.planApply({ policyPath, vaults: [vaultId], process: true });
      expectApplied(one);
      expect(one.writes.length).toBeGreaterThan(0);
      expect(await lz.unresolvedFrom(vaultId, [lz.zone.vnetId])).toEqual([]);
      const kept = await hubRecords(BACKUP_ZONE);

      // A team adds an endpoint in VNet B whose id sorts first.
      const b = await lz.createSpokeVnet('vnet-s1-b', '10.2');
      const second = await lz.createPrivateEndpoint('pe-backup-s0-vnet-b', vaultId, { subnetId: b.endpointSubnetId });
      expect(second < first).toBe(true);
      const two = await lz.planApply({ policyPath, vaults: [vaultId] });
      expectApplied(two);

      expect(await lz.unresolvedFrom(vaultId, [lz.zone.vnetId, b.vnetId])).toEqual([]);
      expect(await connectionStates(vaultId)).toEqual({ 'pe-backup-s1': 'Approved', 'pe-backup-s0-vnet-b': 'Approved' });
      const firstIps = await addressesOf(first);
      const records = await hubRecords(BACKUP_ZONE);
      const mine = [...records].filter(([name]) => [...kept.keys()].includes(name));
      expect(mine.length).toBeGreaterThan(0);
      for (const [, ips] of mine) expect(ips.every((ip) => firstIps.includes(ip))).toBe(true);
      const warning = two.vaults[0]?.after.findings.find((f) => f.code === 'record-claimed-by-several-endpoints');
      expect(warning?.message).toEqual(expect.stringContaining('pe-backup-s1'));
      expect(warning?.message).toEqual(expect.stringContaining('pe-backup-s0-vnet-b'));
      expect(checklistOf(two.vaults[0])['dns-records']).toBe('ok');

      const three = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(three.writes).toEqual([]);
      expect(findingCodes(three.vaults[0])).toContain('record-claimed-by-several-endpoints');
    });
  });
});
