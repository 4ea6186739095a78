/**
 * A small Backup landing zone for the emulator tests of Backup's own behaviour (late private
 * endpoints, reachability over peerings, the vault identity's exact permissions): resource groups,
 * a vault (classic or v2), VNets, and helpers that go through the real SDK clients as the owner.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import type { Emulator } from '../../emulator';
import type { BackupExports } from '../../emulator/providers/backup';
import type { RecoveryServicesExports } from '../../emulator/providers/recoveryservices';
import { authorizationClientFor, noRetrySdkClient, startTestEmulator } from './helpers';

export const poll = { updateIntervalInMs: 1 };
export const LOCATION = 'uksouth';
export const BACKUP_ZONE = 'privatelink.uks.backup.windowsazure.com';
export const STORAGE_ZONES = ['privatelink.blob.core.windows.net', 'privatelink.queue.core.windows.net'];

export interface BackupFixture {
  readonly emu: Emulator;
  readonly sub: string;
  readonly vaultId: string;
  vnetId(name: string): string;
  peId(name: string, rg?: string): string;
  network(principalId?: string): NetworkManagementClient;
  dns(principalId?: string): PrivateDnsManagementClient;
  vaults(principalId?: string): RecoveryServicesClient;
  authorization(principalId?: string): AuthorizationManagementClient;
  readonly backup: BackupExports;
  readonly recoveryServices: RecoveryServicesExports;
  /** A VNet in rg-net with a `pe` subnet (policies disabled) and a `vm` subnet. */
  createVnet(name: string, addressPrefix: string): Promise<string>;
  /** An automatic (owner: approved at once) Backup private endpoint in rg-pe, subnet `pe` of the VNet. */
  createPrivateEndpoint(name: string, vnet: string): Promise<PrivateEndpoint>;
  deletePrivateEndpoint(name: string): Promise<void>;
  /** A zone in rg-dns linked to the given VNets. */
  createZone(zone: string, linkedVnets: string[]): Promise<string>;
  /** A zone group on the endpoint naming the zones (Azure then writes its A records). */
  addZoneGroup(peName: string, zoneIds: string[]): Promise<void>;
  identity(): Promise<string>;
}

export async function backupFixture(options: { experience?: 'V1' | 'V2'; identity?: boolean } = {}): Promise<BackupFixture> {
  const emu = await startTestEmulator();
  const sub = emu.subscriptionId;
  for (const rg of ['rg-backup', 'rg-net', 'rg-pe', 'rg-dns']) emu.control.createResourceGroup(sub, rg, LOCATION);
  const recoveryServices = emu.provider<RecoveryServicesExports>('recoveryservices');
  recoveryServices.setNewVaultBackupStorageVersion(options.experience ?? 'V1');
  const network = (principalId?: string) => noRetrySdkClient(emu, NetworkManagementClient, principalId);
  const dns = (principalId?: string) => noRetrySdkClient(emu, PrivateDnsManagementClient, principalId);
  const vaults = (principalId?: string) => noRetrySdkClient(emu, RecoveryServicesClient, principalId);
  await vaults().vaults.beginCreateOrUpdateAndWait(
    'rg-backup',
    'vault1',
    { location: LOCATION, sku: { name: 'RS0', tier: 'Standard' }, ...(options.identity === false ? {} : { identity: { type: 'SystemAssigned' } }) },
    poll,
  );
  const vaultId = `/subscriptions/${sub}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault1`;
  const vnetId = (name: string) => `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/${name}`;
  const peId = (name: string, rg = 'rg-pe') => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`;
  return {
    emu,
    sub,
    vaultId,
    vnetId,
    peId,
    network,
    dns,
    vaults,
    authorization: (principalId) => authorizationClientFor(emu, principalId),
    backup: emu.provider<BackupExports>('backup'),
    recoveryServices,
    async createVnet(name, addressPrefix) {
      const [a, b, c] = addressPrefix.split('.');
      await network().virtualNetworks.beginCreateOrUpdateAndWait(
        'rg-net',
        name,
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: [addressPrefix] },
          subnets: [
            { name: 'pe', addressPrefix: `${a}.${b}.${c}.0/24`, privateEndpointNetworkPolicies: 'Disabled' },
            { name: 'vm', addressPrefix: `${a}.${b}.${Number(c) + 1}.0/24` },
          ],
        },
        poll,
      );
      return vnetId(name);
    },
    createPrivateEndpoint(name, vnet) {
      return network().privateEndpoints.beginCreateOrUpdateAndWait(
        'rg-pe',
        name,
        { location: LOCATION, subnet: { id: `${vnetId(vnet)}/subnets/pe` }, privateLinkServiceConnections: [{ name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'] }] },
        poll,
      );
    },
    async deletePrivateEndpoint(name) {
      await network().privateEndpoints.beginDeleteAndWait('rg-pe', name, poll);
    },
    async createZone(zone, linkedVnets) {
      await dns().privateZones.beginCreateOrUpdateAndWait('rg-dns', zone, { location: 'global' }, poll);
      for (const v of linkedVnets) await dns().virtualNetworkLinks.beginCreateOrUpdateAndWait('rg-dns', zone, `link-${v}`, { location: 'global', virtualNetwork: { id: vnetId(v) }, registrationEnabled: false }, poll);
      return `/subscriptions/${sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/${zone}`;
    },
    async addZoneGroup(peName, zoneIds) {
      await network().privateDnsZoneGroups.beginCreateOrUpdateAndWait(
        'rg-pe',
        peName,
        'default',
        { privateDnsZoneConfigs: zoneIds.map((id) => ({ name: (id.split('/').pop() as string).replace(/\./g, '-'), privateDnsZoneId: id })) },
        poll,
      );
    },
    identity: async () => (await vaults().vaults.get('rg-backup', 'vault1')).identity?.principalId as string,
  };
}
