import { NetworkManagementClient } from '@azure/arm-network';
import { RecoveryServicesClient, type Vault } from '@azure/arm-recoveryservices';
import { startEmulator, type Emulator } from '../../emulator';
import { createNetworkProvider } from '../../emulator/providers/network';
import type { RecoveryServicesExports } from '../../emulator/providers/recoveryservices';
import { armRequest, errorCode, namesOf, newPrincipalId, noRetrySdkClient, noRetrySdkClientOptions, restErrorOf } from './helpers';

/**
 * Contract tests: the real @azure/arm-recoveryservices 6.x client against the emulator's
 * Microsoft.RecoveryServices/vaults. Request bodies follow the REST examples (PUTVault, PATCHVault)
 * and the seed's "Create a Recovery Services vault using the Azure Resource Manager client".
 */
const poll = { updateIntervalInMs: 1 };
const LOCATION = 'uksouth';

interface Fixture {
  emu: Emulator;
  sub: string;
  vaultId(name: string, rg?: string): string;
  client(principalId?: string): RecoveryServicesClient;
  network(principalId?: string): NetworkManagementClient;
  vaults: RecoveryServicesExports;
}

async function fixture(): Promise<Fixture> {
  const emu = await startEmulator({ providers: [createNetworkProvider()], lroPollsBeforeDone: 1 });
  const sub = emu.subscriptionId;
  for (const rg of ['rg-backup', 'rg-other', 'rg-net']) emu.control.createResourceGroup(sub, rg, LOCATION);
  return {
    emu,
    sub,
    vaultId: (name, rg = 'rg-backup') => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${name}`,
    client: (principalId) => noRetrySdkClient(emu, RecoveryServicesClient, principalId),
    network: (principalId) => noRetrySdkClient(emu, NetworkManagementClient, principalId),
    vaults: emu.provider<RecoveryServicesExports>('recoveryservices'),
  };
}

/** The seed's MSIVault.json body. */
function msiVault(): Vault {
  return { location: LOCATION, tags: { PutKey: 'PutValue' }, properties: {}, sku: { name: 'RS0', tier: 'Standard' }, identity: { type: 'SystemAssigned' } };
}

/**
 * A VNet with a `pe` subnet, and a Backup private endpoint in it to `vaultId`: automatic (approved
 * at once for the owner) or manual (its connection waits, Pending).
 */
async function createPrivateEndpoint(f: Fixture, vaultId: string, name = 'pe1', approval: 'automatic' | 'manual' = 'automatic'): Promise<void> {
  const connections = [{ name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'] }];
  await f.network().virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-net',
    'vnet1',
    { location: LOCATION, addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'pe', addressPrefix: '10.0.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
    poll,
  );
  await f.network().privateEndpoints.beginCreateOrUpdateAndWait(
    'rg-net',
    name,
    {
      location: LOCATION,
      subnet: { id: `/subscriptions/${f.sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/pe` },
      ...(approval === 'manual' ? { manualPrivateLinkServiceConnections: connections } : { privateLinkServiceConnections: connections }),
    },
    poll,
  );
}

describe('recoveryservices provider', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.emu.close();
  });

  describe('#vaults.beginCreateOrUpdate', () => {
    it('creates a classic vault with a system-assigned identity as the seed shows it', async () => {
      const vault = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      expect(vault).toMatchObject({
        id: f.vaultId('vault1'),
        name: 'vault1',
        type: 'Microsoft.RecoveryServices/vaults',
        location: LOCATION,
        tags: { PutKey: 'PutValue' },
        sku: { name: 'RS0', tier: 'Standard' },
        identity: { type: 'SystemAssigned', tenantId: f.emu.tenantId },
        properties: { provisioningState: 'Succeeded', privateEndpointStateForBackup: 'None', privateEndpointStateForSiteRecovery: 'None', backupStorageVersion: 'V1' },
      });
      expect(vault.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(vault.etag).toMatch(/^W\/"datetime'.+'"$/);
      expect(vault.properties?.privateEndpointConnections).toBeUndefined();
    });

    it('never shows the emulator\'s own facts about the vault', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const raw = await armRequest(f.emu, { path: `${f.vaultId('vault1')}?api-version=2024-04-01` });
      expect(JSON.stringify(raw.body)).not.toContain('x-emulator');
      expect(JSON.stringify(raw.body)).not.toContain('numericId');
    });

    it('emits a write event for the vault with the caller as claims', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const events = f.emu.events.published().filter((e) => e.subject.toLowerCase() === f.vaultId('vault1').toLowerCase());
      expect(events.map((e) => (e.data as { operationName: string }).operationName)).toEqual(['Microsoft.RecoveryServices/vaults/write']);
    });

    it('creates a v2 vault when the emulator switch says so, and classic ones again when switched back', async () => {
      const put = await armRequest(f.emu, { method: 'PUT', path: '/_emulator/recoveryservices/settings', body: { newVaultBackupStorageVersion: 'V2' }, principalId: null });
      expect(put.status).toBe(200);
      const v2 = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault2', msiVault(), poll);
      f.vaults.setNewVaultBackupStorageVersion('V1');
      const v1 = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      expect([v2.properties?.backupStorageVersion, v1.properties?.backupStorageVersion]).toEqual(['V2', 'V1']);
      expect(f.vaults.privateLinkVault(f.vaultId('vault2'))?.experience).toBe('v2');
    });

    it('refuses an unknown experience in the emulator switch', async () => {
      const put = await armRequest(f.emu, { method: 'PUT', path: '/_emulator/recoveryservices/settings', body: { newVaultBackupStorageVersion: 'V3' }, principalId: null });
      expect([put.status, errorCode(put)]).toEqual([400, 'InvalidSetting']);
    });

    it('ignores read-only properties a client sends', async () => {
      const body = { ...msiVault(), properties: { backupStorageVersion: 'V2', privateEndpointStateForBackup: 'Enabled', publicNetworkAccess: 'Disabled' } } as unknown as Vault;
      const vault = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', body, poll);
      expect(vault.properties).toMatchObject({ backupStorageVersion: 'V1', privateEndpointStateForBackup: 'None', publicNetworkAccess: 'Disabled' });
    });

    it('keeps the principal while the identity stays on', async () => {
      const first = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const again = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { ...msiVault(), tags: { b: '2' } }, poll);
      const patched = await f.client().vaults.beginUpdateAndWait('rg-backup', 'vault1', { tags: { c: '3' } }, poll);
      expect(again.identity?.principalId).toBe(first.identity?.principalId);
      expect(patched.identity?.principalId).toBe(first.identity?.principalId);
      expect(patched.tags).toEqual({ c: '3' });
    });

    it('gives a NEW principal after the identity is turned off and on again', async () => {
      const first = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const off = await f.client().vaults.beginUpdateAndWait('rg-backup', 'vault1', { identity: { type: 'None' } }, poll);
      const on = await f.client().vaults.beginUpdateAndWait('rg-backup', 'vault1', { identity: { type: 'SystemAssigned' } }, poll);
      expect(off.identity).toEqual({ type: 'None' });
      expect(on.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(on.identity?.principalId).not.toBe(first.identity?.principalId);
      expect(f.vaults.vaultState(f.vaultId('vault1'))?.identityEverDisabled).toBe(true);
    });

    it('keeps the identity in the old tenant when the subscription moves (control API), and gives a principal of the new tenant after off and on', async () => {
      const first = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const newTenant = newPrincipalId();
      const moved = await armRequest(f.emu, { method: 'POST', path: `/_emulator/subscriptions/${f.sub}/move`, body: { tenantId: newTenant }, principalId: null });
      expect([moved.status, (moved.body as { tenantId?: string }).tenantId]).toEqual([200, newTenant]);
      // Tokens of the old tenant no longer open the subscription.
      expect(await restErrorOf(f.client().vaults.get('rg-backup', 'vault1'))).toMatchObject({ statusCode: 401 });
      const inNewTenant = new RecoveryServicesClient(f.emu.credentialFor(f.emu.ownerPrincipalId, newTenant), f.sub, noRetrySdkClientOptions(f.emu));
      const read = await inNewTenant.vaults.get('rg-backup', 'vault1');
      expect(read.identity).toMatchObject({ principalId: first.identity?.principalId, tenantId: f.emu.tenantId });
      await inNewTenant.vaults.beginUpdateAndWait('rg-backup', 'vault1', { identity: { type: 'None' } }, poll);
      const again = await inNewTenant.vaults.beginUpdateAndWait('rg-backup', 'vault1', { identity: { type: 'SystemAssigned' } }, poll);
      expect(again.identity?.tenantId).toBe(newTenant);
      expect(again.identity?.principalId).not.toBe(first.identity?.principalId);
      const unknown = await armRequest(f.emu, { method: 'POST', path: '/_emulator/subscriptions/00000000-0000-4000-8000-00000000dead/move', body: { tenantId: newTenant }, principalId: null });
      expect(unknown.status).toBe(404);
    });

    it('creates a vault without identity when none is asked for', async () => {
      const vault = await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { location: LOCATION, sku: { name: 'Standard' } }, poll);
      expect(vault.identity).toBeUndefined();
    });

    it('gives a re-created vault a new numeric id', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const before = f.vaults.privateLinkVault(f.vaultId('vault1'))?.numericId;
      await f.client().vaults.beginDeleteAndWait('rg-backup', 'vault1', poll);
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const after = f.vaults.privateLinkVault(f.vaultId('vault1'))?.numericId;
      expect(before).toMatch(/^[1-9]\d{18}$/);
      expect(after).toMatch(/^[1-9]\d{18}$/);
      expect(after).not.toBe(before);
    });

    it.each([
      ['no location', { sku: { name: 'Standard' } }, 400, 'LocationRequired'],
      ['an unknown identity type', { location: LOCATION, identity: { type: 'Sometimes' } }, 400, 'InvalidIdentityType'],
    ])('refuses a body with %s', async (_what, body, status, code) => {
      const r = await armRequest(f.emu, { method: 'PUT', path: `${f.vaultId('vault1')}?api-version=2024-04-01`, body });
      expect([r.status, errorCode(r)]).toEqual([status, code]);
    });

    it('refuses to move an existing vault to another region', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const e = await restErrorOf(f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { ...msiVault(), location: 'westeurope' }, poll));
      expect(e).toEqual({ statusCode: 409, code: 'InvalidResourceLocation' });
    });

    it('answers 404 ResourceGroupNotFound for a missing resource group', async () => {
      const e = await restErrorOf(f.client().vaults.beginCreateOrUpdateAndWait('rg-missing', 'vault1', msiVault(), poll));
      expect(e).toEqual({ statusCode: 404, code: 'ResourceGroupNotFound' });
    });

    it('answers 403 AuthorizationFailed to a principal without a role', async () => {
      const e = await restErrorOf(f.client(newPrincipalId()).vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll));
      expect(e).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    });

    it('lets a Contributor on the resource group create a vault', async () => {
      const contributor = newPrincipalId();
      f.emu.control.grantRole({ role: 'Contributor', principalId: contributor, scope: `/subscriptions/${f.sub}/resourceGroups/rg-backup` });
      const vault = await f.client(contributor).vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      expect(vault.name).toBe('vault1');
    });
  });

  describe('#vaults.beginUpdate', () => {
    it('answers 404 ResourceNotFound for a missing vault', async () => {
      const e = await restErrorOf(f.client().vaults.beginUpdateAndWait('rg-backup', 'nope', { tags: {} }, poll));
      expect(e).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    });

    it('merges writable properties and keeps the others', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { ...msiVault(), properties: { publicNetworkAccess: 'Disabled' } }, poll);
      const patched = await f.client().vaults.beginUpdateAndWait('rg-backup', 'vault1', { properties: { restoreSettings: { crossSubscriptionRestoreSettings: { crossSubscriptionRestoreState: 'Enabled' } } } }, poll);
      expect(patched.properties).toMatchObject({ publicNetworkAccess: 'Disabled', restoreSettings: { crossSubscriptionRestoreSettings: { crossSubscriptionRestoreState: 'Enabled' } } });
      expect(patched.location).toBe(LOCATION);
    });
  });

  describe('#vaults.get and lists', () => {
    it('answers 404 ResourceNotFound for a missing vault', async () => {
      const e = await restErrorOf(f.client().vaults.get('rg-backup', 'nope'));
      expect(e).toEqual({ statusCode: 404, code: 'ResourceNotFound' });
    });

    it('finds a vault whatever the casing of its id', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const raw = await armRequest(f.emu, { path: `//subscriptions/${f.sub}/resourcegroups/RG-BACKUP/providers/Microsoft.RecoveryServices/Vaults/VAULT1?api-version=2017-07-01-preview` });
      expect(raw.status).toBe(200);
      expect((raw.body as { id: string }).id).toBe(f.vaultId('vault1'));
    });

    it('lists vaults by resource group and by subscription', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-other', 'vault2', msiVault(), poll);
      const inGroup = await namesOf(f.client().vaults.listByResourceGroup('rg-backup'));
      const inSubscription = await namesOf(f.client().vaults.listBySubscriptionId());
      expect(inGroup).toEqual(['vault1']);
      expect(inSubscription.sort()).toEqual(['vault1', 'vault2']);
    });

    it('requires an api-version', async () => {
      const raw = await armRequest(f.emu, { path: f.vaultId('vault1') });
      expect([raw.status, errorCode(raw)]).toEqual([400, 'MissingApiVersionParameter']);
    });
  });

  describe('privateEndpointConnections (read-only vault property)', () => {
    it('lists the connection of a private endpoint and enables the vault\'s private endpoint state once approved', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      await createPrivateEndpoint(f, f.vaultId('vault1'));
      const vault = await f.client().vaults.get('rg-backup', 'vault1');
      const numericId = f.vaults.privateLinkVault(f.vaultId('vault1'))?.numericId as string;
      expect(vault.properties?.privateEndpointStateForBackup).toBe('Enabled');
      expect(vault.properties?.privateEndpointConnections).toHaveLength(1);
      const connection = vault.properties?.privateEndpointConnections?.[0];
      expect(connection?.id).toMatch(new RegExp(`/privateEndpointConnections/pe1\\.${numericId}\\.backup\\.[0-9a-f-]{36}$`));
      expect(connection?.properties).toMatchObject({
        provisioningState: 'Succeeded',
        privateEndpoint: { id: `/subscriptions/${f.sub}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe1` },
        groupIds: ['AzureBackup'],
        privateLinkServiceConnectionState: { status: 'Approved' },
      });
    });

    it('keeps the state None while the only connection is Pending', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      await createPrivateEndpoint(f, f.vaultId('vault1'), 'pe1', 'manual');
      const vault = await f.client().vaults.get('rg-backup', 'vault1');
      expect(vault.properties?.privateEndpointStateForBackup).toBe('None');
      expect(vault.properties?.privateEndpointConnections?.[0]?.properties?.privateLinkServiceConnectionState?.status).toBe('Pending');
    });
  });

  describe('#vaults.beginDelete', () => {
    it('deletes an empty vault and emits a delete event', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      await f.client().vaults.beginDeleteAndWait('rg-backup', 'vault1', poll);
      const e = await restErrorOf(f.client().vaults.get('rg-backup', 'vault1'));
      expect(e.statusCode).toBe(404);
      const ops = f.emu.events.published().map((ev) => (ev.data as { operationName: string }).operationName);
      expect(ops).toContain('Microsoft.RecoveryServices/vaults/delete');
    });

    it('answers 204 for a vault that does not exist', async () => {
      const raw = await armRequest(f.emu, { method: 'DELETE', path: `${f.vaultId('nope')}?api-version=2024-04-01` });
      expect(raw.status).toBe(204);
    });

    it('refuses with 409 ServiceResourceNotEmpty while private endpoint connections exist', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      await createPrivateEndpoint(f, f.vaultId('vault1'));
      const e = await restErrorOf(f.client().vaults.beginDeleteAndWait('rg-backup', 'vault1', poll));
      expect(e).toEqual({ statusCode: 409, code: 'ServiceResourceNotEmpty' });
    });
  });

  describe('#privateLinkResourcesOperations.list', () => {
    it.each([
      ['V1', 8, ['privatelink.uks.backup.windowsazure.com', 'privatelink.queue.core.windows.net', 'privatelink.blob.core.windows.net']],
      ['V2', 6, ['privatelink.uks.backup.windowsazure.com']],
    ] as const)('names the members and zones of a %s vault in its region', async (version, members, zones) => {
      f.vaults.setNewVaultBackupStorageVersion(version);
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const resources = [];
      for await (const r of f.client().privateLinkResourcesOperations.list('rg-backup', 'vault1')) resources.push(r);
      const backup = resources.find((r) => r.groupId === 'AzureBackup');
      expect(backup?.requiredMembers).toHaveLength(members);
      expect(backup?.requiredMembers).toContain('backup-fab1');
      expect(backup?.requiredZoneNames).toEqual(zones);
      const one = await f.client().privateLinkResourcesOperations.get('rg-backup', 'vault1', 'backupResource');
      expect(one.groupId).toBe('AzureBackup');
    });
  });

  describe('#usages.listByVaults', () => {
    it('counts no protected item on a new vault', async () => {
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      const usages = [];
      for await (const u of f.client().usages.listByVaults('rg-backup', 'vault1')) usages.push(u);
      expect(usages.find((u) => u.name?.value === 'ProtectedItemCount')?.currentValue).toBe(0);
    });
  });

  describe('#privateLinkVault (in-process, for the network provider)', () => {
    it('answers undefined for a missing vault and the facts of an existing one', async () => {
      expect(f.vaults.privateLinkVault(f.vaultId('vault1'))).toBeUndefined();
      await f.client().vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', msiVault(), poll);
      expect(f.vaults.privateLinkVault(f.vaultId('vault1').toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'))).toMatchObject({ location: LOCATION, experience: 'classic', itemsBeforePrivateEndpoints: false });
    });
  });
});
