/**
 * A small Azure for reconciler tests, on the emulator with the real SDK clients: a platform
 * subscription with a vault resource group and a central DNS resource group, a spoke team with
 * Contributor on its network and endpoint resource groups (so its endpoints wait for approval),
 * and vaultlink's own principal (Owner of the subscription, as the Function App's identity would
 * be given what it needs).
 */
import { randomUUID } from 'node:crypto';
import { NetworkManagementClient, type PrivateEndpoint } from '@azure/arm-network';
import { PrivateDnsManagementClient } from '@azure/arm-privatedns';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { createAzureClients, type AzureClients } from '../../../shared/azure';
import type { Policy } from '../../../shared/config';
import type { BackupExports, BackupJobResult } from '../../../emulator/providers/backup';
import type { RecoveryServicesExports } from '../../../emulator/providers/recoveryservices';
import type { ObservedVault } from '../../../shared/plan/types';
import type { ReconcileContext, Planner } from '../../../shared/reconcile';
import { noRetrySdkClient, startTestEmulator, type Emulator } from '../../emulator/helpers';

/** An observation without its time: two observations of the same state compare equal. */
export function withoutTime(o: ObservedVault): Omit<ObservedVault, 'observedAt'> {
  const { observedAt: _ignored, ...rest } = o;
  return rest;
}

export const LOCATION = 'uksouth';
export const GEO = 'uks';
export const RG = { vault: 'rg-backup', net: 'rg-spoke-net', pe: 'rg-spoke-pe', dns: 'rg-dns' } as const;
export const ZONE_NAMES = { backup: `privatelink.${GEO}.backup.windowsazure.com`, blob: 'privatelink.blob.core.windows.net', queue: 'privatelink.queue.core.windows.net' } as const;
const poll = { updateIntervalInMs: 1 };

export class World {
  readonly spokeTeam = randomUUID();
  readonly vaultlink = randomUUID();
  private constructor(readonly emu: Emulator) {}

