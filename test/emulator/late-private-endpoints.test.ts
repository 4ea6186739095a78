import { backupFixture, type BackupFixture } from './backup-fixture';
import { restErrorOf } from './helpers';

/**
 * The seed's eligibility rule with its FAQ, through the real @azure/arm-network client: a vault
 * refuses private endpoints only when it had items (or attempts) BEFORE its first private
 * endpoint; one whose endpoints came first can get more, or lose them and get them again.
 */
describe('late private endpoints', () => {
  let f: BackupFixture;
  afterEach(async () => f.emu.close());

  beforeEach(async () => {
    // a v2 vault: no identity roles needed for Backup's part, so the rule is all that is tested
    f = await backupFixture({ experience: 'V2', identity: false });
    await f.createVnet('vnet1', '10.1.0.0/16');
  });

  it('lets a vault whose first endpoint came before its items get another endpoint', async () => {
    await f.createPrivateEndpoint('pe1', 'vnet1');
    expect((await f.backup.registerContainer(f.vaultId)).status).toBe('Completed');
    expect((await f.backup.runBackup(f.vaultId)).status).toBe('Completed');
    await expect(f.createPrivateEndpoint('pe2', 'vnet1')).resolves.toMatchObject({ name: 'pe2', provisioningState: 'Succeeded' });
    expect(f.recoveryServices.privateLinkVault(f.vaultId)?.itemsBeforePrivateEndpoints).toBe(false);
  });

  it('lets such a vault lose all its endpoints and get them again', async () => {
    await f.createPrivateEndpoint('pe1', 'vnet1');
    expect((await f.backup.registerContainer(f.vaultId)).status).toBe('Completed');
    await f.deletePrivateEndpoint('pe1');
    const vault = await f.vaults().vaults.get('rg-backup', 'vault1');
    expect(vault.properties?.privateEndpointConnections ?? []).toEqual([]);
    await expect(f.createPrivateEndpoint('pe1', 'vnet1')).resolves.toMatchObject({ name: 'pe1' });
  });

  it('refuses a vault that had an item registered before any endpoint', async () => {
    expect((await f.backup.registerContainer(f.vaultId)).status).toBe('Completed');
    expect(await restErrorOf(f.createPrivateEndpoint('pe1', 'vnet1'))).toEqual({ statusCode: 400, code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
  });

  it('counts a failed protection attempt before any endpoint as items', async () => {
    const job = await f.backup.runBackup(f.vaultId);
    expect(job).toMatchObject({ status: 'Failed', error: { code: 'UserErrorContainerNotRegistered' } });
    expect(await restErrorOf(f.createPrivateEndpoint('pe1', 'vnet1'))).toEqual({ statusCode: 400, code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
  });

  it('remembers the first endpoint even when it was rejected and deleted before the items came', async () => {
    // a manual (Pending) endpoint counts as the vault's first private endpoint as soon as it exists
    await f.network().privateEndpoints.beginCreateOrUpdateAndWait(
      'rg-pe',
      'pe-early',
      { location: 'uksouth', subnet: { id: `${f.vnetId('vnet1')}/subnets/pe` }, manualPrivateLinkServiceConnections: [{ name: 'pe-early', privateLinkServiceId: f.vaultId, groupIds: ['AzureBackup'], requestMessage: 'early' }] },
      { updateIntervalInMs: 1 },
    );
    await f.deletePrivateEndpoint('pe-early');
    expect((await f.backup.registerContainer(f.vaultId)).status).toBe('Completed');
    await expect(f.createPrivateEndpoint('pe1', 'vnet1')).resolves.toMatchObject({ name: 'pe1' });
    const state = f.recoveryServices.vaultState(f.vaultId);
    expect(state?.firstPrivateEndpointAt).toBeDefined();
    expect((state?.firstPrivateEndpointAt as string) <= (state?.firstItemAttemptAt as string)).toBe(true);
  });
});
