import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { startEmulator, type Emulator } from '../../emulator';
import { createNetworkProvider, type NetworkExports, type PrivateLinkVault } from '../../emulator/providers/network';
import { privateDnsProvider } from '../../emulator/providers/privatedns';
import { namesOf, noRetrySdkClient, restErrorOf, restErrorWithMessageOf } from './helpers';

/**
 * Contract tests: the real @azure/arm-network client against the emulator. The vault side is
 * given by a fixture lookup (a vault resource put in the store plus its private-link facts),
 * standing in for the recoveryservices provider, so these tests pin the network provider alone.
 */
const VAULT_NUMERIC_ID = '1234567890123456789';
const poll = { updateIntervalInMs: 1 };

interface Fixture {
  emu: Emulator;
  sub: string;
  vaultId: string;
  vnetId: string;
  subnetId: string;
  vaults: Map<string, PrivateLinkVault>;
  client(principalId?: string): NetworkManagementClient;
}

async function fixture(): Promise<Fixture> {
  const vaults = new Map<string, PrivateLinkVault>();
  const network = createNetworkProvider({ vaultFor: (_store, id) => vaults.get(id.toLowerCase()) });
  const emu = await startEmulator({ providers: [network, privateDnsProvider], lroPollsBeforeDone: 0 });
  const sub = emu.subscriptionId;
  for (const rg of ['rg-net', 'rg-vault']) emu.control.createResourceGroup(sub, rg, 'uksouth');
  const vaultId = `/subscriptions/${sub}/resourceGroups/rg-vault/providers/Microsoft.RecoveryServices/vaults/vault1`;
  emu.store.put(vaultId, { id: vaultId, name: 'vault1', type: 'Microsoft.RecoveryServices/vaults', location: 'uksouth', properties: {} });
  vaults.set(vaultId.toLowerCase(), { location: 'uksouth', numericId: VAULT_NUMERIC_ID, experience: 'classic', itemsBeforePrivateEndpoints: false });
  const client = (principalId?: string) => noRetrySdkClient(emu, NetworkManagementClient, principalId);
  await client().virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-net',
    'vnet1',
    {
      location: 'uksouth',
      addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
      subnets: [
        { name: 'pe', addressPrefix: '10.0.1.0/24', privateEndpointNetworkPolicies: 'Disabled' },
        { name: 'small', addressPrefix: '10.0.2.0/28', privateEndpointNetworkPolicies: 'Disabled' },
        { name: 'policies', addressPrefix: '10.0.3.0/24', privateEndpointNetworkPolicies: 'Enabled' },
      ],
    },
    poll,
  );
  const vnetId = `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1`;
  return { emu, sub, vaultId, vnetId, subnetId: `${vnetId}/subnets/pe`, vaults, client };
}

function backupPe(f: Fixture, subnet = 'pe', manual = false): PrivateEndpoint {
  const connection = { name: 'conn', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] };
  return {
    location: 'uksouth',
    subnet: { id: `${f.vnetId}/subnets/${subnet}` },
    ...(manual ? { manualPrivateLinkServiceConnections: [connection] } : { privateLinkServiceConnections: [connection] }),
  };
}

