/**
 * The strict domain model of vaultlink: what the SDK adapters (shared/azure) map ARM responses
 * into, and what the pure planner consumes.
 *
 * ARM's SDK models make every field optional; these types do not. A field is `undefined` only
 * where Azure genuinely may not say (a vault without identity has no principal id). Everything
 * here is plain, JSON-serialisable data: the Durable orchestration ships it between activities.
 * Ids are kept as ARM returned them (canonicalise with `ids.ts` when comparing).
 */

/** Tags / metadata as ARM returns them: string values only. */
export type StringMap = Readonly<Record<string, string>>;

// ---------------------------------------------------------------------------------------------
// Recovery Services vault

/**
 * Backup's private-endpoint experience of a vault. `classic` (v1) needs the vault's
 * system-assigned identity with roles and gets `_ecs`/`_prot` secondary PEs; `v2` needs neither.
 */
export type BackupExperience = 'classic' | 'v2';

/**
 * From `properties.backupStorageVersion`: only `V2` means the v2 experience. Absent, `V1` or
 * `Unassigned` are classic — the same reading as Azure Policy's built-in for Backup PEs, and the
 * safe one (treating a classic vault as v2 would skip the identity and roles it needs).
 */
export function backupExperienceOf(backupStorageVersion: string | undefined): BackupExperience {
  return backupStorageVersion !== undefined && backupStorageVersion.trim().toUpperCase() === 'V2' ? 'v2' : 'classic';
}

/** `identity.type` of a vault, in ARM's spelling. */
export type ManagedIdentityType = 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';

/**
 * Normalises `identity.type` (ARM accepts `systemassigned`, `SystemAssigned,UserAssigned`, …;
 * an absent identity block means `None`). An unknown value reads as `None`: vaultlink must then
 * treat the system-assigned identity as missing rather than assume it.
 */
export function managedIdentityTypeOf(raw: string | undefined): ManagedIdentityType {
  const compact = (raw ?? '').replace(/\s+/g, '').toLowerCase();
  switch (compact) {
    case 'systemassigned':
      return 'SystemAssigned';
    case 'userassigned':
      return 'UserAssigned';
    case 'systemassigned,userassigned':
    case 'userassigned,systemassigned':
      return 'SystemAssigned, UserAssigned';
    default:
      return 'None';
  }
}

/** True when the identity type includes the system-assigned identity the classic experience needs. */
export function hasSystemAssignedIdentity(identity: Pick<VaultIdentity, 'type'>): boolean {
  return identity.type === 'SystemAssigned' || identity.type === 'SystemAssigned, UserAssigned';
}

/** The vault's `identity` block. `principalId`/`tenantId` are those of the system-assigned identity; undefined when it is off. */
export interface VaultIdentity {
  readonly type: ManagedIdentityType;
  readonly principalId: string | undefined;
  readonly tenantId: string | undefined;
}

/** `privateLinkServiceConnectionState.status` of a private endpoint connection, on either side. */
export type ConnectionStatus = 'Pending' | 'Approved' | 'Rejected' | 'Disconnected';

/** The connection statuses, for adapters validating what ARM sent. */
export const CONNECTION_STATUSES: readonly ConnectionStatus[] = ['Pending', 'Approved', 'Rejected', 'Disconnected'];

/** `properties.privateEndpointStateForBackup` of a vault (absent reads as `None`). */
export type PrivateEndpointStateForBackup = 'None' | 'Enabled';

/**
 * One entry of the vault's read-only `properties.privateEndpointConnections[]`.
 * The connection name looks like `{peName}.{vaultId}.backup.{guid}`.
 */
export interface VaultConnection {
  /** `id`: `…/vaults/{v}/privateEndpointConnections/{name}`. */
  readonly id: string;
  /** `name` (last segment of `id`). */
  readonly name: string;
  /** `properties.privateEndpoint.id`: the requesting PE, possibly in another subscription or tenant. */
  readonly privateEndpointId: string;
  /** `properties.privateLinkServiceConnectionState.status`. */
  readonly status: ConnectionStatus;
  /** `properties.privateLinkServiceConnectionState.description` ('' when absent). */
  readonly description: string;
  /** `properties.groupIds` (`AzureBackup`, `AzureBackup_secondary`). */
  readonly groupIds: readonly string[];
  /** `properties.provisioningState` (e.g. `Succeeded`, `Pending`, `Failed`). */
  readonly provisioningState: string;
}

