import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { RecoveryServicesBackupClient } from '@azure/arm-recoveryservicesbackup';
import { randomUUID } from 'node:crypto';
import { startEmulator, type Emulator } from '../../emulator';
import type { BackupExports, BackupJobResult } from '../../emulator/providers/backup';
import { createNetworkProvider } from '../../emulator/providers/network';
import { privateDnsProvider, type PrivateDnsExports } from '../../emulator/providers/privatedns';
import { armRequest, namesOf, noRetrySdkClient, restErrorOf } from './helpers';

/**
 * The seed procedure ("Private Endpoints for Azure Backup", classic experience) walked by hand
 * through the emulator with the real SDK clients — no vaultlink logic — and each failure the seed
 * warns about when a step is skipped or done wrong.
 *
 * Cast: the platform team owns the subscription (vault, DNS, approvals); a spoke team holds
 * Contributor on its network and endpoint resource groups only, so its endpoint waits for approval.
 */
const poll = { updateIntervalInMs: 1 };
const LOCATION = 'uksouth';
const GEO = 'uks';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const RG = { vault: 'rg-backup', net: 'rg-spoke-net', pe: 'rg-spoke-pe', dns: 'rg-dns' } as const;
const BACKUP_ZONE = `privatelink.${GEO}.backup.windowsazure.com`;
const ZONES = [BACKUP_ZONE, 'privatelink.blob.core.windows.net', 'privatelink.queue.core.windows.net'];

class SeedWalk {
  readonly spokeTeam = randomUUID();
  private constructor(readonly emu: Emulator) {}