describe('network provider', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.emu.close();
  });

  describe('#virtualNetworks', () => {
    it('returns the VNet with its subnets, default policies and an etag', async () => {
      const vnet = await f.client().virtualNetworks.get('rg-net', 'vnet1');
      expect(vnet.id).toBe(f.vnetId);
      expect(vnet.etag).toMatch(/^W\/"/);
      expect(vnet.addressSpace?.addressPrefixes).toEqual(['10.0.0.0/16']);
      expect(vnet.subnets?.map((s) => [s.name, s.privateEndpointNetworkPolicies])).toEqual([
        ['pe', 'Disabled'],
        ['small', 'Disabled'],
        ['policies', 'Enabled'],
      ]);
    });

    it.each([
      ['outside the address space', '10.1.0.0/24', 'NetcfgSubnetRangeOutsideVnet'],
      ['overlapping another subnet', '10.0.1.128/25', 'NetcfgSubnetRangesOverlap'],
      ['with host bits set', '10.0.4.1/24', 'InvalidAddressPrefixFormat'],
    ])('refuses a subnet %s', async (_why, prefix, code) => {
      const err = await restErrorOf(f.client().subnets.beginCreateOrUpdateAndWait('rg-net', 'vnet1', 'bad', { addressPrefix: prefix }, poll));
      expect(err).toMatchObject({ statusCode: 400, code });
    });

    it('lists VNets by resource group and subscription', async () => {
      const byGroup = await namesOf(f.client().virtualNetworks.list('rg-net'));
      const bySubscription = await namesOf(f.client().virtualNetworks.listAll());
      expect(byGroup).toEqual(['vnet1']);
      expect(bySubscription).toEqual(['vnet1']);
    });

    it('reports used and usable addresses per subnet through usages', async () => {
      await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const usages = [];
      for await (const u of f.client().virtualNetworks.listUsage('rg-net', 'vnet1')) usages.push(u);
      const pe = usages.find((u) => u.id?.toLowerCase() === f.subnetId.toLowerCase());
      expect(pe).toMatchObject({ currentValue: 8, limit: 251, unit: 'Count' });
      expect(f.emu.provider<NetworkExports>('network').freeAddressCount(f.subnetId)).toBe(243);
    });
  });

  describe('#privateEndpoints', () => {
    it('creates a classic Backup PE auto-approved, with a NIC, eight FQDNs without privatelink. and the vault connection', async () => {
      const pe = await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      expect(pe.provisioningState).toBe('Succeeded');
      expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState).toMatchObject({ status: 'Approved' });
      const fqdns = pe.customDnsConfigs?.map((c) => c.fqdn) ?? [];
      expect(fqdns).toHaveLength(8);
      expect(fqdns).toContain(`${VAULT_NUMERIC_ID}-ab-pod01-fab1.uks.backup.windowsazure.com`);
      expect(fqdns.some((n) => n?.includes('privatelink'))).toBe(false);
      const ips = pe.customDnsConfigs?.flatMap((c) => c.ipAddresses ?? []) ?? [];
      expect(new Set(ips).size).toBe(8);
      expect(ips[0]).toBe('10.0.1.4');

      const nicName = pe.networkInterfaces?.[0]?.id?.split('/').pop() as string;
      const nic = await f.client().networkInterfaces.get('rg-net', nicName);
      expect(nic.ipConfigurations?.map((c) => c.privateIPAddress).sort()).toEqual([...ips].sort());
      expect(nic.ipConfigurations?.[0]?.privateLinkConnectionProperties?.groupId).toBe('AzureBackup');

      const connection = f.emu.provider<NetworkExports>('network').vaultConnectionOf(pe.id as string);
      expect(connection?.parsed.name).toMatch(new RegExp(`^pe1\\.${VAULT_NUMERIC_ID}\\.backup\\.[0-9a-f-]{36}$`));
      expect(connection?.resource['properties']).toMatchObject({ privateEndpoint: { id: pe.id }, privateLinkServiceConnectionState: { status: 'Approved' }, groupIds: ['AzureBackup'] });

      const subnet = await f.client().subnets.get('rg-net', 'vnet1', 'pe');
      expect(subnet.privateEndpoints?.map((p) => p.id)).toEqual([pe.id]);
    });

    it('gives a v2 vault fewer FQDNs', async () => {
      f.vaults.set(f.vaultId.toLowerCase(), { location: 'uksouth', numericId: VAULT_NUMERIC_ID, experience: 'v2', itemsBeforePrivateEndpoints: false });
      const pe = await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      expect(pe.customDnsConfigs?.length).toBeGreaterThan(0);
      expect(pe.customDnsConfigs?.length).toBeLessThan(8);
    });

    it('gives a storage blob PE one FQDN, approved by Backup when the account is Backup-owned', async () => {
      const account = '/subscriptions/b4c10000-0000-4000-8000-00000000ba5e/resourceGroups/backup-service-storage/providers/Microsoft.Storage/storageAccounts/abcdeypod01ecs114';
      const pe = await f.client().privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-net',
        'pe1_ecs1_blob',
        { location: 'uksouth', subnet: { id: f.subnetId }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: account, groupIds: ['blob'] }] },
        poll,
      );
      expect(pe.customDnsConfigs).toEqual([{ fqdn: 'abcdeypod01ecs114.blob.core.windows.net', ipAddresses: ['10.0.1.4'] }]);
      expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');
    });

    it('leaves a manual connection Pending for a requester without the approval permission', async () => {
      const spoke = 'spoke-team';
      f.emu.control.grantRole({ role: 'Network Contributor', principalId: spoke, scope: `/subscriptions/${f.sub}/resourceGroups/rg-net` });
      const pe = await f.client(spoke).privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f, 'pe', true), poll);
      expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Pending');
      expect(f.emu.provider<NetworkExports>('network').vaultConnectionOf(pe.id as string)?.resource['properties']).toMatchObject({ privateLinkServiceConnectionState: { status: 'Pending' } });
    });

    it('fails an automatic connection with LinkedAuthorizationFailed without the approval permission on the vault', async () => {
      const spoke = 'spoke-team';
      f.emu.control.grantRole({ role: 'Network Contributor', principalId: spoke, scope: `/subscriptions/${f.sub}/resourceGroups/rg-net` });
      const err = await restErrorWithMessageOf(f.client(spoke).privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll));
      expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
      expect(err.message).toContain('privateEndpointConnectionsApproval/action');
      expect(f.emu.store.list({ type: 'Microsoft.Network/privateEndpoints' })).toHaveLength(0);
    });

    it('fails with AuthorizationFailed for a caller with no role on the resource group', async () => {
      const err = await restErrorOf(f.client('nobody').privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll));
      expect(err).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    });

    it('fails with LinkedAuthorizationFailed without subnets/join/action on the subnet', async () => {
      const principal = 'pe-only';
      f.emu.control.grantRole({ role: 'Contributor', principalId: principal, scope: `/subscriptions/${f.sub}/resourceGroups/rg-vault` });
      f.emu.control.createResourceGroup(f.sub, 'rg-pe', 'uksouth');
      f.emu.control.grantRole({ role: 'Contributor', principalId: principal, scope: `/subscriptions/${f.sub}/resourceGroups/rg-pe` });
      const err = await restErrorWithMessageOf(f.client(principal).privateEndpoints.beginCreateOrUpdateAndWait('rg-pe', 'pe1', backupPe(f), poll));
      expect(err).toMatchObject({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
      expect(err.message).toContain('subnets/join/action');
    });

    it.each([
      ['a subnet with network policies enabled', (fx: Fixture) => backupPe(fx, 'policies'), 400, 'PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled'],
      ['a /28 subnet (11 usable, but 11 must be free and stay free)', (fx: Fixture) => backupPe(fx, 'small'), undefined, undefined],
      ['a subnet that does not exist', (fx: Fixture) => backupPe(fx, 'missing'), 400, 'InvalidResourceReference'],
    ])('handles %s', async (_why, body, status, code) => {
      const call = f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', body(f), poll);
      if (status === undefined) {
        await expect(call).resolves.toMatchObject({ provisioningState: 'Succeeded' });
      } else {
        expect(await restErrorOf(call)).toMatchObject({ statusCode: status, code });
      }
    });

    it('refuses a Backup PE in a subnet with fewer than 11 free IPs (SubnetIsFull)', async () => {
      await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'first', backupPe(f, 'small'), poll);
      const account = '/subscriptions/b4c10000-0000-4000-8000-00000000ba5e/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/acct';
      await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'blob', { location: 'uksouth', subnet: { id: `${f.vnetId}/subnets/small` }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: account, groupIds: ['blob'] }] }, poll);
      const second = await restErrorOf(f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'second', backupPe(f, 'small'), poll));
      expect(second).toMatchObject({ statusCode: 400, code: 'SubnetIsFull' });
    });

    it('honours a per-region free-IP requirement above 11', async () => {
      const emu = await startEmulator({
        providers: [createNetworkProvider({ vaultFor: (_s, id) => f.vaults.get(id.toLowerCase()), backupFreeAddressesPerRegion: { uksouth: 12 } })],
        lroPollsBeforeDone: 0,
        subscriptionId: f.sub,
      });
      try {
        emu.control.createResourceGroup(f.sub, 'rg-net', 'uksouth');
        emu.store.put(f.vaultId, { id: f.vaultId, name: 'vault1', type: 'Microsoft.RecoveryServices/vaults', location: 'uksouth' });
        const client = noRetrySdkClient(emu, NetworkManagementClient);
        await client.virtualNetworks.beginCreateOrUpdateAndWait('rg-net', 'vnet1', { location: 'uksouth', addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'small', addressPrefix: '10.0.2.0/28' }] }, poll);
        const err = await restErrorOf(client.privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f, 'small'), poll));
        expect(err).toMatchObject({ statusCode: 400, code: 'SubnetIsFull' });
      } finally {
        await emu.close();
      }
    });

    it('refuses a vault that had items before its first endpoint', async () => {
      f.vaults.set(f.vaultId.toLowerCase(), { location: 'uksouth', numericId: VAULT_NUMERIC_ID, experience: 'classic', itemsBeforePrivateEndpoints: true });
      const err = await restErrorWithMessageOf(f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll));
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain('before their first private endpoint');
    });

    it('refuses a 13th private endpoint for one vault', async () => {
      await f.client().subnets.beginCreateOrUpdateAndWait('rg-net', 'vnet1', 'big', { addressPrefix: '10.0.128.0/17' }, poll);
      for (let k = 0; k < 12; k++) {
        await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', `pe${k}`, backupPe(f, 'big'), poll);
      }
      const err = await restErrorWithMessageOf(f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe12', backupPe(f, 'big'), poll));
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain('maximum');
    });

    it('lists PEs by resource group and by subscription', async () => {
      await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const byGroup = await namesOf(f.client().privateEndpoints.list('rg-net'));
      const bySubscription = await namesOf(f.client().privateEndpoints.listBySubscription());
      expect(byGroup).toEqual(['pe1']);
      expect(bySubscription).toEqual(['pe1']);
    });

    it('deletes the PE with its NIC and vault connection, freeing its addresses and the subnet', async () => {
      const pe = await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      await expect(restErrorOf(f.client().subnets.beginDeleteAndWait('rg-net', 'vnet1', 'pe', poll))).resolves.toMatchObject({ code: 'InUseSubnetCannotBeDeleted' });
      await f.client().privateEndpoints.beginDeleteAndWait('rg-net', 'pe1', poll);
      expect(f.emu.store.list({ type: 'Microsoft.Network/networkInterfaces' })).toHaveLength(0);
      expect(f.emu.store.children(f.vaultId, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections')).toHaveLength(0);
      expect(f.emu.provider<NetworkExports>('network').freeAddressCount(f.subnetId)).toBe(251);
      expect((await restErrorOf(f.client().privateEndpoints.get('rg-net', 'pe1'))).statusCode).toBe(404);
      expect(pe.id).toBeDefined();
      await f.client().subnets.beginDeleteAndWait('rg-net', 'vnet1', 'pe', poll);
    });

    it('emits a ResourceWriteSuccess event for the PE', async () => {
      const seen: { subject: string; operationName: unknown }[] = [];
      f.emu.events.subscribe((batch) => {
        for (const e of batch) seen.push({ subject: e.subject, operationName: e.data['operationName'] });
      });
      const pe = await f.client().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      await f.emu.events.drain();
      // Event Grid writes `resourcegroups` in lower case in subjects.
      expect(seen).toContainEqual({ subject: (pe.id as string).replace('/resourceGroups/', '/resourcegroups/'), operationName: 'Microsoft.Network/privateEndpoints/write' });
    });
  });

  describe('#createPrivateEndpointAs', () => {
    it('creates as the given principal through the same checks, and fails like ARM without roles', async () => {
      const network = f.emu.provider<NetworkExports>('network');
      const identity = { principalId: 'vault-identity', tenantId: f.emu.tenantId };
      const body = { location: 'uksouth', properties: { subnet: { id: f.subnetId }, privateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: '/subscriptions/b4c10000-0000-4000-8000-00000000ba5e/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/acct', groupIds: ['queue'] } }] } };
      const peId = `/subscriptions/${f.sub}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe1_ecs_queue`;
      const denied = await network.createPrivateEndpointAs(identity, peId, body);
      expect(denied.status).toBe(403);
      f.emu.control.grantRole({ role: 'Contributor', principalId: identity.principalId, scope: `/subscriptions/${f.sub}/resourceGroups/rg-net` });
      const created = await network.createPrivateEndpointAs(identity, peId, body);
      expect(created.status).toBe(200);
      expect(f.emu.store.get(peId)?.createdBy).toBe('vault-identity');
    });
  });
});
