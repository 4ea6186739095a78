/**
 * Issue 12, "Resources as Azure serves them": the behaviours of real Azure that a kinder emulator
 * would hide, each through the real @azure/arm-* clients — private endpoint and vault
 * long-running lifecycles, paging, Retry-After, ARM throttling, Microsoft.Network's operation lock,
 * Event Grid as delivered, lost answers, Backup's growing members and partitioned storage names.
 */
import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { isSystemEvent, type EventGridEvent as SdkEventGridEvent } from '@azure/eventgrid';
import { NETWORK_SERVICE_PRINCIPAL_ID, type Emulator, type StartEmulatorOptions } from '../../emulator';
import type { EventGridEvent } from '../../emulator/events';
import type { NetworkExports } from '../../emulator/providers/network';
import type { PrivateDnsExports } from '../../emulator/providers/privatedns';
import { armRequest, authorizationClientFor, errorCode, namesOf, newPrincipalId, noRetrySdkClient, noRetrySdkClientOptions, restErrorOf, sdkClientOptions, startTestEmulator } from './helpers';

const poll = { updateIntervalInMs: 1 };
const LOCATION = 'uksouth';
const BLOB_ZONE = 'privatelink.blob.core.windows.net';

interface Fixture {
  emu: Emulator;
  sub: string;
  vaultId: string;
  vnetId: string;
  subnetId: string;
  network(principalId?: string): NetworkManagementClient;
  vaults(principalId?: string): RecoveryServicesClient;
  dns(principalId?: string): PrivateDnsManagementClient;
}

/** A vault (classic, identity on), a VNet with a `pe` subnet, resource groups for DNS. */
async function fixture(options: StartEmulatorOptions = {}): Promise<Fixture> {
  const emu = await startTestEmulator({ lroPollsBeforeDone: 1, ...options });
  const sub = emu.subscriptionId;
  for (const rg of ['rg-backup', 'rg-net', 'rg-dns']) emu.control.createResourceGroup(sub, rg, LOCATION);
  const f: Fixture = {
    emu,
    sub,
    vaultId: `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault1`,
    vnetId: `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1`,
    subnetId: `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/pe`,
    network: (p) => noRetrySdkClient(emu, NetworkManagementClient, p),
    vaults: (p) => noRetrySdkClient(emu, RecoveryServicesClient, p),
    dns: (p) => noRetrySdkClient(emu, PrivateDnsManagementClient, p),
  };
  await f.vaults().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { location: LOCATION, sku: { name: 'RS0', tier: 'Standard' }, properties: {}, identity: { type: 'SystemAssigned' } }, poll);
  await f.network().virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-net',
    'vnet1',
    { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
    poll,
  );
  return f;
}

function backupPe(f: Fixture): PrivateEndpoint {
  return { location: LOCATION, subnet: { id: f.subnetId }, privateLinkServiceConnections: [{ name: 'conn', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] }] };
}

