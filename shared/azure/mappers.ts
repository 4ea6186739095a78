/**
 * SDK models → strict domain types, once, here. ARM's SDK models make every field optional; past
 * this file nothing sees `id?: string`. A field the domain needs and ARM did not send is a
 * malformed response ({@link MalformedResponseError}), except where the domain says what absence
 * means (no tags → {}, no identity → `None`, no connections → []).
 */
import type { PrivateDnsZoneGroup as SdkPrivateDnsZoneGroup, PrivateEndpoint as SdkPrivateEndpoint, PrivateLinkServiceConnection as SdkPrivateLinkServiceConnection, Subnet as SdkSubnet } from '@azure/arm-network';
import type { PrivateZone as SdkPrivateZone, RecordSet as SdkRecordSet, VirtualNetworkLink as SdkVirtualNetworkLink } from '@azure/arm-privatedns';
import type { RoleAssignment as SdkRoleAssignment } from '@azure/arm-authorization';
import type { IdentityData as SdkIdentityData, PrivateEndpointConnectionVaultProperties as SdkVaultConnection, Vault as SdkVault } from '@azure/arm-recoveryservices';
import type { BackupManagementUsage as SdkBackupUsage } from '@azure/arm-recoveryservicesbackup';
import { armEquals, parentResourceId, parseResourceId, scopeOfRoleAssignmentId } from '../domain/ids';
import {
  backupExperienceOf,
  CONNECTION_STATUSES,
  managedIdentityTypeOf,
  usableIpv4AddressCount,
  type ARecordSet,
  type ConnectionStatus,
  type CustomDnsConfig,
  type DnsZone,
  type PrivateDnsZoneGroup,
  type PrivateEndpoint,
  type PrivateEndpointNetworkPolicies,
  type PrivateEndpointServiceConnection,
  type RoleAssignment,
  type StringMap,
  type Subnet,
  type Vault,
  type VaultConnection,
  type VaultIdentity,
  type VirtualNetworkLink,
} from '../domain/model';
import { roleDefinitionGuidOf } from '../domain/rbac';

/** ARM answered without a field vaultlink cannot do without. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(
    readonly what: string,
    readonly field: string,
  ) {
    super(`malformed ARM response for ${what}: no ${field}`);
  }
}

function required<T>(value: T | undefined | null, what: string, field: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && value.length === 0)) throw new MalformedResponseError(what, field);
  return value;
}

/** The fields a vault and a private endpoint map alike from a resource in a resource group. */
interface ResourceInGroup {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
}

/** id, name (from the id when absent), subscription and resource group (from the id), location; `kind` names the resource in errors. */
function resourceInGroupOf(r: { id?: string; name?: string; location?: string }, kind: string): ResourceInGroup {
  const id = required(r.id, `a ${kind}`, 'id');
  const parsed = parseResourceId(id);
  const what = `${kind} ${id}`;
  return {
    id,
    name: r.name ?? parsed.name,
    subscriptionId: required(parsed.subscriptionId, what, 'subscription in id'),
    resourceGroup: required(parsed.resourceGroup, what, 'resource group in id'),
    location: required(r.location, what, 'location'),
  };
}

