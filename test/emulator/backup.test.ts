import { randomUUID } from 'node:crypto';
import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { startEmulator, type Emulator } from '../../emulator';
import type { BackupExports } from '../../emulator/providers/backup';
import { secondaryEndpointName } from '../../emulator/providers/backup-rules';
import { createNetworkProvider } from '../../emulator/providers/network';
import type { RecoveryServicesExports } from '../../emulator/providers/recoveryservices';
import { armRequest, authorizationClientFor, errorCode, newPrincipalId, noRetrySdkClient, restErrorOf, sdkClientOptions } from './helpers';

/**
 * Contract tests: the real @azure/arm-recoveryservicesbackup 12.x client against the emulator's
 * Backup RP (private endpoint connections, usage summaries), and Azure Backup's own part
 * (registration, backups) through its in-process API and control endpoints.
 */
const poll = { updateIntervalInMs: 1 };
const LOCATION = 'uksouth';
const APPROVAL_ACTION = 'Microsoft.RecoveryServices/vaults/privateEndpointConnectionsApproval/action';

interface Fixture {
  emu: Emulator;
  sub: string;
  vaultId: string;
  vnetId: string;
  subnetId: string;
  peId(name: string): string;
  backup(principalId?: string): RecoveryServicesBackupClient;
  vaultsClient(principalId?: string): RecoveryServicesClient;
  network(principalId?: string): NetworkManagementClient;
  vaults: RecoveryServicesExports;
  backupPart: BackupExports;
  /** The vault identity's principal id. */
  identity(): Promise<string>;
}

async function fixture(): Promise<Fixture> {
  const emu = await startEmulator({ providers: [createNetworkProvider()], lroPollsBeforeDone: 1 });
  const sub = emu.subscriptionId;
  for (const rg of ['rg-backup', 'rg-net', 'rg-pe']) emu.control.createResourceGroup(sub, rg, LOCATION);
  const vaultsClient = (principalId?: string) => noRetrySdkClient(emu, RecoveryServicesClient, principalId);
  const network = (principalId?: string) => noRetrySdkClient(emu, NetworkManagementClient, principalId);
  await vaultsClient().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { location: LOCATION, sku: { name: 'RS0', tier: 'Standard' }, identity: { type: 'SystemAssigned' } }, poll);
  await network().virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-net',
    'vnet1',
    { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
    poll,
  );
  const vaultId = `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault1`;
  const vnetId = `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1`;
  return {
    emu,
    sub,
    vaultId,
    vnetId,
    subnetId: `${vnetId}/subnets/pe`,
    peId: (name) => `/subscriptions/${sub}/resourceGroups/rg-pe/providers/Microsoft.Network/privateEndpoints/${name}`,
    backup: (principalId) => noRetrySdkClient(emu, RecoveryServicesBackupClient, principalId),
    vaultsClient,
    network,
    vaults: emu.provider<RecoveryServicesExports>('recoveryservices'),
    backupPart: emu.provider<BackupExports>('backup'),
    identity: async () => (await vaultsClient().vaults.get('rg-backup', 'vault1')).identity?.principalId as string,
  };
}