const connectionsOf = (f: Fixture) => f.emu.store.children(f.vaultId, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections');

describe('resources as Azure serves them', () => {
  describe('private endpoint lifecycle', () => {
    let f: Fixture;
    beforeEach(async () => {
      f = await fixture();
    });
    afterEach(() => f.emu.close());

    it('answers the PUT Updating with customDnsConfigs [] and fills configs, NIC IPs and the vault connection when the operation ends', async () => {
      const poller = await f.network().privateEndpoints.beginCreateOrUpdate('rg-net', 'pe1', backupPe(f), poll);
      const during = await f.network().privateEndpoints.get('rg-net', 'pe1');
      expect(during.provisioningState).toBe('Updating');
      expect(during.customDnsConfigs).toEqual([]);
      const nicName = (during.networkInterfaces?.[0]?.id as string).split('/').pop() as string;
      const nicDuring = await f.network().networkInterfaces.get('rg-net', nicName);
      expect(nicDuring.provisioningState).toBe('Updating');
      expect(nicDuring.ipConfigurations?.every((c) => c.privateIPAddress === undefined)).toBe(true);
      expect(connectionsOf(f)).toHaveLength(0);

      const done = await poller.pollUntilDone();
      expect(done.provisioningState).toBe('Succeeded');
      expect(done.customDnsConfigs?.length).toBe(8);
      const nic = await f.network().networkInterfaces.get('rg-net', nicName);
      expect(nic.ipConfigurations?.map((c) => c.privateIPAddress)).toEqual(done.customDnsConfigs?.map((c) => c.ipAddresses?.[0]));
      expect(connectionsOf(f)).toHaveLength(1);
    });

    it('passes a DELETE through Deleting and removes the NIC, the connection and the zone group records only when the operation ends', async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', 'privatelink.uks.backup.windowsazure.com', { location: 'global' }, poll);
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const zoneId = `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uks.backup.windowsazure.com`;
      await f.network().privateDnsZoneGroups.beginCreateOrUpdateAndWait('rg-net', 'pe1', 'default', { privateDnsZoneConfigs: [{ name: 'backup', privateDnsZoneId: zoneId }] }, poll);
      const records = async () => (await namesOf(f.dns().recordSets.listByType('rg-dns', 'privatelink.uks.backup.windowsazure.com', 'A'))).length;
      expect(await records()).toBe(8);

      const poller = await f.network().privateEndpoints.beginDelete('rg-net', 'pe1', poll);
      const during = await f.network().privateEndpoints.get('rg-net', 'pe1');
      expect(during.provisioningState).toBe('Deleting');
      expect(f.emu.store.list({ type: 'Microsoft.Network/networkInterfaces' })).toHaveLength(1);
      expect(connectionsOf(f)).toHaveLength(1);
      expect(await records()).toBe(8);

      await poller.pollUntilDone();
      expect((await restErrorOf(f.network().privateEndpoints.get('rg-net', 'pe1'))).statusCode).toBe(404);
      expect(f.emu.store.list({ type: 'Microsoft.Network/networkInterfaces' })).toHaveLength(0);
      expect(connectionsOf(f)).toHaveLength(0);
      expect(await records()).toBe(0);
    });

    it('ends a creation whose time is up before a zone group write on the same endpoint, so the group gets every record', async () => {
      // Without a latency profile an operation's time is up at once: the network lock lets the
      // second write through only after completing the first, as Azure would have by then.
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', 'privatelink.uks.backup.windowsazure.com', { location: 'global' }, poll);
      const zoneId = `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uks.backup.windowsazure.com`;
      const poller = await f.network().privateEndpoints.beginCreateOrUpdate('rg-net', 'pe1', backupPe(f), poll);
      expect((await f.network().privateEndpoints.get('rg-net', 'pe1')).provisioningState).toBe('Updating');
      await f.network().privateDnsZoneGroups.beginCreateOrUpdateAndWait('rg-net', 'pe1', 'default', { privateDnsZoneConfigs: [{ name: 'backup', privateDnsZoneId: zoneId }] }, poll);
      expect(await namesOf(f.dns().recordSets.listByType('rg-dns', 'privatelink.uks.backup.windowsazure.com', 'A'))).toHaveLength(8);
      expect((await poller.pollUntilDone()).provisioningState).toBe('Succeeded');
    });
  });

  describe('vault writes as the Recovery Services spec declares them', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture();
    });
    afterAll(() => f.emu.close());

    it('answers PUT 201 and PATCH 200 with Azure-AsyncOperation, and DELETE 202 with Location, each long-running', async () => {
      const path = `/subscriptions/${f.sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault2?api-version=2023-04-01`;
      const put = await armRequest(f.emu, { method: 'PUT', path, body: { location: LOCATION, sku: { name: 'RS0' }, properties: {} } });
      expect(put.status).toBe(201);
      expect(put.headers['azure-asyncoperation']).toBeDefined();
      expect(put.body).toMatchObject({ properties: { provisioningState: 'Updating' } });
      const patch = await armRequest(f.emu, { method: 'PATCH', path, body: { identity: { type: 'SystemAssigned' } } });
      expect(patch.status).toBe(200);
      expect(patch.headers['azure-asyncoperation']).toBeDefined();
      const updated = await f.vaults().vaults.beginUpdateAndWait('rg-backup', 'vault2', { tags: { team: 'a' } }, poll);
      expect(updated.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);
      const del = await armRequest(f.emu, { method: 'DELETE', path });
      expect(del.status).toBe(202);
      expect(del.headers['location']).toBeDefined();
      await f.emu.control.settleOperations();
      expect((await restErrorOf(f.vaults().vaults.get('rg-backup', 'vault2'))).statusCode).toBe(404);
    });

    it('deletes a vault through the SDK poller', async () => {
      await f.vaults().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault3', { location: LOCATION, sku: { name: 'RS0' }, properties: {} }, poll);
      await f.vaults().vaults.beginDeleteAndWait('rg-backup', 'vault3', poll);
      expect(await namesOf(f.vaults().vaults.listByResourceGroup('rg-backup'))).toEqual(['vault1']);
    });
  });

  describe('Retry-After on operations', () => {
    it("sends Azure's figures at latencyScale 1 (10 s for Microsoft.Network, 60 s for Recovery Services and DNS links) and scales them down by default", async () => {
      const real = await fixture({ latencyScale: 1 });
      const fast = await fixture();
      try {
        const pePath = (f: Fixture) => `/subscriptions/${f.sub}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-raw?api-version=2024-05-01`;
        const body = (f: Fixture) => ({
          location: LOCATION,
          properties: { subnet: { id: f.subnetId }, privateLinkServiceConnections: [{ name: 'c', properties: { privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] } }] },
        });
        const vaultPath = (f: Fixture) => `/subscriptions/${f.sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/v9?api-version=2023-04-01`;
        await real.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
        const linkPath = `/subscriptions/${real.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}/virtualNetworkLinks/l1?api-version=2024-06-01`;
        const pe = await armRequest(real.emu, { method: 'PUT', path: pePath(real), body: body(real) });
        const vault = await armRequest(real.emu, { method: 'PUT', path: vaultPath(real), body: { location: LOCATION, properties: {} } });
        const link = await armRequest(real.emu, { method: 'PUT', path: linkPath, body: { location: 'global', properties: { virtualNetwork: { id: real.vnetId } } } });
        expect([pe.status, vault.status, link.status]).toEqual([201, 201, 201]);
        expect([pe.headers['retry-after'], vault.headers['retry-after'], link.headers['retry-after']]).toEqual(['10', '60', '60']);
        const scaled = await armRequest(fast.emu, { method: 'PUT', path: vaultPath(fast), body: { location: LOCATION, properties: {} } });
        expect(scaled.headers['retry-after']).toBe('0');
      } finally {
        await real.emu.close();
        await fast.emu.close();
      }
    });
  });

  describe('paging', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture();
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      for (const name of ['a', 'b', 'c', 'd', 'e']) await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', name, { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.9' }] });
    });
    afterAll(() => f.emu.close());

    it('pages lists at 2 with a nextLink carrying $skipToken, which the SDK follows to the end', async () => {
      const first = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}/A?api-version=2024-06-01` });
      const body = first.body as { value: unknown[]; nextLink?: string };
      expect(body.value).toHaveLength(2);
      expect(body.nextLink).toMatch(/[?&]\$skipToken=/);
      expect(new URL(body.nextLink as string).searchParams.get('api-version')).toBe('2024-06-01');
      expect(await namesOf(f.dns().recordSets.listByType('rg-dns', BLOB_ZONE, 'A'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('honours $top as the page size where the API has it', async () => {
      const top = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}/A?api-version=2024-06-01&$top=3` });
      expect((top.body as { value: unknown[] }).value).toHaveLength(3);
      expect(await namesOf(f.dns().recordSets.listByType('rg-dns', BLOB_ZONE, 'A', { top: 4 }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('pages private endpoints and vaults across pages through the SDK', async () => {
      for (const name of ['pe1', 'pe2', 'pe3']) await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', name, backupPe(f), poll);
      expect(await namesOf(f.network().privateEndpoints.listBySubscription())).toEqual(['pe1', 'pe2', 'pe3']);
      const raw = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/providers/Microsoft.Network/privateEndpoints?api-version=2024-05-01` });
      expect((raw.body as { nextLink?: string }).nextLink).toBeDefined();
    });

    it('pages role assignment lists, which the SDK follows to the end', async () => {
      const scope = `/subscriptions/${f.sub}/resourceGroups/rg-dns`;
      const principals = [newPrincipalId(), newPrincipalId(), newPrincipalId()];
      for (const principalId of principals) f.emu.control.grantRole({ role: 'Reader', principalId, scope, principalType: 'ServicePrincipal' });
      const raw = await armRequest(f.emu, { path: `${scope}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()` });
      expect((raw.body as { value: unknown[] }).value).toHaveLength(2);
      expect((raw.body as { nextLink?: string }).nextLink).toMatch(/[?&]\$skipToken=/);
      const listed: string[] = [];
      for await (const a of authorizationClientFor(f.emu).roleAssignments.listForScope(scope)) listed.push(String(a.principalId));
      expect(listed.filter((p) => principals.includes(p)).sort()).toEqual([...principals].sort());
    });

    it('refuses a $skipToken it did not hand out', async () => {
      const bad = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${BLOB_ZONE}/A?api-version=2024-06-01&$skipToken=bogus` });
      expect([bad.status, errorCode(bad)]).toEqual([400, 'InvalidSkipToken']);
    });
  });

  describe('ARM throttling', () => {
    it('reports the remaining reads and writes per principal and subscription, starting from 250 and 200', async () => {
      const f = await fixture();
      try {
        const reader = newPrincipalId();
        f.emu.control.grantRole({ role: 'Contributor', principalId: reader, scope: `/subscriptions/${f.sub}` });
        const read = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/resourceGroups/rg-net?api-version=2021-04-01`, principalId: reader });
        expect(read.headers['x-ms-ratelimit-remaining-subscription-reads']).toBe('249');
        const write = await armRequest(f.emu, { method: 'PUT', path: `/subscriptions/${f.sub}/resourceGroups/rg-new?api-version=2021-04-01`, principalId: reader, body: { location: LOCATION } });
        expect(write.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('199');
      } finally {
        await f.emu.close();
      }
    });

    it('answers 429 with Retry-After when the bucket is empty, which the SDK waits out', async () => {
      // At Azure's pace (latencyScale 1): the bucket refills on the emulator's clock.
      const emu = await startTestEmulator({ latencyScale: 1, rateLimits: { reads: { bucketSize: 3, refillPerSecond: 2 }, writes: { bucketSize: 200, refillPerSecond: 10 }, deletes: { bucketSize: 200, refillPerSecond: 10 } } });
      try {
        const sub = emu.subscriptionId;
        emu.control.createResourceGroup(sub, 'rg-net', LOCATION);
        const [reader, other] = [newPrincipalId(), newPrincipalId()];
        for (const p of [reader, other]) emu.control.grantRole({ role: 'Reader', principalId: p, scope: `/subscriptions/${sub}` });
        const client = noRetrySdkClient(emu, NetworkManagementClient, reader);
        for (let i = 0; i < 3; i++) expect(await namesOf(client.virtualNetworks.list('rg-net'))).toEqual([]);
        expect(await restErrorOf(namesOf(client.virtualNetworks.list('rg-net')))).toEqual({ statusCode: 429, code: 'TooManyRequests' });
        const raw = await armRequest(emu, { path: `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks?api-version=2024-05-01`, principalId: reader });
        expect([raw.status, errorCode(raw), raw.headers['retry-after'], Number(raw.headers['retry-after-ms']) > 0]).toEqual([429, 'TooManyRequests', '1', true]);
        // Another principal has its own bucket.
        expect(await namesOf(noRetrySdkClient(emu, NetworkManagementClient, other).virtualNetworks.list('rg-net'))).toEqual([]);
        // The SDK's retry policy waits the retry-after-ms out and gets its answer.
        const retrying = new NetworkManagementClient(emu.credentialFor(reader), sub, sdkClientOptions(emu));
        expect(await namesOf(retrying.virtualNetworks.list('rg-net'))).toEqual([]);
      } finally {
        await emu.close();
      }
    });

    it('can be turned off', async () => {
      const f = await fixture({ rateLimits: false });
      try {
        const read = await armRequest(f.emu, { path: `/subscriptions/${f.sub}/resourceGroups/rg-net?api-version=2021-04-01` });
        expect(read.headers['x-ms-ratelimit-remaining-subscription-reads']).toBeUndefined();
      } finally {
        await f.emu.close();
      }
    });
  });

  describe("Microsoft.Network's operation lock", () => {
    it('answers 429 RetryableErrorDueToAnotherOperation to a write on an endpoint whose creation still runs, and lets the retry through after it', async () => {
      // PE creation takes 30–90 s × 0.01 = 0.3–0.9 s here.
      const f = await fixture({ latency: 'azure', latencyScale: 0.01 });
      try {
        const creating = await f.network().privateEndpoints.beginCreateOrUpdate('rg-net', 'pe1', backupPe(f), poll);
        const second = await restErrorOf(f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', { ...backupPe(f), tags: { a: 'b' } }, poll));
        expect(second).toEqual({ statusCode: 429, code: 'RetryableErrorDueToAnotherOperation' });
        const retrying = new NetworkManagementClient(f.emu.credentialFor(f.emu.ownerPrincipalId), f.sub, sdkClientOptions(f.emu));
        const tagged = await retrying.privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', { ...backupPe(f), tags: { a: 'b' } }, poll);
        expect(tagged.tags).toEqual({ a: 'b' });
        expect((await creating.pollUntilDone()).provisioningState).toBe('Succeeded');
      } finally {
        await f.emu.close();
      }
    });
  });

  describe('Event Grid as delivered', () => {
    let f: Fixture;
    let batches: (EventGridEvent | unknown)[][];
    beforeEach(async () => {
      f = await fixture();
      batches = [];
      f.emu.events.subscribe((batch) => {
        batches.push(batch);
      });
    });
    afterEach(() => f.emu.close());
    const events = () => batches.flat() as SdkEventGridEvent<unknown>[];

    it('delivers one event per delivery, with resourcegroups in lower case in subjects', async () => {
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      await f.emu.events.drain();
      expect(batches.length).toBeGreaterThan(1);
      expect(batches.every((b) => b.length === 1)).toBe(true);
      expect(events().every((e) => e.subject.includes('/resourcegroups/') && !e.subject.includes('/resourceGroups/'))).toBe(true);
    });

    it('batches for a subscriber that opts in', async () => {
      const opted: unknown[][] = [];
      f.emu.events.subscribe((b) => void opted.push(b), { maxEventsPerBatch: 10, batchWindowMs: 50 });
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      await f.emu.events.drain();
      expect(opted.some((b) => b.length > 1)).toBe(true);
    });

    it('raises the NIC write and delete events under the network service, not the caller', async () => {
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      await f.network().privateEndpoints.beginDeleteAndWait('rg-net', 'pe1', poll);
      await f.emu.events.drain();
      const nic = events().filter((e) => e.subject.includes('/networkInterfaces/'));
      expect(nic.map((e) => e.eventType)).toEqual(['Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Resources.ResourceDeleteSuccess']);
      for (const e of nic) {
        if (!isSystemEvent('Microsoft.Resources.ResourceWriteSuccess', e) && !isSystemEvent('Microsoft.Resources.ResourceDeleteSuccess', e)) throw new Error('not a resource event');
        expect(e.data.claims['http://schemas.microsoft.com/identity/claims/objectidentifier']).toBe(NETWORK_SERVICE_PRINCIPAL_ID);
      }
    });

    it('raises a ResourceWriteFailure for a write the RP refuses', async () => {
      await restErrorOf(f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'bad', { location: LOCATION, subnet: { id: `${f.vnetId}/subnets/missing` }, privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] }] }, poll));
      await f.emu.events.drain();
      const failure = events().find((e) => isSystemEvent('Microsoft.Resources.ResourceWriteFailure', e));
      expect(failure?.subject).toMatch(/\/privateEndpoints\/bad$/);
      expect((failure?.data as { status?: string }).status).toBe('Failed');
    });

    it("raises the vault-side proxy and connection events on the vault's subscription when an endpoint from another subscription connects", async () => {
      const spoke = f.emu.control.createSubscription();
      f.emu.control.createResourceGroup(spoke, 'rg-spoke', LOCATION);
      const spokeNetwork = new NetworkManagementClient(f.emu.credentialFor(f.emu.ownerPrincipalId), spoke, noRetrySdkClientOptions(f.emu));
      await spokeNetwork.virtualNetworks.beginCreateOrUpdateAndWait('rg-spoke', 'vnet-s', { location: LOCATION, addressSpace: { addressPrefixes: ['10.5.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.5.1.0/24' }] }, poll);
      await spokeNetwork.privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-spoke',
        'pe-spoke',
        { location: LOCATION, subnet: { id: `/subscriptions/${spoke}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-s/subnets/pe` }, manualPrivateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'] }] },
        poll,
      );
      await f.emu.events.drain();
      const vaultSide = events().filter((e) => e.topic === `/subscriptions/${f.sub}`);
      expect(vaultSide.map((e) => (e.data as { operationName: string }).operationName)).toEqual([
        'Microsoft.RecoveryServices/vaults/privateEndpointConnectionProxies/validate/action',
        'Microsoft.RecoveryServices/vaults/privateEndpointConnectionProxies/write',
        'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write',
      ]);
      expect(vaultSide[2]?.subject.toLowerCase()).toBe(connectionsOf(f)[0]?.id.toLowerCase());
    });
  });

  describe('lost answers', () => {
    it('applies the write, then drops the connection: the SDK sees an error, Azure has the record', async () => {
      const f = await fixture();
      try {
        await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
        f.emu.faults.add({ match: { operation: 'Microsoft.Network/privateDnsZones/A/write' }, fault: { kind: 'lose-response' }, times: 1 });
        await expect(f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'lost', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }] }, { ifNoneMatch: '*' })).rejects.toThrow();
        expect((await f.dns().recordSets.get('rg-dns', BLOB_ZONE, 'A', 'lost')).aRecords).toEqual([{ ipv4Address: '10.0.1.4' }]);
        // A retry of the same create meets its own write.
        expect(await restErrorOf(f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', 'lost', { ttl: 10, aRecords: [{ ipv4Address: '10.0.1.4' }] }, { ifNoneMatch: '*' }))).toEqual({ statusCode: 412, code: 'PreconditionFailed' });
        const logged = f.emu.writes.log().find((w) => w.path.endsWith('/A/lost') && w.answerLost === true);
        expect(logged).toMatchObject({ faulted: false, status: 201 });
      } finally {
        await f.emu.close();
      }
    });
  });

  describe("Backup's members grow", () => {
    let f: Fixture;
    beforeEach(async () => {
      f = await fixture();
    });
    afterEach(() => f.emu.close());

    it('adds prot1b/c/d/i to a live endpoint with new IPs, in customDnsConfigs, the NIC and its zone group', async () => {
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', 'privatelink.uks.backup.windowsazure.com', { location: 'global' }, poll);
      const pe = await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const zoneId = `/subscriptions/${f.sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.uks.backup.windowsazure.com`;
      await f.network().privateDnsZoneGroups.beginCreateOrUpdateAndWait('rg-net', 'pe1', 'default', { privateDnsZoneConfigs: [{ name: 'b', privateDnsZoneId: zoneId }] }, poll);
      const grown = await armRequest(f.emu, { method: 'POST', path: '/_emulator/network/privateEndpoints/members', principalId: null, body: { privateEndpointId: pe.id } });
      expect(grown.status).toBe(200);
      const after = await f.network().privateEndpoints.get('rg-net', 'pe1');
      const fqdns = after.customDnsConfigs?.map((c) => c.fqdn as string) ?? [];
      expect(fqdns).toHaveLength(12);
      expect(fqdns.filter((n) => /-ab-pod01-prot1[bcdi]\./.test(n))).toHaveLength(4);
      const ips = after.customDnsConfigs?.flatMap((c) => c.ipAddresses ?? []) ?? [];
      expect(new Set(ips).size).toBe(12);
      const nic = await f.network().networkInterfaces.get('rg-net', (after.networkInterfaces?.[0]?.id as string).split('/').pop() as string);
      expect(nic.ipConfigurations).toHaveLength(12);
      expect(await namesOf(f.dns().recordSets.listByType('rg-dns', 'privatelink.uks.backup.windowsazure.com', 'A'))).toHaveLength(12);
    });

    it('adds IPs to a v2 endpoint', async () => {
      f.emu.provider<{ setNewVaultBackupStorageVersion(v: 'V2'): void }>('recoveryservices').setNewVaultBackupStorageVersion('V2');
      await f.vaults().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault-v2', { location: LOCATION, sku: { name: 'RS0' }, properties: {} }, poll);
      const v2 = { ...backupPe(f), privateLinkServiceConnections: [{ name: 'c', privateLinkServiceId: f.vaultId.replace(/vault1$/, 'vault-v2'), groupIds: ['AzureBackup'] }] };
      const pe = await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe-v2', v2, poll);
      const before = pe.customDnsConfigs?.length ?? 0;
      const grown = await armRequest(f.emu, { method: 'POST', path: '/_emulator/network/privateEndpoints/addresses', principalId: null, body: { privateEndpointId: pe.id, count: 2 } });
      expect(grown.status).toBe(200);
      expect((await f.network().privateEndpoints.get('rg-net', 'pe-v2')).customDnsConfigs).toHaveLength(before + 2);
    });

    it("refuses to grow an endpoint whose creation hasn't finished", async () => {
      await f.network().privateEndpoints.beginCreateOrUpdate('rg-net', 'pe1', backupPe(f), poll);
      const peId = `${f.subnetId.split('/providers/')[0]}/providers/Microsoft.Network/privateEndpoints/pe1`;
      const refused = await armRequest(f.emu, { method: 'POST', path: '/_emulator/network/privateEndpoints/members', principalId: null, body: { privateEndpointId: peId } });
      expect([refused.status, errorCode(refused)]).toEqual([409, 'PrivateEndpointNotReady']);
    });

    it('adds another _prot storage account with a partitioned name, served by the privatelink.blob.core.windows.net zone', async () => {
      const identity = (await f.vaults().vaults.get('rg-backup', 'vault1')).identity?.principalId as string;
      f.emu.control.grantRole({ role: 'Contributor', principalId: identity, scope: `/subscriptions/${f.sub}/resourceGroups/rg-net` });
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const added = await armRequest(f.emu, { method: 'POST', path: '/_emulator/backup/addProtStorageAccount', principalId: null, body: { vaultId: f.vaultId, partition: 'z12' } });
      expect(added.status).toBe(200);
      const result = added.body as { fqdn: string; createdPrivateEndpoints: string[]; error?: unknown };
      expect(result.error).toBeUndefined();
      expect(result.fqdn).toMatch(/^[a-z]{6}pod01prot\d{3}\.z12\.blob\.storage\.azure\.net$/);
      expect(result.createdPrivateEndpoints).toHaveLength(1);
      const pe = await f.network().privateEndpoints.get('rg-net', (result.createdPrivateEndpoints[0] as string).split('/').pop() as string);
      expect(pe.customDnsConfigs?.[0]?.fqdn).toBe(result.fqdn);
      // The Azure Backup write was the vault identity's.
      expect(f.emu.writes.log().some((w) => w.principalId === identity && w.path.endsWith(pe.name as string))).toBe(true);
      // A backup writes to the new account too: its name is one the VM must resolve.
      const required = await armRequest(f.emu, { method: 'GET', path: `/_emulator/backup/requiredNames?vaultId=${encodeURIComponent(f.vaultId)}`, principalId: null });
      expect(required.body).toHaveProperty([result.fqdn], pe.customDnsConfigs?.[0]?.ipAddresses);

      // Resolution: public DNS sends <account>.zNN.blob.storage.azure.net to <account>.privatelink.blob.core.windows.net.
      const account = result.fqdn.split('.')[0] as string;
      await f.dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, { location: 'global' }, poll);
      await f.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', BLOB_ZONE, 'l1', { location: 'global', virtualNetwork: { id: f.vnetId }, registrationEnabled: false }, poll);
      const ip = pe.customDnsConfigs?.[0]?.ipAddresses?.[0] as string;
      await f.dns().recordSets.createOrUpdate('rg-dns', BLOB_ZONE, 'A', account, { ttl: 10, aRecords: [{ ipv4Address: ip }] });
      const answer = f.emu.provider<PrivateDnsExports>('privatedns').resolve(f.vnetId, result.fqdn);
      expect(answer).toMatchObject({ answer: 'private', addresses: [ip], aliases: [`${account}.privatelink.blob.core.windows.net`] });
    });

    it('gives the in-process API the same growth', async () => {
      const pe = await f.network().privateEndpoints.beginCreateOrUpdateAndWait('rg-net', 'pe1', backupPe(f), poll);
      const grown = f.emu.provider<NetworkExports>('network').growMembers(pe.id as string, ['prot1b']);
      expect((grown['properties'] as { customDnsConfigs: unknown[] }).customDnsConfigs).toHaveLength(9);
    });
  });
});