function stringMap(value: Readonly<Record<string, string>> | undefined): StringMap {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A connection status in the domain's spelling; undefined for an unknown one, so that the caller decides what it means. */
export function connectionStatusOf(raw: string | undefined): ConnectionStatus | undefined {
  if (raw === undefined) return undefined;
  return CONNECTION_STATUSES.find((s) => armEquals(s, raw.trim()));
}

// ---------------------------------------------------------------------------------------------
// Recovery Services

export function toVaultIdentity(identity: SdkIdentityData | undefined): VaultIdentity {
  const type = managedIdentityTypeOf(identity?.type);
  const systemAssigned = type === 'SystemAssigned' || type === 'SystemAssigned, UserAssigned';
  return {
    type,
    principalId: systemAssigned && identity?.principalId ? identity.principalId : undefined,
    tenantId: systemAssigned && identity?.tenantId ? identity.tenantId : undefined,
  };
}

function toVaultConnection(c: SdkVaultConnection, vaultId: string): VaultConnection {
  const what = `a private endpoint connection of ${vaultId}`;
  const id = required(c.id, what, 'id');
  const name = c.name ?? parseResourceId(id).name;
  const p = required(c.properties, what, 'properties');
  const rawStatus = required(p.privateLinkServiceConnectionState?.status, what, 'privateLinkServiceConnectionState.status');
  // An unknown status is not guessed: a connection vaultlink cannot read is not one it may decide.
  const status = connectionStatusOf(rawStatus);
  if (status === undefined) throw new MalformedResponseError(what, `known privateLinkServiceConnectionState.status (got "${rawStatus}")`);
  return {
    id,
    name,
    privateEndpointId: required(p.privateEndpoint?.id, what, 'privateEndpoint.id'),
    status,
    description: p.privateLinkServiceConnectionState?.description ?? '',
    groupIds: [...(p.groupIds ?? [])],
    provisioningState: p.provisioningState ?? '',
  };
}

/** Counts read from the Backup RP's `backupUsageSummaries`. */
export interface BackupUsageCounts {
  readonly protectedItemCount: number;
  readonly registeredContainerCount: number;
}

/**
 * Sums `currentValue` over the answers of the two filtered summaries (each lists one entry per
 * backup management type: `AzureWorkload`, `MAB`, …): `type eq 'BackupProtectedItemCountSummary'`
 * and `type eq 'BackupProtectionContainerCountSummary'`. A missing or non-numeric value counts 0.
 */
export function toBackupUsageCounts(protectedItemSummary: readonly SdkBackupUsage[], containerSummary: readonly SdkBackupUsage[]): BackupUsageCounts {
  const sum = (usages: readonly SdkBackupUsage[]) => usages.reduce((n, u) => n + (typeof u.currentValue === 'number' && Number.isFinite(u.currentValue) ? u.currentValue : 0), 0);
  return { protectedItemCount: sum(protectedItemSummary), registeredContainerCount: sum(containerSummary) };
}

export function toVault(v: SdkVault, usage: BackupUsageCounts): Vault {
  const resource = resourceInGroupOf(v, 'vault');
  const state = (v.properties?.privateEndpointStateForBackup ?? 'None').toLowerCase() === 'enabled' ? 'Enabled' : 'None';
  return {
    ...resource,
    tags: stringMap(v.tags),
    experience: backupExperienceOf(v.properties?.backupStorageVersion),
    identity: toVaultIdentity(v.identity),
    privateEndpointStateForBackup: state,
    connections: (v.properties?.privateEndpointConnections ?? []).map((c) => toVaultConnection(c, resource.id)),
    protectedItemCount: usage.protectedItemCount,
    registeredContainerCount: usage.registeredContainerCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Network

function toServiceConnection(c: SdkPrivateLinkServiceConnection, manual: boolean): PrivateEndpointServiceConnection | undefined {
  // A connection without a target or state is in the making: it targets nothing vaultlink can act on yet.
  const target = c.privateLinkServiceId;
  if (!target) return undefined;
  return {
    privateLinkServiceId: target,
    groupIds: [...(c.groupIds ?? [])],
    // The PE side's status is informational (the vault's side is what vaultlink decides on): an
    // absent or unknown one reads as `Pending`, "not approved yet".
    status: connectionStatusOf(c.privateLinkServiceConnectionState?.status) ?? 'Pending',
    manual,
  };
}

function toCustomDnsConfig(c: { fqdn?: string; ipAddresses?: string[] }): CustomDnsConfig | undefined {
  if (!c.fqdn) return undefined;
  return { fqdn: c.fqdn, ipAddresses: [...(c.ipAddresses ?? [])] };
}

export function toPrivateDnsZoneGroup(g: SdkPrivateDnsZoneGroup, peId: string): PrivateDnsZoneGroup {
  const name = g.name ?? (g.id ? parseResourceId(g.id).name : undefined);
  return {
    name: required(name, `a zone group of ${peId}`, 'name'),
    zoneIds: (g.privateDnsZoneConfigs ?? []).map((c) => c.privateDnsZoneId).filter((z): z is string => typeof z === 'string' && z.length > 0),
  };
}

export function toPrivateEndpoint(pe: SdkPrivateEndpoint, zoneGroups: readonly PrivateDnsZoneGroup[] = []): PrivateEndpoint {
  const resource = resourceInGroupOf(pe, 'private endpoint');
  const connections = [
    ...(pe.privateLinkServiceConnections ?? []).map((c) => toServiceConnection(c, false)),
    ...(pe.manualPrivateLinkServiceConnections ?? []).map((c) => toServiceConnection(c, true)),
  ].filter((c): c is PrivateEndpointServiceConnection => c !== undefined);
  return {
    ...resource,
    subnetId: required(pe.subnet?.id, `private endpoint ${resource.id}`, 'subnet.id'),
    connections,
    customDnsConfigs: (pe.customDnsConfigs ?? []).map(toCustomDnsConfig).filter((c): c is CustomDnsConfig => c !== undefined),
    zoneGroups: [...zoneGroups],
    networkInterfaceIds: (pe.networkInterfaces ?? []).map((n) => n.id).filter((n): n is string => typeof n === 'string' && n.length > 0),
  };
}

const NETWORK_POLICIES: readonly PrivateEndpointNetworkPolicies[] = ['Disabled', 'Enabled', 'NetworkSecurityGroupEnabled', 'RouteTableEnabled'];

/**
 * `privateEndpointNetworkPolicies`: absent reads as `Disabled` (ARM's default); an unknown value
 * reads as `Enabled` — the value that raises a finding, so that a person looks rather than
 * vaultlink assuming the subnet is fine.
 */
export function privateEndpointNetworkPoliciesOf(raw: string | undefined): PrivateEndpointNetworkPolicies {
  if (raw === undefined || raw.length === 0) return 'Disabled';
  return NETWORK_POLICIES.find((p) => armEquals(p, raw)) ?? 'Enabled';
}

export function toSubnet(s: SdkSubnet): Subnet {
  const id = required(s.id, 'a subnet', 'id');
  const vnetId = required(parentResourceId(id), `subnet ${id}`, 'virtual network in id');
  const addressPrefixes = [...new Set([...(s.addressPrefix ? [s.addressPrefix] : []), ...(s.addressPrefixes ?? [])])];
  const usedIpCount = (s.ipConfigurations ?? []).length;
  return {
    id,
    vnetId,
    addressPrefixes,
    privateEndpointNetworkPolicies: privateEndpointNetworkPoliciesOf(s.privateEndpointNetworkPolicies),
    usedIpCount,
    freeIpCount: Math.max(0, usableIpv4AddressCount(addressPrefixes) - usedIpCount),
  };
}

// ---------------------------------------------------------------------------------------------
// Private DNS

export function toDnsZone(z: SdkPrivateZone): DnsZone {
  const id = required(z.id, 'a private DNS zone', 'id');
  return { id, name: (z.name ?? parseResourceId(id).name).toLowerCase() };
}

export function toVirtualNetworkLink(l: SdkVirtualNetworkLink): VirtualNetworkLink {
  const id = required(l.id, 'a virtual network link', 'id');
  const what = `virtual network link ${id}`;
  return {
    id,
    zoneId: required(parentResourceId(id), what, 'zone in id'),
    name: l.name ?? parseResourceId(id).name,
    vnetId: required(l.virtualNetwork?.id, what, 'virtualNetwork.id'),
    metadata: stringMap(l.tags),
    provisioningState: l.provisioningState ?? '',
  };
}

/** An A record set; undefined for a record set of another type (lists may mix them). */
export function toARecordSet(r: SdkRecordSet): ARecordSet | undefined {
  const id = required(r.id, 'a record set', 'id');
  const parsed = parseResourceId(id);
  if (parsed.segments[parsed.segments.length - 1]?.type.toUpperCase() !== 'A') return undefined;
  const what = `record set ${id}`;
  return {
    id,
    zoneId: required(parentResourceId(id), what, 'zone in id'),
    name: (r.name ?? parsed.name).toLowerCase(),
    fqdn: r.fqdn ?? '',
    ttl: r.ttl ?? 0,
    ipv4Addresses: (r.aRecords ?? []).map((a) => a.ipv4Address).filter((ip): ip is string => typeof ip === 'string' && ip.length > 0),
    metadata: stringMap(r.metadata),
    etag: required(r.etag, what, 'etag'),
  };
}

// ---------------------------------------------------------------------------------------------
// Authorization

export function toRoleAssignment(a: SdkRoleAssignment): RoleAssignment {
  const id = required(a.id, 'a role assignment', 'id');
  const what = `role assignment ${id}`;
  return {
    id,
    name: a.name ?? id.slice(id.lastIndexOf('/') + 1),
    // `scope` is in the body of every role assignment ARM returns; the id's prefix is the fallback.
    scope: a.scope ?? scopeOfRoleAssignmentId(id),
    principalId: required(a.principalId, what, 'principalId'),
    roleDefinitionGuid: roleDefinitionGuidOf(required(a.roleDefinitionId, what, 'roleDefinitionId')),
    description: a.description ?? '',
    ...(a.createdOn instanceof Date && !Number.isNaN(a.createdOn.getTime()) ? { createdOn: a.createdOn.toISOString() } : {}),
  };
}