  static async start(): Promise<SeedWalk> {
    const emu = await startEmulator({ providers: [createNetworkProvider(), privateDnsProvider], lroPollsBeforeDone: 1 });
    const walk = new SeedWalk(emu);
    for (const rg of Object.values(RG)) emu.control.createResourceGroup(emu.subscriptionId, rg, LOCATION);
    for (const rg of [RG.net, RG.pe]) emu.control.grantRole({ role: 'Contributor', principalId: walk.spokeTeam, scope: walk.rgId(rg) });
    await walk.network().virtualNetworks.beginCreateOrUpdateAndWait(
      RG.net,
      'vnet-spoke',
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.1.0.0/16'] },
        subnets: [
          { name: 'endpoints', addressPrefix: '10.1.1.0/24', privateEndpointNetworkPolicies: 'Disabled' },
          { name: 'with-policies', addressPrefix: '10.1.2.0/24', privateEndpointNetworkPolicies: 'Enabled' },
        ],
      },
      poll,
    );
    return walk;
  }

  get sub(): string {
    return this.emu.subscriptionId;
  }
  rgId(rg: string): string {
    return `/subscriptions/${this.sub}/resourceGroups/${rg}`;
  }
  get vaultId(): string {
    return `${this.rgId(RG.vault)}/providers/Microsoft.RecoveryServices/vaults/vault1`;
  }
  get vnetId(): string {
    return `${this.rgId(RG.net)}/providers/Microsoft.Network/virtualNetworks/vnet-spoke`;
  }
  network(principalId?: string): NetworkManagementClient {
    return noRetrySdkClient(this.emu, NetworkManagementClient, principalId);
  }
  vaults(): RecoveryServicesClient {
    return noRetrySdkClient(this.emu, RecoveryServicesClient);
  }
  backupRp(): RecoveryServicesBackupClient {
    return noRetrySdkClient(this.emu, RecoveryServicesBackupClient);
  }
  dns(): PrivateDnsManagementClient {
    return noRetrySdkClient(this.emu, PrivateDnsManagementClient);
  }
  authorization(): AuthorizationManagementClient {
    return noRetrySdkClient(this.emu, AuthorizationManagementClient);
  }
  get backupService(): BackupExports {
    return this.emu.provider<BackupExports>('backup');
  }

  // --- the seed's steps -------------------------------------------------------------------

  /** "Create a Recovery Services vault" (portal: no identity yet). */
  async createVault(): Promise<void> {
    await this.vaults().vaults.beginCreateOrUpdateAndWait(RG.vault, 'vault1', { location: LOCATION, sku: { name: 'RS0', tier: 'Standard' }, properties: {} }, poll);
  }

  /** "Enable Managed Identity for your vault"; returns the object id. */
  async enableIdentity(): Promise<string> {
    const vault = await this.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault1', { identity: { type: 'SystemAssigned' } }, poll);
    return vault.identity?.principalId as string;
  }

  async disableIdentity(): Promise<void> {
    await this.vaults().vaults.beginUpdateAndWait(RG.vault, 'vault1', { identity: { type: 'None' } }, poll);
  }

  /** "Grant permissions to the vault": Contributor on the VNet, endpoint and DNS resource groups. */
  async grantVaultRoles(principalId: string, groups: readonly string[] = [RG.net, RG.pe, RG.dns]): Promise<void> {
    for (const rg of groups) {
      await this.authorization().roleAssignments.create(this.rgId(rg), randomUUID(), {
        roleDefinitionId: `/subscriptions/${this.sub}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
        principalId,
        principalType: 'ServicePrincipal',
      });
    }
  }

  /** "Create Private Endpoints for Azure Backup", by the spoke team (not the vault owner): a manual connection. */
  createPrivateEndpoint(subnet = 'endpoints', manual = true): Promise<PrivateEndpoint> {
    const connection = { name: 'pe-backup', privateLinkServiceId: this.vaultId, groupIds: ['AzureBackup'], ...(manual ? { requestMessage: 'spoke team' } : {}) };
    return this.network(this.spokeTeam).privateEndpoints.beginCreateOrUpdateAndWait(
      RG.pe,
      'pe-backup',
      {
        location: LOCATION,
        subnet: { id: `${this.vnetId}/subnets/${subnet}` },
        ...(manual ? { manualPrivateLinkServiceConnections: [connection] } : { privateLinkServiceConnections: [connection] }),
      },
      poll,
    );
  }

  /** "Approve Private Endpoints" with the Azure Resource Manager client (the seed's BackupAdminApproval.json). */
  async approve(): Promise<string> {
    const vault = await this.vaults().vaults.get(RG.vault, 'vault1');
    const connectionId = vault.properties?.privateEndpointConnections?.[0]?.id as string;
    const name = connectionId.split('/').pop() as string;
    const result = await this.backupRp().privateEndpointConnectionOperations.beginPutAndWait(
      'vault1',
      RG.vault,
      name,
      {
        properties: {
          privateEndpoint: { id: `${this.rgId(RG.pe)}/providers/Microsoft.Network/privateEndpoints/pe-backup` },
          privateLinkServiceConnectionState: { status: 'Approved', description: 'Approved by the platform team' },
        },
      },
      poll,
    );
    return result.properties?.privateLinkServiceConnectionState?.status as string;
  }

  /** "Manage DNS records": the three zones, each linked to the VNet. */
  async createZonesAndLinks(zones = ZONES, link = true): Promise<void> {
    for (const zone of zones) {
      await this.dns().privateZones.beginCreateOrUpdateAndWait(RG.dns, zone, { location: 'global' }, poll);
      if (link) {
        await this.dns().virtualNetworkLinks.beginCreateOrUpdateAndWait(RG.dns, zone, 'spoke', { location: 'global', virtualNetwork: { id: this.vnetId }, registrationEnabled: false }, poll);
      }
    }
  }

  /**
   * "Add one entry for each FQDN and IP" of an endpoint's DNS configuration, in the `privatelink.`
   * zone (the seed's note: the FQDNs shown lack `privatelink.`). Zones are found by suffix, so a
   * wrongly named zone simply receives nothing.
   */
  async addRecordsFor(peName: string, zones = ZONES): Promise<number> {
    const pe = await this.network().privateEndpoints.get(RG.pe, peName);
    let added = 0;
    for (const config of pe.customDnsConfigs ?? []) {
      const fqdn = config.fqdn as string;
      const dot = fqdn.indexOf('.');
      const zone = zones.find((z) => z === `privatelink.${fqdn.slice(dot + 1)}`);
      if (!zone) continue;
      await this.dns().recordSets.createOrUpdate(RG.dns, zone, 'A', fqdn.slice(0, dot), { ttl: 10, aRecords: (config.ipAddresses ?? []).map((ipv4Address) => ({ ipv4Address })) });
      added++;
    }
    return added;
  }

  /** "Integrate your private endpoint with a private DNS zone": a zone group with the three zones on the endpoint. */
  async integrateWithPrivateDnsZones(): Promise<void> {
    await this.network().privateDnsZoneGroups.beginCreateOrUpdateAndWait(
      RG.pe,
      'pe-backup',
      'default',
      { privateDnsZoneConfigs: ZONES.map((zone) => ({ name: zone.replace(/\./g, '-'), privateDnsZoneId: `${this.rgId(RG.dns)}/providers/Microsoft.Network/privateDnsZones/${zone}` })) },
      poll,
    );
  }

  async privateEndpointNames(): Promise<string[]> {
    return (await namesOf(this.network().privateEndpoints.list(RG.pe))).sort();
  }

  /** "Execute nslookup on the backup URL from your VM". */
  nslookup(fqdn: string): { answer: string; addresses: readonly string[] } {
    return this.emu.provider<PrivateDnsExports>('privatedns').resolve(this.vnetId, fqdn);
  }

  /** "Configure backup": register the VM, as Azure Backup's control endpoint. */
  async registerVm(): Promise<BackupJobResult> {
    const r = await armRequest(this.emu, { method: 'POST', path: '/_emulator/backup/registerContainer', body: { vaultId: this.vaultId, vnetId: this.vnetId, containerName: 'sqlvm1' }, principalId: null });
    return r.body as BackupJobResult;
  }

  runBackup(): Promise<BackupJobResult> {
    return this.backupService.runBackup(this.vaultId, { vnetId: this.vnetId, itemName: 'sqlvm1/db1' });
  }

  /** Steps 1–6 of the seed's checklist, in order. */
  async upToDns(): Promise<string> {
    await this.createVault();
    const identity = await this.enableIdentity();
    await this.grantVaultRoles(identity);
    await this.createPrivateEndpoint();
    await this.approve();
    await this.createZonesAndLinks();
    await this.addRecordsFor('pe-backup');
    return identity;
  }
}

describe('seed scenario: private endpoints for Azure Backup, by hand', () => {
  let walk: SeedWalk;
  beforeEach(async () => {
    walk = await SeedWalk.start();
  });
  afterEach(async () => {
    await walk.emu.close();
  });

  describe('#the whole procedure', () => {
    it('ends with backups that reach the vault privately from the VM\'s VNet', async () => {
      await walk.createVault();
      const identity = await walk.enableIdentity();
      expect(identity).toMatch(/^[0-9a-f-]{36}$/);
      await walk.grantVaultRoles(identity);

      // the spoke team is not the vault owner: its endpoint waits for approval
      const pe = await walk.createPrivateEndpoint();
      expect(pe.manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Pending');
      expect(pe.customDnsConfigs).toHaveLength(8);
      expect(pe.customDnsConfigs?.every((c) => /^\d{19}-ab-pod01-[a-z0-9]+\.uks\.backup\.windowsazure\.com$/.test(c.fqdn as string))).toBe(true);
      expect(await walk.approve()).toBe('Approved');
      expect((await walk.network().privateEndpoints.get(RG.pe, 'pe-backup')).manualPrivateLinkServiceConnections?.[0]?.privateLinkServiceConnectionState?.status).toBe('Approved');

      await walk.createZonesAndLinks();
      expect(await walk.addRecordsFor('pe-backup')).toBe(8);
      // "Check VM connectivity": nslookup of the backup URL answers the private IP
      const fab1 = pe.customDnsConfigs?.find((c) => c.fqdn?.includes('-ab-pod01-fab1.'));
      expect(walk.nslookup(fab1?.fqdn as string)).toMatchObject({ answer: 'private', addresses: fab1?.ipAddresses });

      // first registration: Backup adds the _ecs blob and queue endpoints (as the vault identity)
      const registration = await walk.registerVm();
      expect(registration.status).toBe('Completed');
      expect(registration.createdPrivateEndpoints).toHaveLength(2);
      const afterRegistration = await walk.privateEndpointNames();
      expect(afterRegistration).toEqual(['pe-backup', expect.stringMatching(/^pe-backup_ecs[0-9a-f]{8}_blob$/), expect.stringMatching(/^pe-backup_ecs[0-9a-f]{8}_queue$/)]);
      for (const name of afterRegistration.filter((n) => n.includes('_ecs'))) expect(await walk.addRecordsFor(name)).toBe(1);

      // first backup: Backup adds the _prot blob endpoint; without its record the backup fails
      const firstBackup = await walk.runBackup();
      expect(firstBackup.status).toBe('Failed');
      expect(firstBackup.unresolved.map((u) => u.fqdn)).toEqual([expect.stringMatching(/pod01prot\d{3}\.blob\.core\.windows\.net$/)]);
      const prot = (await walk.privateEndpointNames()).find((n) => n.includes('_prot')) as string;
      expect(prot).toMatch(/^pe-backup_prot[0-9a-f]{8}_blob$/);
      expect(await walk.addRecordsFor(prot)).toBe(1);

      const backup = await walk.runBackup();
      expect(backup).toMatchObject({ status: 'Completed', unresolved: [] });
      // every name of the vault's four endpoints now resolves privately from the VNet
      const required = walk.backupService.requiredNames(walk.vaultId);
      expect(required.size).toBe(11);
      for (const [fqdn, ips] of required) expect(walk.nslookup(fqdn)).toMatchObject({ answer: 'private', addresses: ips });
      // Azure Backup wrote its three endpoints as the vault identity
      const byIdentity = walk.emu.writes.log().filter((w) => w.principalId === identity);
      expect(byIdentity.map((w) => [w.sideEffect, w.status])).toEqual([
        [true, 201],
        [true, 201],
        [true, 201],
      ]);
    });
  });

  describe('#integration with private DNS zones (zone groups)', () => {
    async function upToZoneGroup(vaultRoleGroups: readonly string[]): Promise<void> {
      await walk.createVault();
      await walk.grantVaultRoles(await walk.enableIdentity(), vaultRoleGroups);
      await walk.createPrivateEndpoint();
      await walk.approve();
      await walk.createZonesAndLinks();
      await walk.integrateWithPrivateDnsZones();
    }

    it('lets Backup add the records of its own endpoints when its identity may use the zones', async () => {
      await upToZoneGroup([RG.net, RG.pe, RG.dns]);
      const registration = await walk.registerVm();
      expect(registration).toMatchObject({ status: 'Completed', warnings: [] });
      const backup = await walk.runBackup();
      expect(backup).toMatchObject({ status: 'Completed', unresolved: [], warnings: [] });
      for (const [fqdn, ips] of walk.backupService.requiredNames(walk.vaultId)) expect(walk.nslookup(fqdn)).toMatchObject({ answer: 'private', addresses: ips });
    });

    it('leaves the records missing when the identity has no role on the zones\' resource group, and the backup fails', async () => {
      await upToZoneGroup([RG.net, RG.pe]);
      const registration = await walk.registerVm();
      expect(registration.status).toBe('Completed');
      expect(registration.warnings.map((w) => w.code)).toEqual(['LinkedAuthorizationFailed', 'LinkedAuthorizationFailed']);
      const backup = await walk.runBackup();
      expect(backup.status).toBe('Failed');
      expect(backup.unresolved).toHaveLength(3);
      expect(backup.unresolved.every((u) => u.answer === 'nxdomain')).toBe(true);
    });
  });

  describe('#failures the seed warns about', () => {
    it('protecting an item before creating the private endpoint makes the vault unusable for them', async () => {
      await walk.createVault();
      await walk.enableIdentity();
      expect((await walk.backupService.registerContainer(walk.vaultId)).status).toBe('Completed');
      expect(await restErrorOf(walk.createPrivateEndpoint())).toEqual({ statusCode: 400, code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
    });

    it('a failed attempt to protect an item is enough to make the vault unusable', async () => {
      await walk.createVault();
      expect((await walk.backupService.runBackup(walk.vaultId)).status).toBe('Failed');
      expect(await restErrorOf(walk.createPrivateEndpoint())).toEqual({ statusCode: 400, code: 'UserErrorPrivateEndpointNotAllowedForVaultWithItems' });
    });

    it('a subnet with private endpoint network policies enabled refuses the endpoint', async () => {
      await walk.createVault();
      expect(await restErrorOf(walk.createPrivateEndpoint('with-policies'))).toEqual({ statusCode: 400, code: 'PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled' });
    });

    it('an automatic connection by someone without the approval permission fails', async () => {
      await walk.createVault();
      expect(await restErrorOf(walk.createPrivateEndpoint('endpoints', false))).toEqual({ statusCode: 403, code: 'LinkedAuthorizationFailed' });
    });

    it('skipping the approval: registration cannot reach the vault', async () => {
      await walk.createVault();
      await walk.grantVaultRoles(await walk.enableIdentity());
      await walk.createPrivateEndpoint();
      await walk.createZonesAndLinks();
      expect(await walk.registerVm()).toMatchObject({ status: 'Failed', error: { code: 'UserErrorPrivateEndpointNotApproved' } });
    });

    it('skipping the roles: Backup cannot create its _ecs endpoints and registration fails', async () => {
      await walk.createVault();
      const identity = await walk.enableIdentity();
      await walk.createPrivateEndpoint();
      await walk.approve();
      await walk.createZonesAndLinks();
      await walk.addRecordsFor('pe-backup');
      const registration = await walk.registerVm();
      expect(registration).toMatchObject({ status: 'Failed', error: { code: 'AuthorizationFailed' }, createdPrivateEndpoints: [] });
      expect(registration.error?.message).toContain(identity);
      expect(await walk.privateEndpointNames()).toEqual(['pe-backup']);
    });

    it('turning the identity off and on: the new principal holds no role, so registration fails', async () => {
      const first = await walk.upToDns();
      await walk.disableIdentity();
      const second = await walk.enableIdentity();
      expect(second).not.toBe(first);
      expect(await walk.registerVm()).toMatchObject({ status: 'Failed', error: { code: 'AuthorizationFailed' } });
    });

    it('skipping the identity: Backup has no principal to create its endpoints with', async () => {
      await walk.createVault();
      await walk.createPrivateEndpoint();
      await walk.approve();
      await walk.createZonesAndLinks();
      await walk.addRecordsFor('pe-backup');
      expect(await walk.registerVm()).toMatchObject({ status: 'Failed', error: { code: 'UserErrorVaultIdentityNotEnabled' } });
    });

    it('skipping the records after registration: the backup fails on the _ecs and _prot names', async () => {
      await walk.upToDns();
      expect((await walk.registerVm()).status).toBe('Completed');
      const backup = await walk.runBackup();
      expect(backup.status).toBe('Failed');
      expect(backup.error?.code).toBe('UserErrorPrivateEndpointNameResolutionFailed');
      const names = backup.unresolved.map((u) => u.fqdn);
      expect(names).toHaveLength(3);
      expect(names).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/pod01ecs\d{3}\.blob\.core\.windows\.net$/),
          expect.stringMatching(/pod01ecs\d{3}\.queue\.core\.windows\.net$/),
          expect.stringMatching(/pod01prot\d{3}\.blob\.core\.windows\.net$/),
        ]),
      );
      // the linked privatelink. zones are authoritative: a missing record is NXDOMAIN, not the public answer
      expect(backup.unresolved.every((u) => u.answer === 'nxdomain')).toBe(true);
    });

    it('naming the Backup zone after the region instead of its geo code: nothing resolves privately', async () => {
      const wrongZones = ['privatelink.uksouth.backup.windowsazure.com', ...ZONES.slice(1)];
      await walk.createVault();
      await walk.grantVaultRoles(await walk.enableIdentity());
      await walk.createPrivateEndpoint();
      await walk.approve();
      await walk.createZonesAndLinks(wrongZones);
      expect(await walk.addRecordsFor('pe-backup', wrongZones)).toBe(0);
      const registration = await walk.registerVm();
      expect(registration).toMatchObject({ status: 'Failed', error: { code: 'UserErrorPrivateEndpointNameResolutionFailed' } });
      expect(registration.unresolved).toHaveLength(8);
    });

    it('zones not linked to the VM\'s VNet: the names resolve publicly and registration fails', async () => {
      await walk.createVault();
      await walk.grantVaultRoles(await walk.enableIdentity());
      await walk.createPrivateEndpoint();
      await walk.approve();
      await walk.createZonesAndLinks(ZONES, false);
      expect(await walk.addRecordsFor('pe-backup')).toBe(8);
      const registration = await walk.registerVm();
      expect(registration.status).toBe('Failed');
      expect(registration.unresolved.every((u) => u.answer === 'public')).toBe(true);
    });
  });
});