/** A Recovery Services vault (`Microsoft.RecoveryServices/vaults` GET plus the Backup RP usage summaries). */
export interface Vault {
  /** `id`. */
  readonly id: string;
  /** `name`. */
  readonly name: string;
  /** From `id`. */
  readonly subscriptionId: string;
  /** From `id`. */
  readonly resourceGroup: string;
  /** `location`, as ARM returns it (a region name such as `uksouth`). */
  readonly location: string;
  /** `tags` ({} when absent). */
  readonly tags: StringMap;
  /** From `properties.backupStorageVersion` through {@link backupExperienceOf}. */
  readonly experience: BackupExperience;
  /** `identity` (type `None` when absent). */
  readonly identity: VaultIdentity;
  /** `properties.privateEndpointStateForBackup`. */
  readonly privateEndpointStateForBackup: PrivateEndpointStateForBackup;
  /** `properties.privateEndpointConnections[]` ([] when absent). */
  readonly connections: readonly VaultConnection[];
  /**
   * Backup RP `backupUsageSummaries`: `ProtectedItemCount` (`currentValue`). Undefined: not read,
   * because the vault shows a private endpoint (a connection, or state `Enabled`) — the counts
   * decide eligibility only before the first one (findings.ts `checkEligibility`).
   */
  readonly protectedItemCount: number | undefined;
  /** Backup RP `backupUsageSummaries`: `RegisteredContainerCount` (`currentValue`): servers and containers registered. Undefined as {@link protectedItemCount}. */
  readonly registeredContainerCount: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// Network

/** One entry of `properties.privateLinkServiceConnections[]` or `manualPrivateLinkServiceConnections[]` of a PE. */
export interface PrivateEndpointServiceConnection {
  /** `properties.privateLinkServiceId`: the target (a vault, or a Backup-owned storage account for secondaries). */
  readonly privateLinkServiceId: string;
  /** `properties.groupIds`. */
  readonly groupIds: readonly string[];
  /** `properties.privateLinkServiceConnectionState.status`. */
  readonly status: ConnectionStatus;
  /** True when it came from `manualPrivateLinkServiceConnections` (needs approval by the target's owner). */
  readonly manual: boolean;
}

/** One entry of a PE's `properties.customDnsConfigs[]`: the FQDNs Azure says the PE serves (without `privatelink.`). */
export interface CustomDnsConfig {
  /** `fqdn`. */
  readonly fqdn: string;
  /** `ipAddresses`. */
  readonly ipAddresses: readonly string[];
}

/** A `privateDnsZoneGroups` child of a PE (Azure's own DNS integration). */
export interface PrivateDnsZoneGroup {
  /** `name`. */
  readonly name: string;
  /** `properties.privateDnsZoneConfigs[].properties.privateDnsZoneId`. */
  readonly zoneIds: readonly string[];
}

/** A private endpoint (`Microsoft.Network/privateEndpoints`). */
export interface PrivateEndpoint {
  /** `id`. */
  readonly id: string;
  /** `name`. */
  readonly name: string;
  /** From `id`. */
  readonly subscriptionId: string;
  /** From `id`. */
  readonly resourceGroup: string;
  /** `location`. */
  readonly location: string;
  /** `properties.subnet.id`. */
  readonly subnetId: string;
  /** `properties.privateLinkServiceConnections` then `properties.manualPrivateLinkServiceConnections`. */
  readonly connections: readonly PrivateEndpointServiceConnection[];
  /** `properties.customDnsConfigs` ([] when absent). */
  readonly customDnsConfigs: readonly CustomDnsConfig[];
  /** The PE's `privateDnsZoneGroups` children ([] when none). */
  readonly zoneGroups: readonly PrivateDnsZoneGroup[];
  /** `properties.networkInterfaces[].id`. */
  readonly networkInterfaceIds: readonly string[];
}

/** `properties.privateEndpointNetworkPolicies` of a subnet (absent reads as `Disabled`, ARM's default for new subnets is `Disabled`). */
export type PrivateEndpointNetworkPolicies = 'Disabled' | 'Enabled' | 'NetworkSecurityGroupEnabled' | 'RouteTableEnabled';

/** A subnet (`Microsoft.Network/virtualNetworks/subnets`). */
export interface Subnet {
  /** `id`. */
  readonly id: string;
  /** The parent virtual network's id (from `id`). */
  readonly vnetId: string;
  /** `properties.addressPrefix` and/or `properties.addressPrefixes`. */
  readonly addressPrefixes: readonly string[];
  /** `properties.privateEndpointNetworkPolicies`. */
  readonly privateEndpointNetworkPolicies: PrivateEndpointNetworkPolicies;
  /** `properties.ipConfigurations.length` (IP configurations of NICs, PEs, …). */
  readonly usedIpCount: number;
  /** Usable addresses ({@link usableIpv4AddressCount}) minus `usedIpCount`, never negative. */
  readonly freeIpCount: number;
}

/**
 * Addresses a subnet can hand out: each IPv4 prefix minus the 5 that Azure reserves (network,
 * gateway, two DNS, broadcast). IPv6 prefixes are ignored: PEs take IPv4 addresses.
 */
export function usableIpv4AddressCount(addressPrefixes: readonly string[]): number {
  let total = 0;
  for (const prefix of addressPrefixes) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(prefix.trim());
    if (!m) continue;
    const bits = Number(m[5]);
    if (bits > 32) continue;
    total += Math.max(0, 2 ** (32 - bits) - 5);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Private DNS

/** A private DNS zone (`Microsoft.Network/privateDnsZones`). */
export interface DnsZone {
  /** `id`. */
  readonly id: string;
  /** `name`, e.g. `privatelink.uks.backup.windowsazure.com` (lower-cased). */
  readonly name: string;
}

/** A virtual network link of a zone (`Microsoft.Network/privateDnsZones/virtualNetworkLinks`). */
export interface VirtualNetworkLink {
  /** `id`. */
  readonly id: string;
  /** The parent zone's id (from `id`). */
  readonly zoneId: string;
  /** `name`. */
  readonly name: string;
  /** `properties.virtualNetwork.id`. */
  readonly vnetId: string;
  /** The link's `tags` ({} when absent): virtual network links carry ownership in tags, not `metadata`. */
  readonly metadata: StringMap;
  /** `properties.provisioningState`. */
  readonly provisioningState: string;
}

/** An A record set (`Microsoft.Network/privateDnsZones/A`). */
export interface ARecordSet {
  /** `id`. */
  readonly id: string;
  /** The parent zone's id (from `id`). */
  readonly zoneId: string;
  /** `name`: relative to the zone, lower-case (ARM returns it lower-cased). */
  readonly name: string;
  /** `properties.fqdn` (ARM's form ends with a dot). */
  readonly fqdn: string;
  /** `properties.ttl`. */
  readonly ttl: number;
  /** `properties.aRecords[].ipv4Address`. */
  readonly ipv4Addresses: readonly string[];
  /** `properties.metadata` ({} when absent). */
  readonly metadata: StringMap;
  /** `etag`: for `If-Match` on updates. */
  readonly etag: string;
}

// ---------------------------------------------------------------------------------------------
// Authorization

/** A role assignment (`Microsoft.Authorization/roleAssignments`). */
export interface RoleAssignment {
  /** `id`. */
  readonly id: string;
  /** `name` (a GUID). */
  readonly name: string;
  /** `properties.scope`. */
  readonly scope: string;
  /** `properties.principalId`. */
  readonly principalId: string;
  /**
   * The GUID at the end of `properties.roleDefinitionId`, lower-cased: responses give either the
   * subscription-scoped or the provider-only form, so ids are compared by GUID (rbac.ts
   * `roleDefinitionGuidOf`).
   */
  readonly roleDefinitionGuid: string;
  /** `properties.description` ('' when absent): vaultlink's ownership marker on the assignments it makes (rbac.ts). */
  readonly description: string;
  /** `properties.createdOn` (ISO time), when ARM reports it: a new assignment takes a while to take effect. */
  readonly createdOn?: string;
}

// ---------------------------------------------------------------------------------------------
// Ownership

/** Metadata/tag key that marks what vaultlink created. */
export const MANAGED_BY_KEY = 'managedBy';
/** Value of {@link MANAGED_BY_KEY}. */
export const MANAGED_BY_VALUE = 'vaultlink';
/** Metadata/tag key holding the policy's `ownerId` (several vaultlink deployments may share a zone). */
export const OWNER_KEY = 'vaultlinkOwner';
/** Metadata/tag key holding the id of the private endpoint a record was made for (for `sync`). */
export const SOURCE_KEY = 'vaultlinkSource';

/** The metadata vaultlink writes on what it creates. */
export function ownershipMetadata(ownerId: string, sourcePrivateEndpointId?: string): Record<string, string> {
  const metadata: Record<string, string> = { [MANAGED_BY_KEY]: MANAGED_BY_VALUE, [OWNER_KEY]: ownerId };
  if (sourcePrivateEndpointId !== undefined) metadata[SOURCE_KEY] = sourcePrivateEndpointId;
  return metadata;
}

/** A metadata value by key, keys compared case-insensitively (Azure DNS and tags treat keys so). */
export function metadataValue(metadata: StringMap | undefined, key: string): string | undefined {
  if (metadata === undefined) return undefined;
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(metadata)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/**
 * True when vaultlink with this `ownerId` created the resource: `managedBy` is `vaultlink` and the
 * owner id is exactly ours. Anything else — no metadata, another owner, a look-alike value — is
 * not ours and is never updated or deleted.
 */
export function isOwnedBy(metadata: StringMap | undefined, ownerId: string): boolean {
  if (ownerId.length === 0) return false;
  return metadataValue(metadata, MANAGED_BY_KEY) === MANAGED_BY_VALUE && metadataValue(metadata, OWNER_KEY) === ownerId;
}

/** The source PE id that a record vaultlink owns was made for (undefined when not recorded). */
export function ownedSourceOf(metadata: StringMap | undefined): string | undefined {
  return metadataValue(metadata, SOURCE_KEY);
}
