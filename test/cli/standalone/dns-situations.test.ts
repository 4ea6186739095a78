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
import { backupStorageAccountName } from '../../../emulator/providers/backup-rules';
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

    it('repoints the names to the second endpoint once a person rejects the first, from both VNets, and then stops writing', async () => {
      const vaultId = await lz.createVault('rsv-s1r', { experience: 'V2' });
      await lz.createPrivateEndpoint('pe-backup-s1r', vaultId);
      const policyPath = lz.writePolicy('s1r', (p) => p);
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));
      const b = await lz.createSpokeVnet('vnet-s1r-b', '10.9');
      const second = await lz.createPrivateEndpoint('pe-backup-s1r-vnet-b', vaultId, { subnetId: b.endpointSubnetId });
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));

      await lz.decideConnection(vaultId, 'pe-backup-s1r', 'Rejected');
      const after = await lz.planApply({ policyPath, vaults: [vaultId] });
      expectApplied(after);
      expect(after.writes.length).toBeGreaterThan(0);
      expect(await connectionStates(vaultId)).toEqual({ 'pe-backup-s1r': 'Rejected', 'pe-backup-s1r-vnet-b': 'Approved' });
      expect(await lz.unresolvedFrom(vaultId, [lz.zone.vnetId, b.vnetId])).toEqual([]);
      const live = await addressesOf(second);
      for (const fqdn of (await emulator.control.requiredNames(vaultId)).keys()) {
        for (const vnet of [lz.zone.vnetId, b.vnetId]) expect((await emulator.control.resolve(vnet, fqdn)).addresses.every((ip) => live.includes(ip))).toBe(true);
      }
      expect(findingCodes(after.vaults[0])).not.toContain('record-claimed-by-several-endpoints');

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
    });
  });

  describe('situation 2: sync deletes by the registry, never by name', () => {
    it('two vaults share the zones and B\'s endpoint is named like a secondary of A\'s: nobody deletes the other\'s records, nothing flaps', async () => {
      const vnet = await lz.createSpokeVnet('vnet-s2', '10.3');
      const a = await lz.createVault('rsv-s2a', { experience: 'V2' });
      await lz.createPrivateEndpoint('pe-backup-s2', a, { subnetId: vnet.endpointSubnetId });
      const b = await lz.createVault('rsv-s2b', { experience: 'V2' });
      await lz.createPrivateEndpoint('pe-backup-s2_ecsprod_blob', b, { subnetId: vnet.endpointSubnetId });
      const policyPath = lz.writePolicy('s2-sync', (p) => ({ ...p, dns: { ...p.dns, recordPolicy: 'sync' } }));

      // Vault A's pass, then B's, then A's again: the old heuristics deleted B's records on A's pass.
      expectApplied(await lz.planApply({ policyPath, vaults: [a] }));
      expectApplied(await lz.planApply({ policyPath, vaults: [b] }));
      const again = await lz.planApply({ policyPath, vaults: [a] });
      expect(again.writes).toEqual([]);

      expect(await lz.unresolvedFrom(a, [vnet.vnetId])).toEqual([]);
      expect(await lz.unresolvedFrom(b, [vnet.vnetId])).toEqual([]);
      expect((await emulator.control.writesBy(lz.vaultlinkPrincipalId)).filter((w) => w.method === 'DELETE')).toEqual([]);
      const both = await lz.planApply({ policyPath, vaults: [a, b] });
      expect(both.writes).toEqual([]);
      expect(both.vaults.map((v) => checklistOf(v)['dns-records'])).toEqual(['ok', 'ok']);
    });

    it('deletes exactly the records of a rejected and of a deleted endpoint, so the VNet stops resolving the vault to a dead endpoint', async () => {
      const vnet = await lz.createSpokeVnet('vnet-s2r', '10.4');
      const vaultId = await lz.createVault('rsv-s2r', { experience: 'V2' });
      const policyPath = lz.writePolicy('s2r-sync', (p) => ({ ...p, dns: { ...p.dns, recordPolicy: 'sync' } }));
      const rejected = await lz.createPrivateEndpoint('pe-backup-s2r-1', vaultId, { subnetId: vnet.endpointSubnetId });
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const fqdns = [...(await emulator.control.requiredNames(vaultId)).keys()];
      const deadIps = await addressesOf(rejected);

      // A person rejects the connection; the next pass deletes its records.
      await lz.decideConnection(vaultId, 'pe-backup-s2r-1', 'Rejected');
      const afterReject = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(afterReject.stderr).toBe('');
      expect(afterReject.writes.filter((w) => w.method === 'DELETE').length).toBeGreaterThan(0);
      for (const fqdn of fqdns) {
        const r = await emulator.control.resolve(vnet.vnetId, fqdn);
        expect({ fqdn, dead: r.addresses.filter((ip) => deadIps.includes(ip)) }).toEqual({ fqdn, dead: [] });
      }

      // A new endpoint gets the names; the spoke team then deletes it; the next pass deletes its records.
      const deleted = await lz.createPrivateEndpoint('pe-backup-s2r-2', vaultId, { subnetId: vnet.endpointSubnetId });
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const deletedIps = await addressesOf(deleted);
      await lz.deletePrivateEndpoint('pe-backup-s2r-2');
      const afterDelete = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(afterDelete.stderr).toBe('');
      expect(afterDelete.writes.filter((w) => w.method === 'DELETE').length).toBeGreaterThan(0);
      for (const fqdn of fqdns) {
        const r = await emulator.control.resolve(vnet.vnetId, fqdn);
        expect({ fqdn, dead: r.addresses.filter((ip) => deletedIps.includes(ip) || deadIps.includes(ip)) }).toEqual({ fqdn, dead: [] });
      }

      // The live endpoint then holds the names.
      const live = await lz.createPrivateEndpoint('pe-backup-s2r-3', vaultId, { subnetId: vnet.endpointSubnetId });
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const liveIps = await addressesOf(live);
      for (const fqdn of fqdns) expect((await emulator.control.resolve(vnet.vnetId, fqdn)).addresses.every((ip) => liveIps.includes(ip))).toBe(true);
      expect(await connectionStates(vaultId)).toEqual({ 'pe-backup-s2r-1': 'Rejected', 'pe-backup-s2r-3': 'Approved' });
      // Every delete vaultlink made was of a record set of this vault's names.
      const names = new Set(fqdns.map((f) => f.split('.')[0] as string));
      const deletes = (await emulator.control.writesBy(lz.vaultlinkPrincipalId)).filter((w) => w.method === 'DELETE');
      for (const d of deletes) expect(names.has((d.path.split('?')[0] as string).split('/').pop()?.toLowerCase() ?? '')).toBe(true);

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
    });
  });

  describe('situation 3: a VNet already linked to another zone of the same name', () => {
    const BLOB_ZONE = 'privatelink.blob.core.windows.net';

    async function classicVaultBehindTeamZone(tag: string, prefix: string, policyPath: string, adopt: boolean): Promise<{ vaultId: string; vnetId: string; teamZoneId: string; runs: PlanApplyRun[] }> {
      const vnet = await lz.createSpokeVnet(`vnet-${tag}`, prefix);
      const teamRg = `rg-${tag}-app-dns`;
      const teamZoneId = await lz.createTeamZone(BLOB_ZONE, vnet.vnetId, { resourceGroup: teamRg });
      if (adopt) {
        await emulator.control.grantRole({ role: 'Private DNS Zone Contributor', principalId: lz.vaultlinkPrincipalId, scope: `/subscriptions/${lz.zone.spokeSubscriptionId}/resourceGroups/${teamRg}`, principalType: 'ServicePrincipal' });
      }
      const vaultId = await lz.createVault(`rsv-${tag}`);
      await lz.createPrivateEndpoint(`pe-backup-${tag}`, vaultId, { subnetId: vnet.endpointSubnetId });
      const runs = [await lz.planApply({ policyPath, vaults: [vaultId] })];
      // Azure Backup registers the VM (from its VNet: the primary's names resolve) and starts the
      // first backup job: the _ecs and _prot endpoints appear, as the vault identity.
      const registered = await emulator.control.registerContainer(vaultId, { containerName: 'vm-app01', vnetId: vnet.vnetId });
      expect(registered).toMatchObject({ status: 'Completed' });
      expect((await emulator.control.runBackup(vaultId, { itemName: 'db01' })).status).toBe('Completed');
      runs.push(await lz.planApply({ policyPath, vaults: [vaultId] }));
      return { vaultId, vnetId: vnet.vnetId, teamZoneId, runs };
    }

    async function teamZoneRecords(teamZoneId: string): Promise<string[]> {
      const z = parseResourceId(teamZoneId);
      const dns = new PrivateDnsManagementClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), z.subscriptionId as string, sdkOptions(emulator));
      const out: string[] = [];
      for await (const r of dns.recordSets.listByType(z.resourceGroup as string, z.name, 'A')) out.push(r.name ?? '');
      return out;
    }

    it('"report": an error finding names the team\'s zone, its link and the choices; no link Azure refuses (no 409 on any pass); the blob names fail, and the checklist says so', async () => {
      const policyPath = lz.writePolicy('s3-report', (p) => ({ ...p, dns: { ...p.dns, linkedZones: 'report' } }));
      const { vaultId, vnetId, teamZoneId, runs } = await classicVaultBehindTeamZone('s3r', '10.5', policyPath, false);
      const last = runs[runs.length - 1] as PlanApplyRun;
      expect(last.code).toBe(1);
      const finding = last.vaults[0]?.after.findings.find((f) => f.code === 'linked-zone-conflict');
      expect(finding?.severity).toBe('error');
      expect(finding?.message).toEqual(expect.stringContaining('rg-s3r-app-dns'));
      expect(finding?.message).toEqual(expect.stringContaining('app-team-link'));
      expect(finding?.message).toMatch(/adopt/);
      expect(checklistOf(last.vaults[0])['secondary-records']).toBe('failed');

      const unresolved = await lz.unresolvedFrom(vaultId, [vnetId]);
      expect(unresolved.length).toBeGreaterThan(0);
      expect(unresolved.filter((u) => !/\.blob\.core\.windows\.net/.test(u))).toEqual([]);
      const backup = await emulator.control.runBackup(vaultId, { itemName: 'db01', vnetId });
      expect(backup).toMatchObject({ status: 'Failed', error: { code: 'UserErrorPrivateEndpointNameResolutionFailed' } });
      expect(await teamZoneRecords(teamZoneId)).toEqual([]);

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
      expect(findingCodes(further.vaults[0])).toContain('linked-zone-conflict');
      const refused = (await emulator.control.writesBy(lz.vaultlinkPrincipalId)).filter((w) => w.status === 409);
      expect(refused).toEqual([]);
    });

    it('"adopt": vaultlink writes the vault\'s blob records into the zone the VNet resolves through, and the backup from the VNet succeeds', async () => {
      const policyPath = lz.writePolicy('s3-adopt', (p) => ({ ...p, dns: { ...p.dns, linkedZones: 'adopt' } }));
      const { vaultId, vnetId, teamZoneId, runs } = await classicVaultBehindTeamZone('s3a', '10.6', policyPath, true);
      for (const run of runs) expectApplied(run);
      expect(await lz.unresolvedFrom(vaultId, [vnetId])).toEqual([]);
      expect((await teamZoneRecords(teamZoneId)).length).toBeGreaterThan(0);
      expect(await emulator.control.runBackup(vaultId, { itemName: 'db01', vnetId })).toMatchObject({ status: 'Completed' });
      expect(checklistOf(runs[runs.length - 1]?.vaults[0])).toMatchObject({ 'dns-records': 'ok', 'secondary-records': 'ok' });

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
      expect(further.code).toBe(0);
      const refused = (await emulator.control.writesBy(lz.vaultlinkPrincipalId)).filter((w) => w.status === 409);
      expect(refused).toEqual([]);
    });
  });

  describe('situation 3, the team\'s zone outside what vaultlink reads', () => {
    it('turns Azure\'s 409 into a linked-zone-conflict finding naming that zone (the CLI keeps no memory between runs: it tries that link once per run)', async () => {
      // The team's zone lives in the hub subscription, outside scope.subscriptions: observe cannot see it.
      const vnet = await lz.createSpokeVnet('vnet-s3u', '10.10');
      const hub = lz.zone.hubSubscriptionId;
      await emulator.control.createResourceGroup(hub, 'rg-s3u-app-dns', 'uksouth');
      const dns = new PrivateDnsManagementClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), hub, sdkOptions(emulator));
      const poll = { updateIntervalInMs: 5 };
      const team = await dns.privateZones.beginCreateOrUpdateAndWait('rg-s3u-app-dns', 'privatelink.blob.core.windows.net', { location: 'global' }, poll);
      await dns.virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-s3u-app-dns', 'privatelink.blob.core.windows.net', 'app-team-link', { location: 'global', virtualNetwork: { id: vnet.vnetId }, registrationEnabled: false }, poll);
      const vaultId = await lz.createVault('rsv-s3u', { experience: 'V2' });
      await lz.createPrivateEndpoint('pe-backup-s3u', vaultId, { subnetId: vnet.endpointSubnetId });
      const policyPath = lz.writePolicy('s3u', (p) => p);

      const run = await lz.planApply({ policyPath, vaults: [vaultId] });
      // The one refused link, tried once: the pass after it plans the finding instead.
      expect(run.writes.filter((w) => w.status === 409).map((w) => w.path.split('?')[0])).toEqual([expect.stringMatching(/privatelink\.blob\.core\.windows\.net\/virtualNetworkLinks\//)]);
      const finding = run.vaults[0]?.after.findings.find((f) => f.code === 'linked-zone-conflict');
      expect(finding?.resourceId.toLowerCase()).toBe((team.id as string).toLowerCase());
      expect(finding?.message).toMatch(/Reader.*remove that link/);
      expect(checklistOf(run.vaults[0])['dns-links']).toBe('failed');
      // What a v2 vault needs (the backup namespace) resolves all the same.
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);

      // The CLI keeps no memory between runs: a further run tries that link once more, and only that.
      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes.map((w) => w.status)).toEqual([409]);
      expect(findingCodes(further.vaults[0])).toContain('linked-zone-conflict');
    });
  });

  describe('situation 4: a wrong geo code in the policy', () => {
    it('follows the FQDNs Azure lists (uks), the names resolve, and a warning names both codes', async () => {
      const vnet = await lz.createSpokeVnet('vnet-s4', '10.7');
      const vaultId = await lz.createVault('rsv-s4', { experience: 'V2' });
      await lz.createPrivateEndpoint('pe-backup-s4', vaultId, { subnetId: vnet.endpointSubnetId });
      const policyPath = lz.writePolicy('s4-geo', (p) => ({ ...p, geoCodes: { uksouth: 'uksouth' } }));
      const run = await lz.planApply({ policyPath, vaults: [vaultId] });
      expectApplied(run);

      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const warning = run.vaults[0]?.after.findings.find((f) => f.code === 'geo-code-contradiction');
      expect(warning?.message).toMatch(/\buks\b/);
      expect(warning?.message).toMatch(/\buksouth\b/);
      // Nothing went into (or linked) a zone named from the wrong code.
      const wrong = (await emulator.control.writesBy(lz.vaultlinkPrincipalId)).filter((w) => /privatelink\.uksouth\.backup/i.test(w.path));
      expect(wrong).toEqual([]);

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
    });
  });

  describe('situation 5: Backup\'s storage accounts with partitioned DNS names', () => {
    it('writes the records of <account>.zNN.blob.storage.azure.net names in privatelink.blob.core.windows.net, and they resolve from the VNet', async () => {
      const vnet = await lz.createSpokeVnet('vnet-s5', '10.8');
      const vaultId = await lz.createVault('rsv-s5');
      await lz.createPrivateEndpoint('pe-backup-s5', vaultId, { subnetId: vnet.endpointSubnetId });
      const policyPath = lz.writePolicy('s5', (p) => p);
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));

      // Backup's own storage accounts have Azure DNS zone endpoints before it connects to them.
      const numericId = [...(await emulator.control.requiredNames(vaultId)).keys()][0]?.split('-')[0] as string;
      expect(numericId).toMatch(/^\d{19}$/);
      await emulator.control.setStoragePartition(backupStorageAccountName(numericId, 'ecs'), 'z07');
      await emulator.control.setStoragePartition(backupStorageAccountName(numericId, 'prot'), 'z12');
      expect((await emulator.control.registerContainer(vaultId, { containerName: 'vm-app01', vnetId: vnet.vnetId })).status).toBe('Completed');
      expect((await emulator.control.runBackup(vaultId, { itemName: 'db01' })).status).toBe('Completed');
      expectApplied(await lz.planApply({ policyPath, vaults: [vaultId] }));
      // Later Backup starts using one more _prot account, partitioned too.
      const extra = await emulator.control.addProtStorageAccount(vaultId, 'z31');
      expect(extra.error).toBeUndefined();
      expect(extra.fqdn).toMatch(/\.z31\.blob\.storage\.azure\.net$/);
      const last = await lz.planApply({ policyPath, vaults: [vaultId] });
      expectApplied(last);

      const partitioned = [...(await emulator.control.requiredNames(vaultId)).keys()].filter((f) => f.endsWith('.storage.azure.net'));
      expect(partitioned).toEqual(expect.arrayContaining([expect.stringMatching(/\.z07\.blob\./), expect.stringMatching(/\.z07\.queue\./), expect.stringMatching(/\.z12\.blob\./), extra.fqdn]));
      expect(await lz.unresolvedFrom(vaultId, [vnet.vnetId])).toEqual([]);
      const blob = await hubRecords('privatelink.blob.core.windows.net');
      for (const fqdn of partitioned.filter((f) => f.includes('.blob.'))) expect(blob.has(fqdn.split('.')[0] as string)).toBe(true);
      expect(await emulator.control.runBackup(vaultId, { itemName: 'db01', vnetId: vnet.vnetId })).toMatchObject({ status: 'Completed' });
      expect(checklistOf(last.vaults[0])['secondary-records']).toBe('ok');

      const further = await lz.planApply({ policyPath, vaults: [vaultId] });
      expect(further.writes).toEqual([]);
      expect(further.code).toBe(0);
    });
  });
  describe('all five situations at once', () => {
    it('a sync pass over every vault in scope (no --vault) deletes and repoints nothing: its only write is the link Azure refuses for the zone vaultlink cannot see', async () => {
      const policyPath = lz.writePolicy('all-sync', (p) => ({ ...p, dns: { ...p.dns, recordPolicy: 'sync' } }));
      const run = await lz.planApply({ policyPath });
      expect(run.stderr).toBe('');
      expect(run.vaults.length).toBeGreaterThanOrEqual(8);
      // Only the link Azure refuses for the zone vaultlink cannot see (situation 3, outside what it
      // reads) is tried again: the CLI carries no memory from run to run.
      expect(run.writes.filter((w) => !(w.status === 409 && /virtualNetworkLinks\/vaultlink-vnet-s3u-/.test(w.path)))).toEqual([]);
      expect(run.writes.length).toBeLessThanOrEqual(1);
    });
  });
});