/** A private endpoint to the vault in rg-pe, manual (Pending) or automatic (approved at once for the owner). */
async function createBackupPrivateEndpoint(f: Fixture, name: string, manual: boolean): Promise<PrivateEndpoint> {
  const connection = { name, privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'], ...(manual ? { requestMessage: 'please' } : {}) };
  return f.network().privateEndpoints.beginCreateOrUpdateAndWait(
    'rg-pe',
    name,
    { location: LOCATION, subnet: { id: f.subnetId }, ...(manual ? { manualPrivateLinkServiceConnections: [connection] } : { privateLinkServiceConnections: [connection] }) },
    poll,
  );
}

async function connectionNameOf(f: Fixture, peName: string): Promise<string> {
  const vault = await f.vaultsClient().vaults.get('rg-backup', 'vault1');
  const c = vault.properties?.privateEndpointConnections?.find((x) => x.properties?.privateEndpoint?.id?.toLowerCase() === f.peId(peName).toLowerCase());
  if (!c?.id) throw new Error(`no connection for ${peName}`);
  return c.id.split('/').pop() as string;
}

/** The vault owner's decision, as the seed's BackupAdminApproval.json sends it. */
function decision(f: Fixture, peName: string, status: string) {
  return { properties: { privateEndpoint: { id: f.peId(peName) }, privateLinkServiceConnectionState: { status, description: `${status} by the vault owner` } } };
}

/** Grants the vault identity what the seed asks: Contributor on the VNet's and the endpoint's resource groups. */
function grantSeedRoles(f: Fixture, principalId: string): void {
  for (const rg of ['rg-net', 'rg-pe']) f.emu.control.grantRole({ role: 'Contributor', principalId, scope: `/subscriptions/${f.sub}/resourceGroups/${rg}`, principalType: 'ServicePrincipal' });
}

/** A new principal holding on the vault a custom role, defined at the subscription through the real client, with exactly `actions`. */
async function principalWithCustomRoleOnVault(f: Fixture, roleName: string, actions: string[]): Promise<string> {
  const roleGuid = randomUUID();
  const scope = `/subscriptions/${f.sub}`;
  await authorizationClientFor(f.emu).roleDefinitions.createOrUpdate(scope, roleGuid, { roleName, roleType: 'CustomRole', permissions: [{ actions }], assignableScopes: [scope] });
  const principalId = newPrincipalId();
  f.emu.control.grantRole({ role: roleGuid, principalId, scope: f.vaultId });
  return principalId;
}

describe('backup provider', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.emu.close();
  });

  describe('#privateEndpointConnectionOperations.get', () => {
    it('answers the connection in the Backup RP\'s shape', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const c = await f.backup().privateEndpointConnectionOperations.get('vault1', 'rg-backup', name);
      expect(c).toMatchObject({
        id: `${f.vaultId}/privateEndpointConnections/${name}`,
        name,
        type: 'Microsoft.RecoveryServices/vaults/privateEndpointConnections',
        properties: { provisioningState: 'Succeeded', privateEndpoint: { id: f.peId('pe1') }, groupIds: ['AzureBackup'], privateLinkServiceConnectionState: { status: 'Pending' } },
      });
    });

    it('answers 404 ResourceNotFound for an unknown connection', async () => {
      const e = await restErrorOf(f.backup().privateEndpointConnectionOperations.get('vault1', 'rg-backup', 'nope.1.backup.x'));
      expect(e).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    });
  });

  describe('#privateEndpointConnectionOperations.beginPut', () => {
    it('answers 201 with Azure-AsyncOperation and the requested state, then completes', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const raw = await armRequest(f.emu, { method: 'PUT', path: `${f.vaultId}/privateEndpointConnections/${name}?api-version=2023-06-01`, body: decision(f, 'pe1', 'Approved') });
      expect(raw.status).toBe(201);
      expect(raw.headers['azure-asyncoperation']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
      expect(raw.body).toMatchObject({ properties: { provisioningState: 'Pending', privateLinkServiceConnectionState: { status: 'Approved' } } });
    });

    it.each(['Approved', 'Rejected', 'Disconnected'])('sets a Pending connection to %s and mirrors it into the private endpoint', async (status) => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const result = await f.backup().privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', status), poll);
      expect(result.properties).toMatchObject({ provisioningState: 'Succeeded', privateLinkServiceConnectionState: { status, description: `${status} by the vault owner` } });
      const pe = await f.network().privateEndpoints.get('rg-pe', 'pe1');
      expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe(status);
      const vault = await f.vaultsClient().vaults.get('rg-backup', 'vault1');
      expect(vault.properties?.privateEndpointStateForBackup).toBe(status === 'Approved' ? 'Enabled' : 'None');
    });

    it('emits a connection write event when the approval completes', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const approver = newPrincipalId();
      f.emu.control.grantRole({ role: 'Contributor', principalId: approver, scope: f.vaultId });
      await f.backup(approver).privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', 'Approved'), poll);
      const event = f.emu.events.published().find((e) => (e.data as { operationName: string }).operationName === 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write');
      expect(event?.subject.toLowerCase()).toBe(`${f.vaultId}/privateEndpointConnections/${name}`.toLowerCase());
      expect(JSON.stringify(event?.data)).toContain(approver);
    });

    it.each([
      ['Pending', 'Pending'],
      ['a Disconnected connection to Approved', 'Disconnected'],
    ])('refuses %s with 400', async (_what, first) => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      if (first === 'Disconnected') {
        await f.backup().privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', 'Disconnected'), poll);
      }
      const e = await restErrorOf(f.backup().privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', first === 'Pending' ? 'Pending' : 'Approved'), poll));
      expect(e).toEqual({ statusCode: 400, code: 'BadRequest' });
    });

    it('refuses a body naming another private endpoint', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const e = await restErrorOf(f.backup().privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'other', 'Approved'), poll));
      expect(e).toEqual({ statusCode: 400, code: 'BadRequest' });
    });

    it('answers 404 for a connection that does not exist (the Backup RP never creates one)', async () => {
      const e = await restErrorOf(f.backup().privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', 'ghost.1.backup.x', decision(f, 'pe1', 'Approved'), poll));
      expect(e).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    });

    it('refuses with 403 a caller who may write connections but lacks the approval action', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const writer = await principalWithCustomRoleOnVault(f, 'Connection writer without approval', ['Microsoft.RecoveryServices/vaults/privateEndpointConnections/*', 'Microsoft.RecoveryServices/vaults/read']);
      const e = await restErrorOf(f.backup(writer).privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', 'Approved'), poll));
      expect(e).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
      const c = await f.backup().privateEndpointConnectionOperations.get('vault1', 'rg-backup', name);
      expect(c.properties?.privateLinkServiceConnectionState?.status).toBe('Pending');
    });

    it('is retried by the SDK after a 429 with Retry-After, and approves once', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      f.emu.faults.add({ match: { operation: 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write' }, fault: { kind: 'throttle', retryAfterSeconds: 1, retryAfterMs: 5 }, times: 1 });
      f.emu.writes.reset();
      const retrying = new RecoveryServicesBackupClient(f.emu.credentialFor(f.emu.ownerPrincipalId), f.sub, sdkClientOptions(f.emu));
      const result = await retrying.privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', 'Approved'), poll);
      expect(result.properties?.privateLinkServiceConnectionState?.status).toBe('Approved');
      expect(f.emu.writes.log().map((w) => [w.status, w.faulted])).toEqual([
        [429, true],
        [201, false],
      ]);
    });

    it('lets a custom role with the write and approval actions approve', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const name = await connectionNameOf(f, 'pe1');
      const approver = await principalWithCustomRoleOnVault(f, 'Backup approver', ['Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/read', APPROVAL_ACTION]);
      const result = await f.backup(approver).privateEndpointConnectionOperations.beginPutAndWait('vault1', 'rg-backup', name, decision(f, 'pe1', 'Approved'), poll);
      expect(result.properties?.privateLinkServiceConnectionState?.status).toBe('Approved');
    });
  });

  describe('#privateEndpointConnectionOperations.beginDelete', () => {
    it('removes the connection and leaves the private endpoint Disconnected', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      const name = await connectionNameOf(f, 'pe1');
      await f.backup().privateEndpointConnectionOperations.beginDeleteAndWait('vault1', 'rg-backup', name, poll);
      const e = await restErrorOf(f.backup().privateEndpointConnectionOperations.get('vault1', 'rg-backup', name));
      expect(e.statusCode).toBe(404);
      const pe = await f.network().privateEndpoints.get('rg-pe', 'pe1');
      expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Disconnected');
      const vault = await f.vaultsClient().vaults.get('rg-backup', 'vault1');
      expect(vault.properties?.privateEndpointConnections).toBeUndefined();
    });

    it('answers 204 for a connection that does not exist', async () => {
      const raw = await armRequest(f.emu, { method: 'DELETE', path: `${f.vaultId}/privateEndpointConnections/ghost?api-version=2023-06-01` });
      expect(raw.status).toBe(204);
    });
  });

  describe('#backupUsageSummaries.list', () => {
    async function usages(filter?: string): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for await (const u of f.backup().backupUsageSummaries.list('vault1', 'rg-backup', filter ? { filter } : {})) out[u.name?.value as string] = u.currentValue as number;
      return out;
    }

    it('shows no item on a new vault and counts registrations and protected items', async () => {
      expect(await usages()).toMatchObject({ ProtectedItemCount: 0, ManagedContainerCount: 0 });
      await f.backupPart.registerContainer(f.vaultId, { containerName: 'sqlvm1' });
      await f.backupPart.runBackup(f.vaultId, { itemName: 'db1' });
      expect(await usages()).toMatchObject({ ProtectedItemCount: 1, ManagedContainerCount: 1 });
      expect(await usages("type eq 'BackupProtectedItemCountSummary'")).toEqual({ AzureWorkload: 1 });
    });
  });

  describe('#registerContainer', () => {
    it('makes a vault without private endpoints ineligible for them for ever', async () => {
      const job = await f.backupPart.registerContainer(f.vaultId);
      expect(job).toMatchObject({ status: 'Completed', createdPrivateEndpoints: [] });
      expect(f.vaults.privateLinkVault(f.vaultId)?.itemsBeforePrivateEndpoints).toBe(true);
      const e = await restErrorOf(createBackupPrivateEndpoint(f, 'pe1', false));
      expect(e).toEqual({ statusCode: 400, code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
    });

    it('creates the _ecs blob and queue endpoints as the vault identity when it holds its roles', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      const identity = await f.identity();
      grantSeedRoles(f, identity);
      f.emu.writes.reset();
      const job = await f.backupPart.registerContainer(f.vaultId);
      const numericId = f.vaults.privateLinkVault(f.vaultId)?.numericId as string;
      const expected = ['blob', 'queue'].map((s) => f.peId(secondaryEndpointName('pe1', 'ecs', s as 'blob' | 'queue', numericId)));
      expect(job).toMatchObject({ status: 'Completed', createdPrivateEndpoints: expected });
      for (const [k, id] of expected.entries()) {
        const pe = await f.network().privateEndpoints.get('rg-pe', id.split('/').pop() as string);
        const service = k === 0 ? 'blob' : 'queue';
        expect(pe.subnet?.id?.toLowerCase()).toBe(f.subnetId.toLowerCase());
        expect(pe.privateLinkServiceConnections?.[0]).toMatchObject({ groupIds: [service], privateLinkServiceConnectionState: { status: 'Approved' } });
        expect(pe.privateLinkServiceConnections?.[0]?.privateLinkServiceId).toMatch(/\/Microsoft\.Storage\/storageAccounts\/[a-z]{6}pod01ecs\d{3}$/);
        expect(pe.customDnsConfigs?.[0]?.fqdn).toMatch(new RegExp(`^[a-z]{6}pod01ecs\\d{3}\\.${service}\\.core\\.windows\\.net$`));
      }
      // Azure Backup's writes: made by the vault identity, counted as side effects, with events.
      expect(f.emu.writes.log().map((w) => [w.principalId, w.sideEffect, w.status])).toEqual([
        [identity, true, 201],
        [identity, true, 201],
      ]);
      // The endpoints' own events (their NICs' events name the network service, as in Azure).
      const ecsEvents = f.emu.events.published().filter((e) => e.subject.includes('_ecs') && e.data['operationName'] === 'Microsoft.Network/privateEndpoints/write');
      expect(ecsEvents.length).toBeGreaterThanOrEqual(2);
      expect(ecsEvents.every((e) => JSON.stringify(e.data).includes(identity))).toBe(true);
    });

    it('creates nothing more when a second container registers', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      grantSeedRoles(f, await f.identity());
      await f.backupPart.registerContainer(f.vaultId, { containerName: 'vm1' });
      const again = await f.backupPart.registerContainer(f.vaultId, { containerName: 'vm2' });
      expect(again).toMatchObject({ status: 'Completed', createdPrivateEndpoints: [] });
      expect(f.vaults.vaultState(f.vaultId)?.registeredContainers).toBe(2);
    });

    it.each([
      ['no role at all', [] as string[], 'AuthorizationFailed'],
      ['Contributor on the endpoint group only (no subnet join)', ['rg-pe'], 'LinkedAuthorizationFailed'],
    ])('fails like Azure when the vault identity has %s', async (_what, groups, code) => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      const identity = await f.identity();
      for (const rg of groups) f.emu.control.grantRole({ role: 'Contributor', principalId: identity, scope: `/subscriptions/${f.sub}/resourceGroups/${rg}` });
      const job = await f.backupPart.registerContainer(f.vaultId);
      expect(job.status).toBe('Failed');
      expect(job.error?.code).toBe(code);
      expect(job.createdPrivateEndpoints).toEqual([]);
      // The attempt counts (FAQ 2), but the vault had its endpoint first: the order keeps it eligible (FAQ 3).
      expect(f.vaults.vaultState(f.vaultId)).toMatchObject({ registeredContainers: 0, everHadItems: true });
      expect(f.vaults.privateLinkVault(f.vaultId)?.itemsBeforePrivateEndpoints).toBe(false);
    });

    it('fails when the vault identity was turned off', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      await f.vaultsClient().vaults.beginUpdateAndWait('rg-backup', 'vault1', { identity: { type: 'None' } }, poll);
      const job = await f.backupPart.registerContainer(f.vaultId);
      expect(job).toMatchObject({ status: 'Failed', error: { code: 'UserErrorVaultIdentityNotEnabled' } });
    });

    it('fails while the only private endpoint is still Pending', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', true);
      const job = await f.backupPart.registerContainer(f.vaultId);
      expect(job).toMatchObject({ status: 'Failed', error: { code: 'UserErrorPrivateEndpointNotApproved' } });
    });

    it('creates no _ecs endpoint for a v2 vault', async () => {
      f.vaults.setNewVaultBackupStorageVersion('V2');
      await f.vaultsClient().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault2', { location: LOCATION, sku: { name: 'Standard' } }, poll);
      const v2Id = f.vaultId.replace(/vault1$/, 'vault2');
      await f.network().privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-pe',
        'pe2',
        { location: LOCATION, subnet: { id: f.subnetId }, privateLinkServiceConnections: [{ name: 'pe2', privateLinkServiceId: v2Id, groupIds: ['AzureBackup'] }] },
        poll,
      );
      const job = await f.backupPart.registerContainer(v2Id);
      expect(job).toMatchObject({ status: 'Completed', createdPrivateEndpoints: [] });
    });

    it('is served by the control API without a token', async () => {
      const r = await armRequest(f.emu, { method: 'POST', path: '/_emulator/backup/registerContainer', body: { vaultId: f.vaultId, containerName: 'vm9' }, principalId: null });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'Completed', vaultId: f.vaultId });
    });

    it.each([
      ['no vaultId', {}, 400, 'MissingParameter'],
      ['a vault that does not exist', { vaultId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.RecoveryServices/vaults/z' }, 404, 'ResourceNotFound'],
      ['an id that is not a vault', { vaultId: '/subscriptions/x/resourceGroups/y' }, 400, 'InvalidVaultId'],
    ])('answers an error envelope for %s', async (_what, body, status, code) => {
      const r = await armRequest(f.emu, { method: 'POST', path: '/_emulator/backup/registerContainer', body, principalId: null });
      expect([r.status, errorCode(r)]).toEqual([status, code]);
    });
  });

  describe('#runBackup', () => {
    it('fails before any container is registered', async () => {
      const job = await f.backupPart.runBackup(f.vaultId);
      expect(job).toMatchObject({ status: 'Failed', error: { code: 'UserErrorContainerNotRegistered' } });
    });

    it('creates the _prot blob endpoint at the first backup only', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      grantSeedRoles(f, await f.identity());
      await f.backupPart.registerContainer(f.vaultId);
      const first = await f.backupPart.runBackup(f.vaultId, { itemName: 'db1' });
      const second = await f.backupPart.runBackup(f.vaultId, { itemName: 'db1' });
      const numericId = f.vaults.privateLinkVault(f.vaultId)?.numericId as string;
      expect(first).toMatchObject({ status: 'Completed', createdPrivateEndpoints: [f.peId(secondaryEndpointName('pe1', 'prot', 'blob', numericId))] });
      expect(second).toMatchObject({ status: 'Completed', createdPrivateEndpoints: [] });
      const prot = await f.network().privateEndpoints.get('rg-pe', secondaryEndpointName('pe1', 'prot', 'blob', numericId));
      expect(prot.customDnsConfigs?.[0]?.fqdn).toMatch(/^[a-z]{6}pod01prot\d{3}\.blob\.core\.windows\.net$/);
      expect(f.vaults.vaultState(f.vaultId)?.protectedItems).toBe(1);
    });

    it('fails from a VNet that resolves the vault\'s names publicly (no private DNS), listing them', async () => {
      await createBackupPrivateEndpoint(f, 'pe1', false);
      grantSeedRoles(f, await f.identity());
      await f.backupPart.registerContainer(f.vaultId);
      const job = await f.backupPart.runBackup(f.vaultId, { vnetId: f.vnetId });
      expect(job.status).toBe('Failed');
      expect(job.error?.code).toBe('UserErrorPrivateEndpointNameResolutionFailed');
      // 8 Backup members + _ecs blob + _ecs queue + _prot blob
      expect(job.unresolved).toHaveLength(11);
      expect(job.unresolved.every((u) => u.answer === 'public' && u.expected.length === 1)).toBe(true);
      expect(job.unresolved.map((u) => u.fqdn)).toEqual(expect.arrayContaining([expect.stringMatching(/-ab-pod01-fab1\.uks\.backup\.windowsazure\.com$/), expect.stringMatching(/pod01prot\d{3}\.blob\.core\.windows\.net$/)]));
    });

    it('needs no private name resolution for a vault without private endpoints', async () => {
      await f.backupPart.registerContainer(f.vaultId);
      const job = await f.backupPart.runBackup(f.vaultId, { vnetId: f.vnetId });
      expect(job).toMatchObject({ status: 'Completed', unresolved: [] });
    });

    it('answers 400 for a VNet that does not exist', async () => {
      await f.backupPart.registerContainer(f.vaultId);
      const r = await armRequest(f.emu, { method: 'POST', path: '/_emulator/backup/runBackup', body: { vaultId: f.vaultId, vnetId: `${f.vnetId}-missing` }, principalId: null });
      expect([r.status, errorCode(r)]).toEqual([400, 'InvalidVirtualNetworkId']);
    });
  });

  describe('#requiredNames', () => {
    it('lists every FQDN of the approved endpoints with its private IP', async () => {
      const pe = await createBackupPrivateEndpoint(f, 'pe1', false);
      const names = f.backupPart.requiredNames(f.vaultId);
      expect(names.size).toBe(8);
      for (const config of pe.customDnsConfigs ?? []) expect(names.get(config.fqdn as string)).toEqual(config.ipAddresses);
      const r = await armRequest(f.emu, { path: `/_emulator/backup/requiredNames?vaultId=${encodeURIComponent(f.vaultId)}`, principalId: null });
      expect(Object.keys(r.body as object)).toHaveLength(8);
    });
  });
});