  static async start(): Promise<World> {
    const emu = await startTestEmulator({ lroPollsBeforeDone: 1 });
    const world = new World(emu);
    for (const rg of Object.values(RG)) emu.control.createResourceGroup(emu.subscriptionId, rg, LOCATION);
    for (const rg of [RG.net, RG.pe]) emu.control.grantRole({ role: 'Contributor', principalId: world.spokeTeam, scope: world.rgId(rg) });
    emu.control.grantRole({ role: 'Owner', principalId: world.vaultlink, scope: `/subscriptions/${emu.subscriptionId}` });
    await world.network().virtualNetworks.beginCreateOrUpdateAndWait(
      RG.net,
      'vnet-spoke',
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.1.0.0/16'] },
        subnets: [{ name: 'endpoints', addressPrefix: '10.1.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }],
      },
      poll,
    );
    return world;
  }

  close(): Promise<void> {
    return this.emu.close();
  }

  get sub(): string {
    return this.emu.subscriptionId;
  }
  rgId(rg: string): string {
    return `/subscriptions/${this.sub}/resourceGroups/${rg}`;
  }
  vaultId(name = 'vault1'): string {
    return `${this.rgId(RG.vault)}/providers/Microsoft.RecoveryServices/vaults/${name}`;
  }
  get vnetId(): string {
    return `${this.rgId(RG.net)}/providers/Microsoft.Network/virtualNetworks/vnet-spoke`;
  }
  get subnetId(): string {
    return `${this.vnetId}/subnets/endpoints`;
  }
  peId(name = 'pe-backup'): string {
    return `${this.rgId(RG.pe)}/providers/Microsoft.Network/privateEndpoints/${name}`;
  }
  zoneId(name: string): string {
    return `${this.rgId(RG.dns)}/providers/Microsoft.Network/privateDnsZones/${name}`;
  }

  network(principalId?: string): NetworkManagementClient {
    return noRetrySdkClient(this.emu, NetworkManagementClient, principalId);
  }
  vaults(): RecoveryServicesClient {
    return noRetrySdkClient(this.emu, RecoveryServicesClient);
  }
  dns(): PrivateDnsManagementClient {
    return noRetrySdkClient(this.emu, PrivateDnsManagementClient);
  }

  /** vaultlink's ports, as the Function App would build them (short retry delays for the fault tests). */
  azure(): AzureClients {
    return createAzureClients({
      cloud: 'AzurePublicCloud',
      credential: this.emu.credentialFor(this.vaultlink),
      armEndpoint: this.emu.endpoint,
      ca: this.emu.ca,
      pollIntervalMs: 1,
      retry: { maxRetries: 4, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    });
  }

  policy(overrides: Partial<Policy> = {}): Policy {
    return {
      version: 1,
      mode: 'enforce',
      ownerId: 'platform',
      scope: { subscriptions: [this.sub] },
      identity: { enableSystemAssigned: true },
      roles: { profile: 'contributor' },
      approval: { unmatched: 'leave-pending', rules: [{ name: 'spoke-team', requester: { subscriptionId: this.sub, resourceGroup: RG.pe } }] },
      dns: { placement: 'central', central: { subscriptionId: this.sub, resourceGroup: RG.dns }, recordPolicy: 'upsert-only', ttl: 10, linkVirtualNetworks: [], linkedZones: 'report' },
      geoCodes: {},
      ...overrides,
    };
  }

  context(planner: Planner, policy: Policy = this.policy()): ReconcileContext {
    return { azure: this.azure(), policy, cloud: 'AzurePublicCloud', planner };
  }

  /** A new vault (classic unless the emulator is switched to V2), created by the owner, no identity. */
  async createVault(name = 'vault1', experience: 'V1' | 'V2' = 'V1'): Promise<string> {
    this.emu.provider<RecoveryServicesExports>('recoveryservices').setNewVaultBackupStorageVersion(experience);
    await this.vaults().vaults.beginCreateOrUpdateAndWait(RG.vault, name, { location: LOCATION, sku: { name: 'RS0', tier: 'Standard' }, properties: {} }, poll);
    return this.vaultId(name);
  }

  /** A PE by the spoke team (not the vault owner): a manual connection that waits for approval. */
  createPrivateEndpoint(vaultId: string, name = 'pe-backup', principalId = this.spokeTeam, rg: string = RG.pe): Promise<PrivateEndpoint> {
    const connection = { name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: 'spoke team' };
    return this.network(principalId).privateEndpoints.beginCreateOrUpdateAndWait(rg, name, { location: LOCATION, subnet: { id: this.subnetId }, manualPrivateLinkServiceConnections: [connection] }, poll);
  }

  get backup(): BackupExports {
    return this.emu.provider<BackupExports>('backup');
  }
  registerContainer(vaultId: string): Promise<BackupJobResult> {
    return this.backup.registerContainer(vaultId, { vnetId: this.vnetId, containerName: 'sqlvm1' });
  }
  runBackup(vaultId: string): Promise<BackupJobResult> {
    return this.backup.runBackup(vaultId, { vnetId: this.vnetId, itemName: 'sqlvm1/db1' });
  }

  /** Writes vaultlink made (failed attempts included), as the emulator counted them. */
  vaultlinkWrites(): number {
    return this.emu.writes.count(this.vaultlink);
  }

  /** vaultlink's write requests that ARM carried out (2xx): one refused by its precondition (412) changed nothing. */
  vaultlinkAppliedWrites(): number {
    return this.emu.writes.log().filter((w) => !w.faulted && w.status >= 200 && w.status < 300 && w.principalId.toLowerCase() === this.vaultlink.toLowerCase()).length;
  }

  /** vaultlink's write requests refused with 412 PreconditionFailed. */
  vaultlinkPreconditionFailures(): number {
    return this.emu.writes.log().filter((w) => w.status === 412 && w.principalId.toLowerCase() === this.vaultlink.toLowerCase()).length;
  }
}
