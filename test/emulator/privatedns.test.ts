import { NetworkManagementClient } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { startEmulator, type Emulator } from '../../emulator';
import { createNetworkProvider, type PrivateLinkVault } from '../../emulator/providers/network';
import { privateDnsProvider, type PrivateDnsExports } from '../../emulator/providers/privatedns';
import { armRequest, namesOf, noRetrySdkClient, restErrorOf } from './helpers';

/** Contract tests: the real @azure/arm-privatedns (and arm-network for zone groups) clients against the emulator. */
const poll = { updateIntervalInMs: 1 };
const VAULT_NUMERIC_ID = '9876543210987654321';
const BACKUP_ZONE = 'privatelink.uks.backup.windowsazure.com';
const BLOB_ZONE = 'privatelink.blob.core.windows.net';

interface Fixture {
  emu: Emulator;
  sub: string;
  vnetId: string;
  otherVnetId: string;
  vaultId: string;
  dns(principalId?: string): PrivateDnsManagementClient;
  network(principalId?: string): NetworkManagementClient;
}

async function fixture(): Promise<Fixture> {
  const vaults = new Map<string, PrivateLinkVault>();
  const emu = await startEmulator({ providers: [createNetworkProvider({ vaultFor: (_s, id) => vaults.get(id.toLowerCase()) }), privateDnsProvider], lroPollsBeforeDone: 1 });
  const sub = emu.subscriptionId;
  for (const rg of ['rg-dns', 'rg-net', 'rg-vault']) emu.control.createResourceGroup(sub, rg, 'uksouth');
  const vaultId = `/subscriptions/${sub}/resourceGroups/rg-vault/providers/Microsoft.RecoveryServices/vaults/vault1`;
  emu.store.put(vaultId, { id: vaultId, name: 'vault1', type: 'Microsoft.RecoveryServices/vaults', location: 'uksouth' });
  vaults.set(vaultId.toLowerCase(), { location: 'uksouth', numericId: VAULT_NUMERIC_ID, experience: 'classic', itemsBeforePrivateEndpoints: false });
  const dns = (principalId?: string) => noRetrySdkClient(emu, PrivateDnsManagementClient, principalId);
  const network = (principalId?: string) => noRetrySdkClient(emu, NetworkManagementClient, principalId);
  for (const name of ['vnet-app', 'vnet-other']) {
    await network().virtualNetworks.beginCreateOrUpdateAndWait('rg-net', name, { location: 'uksouth', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24' }] }, poll);
  }
  const vnetId = `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-app`;
  return { emu, sub, vnetId, otherVnetId: vnetId.replace('vnet-app', 'vnet-other'), vaultId, dns, network };
}

describe('privatedns provider', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.emu.close();
  });

  describe('#privateZones', () => {
    it('creates a global zone through the long-running PUT, with counts and an etag', async () => {
      const zone = await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'Global', tags: { managedBy: 'test' } }, poll);
      expect(zone).toMatchObject({ name: BLOB_ZONE, location: 'global', numberOfRecordSets: 1, numberOfVirtualNetworkLinks: 0, provisioningState: 'Succeeded', tags: { managedBy: 'test' } });
      expect(zone.etag).toMatch(/[0-9a-f-]{36}/);
      const byGroup = await namesOf(f.dns().privateZones.listByResourceGroup('rg-dns'));
      const bySubscription = await namesOf(f.dns().privateZones.list());
      expect([...byGroup, ...bySubscription]).toEqual([BLOB_ZONE, BLOB_ZONE]);
    });

    it('refuses a location other than global', async () => {
      expect(await restErrorOf(f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'uksouth' }, poll))).toMatchObject({ statusCode: 400 });
    });

    it('refuses to delete a zone that still has links', async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'app', { location: 'global', virtualNetwork: { id: f.vnetId }, registrationEnabled: false }, poll);
      expect(await restErrorOf(f.dns().privateZones.beginDeleteAndWait('rg-dns', BLOB_ZONE, poll))).toMatchObject({ statusCode: 409 });
      await f.dns().virtualNetworkLinks.beginDeleteAndWait('rg-dns', BLOB_ZONE, 'app', poll);
      await f.dns().privateZones.beginDeleteAndWait('rg-dns', BLOB_ZONE, poll);
      expect((await restErrorOf(f.dns().privateZones.get('rg-dns', BLOB_ZONE))).statusCode).toBe(404);
    });
  });

  describe('#virtualNetworkLinks', () => {
    beforeEach(async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
    });

    it('links a VNet (long-running) with tags and registrationEnabled', async () => {
      const link = await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'app', { location: 'global', tags: { owner: 'x' }, virtualNetwork: { id: f.vnetId }, registrationEnabled: false }, poll);
      expect(link).toMatchObject({ name: 'app', location: 'global', registrationEnabled: false, virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded', tags: { owner: 'x' } });
      expect(link.virtualNetwork?.id).toBe(f.vnetId);
      const zone = await f.dns().privateZones.get('rg-dns', BLOB_ZONE);
      expect(zone.numberOfVirtualNetworkLinks).toBe(1);
      expect(await namesOf(f.dns().virtualNetworkLinks.list('rg-dns', BLOB_ZONE))).toEqual(['app']);
    });

    it.each([
      ['the same VNet twice under another name', 'rg-dns', 409],
      ['the same VNet to another zone of the same name', 'rg-net', 409],
    ])('refuses linking %s', async (_why, secondGroup, status) => {
      await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'app', { location: 'global', virtualNetwork: { id: f.vnetId } }, poll);
      if (secondGroup !== 'rg-dns') await f.dns().privateZones.beginCreateOrUpdateAndWait(secondGroup, BLOB_ZONE, { location: 'global' }, poll);
      const err = await restErrorOf(f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait(secondGroup, BLOB_ZONE, 'app2', { location: 'global', virtualNetwork: { id: f.vnetId } }, poll));
      expect(err.statusCode).toBe(status);
    });

    it('fails with LinkedAuthorizationFailed without virtualNetworks/join/action on the VNet', async () => {
      f.emu.control.grantRole({ role: 'Private DNS Zone Contributor', principalId: 'dns-only', scope: `/subscriptions/${f.sub}/resourceGroups/rg-dns` });
      const err = await restErrorOf(f.dns('dns-only').virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'app', { location: 'global', virtualNetwork: { id: f.vnetId } }, poll));
      expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
    });
  });

  describe('#recordSets', () => {
    beforeEach(async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
    });

    it('creates with If-None-Match: *, lower-cases the name, ends the fqdn with a dot, keeps metadata', async () => {
      const created = await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'MyAccount', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }], metadata: { managedBy: 'vaultlink' } }, { ifNoneMatch: '*' });
      expect(created).toMatchObject({ name: 'myaccount', type: 'Microsoft.Network/privateDnsZones/A', fqdn: `myaccount.${BLOB_ZONE}.`, ttl: 10, isAutoRegistered: false, metadata: { managedBy: 'vaultlink' } });
      expect(created.aRecords).toEqual([{ ipv4Address: '10.0.1.4' }]);
      expect(created.id?.endsWith('/A/myaccount')).toBe(true);
    });

    it('answers 412 PreconditionFailed to If-None-Match: * when the record exists', async () => {
      await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'acct', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }] }, { ifNoneMatch: '*' });
      const err = await restErrorOf(f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'ACCT', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.5' }] }, { ifNoneMatch: '*' }));
      expect(err).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    });

    it('updates with the current etag and refuses a stale one', async () => {
      const first = await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'acct', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }] });
      const second = await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'acct', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.5' }] }, { ifMatch: first.etag as string });
      expect(second.etag).not.toBe(first.etag);
      const stale = await restErrorOf(f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'acct', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.6' }] }, { ifMatch: first.etag as string }));
      expect(stale).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
      const patched = await f.dns().recordSets.update('rg-dns', BLOB_ZONE, 'A', 'acct', { metadata: { k: 'v' } }, { ifMatch: second.etag as string });
      expect(patched).toMatchObject({ metadata: { k: 'v' }, aRecords: [{ ipv4Address: '10.0.1.5' }] });
    });

    it('lists by type and all types (with the SOA), and deletes', async () => {
      await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'a1', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }] });
      await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'CNAME', 'c1', { ttl: 10, cnameRecord: { cname: 'a1.' + BLOB_ZONE } });
      const aNames = await namesOf(f.dns().recordSets.listByType('rg-dns', BLOB_ZONE, 'A'));
      const all: string[] = [];
      for await (const r of f.dns().recordSets.list('rg-dns', BLOB_ZONE)) all.push(`${r.type?.split('/').pop()}:${r.name}`);
      expect(aNames).toEqual(['a1']);
      expect(all.sort()).toEqual(['A:a1', 'CNAME:c1', 'SOA:@']);
      await f.dns().recordSets.delete('rg-dns', BLOB_ZONE, 'A', 'a1');
      expect((await restErrorOf(f.dns().recordSets.get('rg-dns', BLOB_ZONE, 'A', 'a1'))).statusCode).toBe(404);
    });

    it.each([
      ['a record in a zone that does not exist', 'nozone.example.com', 'A', { ttl: 1, aRecords: [{ ipv4Address: '10.0.0.4' }] }, 404],
      ['an invalid IPv4 address', BLOB_ZONE, 'A', { ttl: 1, aRecords: [{ ipv4Address: '10.0.0.300' }] }, 400],
    ])('refuses %s', async (_why, zone, type, body, status) => {
      expect((await restErrorOf(f.dns().recordSets.createOrUpdate('rg-dns', zone, type as 'A', 'x', body))).statusCode).toBe(status);
    });
  });

  describe('#resolve', () => {
    const account = '/subscriptions/b4c10000-0000-4000-8000-00000000ba5e/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/abcdeypod01ecs114';
    const blobFqdn = 'abcdeypod01ecs114.blob.core.windows.net';

    async function blobPe(): Promise<string> {
      const pe = await f.network().privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-net',
        'pe1_ecs_blob',
        { location: 'uksouth', subnet: { id: `${f.vnetId}/subnets/pe` }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: account, groupIds: ['blob'] }] },
        poll,
      );
      return pe.customDnsConfigs?.[0]?.ipAddresses?.[0] as string;
    }

    it('answers the public address when no zone is linked', async () => {
      await blobPe();
      const answer = f.emu.provider<PrivateDnsExports>('privatedns').resolve(f.vnetId, blobFqdn);
      expect(answer.answer).toBe('public');
      expect(answer.addresses[0]).toMatch(/^20\./);
      expect(answer.aliases).toEqual(['abcdeypod01ecs114.privatelink.blob.core.windows.net']);
    });

    it('answers NXDOMAIN when the linked zone lacks the record, and the private IP once it has it', async () => {
      const ip = await blobPe();
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'app', { location: 'global', virtualNetwork: { id: f.vnetId } }, poll);
      const dns = f.emu.provider<PrivateDnsExports>('privatedns');
      expect(dns.resolve(f.vnetId, blobFqdn).answer).toBe('nxdomain');
      await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'abcdeypod01ecs114', { ttl: 10, aRecords: [{ ipv4Address: ip }] });
      expect(dns.resolve(f.vnetId, blobFqdn.toUpperCase() + '.')).toMatchObject({ answer: 'private', addresses: [ip] });
      // another VNet without the link still gets the public answer
      expect(dns.resolve(f.otherVnetId, blobFqdn).answer).toBe('public');
    });

    it('falls back to public resolution for a link with resolutionPolicy NxDomainRedirect (REST 2024-06-01; the 3.2 SDK cannot send it)', async () => {
      await blobPe();
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      const put = await armRequest(f.emu, {
        method: 'PUT',
        path: `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}/virtualNetworkLinks/app?api-version=2024-06-01`,
        body: { location: 'global', properties: { virtualNetwork: { id: f.vnetId }, registrationEnabled: false, resolutionPolicy: 'NxDomainRedirect' } },
      });
      expect(put.status).toBe(201);
      expect(put.headers['azure-asyncoperation']).toBeDefined();
      await f.emu.control.settleOperations();
      expect(f.emu.provider<PrivateDnsExports>('privatedns').resolve(f.vnetId, blobFqdn).answer).toBe('public');
    });

    it('resolves every Backup FQDN privately after a zone group writes the records', async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BACKUP_ZONE, { location: 'global' }, poll);
      await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BACKUP_ZONE, 'app', { location: 'global', virtualNetwork: { id: f.vnetId } }, poll);
      const pe = await f.network().privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-net',
        'pe1',
        { location: 'uksouth', subnet: { id: `${f.vnetId}/subnets/pe` }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] }] },
        poll,
      );
      const zoneId = `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BACKUP_ZONE}`;
      const group = await f.network().privateDnsZoneGroups.beginCreateOrUpdateAndWait('rg-net', 'pe1', 'default', { privateDnsZoneConfigs: [{ name: 'backup', privateDnsZoneId: zoneId }] }, poll);
      expect(group.privateDnsZoneConfigs?.[0]?.recordSets).toHaveLength(8);
      const dns = f.emu.provider<PrivateDnsExports>('privatedns');
      for (const config of pe.customDnsConfigs ?? []) {
        expect(dns.resolve(f.vnetId, config.fqdn as string)).toMatchObject({ answer: 'private', addresses: config.ipAddresses });
      }
      // deleting the endpoint removes the records its zone group wrote
      await f.network().privateEndpoints.beginDeleteAndWait('rg-net', 'pe1', poll);
      expect(await namesOf(f.dns().recordSets.listByType('rg-dns', BACKUP_ZONE, 'A'))).toEqual([]);
    });

    it('refuses a zone group without privateDnsZones/join/action on the zone', async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      await blobPe();
      f.emu.control.grantRole({ role: 'Network Contributor', principalId: 'net-only', scope: `/subscriptions/${f.sub}/resourceGroups/rg-net` });
      const zoneId = `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}`;
      const err = await restErrorOf(f.network('net-only').privateDnsZoneGroups.beginCreateOrUpdateAndWait('rg-net', 'pe1_ecs_blob', 'default', { privateDnsZoneConfigs: [{ name: 'blob', privateDnsZoneId: zoneId }] }, poll));
      expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
    });
  });
});
