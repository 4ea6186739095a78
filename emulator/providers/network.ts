/**
 * The emulated Microsoft.Network resource provider, for what vaultlink and the seed touch:
 * virtual networks and subnets, private endpoints with their NICs, private DNS zone groups, and
 * the private endpoint connections they create on Recovery Services vaults.
 *
 * Rules enforced as Azure enforces them (the seed and FACTS.md):
 * - a subnet whose `privateEndpointNetworkPolicies` is not `Disabled` refuses private endpoints
 *   (`PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled`);
 * - a classic Backup endpoint needs 11 free IPs in its subnet (configurable per region, up to
 *   25), a v2 one 10, a storage one 1 (`SubnetIsFull`);
 * - a vault that had items before its first endpoint refuses endpoints; a vault takes at most 12;
 * - `privateLinkServiceConnections` (automatic) need the approval permission on the target,
 *   else `LinkedAuthorizationFailed`; `manualPrivateLinkServiceConnections` start `Pending`;
 * - joining a subnet needs `subnets/join/action` on it, a zone group `privateDnsZones/join/action`
 *   on each zone (`LinkedAuthorizationFailed`).
 *
 * Derived state is computed on read (a subnet's endpoints and used addresses, a VNet's subnets),
 * so writes never have to keep two copies in step.
 */
import { randomUUID } from 'node:crypto';
import {
  childResourceId,
  parentResourceId,
  parseResourceId,
  resourceInGroupId,
  tryParseResourceId,
  type ResourceId,
} from '../../shared/domain/ids';
import { VAULT_APPROVAL_ACTION as AZURE_VAULT_APPROVAL_ACTION } from '../azure-facts';
import { ArmError, armErrors, type JsonObject, type JsonValue } from '../arm';
import type { Authorizer, Principal } from '../auth';
import { NETWORK_SERVICE_PRINCIPAL_ID, type ArmContext, type ArmResponse, type ControlResponse, type EmulatorProvider, type InvokeResult, type ProviderApi, type ResourceEventSpec } from '../server';
import type { ResourceStore, StoredResource } from '../store';
import { arr, obj, propsOf, str } from './json';
import {
  allocateAddresses,
  InvalidAddressPrefixError,
  parseIpv4Prefix,
  prefixContains,
  prefixesOverlap,
  usableAddressCount,
  type Ipv4Prefix,
} from './network-addresses';
import { normalizeDnsName, PRIVATE_DNS_ZONE_TYPE, relativeRecordName } from './network-dns-resolver';
import { backupStorageAccountId, backupStorageAccountName, secondaryEndpointName } from './backup-rules';
import { registerVirtualNetworkPeerings, virtualNetworkPeeringsOf } from './network-peerings';
import {
  BACKUP_GROUP_ID,
  BACKUP_SECONDARY_GROUP_ID,
  backupGeoCode,
  isStoragePartition,
  backupMemberFqdn,
  CLASSIC_BACKUP_MEMBERS,
  freeAddressesRequiredForBackup,
  isStorageGroupId,
  MAX_PRIVATE_ENDPOINTS_PER_VAULT,
  privateLinkAlias,
  storageFqdn,
  V2_BACKUP_MEMBERS,
  type StorageGroupId,
} from './network-private-link';

export const VIRTUAL_NETWORK_TYPE = 'Microsoft.Network/virtualNetworks';
export const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';
export const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';
export const PRIVATE_DNS_ZONE_GROUP_TYPE = 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups';
export const NETWORK_INTERFACE_TYPE = 'Microsoft.Network/networkInterfaces';
export const VAULT_TYPE = 'Microsoft.RecoveryServices/vaults';
export const VAULT_CONNECTION_TYPE = 'Microsoft.RecoveryServices/vaults/privateEndpointConnections';
export const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';

export const SUBNET_JOIN_ACTION = 'Microsoft.Network/virtualNetworks/subnets/join/action';
export const PRIVATE_DNS_ZONE_JOIN_ACTION = 'Microsoft.Network/privateDnsZones/join/action';
export const VAULT_APPROVAL_ACTION = AZURE_VAULT_APPROVAL_ACTION;
export const STORAGE_APPROVAL_ACTION = 'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action';

/** TTL Azure gives the A records a private DNS zone group writes. */
export const ZONE_GROUP_RECORD_TTL = 10;

/** What the network provider needs to know about a Recovery Services vault (owned by the recoveryservices provider). */
export interface PrivateLinkVault {
  readonly location: string;
  /** The 19-digit id used in FQDNs and connection names. */
  readonly numericId: string;
  readonly experience: 'classic' | 'v2';
  /** Items were registered or protected (or attempted) before the vault's first endpoint: it can never get endpoints (the seed's FAQ). */
  readonly itemsBeforePrivateEndpoints: boolean;
}

export interface NetworkProviderOptions {
  /** Reads a vault's private-link facts; undefined when there is no such vault. */
  readonly vaultFor: (store: ResourceStore, vaultId: string) => PrivateLinkVault | undefined;
  /** Free IPs a classic Backup endpoint needs, per region (`uksouth: 20`); default 11, capped at 25. */
  readonly backupFreeAddressesPerRegion?: Readonly<Record<string, number>>;
  /** Backup geo codes that override emulator/data/backup-geo-codes.json. */
  readonly geoCodeOverrides?: Readonly<Record<string, string>>;
  /** The DNS partition (`z12`) of a storage account with Azure DNS zone endpoints; undefined for the classic `core.windows.net` names. */
  readonly storagePartitionOf?: (accountName: string) => string | undefined;
}

/** The services a network operation runs with: the store, authorization, and who is calling. */
export interface NetworkOperationContext {
  readonly store: ResourceStore;
  readonly authorizer: Authorizer;
  readonly options: NetworkProviderOptions;
  /** The caller's object id (a user, vaultlink, or a vault's managed identity). */
  readonly principalId: string;
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

function networkEtag(stored: StoredResource): string {
  return `W/"${stored.etag}"`;
}

function invalidContent(why: string): ArmError {
  return armErrors.badRequest('InvalidRequestFormat', `Cannot parse the request. ${why}`);
}

function referenceNotFound(referenced: string, by: string): ArmError {
  return armErrors.badRequest('InvalidResourceReference', `Resource ${referenced} referenced by resource ${by} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
}

function sameKey(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const pa = tryParseResourceId(a);
  const pb = tryParseResourceId(b);
  return pa !== undefined && pb !== undefined && pa.key === pb.key;
}

function tagsOf(body: JsonObject, previous?: StoredResource): JsonObject | undefined {
  return obj(body['tags']) ?? obj(previous?.resource['tags']);
}

// ---------------------------------------------------------------------------------------------
// Subnet usage (derived from the NICs in the store, cached per store version)

interface SubnetUsage {
  readonly addresses: Set<string>;
  readonly ipConfigurationIds: string[];
  readonly privateEndpointIds: string[];
}

const usageCache = new WeakMap<ResourceStore, { version: string; bySubnet: Map<string, SubnetUsage> }>();

function subnetUsages(store: ResourceStore): Map<string, SubnetUsage> {
  const version = `${store.version(NETWORK_INTERFACE_TYPE)}:${store.version(PRIVATE_ENDPOINT_TYPE)}`;
  const cached = usageCache.get(store);
  if (cached && cached.version === version) return cached.bySubnet;
  const bySubnet = new Map<string, SubnetUsage>();
  const usageOf = (subnetId: string): SubnetUsage | undefined => {
    const key = tryParseResourceId(subnetId)?.key;
    if (key === undefined) return undefined;
    let usage = bySubnet.get(key);
    if (!usage) bySubnet.set(key, (usage = { addresses: new Set(), ipConfigurationIds: [], privateEndpointIds: [] }));
    return usage;
  };
  for (const nic of store.list({ type: NETWORK_INTERFACE_TYPE })) {
    for (const config of arr(propsOf(nic)['ipConfigurations'])) {
      const c = obj(config);
      const p = obj(c?.['properties']);
      const subnetId = str(obj(p?.['subnet'])?.['id']);
      const usage = subnetId === undefined ? undefined : usageOf(subnetId);
      if (!usage) continue;
      const id = str(c?.['id']);
      if (id !== undefined) usage.ipConfigurationIds.push(id);
      const address = str(p?.['privateIPAddress']);
      if (address !== undefined) usage.addresses.add(address);
    }
  }
  for (const pe of store.list({ type: PRIVATE_ENDPOINT_TYPE })) {
    const subnetId = str(obj(propsOf(pe)['subnet'])?.['id']);
    const usage = subnetId === undefined ? undefined : usageOf(subnetId);
    usage?.privateEndpointIds.push(pe.id);
  }
  usageCache.set(store, { version, bySubnet });
  return bySubnet;
}

function subnetUsage(store: ResourceStore, subnetId: string): SubnetUsage {
  const key = tryParseResourceId(subnetId)?.key;
  return (key === undefined ? undefined : subnetUsages(store).get(key)) ?? { addresses: new Set(), ipConfigurationIds: [], privateEndpointIds: [] };
}

function subnetPrefixes(props: JsonObject, where: string): Ipv4Prefix[] {
  const single = str(props['addressPrefix']);
  const many = arr(props['addressPrefixes']).filter((p): p is string => typeof p === 'string');
  const texts = single !== undefined ? [single, ...many.filter((m) => m !== single)] : many;
  if (texts.length === 0) throw armErrors.badRequest('NetcfgInvalidSubnet', `Subnet ${where} is not valid: it has no address prefix.`);
  return texts.map((t) => {
    try {
      return parseIpv4Prefix(t);
    } catch (e) {
      if (e instanceof InvalidAddressPrefixError) throw armErrors.badRequest('InvalidAddressPrefixFormat', `Address prefix ${t} of ${where} is not valid: ${e.reason}.`);
      throw e;
    }
  });
}

/** Free (assignable, unused) addresses of a subnet: what the seed's "11 free IPs" is measured against. */
export function freeAddressCount(store: ResourceStore, subnetId: string): number {
  const subnet = store.get(subnetId);
  if (!subnet) throw armErrors.resourceNotFound(SUBNET_TYPE, parseResourceId(subnetId).name);
  const prefixes = subnetPrefixes(propsOf(subnet), subnet.id);
  const usable = prefixes.reduce((n, p) => n + usableAddressCount(p), 0);
  return usable - subnetUsage(store, subnet.id).addresses.size;
}

// ---------------------------------------------------------------------------------------------
// Virtual networks and subnets

function renderSubnet(store: ResourceStore, stored: StoredResource): JsonObject {
  const props = propsOf(stored);
  const usage = subnetUsage(store, stored.id);
  const properties: JsonObject = {
    ...props,
    provisioningState: 'Succeeded',
    privateEndpointNetworkPolicies: str(props['privateEndpointNetworkPolicies']) ?? 'Disabled',
    privateLinkServiceNetworkPolicies: str(props['privateLinkServiceNetworkPolicies']) ?? 'Enabled',
  };
  if (usage.privateEndpointIds.length > 0) properties['privateEndpoints'] = usage.privateEndpointIds.map((id) => ({ id }));
  if (usage.ipConfigurationIds.length > 0) properties['ipConfigurations'] = usage.ipConfigurationIds.map((id) => ({ id }));
  return { name: stored.parsed.name, id: stored.id, etag: networkEtag(stored), type: SUBNET_TYPE, properties };
}

function renderVirtualNetwork(store: ResourceStore, stored: StoredResource): JsonObject {
  const subnets = store.children(stored.id, SUBNET_TYPE).map((s) => renderSubnet(store, s));
  const r = stored.resource;
  const body: JsonObject = { name: stored.parsed.name, id: stored.id, etag: networkEtag(stored), type: VIRTUAL_NETWORK_TYPE, location: r['location'] ?? null };
  const tags = obj(r['tags']);
  if (tags) body['tags'] = tags;
  body['properties'] = { ...propsOf(stored), provisioningState: 'Succeeded', subnets, virtualNetworkPeerings: virtualNetworkPeeringsOf(store, stored.id), enableDdosProtection: false };
  return body;
}

function addressSpaceOf(props: JsonObject, vnetId: string): Ipv4Prefix[] {
  const prefixes = arr(obj(props['addressSpace'])?.['addressPrefixes']).filter((p): p is string => typeof p === 'string');
  if (prefixes.length === 0) throw invalidContent(`Virtual network ${vnetId} needs properties.addressSpace.addressPrefixes.`);
  return prefixes.map((t) => {
    try {
      return parseIpv4Prefix(t);
    } catch (e) {
      if (e instanceof InvalidAddressPrefixError) throw armErrors.badRequest('InvalidAddressPrefixFormat', `Address prefix ${t} of ${vnetId} is not valid: ${e.reason}.`);
      throw e;
    }
  });
}

/** Checks a VNet's subnets against its address space and each other (ARM's Netcfg* errors). */
function validateSubnetLayout(vnetId: string, space: Ipv4Prefix[], subnets: { id: string; prefixes: Ipv4Prefix[] }[]): void {
  for (const s of subnets) {
    for (const p of s.prefixes) {
      if (!space.some((a) => prefixContains(a, p))) {
        throw armErrors.badRequest('NetcfgSubnetRangeOutsideVnet', `Subnet '${parseResourceId(s.id).name}' is not valid because its IP address range is outside the IP address range of virtual network '${parseResourceId(vnetId).name}'.`);
      }
    }
  }
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      const a = subnets[i] as { id: string; prefixes: Ipv4Prefix[] };
      const b = subnets[j] as { id: string; prefixes: Ipv4Prefix[] };
      if (a.prefixes.some((pa) => b.prefixes.some((pb) => prefixesOverlap(pa, pb)))) {
        throw armErrors.badRequest('NetcfgSubnetRangesOverlap', `Subnet '${parseResourceId(a.id).name}' is not valid because its IP address range overlaps with that of an existing subnet '${parseResourceId(b.id).name}' in virtual network '${parseResourceId(vnetId).name}'.`);
      }
    }
  }
}

function assertSubnetNotInUse(store: ResourceStore, subnetId: string, verb: 'deleted' | 'updated'): void {
  if (subnetUsage(store, subnetId).ipConfigurationIds.length > 0) {
    const code = verb === 'deleted' ? 'InUseSubnetCannotBeDeleted' : 'InUseSubnetCannotBeUpdated';
    throw armErrors.badRequest(code, `Subnet ${parseResourceId(subnetId).name} is in use by private endpoint network interfaces and cannot be ${verb}. In order to ${verb === 'deleted' ? 'delete' : 'update'} the subnet, delete all the resources within the subnet.`);
  }
}

function subnetResource(subnetId: string, body: JsonObject): JsonObject {
  const props = obj(body['properties']) ?? {};
  const kept: JsonObject = {};
  for (const k of ['addressPrefix', 'addressPrefixes', 'privateEndpointNetworkPolicies', 'privateLinkServiceNetworkPolicies', 'delegations', 'serviceEndpoints', 'networkSecurityGroup', 'routeTable', 'defaultOutboundAccess']) {
    if (props[k] !== undefined) kept[k] = props[k] as JsonValue;
  }
  return { name: parseResourceId(subnetId).name, id: subnetId, type: SUBNET_TYPE, properties: kept };
}

/**
 * PUT a virtual network. Subnets in the body replace the VNet's subnets (ARM semantics: a subnet
 * left out is deleted, which fails while it is in use).
 */
export function ensureVirtualNetwork(ctx: NetworkOperationContext, vnetId: string, body: JsonObject): { status: 200 | 201; body: JsonObject } {
  const { store } = ctx;
  const previous = store.get(vnetId);
  const location = str(body['location']) ?? str(previous?.resource['location']);
  if (location === undefined) throw invalidContent('The location property is required for this definition.');
  const props = obj(body['properties']) ?? {};
  const id = previous?.id ?? parseResourceId(vnetId).id;
  const space = addressSpaceOf(props, id);
  const wanted = arr(props['subnets']).map((s) => {
    const subnet = obj(s);
    const name = str(subnet?.['name']);
    if (!subnet || name === undefined) throw invalidContent('Every subnet needs a name.');
    const subnetId = childResourceId(id, 'subnets', name);
    return { id: subnetId, body: subnet, prefixes: subnetPrefixes(obj(subnet['properties']) ?? {}, subnetId) };
  });
  validateSubnetLayout(id, space, wanted);
  // changes to subnets in use: removal and prefix changes are refused, as ARM does
  const existing = store.children(id, SUBNET_TYPE);
  for (const s of existing) {
    const kept = wanted.find((w) => sameKey(w.id, s.id));
    if (!kept) assertSubnetNotInUse(store, s.id, 'deleted');
    else if (JSON.stringify(subnetPrefixes(propsOf(s), s.id).map((p) => p.text)) !== JSON.stringify(kept.prefixes.map((p) => p.text))) assertSubnetNotInUse(store, s.id, 'updated');
  }
  for (const w of wanted) {
    const policies = str(obj(w.body['properties'])?.['privateEndpointNetworkPolicies']);
    if (policies !== undefined && policies !== 'Disabled') assertNoPrivateEndpointsBlockPolicies(store, w.id);
  }
  const resource: JsonObject = {
    name: parseResourceId(id).name,
    id,
    type: VIRTUAL_NETWORK_TYPE,
    location,
    properties: {
      addressSpace: { addressPrefixes: space.map((p) => p.text) },
      resourceGuid: str(propsOf(previous)['resourceGuid']) ?? randomUUID(),
      ...(obj(props['dhcpOptions']) ? { dhcpOptions: obj(props['dhcpOptions']) as JsonObject } : {}),
    },
  };
  const tags = tagsOf(body, previous);
  if (tags) resource['tags'] = tags;
  const stored = store.put(id, resource, { principalId: ctx.principalId });
  for (const s of existing) if (!wanted.some((w) => sameKey(w.id, s.id))) store.delete(s.id);
  for (const w of wanted) store.put(w.id, subnetResource(w.id, w.body), { principalId: ctx.principalId });
  return { status: previous ? 200 : 201, body: renderVirtualNetwork(store, stored) };
}

/** The seed's rule holds for existing endpoints too: Azure refuses enabling policies on a subnet that has some. */
function assertNoPrivateEndpointsBlockPolicies(store: ResourceStore, subnetId: string): void {
  if (subnetUsage(store, subnetId).privateEndpointIds.length > 0) {
    throw armErrors.badRequest('PrivateEndpointNetworkPoliciesCannotBeEnabledOnPrivateEndpointSubnet', `Private endpoint network policies cannot be enabled on private endpoint subnet ${subnetId}.`);
  }
}

export function getVirtualNetwork(ctx: NetworkOperationContext, vnetId: string): JsonObject {
  const stored = ctx.store.get(vnetId);
  if (!stored) throw notFound(vnetId);
  return renderVirtualNetwork(ctx.store, stored);
}

export function listVirtualNetworks(ctx: NetworkOperationContext, scope: string): JsonObject {
  return { value: ctx.store.list({ type: VIRTUAL_NETWORK_TYPE, scope }).map((s) => renderVirtualNetwork(ctx.store, s)) };
}

export function deleteVirtualNetwork(ctx: NetworkOperationContext, vnetId: string): boolean {
  const stored = ctx.store.get(vnetId);
  if (!stored) return false;
  for (const s of ctx.store.children(stored.id, SUBNET_TYPE)) assertSubnetNotInUse(ctx.store, s.id, 'deleted');
  ctx.store.deleteTree(stored.id);
  return true;
}

/** `GET …/virtualNetworks/{v}/usages`: used and total addresses per subnet ("Subnet size and usage"). */
export function listVirtualNetworkUsages(ctx: NetworkOperationContext, vnetId: string): JsonObject {
  const stored = ctx.store.get(vnetId);
  if (!stored) throw notFound(vnetId);
  const value = ctx.store.children(stored.id, SUBNET_TYPE).map((s) => {
    const usable = subnetPrefixes(propsOf(s), s.id).reduce((n, p) => n + usableAddressCount(p), 0);
    return {
      currentValue: subnetUsage(ctx.store, s.id).addresses.size,
      id: s.id,
      limit: usable,
      name: { localizedValue: 'Subnet size and usage', value: 'Subnet size and usage' },
      unit: 'Count',
    };
  });
  return { value };
}

export function ensureSubnet(ctx: NetworkOperationContext, subnetId: string, body: JsonObject): { status: 200 | 201; body: JsonObject } {
  const { store } = ctx;
  const vnetId = parentResourceId(subnetId) as string;
  const vnet = store.get(vnetId);
  if (!vnet) throw notFound(vnetId);
  const previous = store.get(subnetId);
  const id = previous?.id ?? childResourceId(vnet.id, 'subnets', parseResourceId(subnetId).name);
  const prefixes = subnetPrefixes(obj(body['properties']) ?? {}, id);
  const siblings = store
    .children(vnet.id, SUBNET_TYPE)
    .filter((s) => !sameKey(s.id, id))
    .map((s) => ({ id: s.id, prefixes: subnetPrefixes(propsOf(s), s.id) }));
  validateSubnetLayout(vnet.id, addressSpaceOf(propsOf(vnet), vnet.id), [{ id, prefixes }, ...siblings]);
  if (previous && JSON.stringify(subnetPrefixes(propsOf(previous), id).map((p) => p.text)) !== JSON.stringify(prefixes.map((p) => p.text))) {
    assertSubnetNotInUse(store, id, 'updated');
  }
  const policies = str(obj(body['properties'])?.['privateEndpointNetworkPolicies']);
  if (policies !== undefined && policies !== 'Disabled') assertNoPrivateEndpointsBlockPolicies(store, id);
  const stored = store.put(id, subnetResource(id, body), { principalId: ctx.principalId });
  return { status: previous ? 200 : 201, body: renderSubnet(store, stored) };
}

export function getSubnet(ctx: NetworkOperationContext, subnetId: string): JsonObject {
  const stored = ctx.store.get(subnetId);
  if (!stored) throw notFound(subnetId);
  return renderSubnet(ctx.store, stored);
}

export function listSubnets(ctx: NetworkOperationContext, vnetId: string): JsonObject {
  const vnet = ctx.store.get(vnetId);
  if (!vnet) throw notFound(vnetId);
  return { value: ctx.store.children(vnet.id, SUBNET_TYPE).map((s) => renderSubnet(ctx.store, s)) };
}

export function deleteSubnet(ctx: NetworkOperationContext, subnetId: string): boolean {
  const stored = ctx.store.get(subnetId);
  if (!stored) return false;
  assertSubnetNotInUse(ctx.store, stored.id, 'deleted');
  ctx.store.delete(stored.id);
  return true;
}

function notFound(id: string): ArmError {
  const p = parseResourceId(id);
  return armErrors.resourceNotFound(p.type, p.name, p.resourceGroup);
}

// ---------------------------------------------------------------------------------------------
// Private endpoints

/** One connection of a private endpoint, as requested. */
interface RequestedConnection {
  readonly name: string;
  readonly targetId: string;
  readonly groupId: string;
  readonly requestMessage: string | undefined;
  readonly manual: boolean;
}

/** What a private endpoint's target gives it. */
interface TargetPlan {
  readonly members: { readonly memberName: string; readonly fqdn: string }[];
  readonly freeAddressesRequired: number;
  readonly approvalAction: string | undefined;
  /** The vault the connection is recorded on (Backup targets only). */
  readonly vault?: { readonly id: string; readonly numericId: string };
}

function requestedConnection(body: JsonObject, peId: string): RequestedConnection {
  const props = obj(body['properties']) ?? {};
  const automatic = arr(props['privateLinkServiceConnections']);
  const manual = arr(props['manualPrivateLinkServiceConnections']);
  if (automatic.length + manual.length !== 1) {
    throw armErrors.badRequest('PrivateEndpointMustHaveExactlyOneConnection', `Private endpoint ${peId} must have exactly one private link service connection (automatic or manual).`);
  }
  const isManual = manual.length === 1;
  const c = obj((isManual ? manual[0] : automatic[0]) as JsonValue) ?? {};
  const cp = obj(c['properties']) ?? {};
  const targetId = str(cp['privateLinkServiceId']);
  if (targetId === undefined || tryParseResourceId(targetId) === undefined) throw armErrors.invalidResourceId(`Property id '${targetId ?? ''}' at path 'properties.privateLinkServiceConnections[0].properties.privateLinkServiceId' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`);
  const groupIds = arr(cp['groupIds']).filter((g): g is string => typeof g === 'string');
  if (groupIds.length !== 1) throw armErrors.badRequest('PrivateEndpointGroupIdCountInvalid', `Private endpoint ${peId} must name exactly one group id (sub-resource) of its target.`);
  return {
    name: str(c['name']) ?? parseResourceId(peId).name,
    targetId: parseResourceId(targetId).id,
    groupId: groupIds[0] as string,
    requestMessage: str(cp['requestMessage']),
    manual: isManual,
  };
}

function planTarget(ctx: NetworkOperationContext, peId: string, connection: RequestedConnection): TargetPlan {
  const target = parseResourceId(connection.targetId);
  if (target.type.toLowerCase() === VAULT_TYPE.toLowerCase()) return planBackupTarget(ctx, peId, connection, target);
  if (target.type.toLowerCase() === STORAGE_ACCOUNT_TYPE.toLowerCase()) return planStorageTarget(ctx, connection, target);
  throw armErrors.badRequest('PrivateLinkServiceTypeNotSupported', `The emulator serves private endpoints to Recovery Services vaults and storage accounts only, not to ${target.type}.`);
}

function planBackupTarget(ctx: NetworkOperationContext, peId: string, connection: RequestedConnection, target: ResourceId): TargetPlan {
  const vault = ctx.options.vaultFor(ctx.store, target.id);
  if (!vault) throw referenceNotFound(target.id, peId);
  const group = connection.groupId.toLowerCase();
  const secondary = group === BACKUP_SECONDARY_GROUP_ID.toLowerCase();
  if (group !== BACKUP_GROUP_ID.toLowerCase() && !(secondary && vault.experience === 'v2')) {
    throw armErrors.badRequest('InvalidPrivateEndpointGroupId', `Group id '${connection.groupId}' is not a sub-resource of ${target.id}; use '${BACKUP_GROUP_ID}'.`);
  }
  if (vault.itemsBeforePrivateEndpoints) {
    throw armErrors.badRequest('UserErrorPrivateEndpointNotAllowedForVaultWithItems', `Private endpoints can be created only for vaults that had no items registered or protected (nor attempts to) before their first private endpoint; ${target.id} had some. Create a new vault.`);
  }
  const connections = ctx.store.children(target.id, VAULT_CONNECTION_TYPE).filter((c) => !sameKey(str(obj(propsOf(c)['privateEndpoint'])?.['id']), peId));
  if (connections.length >= MAX_PRIVATE_ENDPOINTS_PER_VAULT) {
    throw armErrors.badRequest('UserErrorMaxPrivateEndpointsPerVaultReached', `Vault ${target.id} already has ${connections.length} private endpoints, the maximum.`);
  }
  const geo = backupGeoCode(vault.location, ctx.options.geoCodeOverrides);
  if (geo === undefined) throw armErrors.badRequest('LocationNotAvailableForResourceType', `No Backup geo code is known for region '${vault.location}'.`);
  const members = (vault.experience === 'classic' ? CLASSIC_BACKUP_MEMBERS : V2_BACKUP_MEMBERS).map((m) => ({
    memberName: `backup-${m}`,
    fqdn: backupMemberFqdn(vault.numericId, m, geo),
  }));
  return {
    members,
    freeAddressesRequired: freeAddressesRequiredForBackup(vault.location, vault.experience, ctx.options.backupFreeAddressesPerRegion),
    approvalAction: VAULT_APPROVAL_ACTION,
    vault: { id: target.id, numericId: vault.numericId },
  };
}

function planStorageTarget(ctx: NetworkOperationContext, connection: RequestedConnection, target: ResourceId): TargetPlan {
  if (!isStorageGroupId(connection.groupId)) {
    throw armErrors.badRequest('InvalidPrivateEndpointGroupId', `Group id '${connection.groupId}' is not served by the emulator for storage accounts; use 'blob' or 'queue'.`);
  }
  const group = connection.groupId.toLowerCase() as StorageGroupId;
  // Backup's own storage accounts live in a Microsoft subscription the store does not hold; the
  // Backup service approves those connections itself. A storage account in the store is the
  // customer's: approval follows its RBAC like any other target.
  const inStore = ctx.store.has(target.id);
  return {
    members: [{ memberName: group, fqdn: storageFqdn(target.name, group, ctx.options.storagePartitionOf?.(target.name)) }],
    freeAddressesRequired: 1,
    approvalAction: inStore ? STORAGE_APPROVAL_ACTION : undefined,
  };
}

function connectionBody(peId: string, connection: RequestedConnection, state: JsonObject): JsonObject {
  const properties: JsonObject = {
    provisioningState: 'Succeeded',
    privateLinkServiceId: connection.targetId,
    groupIds: [connection.groupId],
    privateLinkServiceConnectionState: state,
  };
  if (connection.requestMessage !== undefined) properties['requestMessage'] = connection.requestMessage;
  return {
    name: connection.name,
    id: `${peId}/${connection.manual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections'}/${connection.name}`,
    type: 'Microsoft.Network/privateEndpoints/privateLinkServiceConnections',
    properties,
  };
}

/**
 * Key of what a private endpoint gets when its creation completes, kept in the stored JSON and
 * never rendered: the `customDnsConfigs` and the vault connection (Azure fills them in when the
 * long-running operation ends; azure-cli#16598 shows the PUT's `Updating` answer with `[]`).
 */
const PENDING_KEY = 'x-emulator-pending';

function renderPrivateEndpoint(stored: StoredResource): JsonObject {
  const { [PENDING_KEY]: _pending, ...resource } = stored.resource;
  return { ...resource, etag: networkEtag(stored) };
}

function provisioningStateOf(stored: StoredResource | undefined): string | undefined {
  return str(propsOf(stored)['provisioningState']);
}

/** The vault connection that belongs to a private endpoint, if any. */
export function vaultConnectionOf(store: ResourceStore, peId: string): StoredResource | undefined {
  const pe = store.get(peId);
  const connections = [...arr(propsOf(pe)['privateLinkServiceConnections']), ...arr(propsOf(pe)['manualPrivateLinkServiceConnections'])];
  for (const c of connections) {
    const targetId = str(obj(obj(c)?.['properties'])?.['privateLinkServiceId']);
    if (targetId === undefined || !tryParseResourceId(targetId) || parseResourceId(targetId).type.toLowerCase() !== VAULT_TYPE.toLowerCase()) continue;
    return store.children(targetId, VAULT_CONNECTION_TYPE).find((vc) => sameKey(str(obj(propsOf(vc)['privateEndpoint'])?.['id']), peId));
  }
  return undefined;
}

/**
 * Creates (or updates the tags of) a private endpoint as `ctx.principalId`, with every check Azure
 * makes: subnet join permission, subnet policies, free IPs, the target's rules, and approval
 * permission for an automatic connection. Writes the endpoint, its NIC and, for a vault, the
 * connection on the vault. Used by the ARM PUT and by Backup's own part (acting as the vault
 * identity). Returns the endpoint body and whether it was created.
 */
export function ensurePrivateEndpoint(ctx: NetworkOperationContext, peId: string, body: JsonObject): { status: 200 | 201; body: JsonObject } {
  const { store, authorizer, principalId } = ctx;
  const previous = store.get(peId);
  const id = previous?.id ?? parseResourceId(peId).id;
  const props = obj(body['properties']) ?? {};
  const subnetId = str(obj(props['subnet'])?.['id']);
  if (subnetId === undefined || tryParseResourceId(subnetId) === undefined) throw invalidContent(`Private endpoint ${id} needs properties.subnet.id.`);

  if (previous) {
    // Azure lets tags change; the subnet and the connection are fixed for the endpoint's life.
    if (!sameKey(str(obj(propsOf(previous)['subnet'])?.['id']), subnetId)) {
      throw armErrors.badRequest('CannotChangePrivateEndpointSubnet', `The subnet of private endpoint ${id} cannot be changed.`);
    }
    const resource: JsonObject = { ...previous.resource };
    const tags = obj(body['tags']);
    if (tags) resource['tags'] = tags;
    else delete resource['tags'];
    const stored = store.put(id, resource, { principalId });
    return { status: 200, body: renderPrivateEndpoint(stored) };
  }

  const location = str(body['location']);
  if (location === undefined) throw invalidContent('The location property is required for this definition.');
  const subnet = store.get(subnetId);
  if (!subnet) throw referenceNotFound(subnetId, id);
  authorizer.assertLinkedAuthorized(principalId, SUBNET_JOIN_ACTION, subnet.id);
  const policies = str(propsOf(subnet)['privateEndpointNetworkPolicies']) ?? 'Disabled';
  if (policies !== 'Disabled') {
    throw armErrors.badRequest('PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled', `Private endpoint ${id} cannot be created in a subnet ${subnet.id} since it has private endpoint network policies enabled.`);
  }

  const connection = requestedConnection(body, id);
  const plan = planTarget(ctx, id, connection);
  let state: JsonObject;
  if (connection.manual) {
    state = { status: 'Pending', description: connection.requestMessage ?? '', actionsRequired: 'None' };
  } else {
    if (plan.approvalAction !== undefined) authorizer.assertLinkedAuthorized(principalId, plan.approvalAction, connection.targetId);
    state = { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' };
  }

  const prefixes = subnetPrefixes(propsOf(subnet), subnet.id);
  const usage = subnetUsage(store, subnet.id);
  const free = prefixes.reduce((n, p) => n + usableAddressCount(p), 0) - usage.addresses.size;
  const subnetIsFull = (): ArmError =>
    armErrors.badRequest('SubnetIsFull', `Subnet ${subnet.parsed.name} with address prefix ${prefixes.map((p) => p.text).join(', ')} does not have enough capacity for ${plan.freeAddressesRequired} IP addresses (${free} free).`);
  if (free < plan.freeAddressesRequired) throw subnetIsFull();
  const addresses: string[] = [];
  const taken = new Set(usage.addresses);
  for (const prefix of prefixes) {
    const got = allocateAddresses(prefix, taken, Math.min(plan.members.length - addresses.length, usableAddressCount(prefix)));
    for (const a of got ?? []) {
      addresses.push(a);
      taken.add(a);
    }
    if (addresses.length === plan.members.length) break;
  }
  if (addresses.length < plan.members.length) throw subnetIsFull();

  const pe = parseResourceId(id);
  const nicName = str(props['customNetworkInterfaceName']) ?? `${pe.name}.nic.${randomUUID()}`;
  const nicId = resourceInGroupId(pe.subscriptionId as string, pe.resourceGroup as string, NETWORK_INTERFACE_TYPE, nicName);
  const customDnsConfigs: JsonObject[] = plan.members.map((m, k) => ({ fqdn: m.fqdn, ipAddresses: [addresses[k] as string] }));
  const pending: JsonObject = { customDnsConfigs, state, groupId: connection.groupId };
  if (plan.vault) pending['vault'] = { id: plan.vault.id, numericId: plan.vault.numericId };
  const resource: JsonObject = {
    name: pe.name,
    id,
    type: PRIVATE_ENDPOINT_TYPE,
    location,
    [PENDING_KEY]: pending,
    properties: {
      provisioningState: 'Updating',
      resourceGuid: randomUUID(),
      privateLinkServiceConnections: connection.manual ? [] : [connectionBody(id, connection, state)],
      manualPrivateLinkServiceConnections: connection.manual ? [connectionBody(id, connection, state)] : [],
      subnet: { id: subnet.id },
      networkInterfaces: [{ id: nicId }],
      customDnsConfigs: [],
      applicationSecurityGroups: [],
      ipConfigurations: [],
      ...(str(props['customNetworkInterfaceName']) !== undefined ? { customNetworkInterfaceName: nicName } : {}),
    },
  };
  const tags = obj(body['tags']);
  if (tags) resource['tags'] = tags;

  const nic: JsonObject = {
    name: nicName,
    id: nicId,
    type: NETWORK_INTERFACE_TYPE,
    location,
    properties: {
      provisioningState: 'Updating',
      resourceGuid: randomUUID(),
      ipConfigurations: plan.members.map((m, k) => privateEndpointIpConfiguration(nicId, k, addresses[k] as string, subnet.id, connection.groupId, m)),
      privateEndpoint: { id },
      dnsSettings: { dnsServers: [], appliedDnsServers: [], internalDomainNameSuffix: `${randomUUID().replace(/-/g, '')}.xx.internal.cloudapp.net` },
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      nicType: 'Standard',
    },
  };

  // The addresses are taken now (the NIC holds them); Azure shows them when the operation ends.
  store.put(nicId, nic, { principalId: NETWORK_SERVICE_PRINCIPAL_ID });
  const stored = store.put(id, resource, { principalId });
  return { status: 201, body: renderPrivateEndpoint(stored) };
}

/**
 * Ends a private endpoint's creation, as Azure does when the long-running operation completes:
 * `customDnsConfigs` and the NIC's IPs appear, the vault's connection is recorded, and zone groups
 * written meanwhile get their records. Returns the vault connection it recorded, if any.
 */
export function completePrivateEndpoint(store: ResourceStore, peId: string, principalId: string): StoredResource | undefined {
  const stored = store.get(peId);
  const pending = obj(stored?.resource[PENDING_KEY]);
  if (!stored || !pending) return undefined;
  const { [PENDING_KEY]: _done, ...resource } = stored.resource;
  const id = stored.id;
  const updated = store.put(id, { ...resource, properties: { ...propsOf(stored), provisioningState: 'Succeeded', customDnsConfigs: arr(pending['customDnsConfigs']) } });
  for (const nic of arr(propsOf(updated)['networkInterfaces'])) {
    const nicStored = store.get(str(obj(nic)?.['id']) ?? '');
    if (nicStored) store.put(nicStored.id, { ...nicStored.resource, properties: { ...propsOf(nicStored), provisioningState: 'Succeeded' } });
  }
  let connectionStored: StoredResource | undefined;
  const vault = obj(pending['vault']);
  const vaultId = str(vault?.['id']);
  if (vault && vaultId !== undefined && store.has(vaultId)) {
    const connectionId = childResourceId(vaultId, 'privateEndpointConnections', `${updated.parsed.name}.${str(vault['numericId']) ?? ''}.backup.${randomUUID()}`);
    connectionStored = store.put(
      connectionId,
      {
        name: parseResourceId(connectionId).name,
        id: connectionId,
        type: VAULT_CONNECTION_TYPE,
        properties: {
          provisioningState: 'Succeeded',
          privateEndpoint: { id },
          privateLinkServiceConnectionState: obj(pending['state']) ?? { status: 'Pending', description: '', actionsRequired: 'None' },
          groupIds: [str(pending['groupId']) ?? BACKUP_GROUP_ID],
        },
      },
      { principalId },
    );
  }
  for (const group of store.children(id, PRIVATE_DNS_ZONE_GROUP_TYPE)) refreshZoneGroupRecords(store, group, principalId);
  return connectionStored;
}

export function getPrivateEndpoint(ctx: NetworkOperationContext, peId: string): JsonObject {
  const stored = ctx.store.get(peId);
  if (!stored) throw notFound(peId);
  return renderPrivateEndpoint(stored);
}

export function listPrivateEndpoints(ctx: NetworkOperationContext, scope: string): JsonObject {
  return { value: ctx.store.list({ type: PRIVATE_ENDPOINT_TYPE, scope }).map(renderPrivateEndpoint) };
}

/**
 * Starts deleting a private endpoint: it (and its NIC) show `Deleting` until the operation ends,
 * when {@link deletePrivateEndpoint} removes them. False when there is no such endpoint.
 */
export function beginDeletePrivateEndpoint(ctx: NetworkOperationContext, peId: string): boolean {
  const { store } = ctx;
  const stored = store.get(peId);
  if (!stored) return false;
  store.put(stored.id, { ...stored.resource, properties: { ...propsOf(stored), provisioningState: 'Deleting' } });
  for (const nic of arr(propsOf(stored)['networkInterfaces'])) {
    const nicStored = store.get(str(obj(nic)?.['id']) ?? '');
    if (nicStored) store.put(nicStored.id, { ...nicStored.resource, properties: { ...propsOf(nicStored), provisioningState: 'Deleting' } });
  }
  return true;
}

/** Deletes a private endpoint with what Azure removes with it: NIC, zone groups (and their records), the vault's connection. */
export function deletePrivateEndpoint(ctx: NetworkOperationContext, peId: string): boolean {
  const { store } = ctx;
  const stored = store.get(peId);
  if (!stored) return false;
  for (const group of store.children(stored.id, PRIVATE_DNS_ZONE_GROUP_TYPE)) removeZoneGroupRecords(store, group);
  const connection = vaultConnectionOf(store, stored.id);
  if (connection) store.delete(connection.id);
  for (const nic of arr(propsOf(stored)['networkInterfaces'])) {
    const nicId = str(obj(nic)?.['id']);
    if (nicId !== undefined) store.delete(nicId);
  }
  store.deleteTree(stored.id);
  return true;
}

/** A NIC as Microsoft.Network shows it: while its endpoint is being created, its IP configurations have no address yet. */
function renderNetworkInterface(stored: StoredResource): JsonObject {
  if (provisioningStateOf(stored) !== 'Updating') return { ...stored.resource, etag: networkEtag(stored) };
  const configs = arr(propsOf(stored)['ipConfigurations']).map((c) => {
    const co = obj(c) ?? {};
    const { privateIPAddress: _hidden, ...p } = obj(co['properties']) ?? {};
    return { ...co, properties: p };
  });
  return { ...stored.resource, properties: { ...propsOf(stored), ipConfigurations: configs }, etag: networkEtag(stored) };
}

export function getNetworkInterface(ctx: NetworkOperationContext, nicId: string): JsonObject {
  const stored = ctx.store.get(nicId);
  if (!stored) throw notFound(nicId);
  return renderNetworkInterface(stored);
}

export function listNetworkInterfaces(ctx: NetworkOperationContext, scope: string): JsonObject {
  return { value: ctx.store.list({ type: NETWORK_INTERFACE_TYPE, scope }).map(renderNetworkInterface) };
}

// ---------------------------------------------------------------------------------------------
// Private DNS zone groups: Azure writes (and later removes) the A records of the endpoint's FQDNs

interface ZoneRecord {
  readonly zoneId: string;
  readonly recordSetName: string;
  readonly fqdn: string;
  readonly ipAddress: string;
}

function zoneGroupRecords(store: ResourceStore, pe: StoredResource, zoneIds: string[]): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  for (const config of arr(propsOf(pe)['customDnsConfigs'])) {
    const fqdn = str(obj(config)?.['fqdn']);
    const ips = arr(obj(config)?.['ipAddresses']).filter((a): a is string => typeof a === 'string');
    if (fqdn === undefined) continue;
    const alias = privateLinkAlias(fqdn);
    // the longest zone containing the privatelink alias (or the name itself) takes the record
    let best: { zoneId: string; name: string; zoneName: string } | undefined;
    for (const zoneId of zoneIds) {
      const zoneName = normalizeDnsName(parseResourceId(zoneId).name);
      const relative = relativeRecordName(alias, zoneName) ?? relativeRecordName(fqdn, zoneName);
      if (relative !== undefined && (!best || zoneName.length > best.zoneName.length)) best = { zoneId, name: relative, zoneName };
    }
    if (!best) continue;
    for (const ip of ips) records.push({ zoneId: best.zoneId, recordSetName: best.name, fqdn: `${best.name}.${best.zoneName}`, ipAddress: ip });
  }
  return records;
}

function writeRecord(store: ResourceStore, record: ZoneRecord, peId: string, principalId: string): void {
  const recordId = `${parseResourceId(record.zoneId).id}/A/${record.recordSetName.toLowerCase()}`;
  const existing = store.get(recordId);
  const props = propsOf(existing);
  const current = arr(props['aRecords']).map((a) => str(obj(a)?.['ipv4Address'])).filter((a): a is string => a !== undefined);
  if (existing && current.includes(record.ipAddress)) return;
  store.put(
    recordId,
    {
      name: record.recordSetName.toLowerCase(),
      id: recordId,
      type: `${PRIVATE_DNS_ZONE_TYPE}/A`,
      properties: {
        ...props,
        ttl: typeof props['ttl'] === 'number' ? props['ttl'] : ZONE_GROUP_RECORD_TTL,
        metadata: obj(props['metadata']) ?? { creator: `created by private endpoint ${peId}` },
        aRecords: [...current, record.ipAddress].map((ipv4Address) => ({ ipv4Address })),
      },
    },
    { principalId },
  );
}

function removeZoneGroupRecords(store: ResourceStore, group: StoredResource): void {
  for (const config of arr(propsOf(group)['privateDnsZoneConfigs'])) {
    const cp = obj(obj(config)?.['properties']);
    const zoneId = str(cp?.['privateDnsZoneId']);
    if (zoneId === undefined || !store.has(zoneId)) continue;
    for (const rs of arr(cp?.['recordSets'])) {
      const name = str(obj(rs)?.['recordSetName']);
      const ips = arr(obj(rs)?.['ipAddresses']).filter((a): a is string => typeof a === 'string');
      if (name === undefined) continue;
      const recordId = `${parseResourceId(zoneId).id}/A/${name}`;
      const existing = store.get(recordId);
      if (!existing) continue;
      const remaining = arr(propsOf(existing)['aRecords']).filter((a) => !ips.includes(str(obj(a)?.['ipv4Address']) ?? ''));
      if (remaining.length === 0) store.delete(recordId);
      else store.put(recordId, { ...existing.resource, properties: { ...propsOf(existing), aRecords: remaining } });
    }
  }
}

/**
 * The events a vault's subscription sees when a private endpoint from ANOTHER subscription
 * connects: the network service validates and writes a private endpoint connection proxy on the
 * vault (the `privateEndpointConnectionProxies/validate/action` and `/write` operations the
 * Recovery Services RP publishes), then the vault records the connection
 * (`privateEndpointConnections/write`). All name the endpoint's creator, whose linked
 * authorization Azure checks. Same-subscription endpoints raise none here (the endpoint's own
 * events already reach that subscription's topic).
 */
export function vaultSideEvents(peId: string, connection: StoredResource): ResourceEventSpec[] {
  const pe = parseResourceId(peId);
  const vaultId = parentResourceId(connection.id) as string;
  const vault = parseResourceId(vaultId);
  if (pe.subscriptionId === undefined || vault.subscriptionId === undefined || pe.subscriptionId.toLowerCase() === vault.subscriptionId.toLowerCase()) return [];
  const proxyId = childResourceId(vault.id, 'privateEndpointConnectionProxies', connection.parsed.name);
  return [
    { kind: 'action', resourceId: proxyId, operationName: `${VAULT_TYPE}/privateEndpointConnectionProxies/validate/action` },
    { kind: 'write', resourceId: proxyId, operationName: `${VAULT_TYPE}/privateEndpointConnectionProxies/write` },
    { kind: 'write', resourceId: connection.id, operationName: `${VAULT_CONNECTION_TYPE}/write` },
  ];
}

/** Rewrites a zone group's records from its endpoint's current `customDnsConfigs` (an endpoint whose creation just ended). */
function refreshZoneGroupRecords(store: ResourceStore, group: StoredResource, principalId: string): void {
  const pe = store.get(parentResourceId(group.id) as string);
  if (!pe) return;
  const zoneIds = arr(propsOf(group)['privateDnsZoneConfigs'])
    .map((c) => str(obj(obj(c)?.['properties'])?.['privateDnsZoneId']))
    .filter((z): z is string => z !== undefined && store.has(z));
  removeZoneGroupRecords(store, group);
  const records = zoneGroupRecords(store, pe, zoneIds);
  for (const r of records) writeRecord(store, r, pe.id, principalId);
  const configs = arr(propsOf(group)['privateDnsZoneConfigs']).map((c) => {
    const co = obj(c) ?? {};
    const cp = obj(co['properties']) ?? {};
    const zoneId = str(cp['privateDnsZoneId']);
    const mine = records.filter((r) => sameKey(r.zoneId, zoneId));
    return { ...co, properties: { ...cp, recordSets: recordSetsJson(mine) } };
  });
  store.put(group.id, { ...group.resource, properties: { ...propsOf(group), privateDnsZoneConfigs: configs } });
}

function recordSetsJson(mine: readonly ZoneRecord[]): JsonValue[] {
  const names = [...new Set(mine.map((r) => r.recordSetName))];
  return names.map((n) => {
    const forName = mine.filter((r) => r.recordSetName === n);
    return { recordType: 'A', recordSetName: n, fqdn: (forName[0] as ZoneRecord).fqdn, ttl: ZONE_GROUP_RECORD_TTL, ipAddresses: forName.map((r) => r.ipAddress), provisioningState: 'Succeeded' };
  });
}

/** PUT a zone group: checks `privateDnsZones/join/action` on every zone, then writes the A records. */
export function ensurePrivateDnsZoneGroup(ctx: NetworkOperationContext, groupId: string, body: JsonObject): { status: 200 | 201; body: JsonObject } {
  const { store, authorizer, principalId } = ctx;
  const peId = parentResourceId(groupId) as string;
  const pe = store.get(peId);
  if (!pe) throw notFound(peId);
  const configs = arr(obj(body['properties'])?.['privateDnsZoneConfigs']).map((c, k) => {
    const co = obj(c) ?? {};
    const zoneId = str(obj(co['properties'])?.['privateDnsZoneId']);
    if (zoneId === undefined || tryParseResourceId(zoneId) === undefined) throw invalidContent(`privateDnsZoneConfigs[${k}].properties.privateDnsZoneId is required.`);
    return { name: str(co['name']) ?? parseResourceId(zoneId).name.replace(/\./g, '-'), zoneId: parseResourceId(zoneId).id };
  });
  if (configs.length === 0) throw invalidContent('A private DNS zone group needs at least one privateDnsZoneConfigs entry.');
  for (const c of configs) {
    if (!store.has(c.zoneId)) throw referenceNotFound(c.zoneId, groupId);
    authorizer.assertLinkedAuthorized(principalId, PRIVATE_DNS_ZONE_JOIN_ACTION, c.zoneId);
  }
  const previous = store.get(groupId);
  if (previous) removeZoneGroupRecords(store, previous);
  const records = zoneGroupRecords(store, pe, configs.map((c) => c.zoneId));
  for (const r of records) writeRecord(store, r, pe.id, principalId);
  const id = previous?.id ?? childResourceId(pe.id, 'privateDnsZoneGroups', parseResourceId(groupId).name);
  const resource: JsonObject = {
    name: parseResourceId(id).name,
    id,
    type: PRIVATE_DNS_ZONE_GROUP_TYPE,
    properties: {
      provisioningState: 'Succeeded',
      privateDnsZoneConfigs: configs.map((c) => {
        const mine = records.filter((r) => sameKey(r.zoneId, c.zoneId));
        const names = [...new Set(mine.map((r) => r.recordSetName))];
        return {
          name: c.name,
          id: `${id}/privateDnsZoneConfigs/${c.name}`,
          properties: {
            privateDnsZoneId: c.zoneId,
            recordSets: names.map((n) => {
              const forName = mine.filter((r) => r.recordSetName === n);
              return { recordType: 'A', recordSetName: n, fqdn: (forName[0] as ZoneRecord).fqdn, ttl: ZONE_GROUP_RECORD_TTL, ipAddresses: forName.map((r) => r.ipAddress), provisioningState: 'Succeeded' };
            }),
          },
        };
      }),
    },
  };
  const stored = store.put(id, resource, { principalId });
  return { status: previous ? 200 : 201, body: { ...stored.resource, etag: networkEtag(stored) } };
}

export function getPrivateDnsZoneGroup(ctx: NetworkOperationContext, groupId: string): JsonObject {
  const stored = ctx.store.get(groupId);
  if (!stored) throw notFound(groupId);
  return { ...stored.resource, etag: networkEtag(stored) };
}

export function listPrivateDnsZoneGroups(ctx: NetworkOperationContext, peId: string): JsonObject {
  const pe = ctx.store.get(peId);
  if (!pe) throw notFound(peId);
  return { value: ctx.store.children(pe.id, PRIVATE_DNS_ZONE_GROUP_TYPE).map((s) => ({ ...s.resource, etag: networkEtag(s) })) };
}

export function deletePrivateDnsZoneGroup(ctx: NetworkOperationContext, groupId: string): boolean {
  const stored = ctx.store.get(groupId);
  if (!stored) return false;
  removeZoneGroupRecords(ctx.store, stored);
  ctx.store.delete(stored.id);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Backup's members grow: Azure adds FQDNs (and IPs) to a live endpoint

/**
 * Members real vaults show beyond the documented eight (`prot1b`, `prot1c`, `prot1d`, `prot1i`):
 * issue 12, from real exports; the v2 documentation says "10 private IPs, and the count may increase".
 */
export const EXTRA_BACKUP_MEMBERS = ['prot1b', 'prot1c', 'prot1d', 'prot1i'] as const;

/**
 * Adds Backup members to a live private endpoint, as the service does over a vault's life: each
 * gets a new private IP from the subnet (in the NIC) and an FQDN in `customDnsConfigs`; zone
 * groups get the new records. Members it already has are skipped. Answers the endpoint.
 */
export function growPrivateEndpointMembers(ctx: NetworkOperationContext, peId: string, members: readonly string[]): JsonObject {
  const { store } = ctx;
  const pe = store.get(peId);
  if (!pe) throw notFound(peId);
  if (provisioningStateOf(pe) !== 'Succeeded') throw armErrors.conflict('PrivateEndpointNotReady', `Private endpoint ${pe.id} is ${provisioningStateOf(pe) ?? 'not ready'}; members are added to live endpoints only.`);
  const connection = [...arr(propsOf(pe)['privateLinkServiceConnections']), ...arr(propsOf(pe)['manualPrivateLinkServiceConnections'])]
    .map((c) => obj(obj(c)?.['properties']))
    .find((c) => c !== undefined);
  const targetId = str(connection?.['privateLinkServiceId']);
  const vault = targetId === undefined ? undefined : ctx.options.vaultFor(store, targetId);
  if (targetId === undefined || !vault) throw armErrors.badRequest('NotABackupEndpoint', `Private endpoint ${pe.id} does not connect to a Recovery Services vault.`);
  const geo = backupGeoCode(vault.location, ctx.options.geoCodeOverrides);
  if (geo === undefined) throw armErrors.badRequest('LocationNotAvailableForResourceType', `No Backup geo code is known for region '${vault.location}'.`);
  const configs = arr(propsOf(pe)['customDnsConfigs']).map((c) => obj(c) ?? {});
  const known = new Set(configs.map((c) => str(c['fqdn'])?.toLowerCase()));
  const wanted = [...new Set(members.map((m) => m.toLowerCase()))]
    .map((m) => ({ memberName: `backup-${m}`, fqdn: backupMemberFqdn(vault.numericId, m, geo) }))
    .filter((m) => !known.has(m.fqdn.toLowerCase()));
  if (wanted.length === 0) return renderPrivateEndpoint(pe);
  const subnetId = str(obj(propsOf(pe)['subnet'])?.['id']) as string;
  const subnet = store.get(subnetId);
  if (!subnet) throw referenceNotFound(subnetId, pe.id);
  const prefixes = subnetPrefixes(propsOf(subnet), subnet.id);
  const taken = new Set(subnetUsage(store, subnet.id).addresses);
  const addresses: string[] = [];
  for (const prefix of prefixes) {
    for (const a of allocateAddresses(prefix, taken, Math.min(wanted.length - addresses.length, usableAddressCount(prefix))) ?? []) {
      addresses.push(a);
      taken.add(a);
    }
    if (addresses.length === wanted.length) break;
  }
  if (addresses.length < wanted.length) throw armErrors.badRequest('SubnetIsFull', `Subnet ${subnet.parsed.name} has no room for ${wanted.length} more addresses of ${pe.id}.`);
  const nicId = str(obj(arr(propsOf(pe)['networkInterfaces'])[0])?.['id']);
  const nic = nicId === undefined ? undefined : store.get(nicId);
  if (nic) {
    const existing = arr(propsOf(nic)['ipConfigurations']);
    const groupId = str(arr(connection?.['groupIds'])[0]) ?? BACKUP_GROUP_ID;
    const added = wanted.map((m, k) => privateEndpointIpConfiguration(nic.id, existing.length + k, addresses[k] as string, subnet.id, groupId, m));
    store.put(nic.id, { ...nic.resource, properties: { ...propsOf(nic), ipConfigurations: [...existing, ...added] } }, { principalId: NETWORK_SERVICE_PRINCIPAL_ID });
  }
  const grown = store.put(pe.id, { ...pe.resource, properties: { ...propsOf(pe), customDnsConfigs: [...configs, ...wanted.map((m, k) => ({ fqdn: m.fqdn, ipAddresses: [addresses[k] as string] }))] } });
  for (const group of store.children(grown.id, PRIVATE_DNS_ZONE_GROUP_TYPE)) refreshZoneGroupRecords(store, group, NETWORK_SERVICE_PRINCIPAL_ID);
  return renderPrivateEndpoint(store.get(grown.id) as StoredResource);
}

/** One IP configuration of a private endpoint's NIC: a member's address and FQDN (the first one is primary). */
function privateEndpointIpConfiguration(nicId: string, index: number, address: string, subnetId: string, groupId: string, member: { readonly memberName: string; readonly fqdn: string }): JsonObject {
  return {
    name: `privateEndpointIpConfig.${randomUUID()}`,
    id: `${nicId}/ipConfigurations/privateEndpointIpConfig.${index}`,
    type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
    properties: {
      provisioningState: 'Succeeded',
      privateIPAddress: address,
      privateIPAllocationMethod: 'Dynamic',
      privateIPAddressVersion: 'IPv4',
      primary: index === 0,
      subnet: { id: subnetId },
      privateLinkConnectionProperties: { groupId, requiredMemberName: member.memberName, fqdns: [member.fqdn] },
    },
  };
}

/** The next `count` member names after those a Backup endpoint has (`prot1b` … `prot1i`, then `prot1j` …). */
export function nextBackupMembers(store: ResourceStore, peId: string, count: number): string[] {
  const fqdns = arr(propsOf(store.get(peId))['customDnsConfigs']).map((c) => str(obj(c)?.['fqdn'])?.toLowerCase() ?? '');
  const has = (m: string) => fqdns.some((f) => f.includes(`-ab-pod01-${m}.`));
  const candidates = [...EXTRA_BACKUP_MEMBERS, ...Array.from('jklmnopqrstuvwxyz', (c) => `prot1${c}`)];
  return candidates.filter((m) => !has(m)).slice(0, count);
}

// ---------------------------------------------------------------------------------------------
// The provider: ARM routes and the in-process API other providers use

/** What other providers (and tests) get from the network provider. */
export interface NetworkExports {
  /**
   * Creates a private endpoint acting as `principal`, through the whole ARM pipeline (the
   * `privateEndpoints/write` check, the linked checks above, events with that principal as the
   * caller, the write counter): how Azure Backup creates its `_ecs`/`_prot` endpoints with the
   * vault identity. Resolves with ARM's answer (status and body); does not throw on ARM errors.
   */
  createPrivateEndpointAs(principal: Principal, peId: string, body: JsonObject): Promise<InvokeResult>;
  /** Free addresses of a subnet. */
  freeAddressCount(subnetId: string): number;
  /** The vault-side connection of a private endpoint (stored by this provider next to the vault). */
  vaultConnectionOf(peId: string): StoredResource | undefined;
  /** Adds Backup members (default `prot1b`, `prot1c`, `prot1d`, `prot1i`) to a live endpoint; answers it. */
  growMembers(peId: string, members?: readonly string[]): JsonObject;
  /** Adds `count` more IPs (members) to a live Backup endpoint, v2 ones included; answers it. */
  addAddresses(peId: string, count: number): JsonObject;
  /** Gives a storage account Azure DNS zone endpoints: its FQDNs become `<account>.<partition>.blob.storage.azure.net`. */
  setStoragePartition(accountName: string, partition: string): void;
  /** Azure Backup adds another `_prot` storage account for a vault (see {@link addProtStorageAccount}). */
  addProtStorageAccount(vaultId: string, partition?: string): Promise<AddProtStorageAccountResult>;
}

export interface AddProtStorageAccountResult {
  readonly vaultId: string;
  readonly storageAccountId: string;
  /** The FQDN the new account's endpoints serve (partitioned when asked). */
  readonly fqdn: string;
  readonly createdPrivateEndpoints: readonly string[];
  /** The vault identity's ARM error, when Backup could not create an endpoint. */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Azure Backup starts using one more `_prot` storage account for a vault (real vaults show
 * several): next to each approved primary endpoint it creates `<pe>_prot<tag>_<n>_blob` for the
 * new account, ACTING AS THE VAULT IDENTITY through the ARM pipeline (it fails like Azure
 * without the identity's roles). With `partition` the account has Azure DNS zone endpoints
 * (`<account>.zNN.blob.storage.azure.net`), as Backup's secondaries can.
 */
export async function addProtStorageAccount(
  api: ProviderApi,
  options: NetworkProviderOptions,
  registry: { readonly partitions: Map<string, string>; readonly protAccounts: Map<string, number> },
  vaultId: string,
  partition: string | undefined,
): Promise<AddProtStorageAccountResult> {
  const store = api.store;
  const vault = store.get(vaultId);
  const facts = vault ? options.vaultFor(store, vault.id) : undefined;
  if (!vault || !facts) throw armErrors.resourceNotFound(VAULT_TYPE, parseResourceId(vaultId).name, parseResourceId(vaultId).resourceGroup);
  // The first `_prot` account is Backup's own (first backup); extra ones are numbered from 2.
  const index = (registry.protAccounts.get(vault.key) ?? 1) + 1;
  registry.protAccounts.set(vault.key, index);
  const accountName = backupStorageAccountName(`${facts.numericId}#${index}`, 'prot');
  const storageAccountId = backupStorageAccountId(facts.numericId, 'prot').replace(/[^/]+$/, accountName);
  const partitions = registry.partitions;
  if (partition !== undefined) partitions.set(accountName, partition);
  const fqdn = storageFqdn(accountName, 'blob', partition);
  const identity = obj(vault.resource['identity']);
  const principalId = str(identity?.['principalId']);
  const tenantId = str(identity?.['tenantId']) ?? api.tenantId;
  const created: string[] = [];
  const primaries = store
    .children(vault.id, VAULT_CONNECTION_TYPE)
    .filter((c) => str(obj(propsOf(c)['privateLinkServiceConnectionState'])?.['status']) === 'Approved' && arr(propsOf(c)['groupIds']).some((g) => String(g).toLowerCase() === BACKUP_GROUP_ID.toLowerCase()))
    .map((c) => store.get(str(obj(propsOf(c)['privateEndpoint'])?.['id']) ?? ''))
    .filter((pe): pe is StoredResource => pe !== undefined);
  for (const pe of primaries) {
    if (principalId === undefined) {
      return { vaultId: vault.id, storageAccountId, fqdn, createdPrivateEndpoints: created, error: { code: 'UserErrorVaultIdentityNotEnabled', message: `Vault ${vault.parsed.name} has no system-assigned identity.` } };
    }
    const name = `${secondaryEndpointName(pe.parsed.name, 'prot', 'blob', facts.numericId).replace(/_blob$/, '')}_${index}_blob`;
    const id = resourceInGroupId(pe.parsed.subscriptionId as string, pe.parsed.resourceGroup as string, PRIVATE_ENDPOINT_TYPE, name);
    const body: JsonObject = {
      location: str(pe.resource['location']) ?? facts.location,
      properties: {
        subnet: { id: str(obj(propsOf(pe)['subnet'])?.['id']) ?? '' },
        privateLinkServiceConnections: [{ name, properties: { privateLinkServiceId: storageAccountId, groupIds: ['blob'] } }],
      },
    };
    const result = await api.invoke({ principalId, tenantId }, 'PUT', id, body);
    if (result.status >= 400) {
      const error = obj(obj(result.body as JsonValue)?.['error']);
      return { vaultId: vault.id, storageAccountId, fqdn, createdPrivateEndpoints: created, error: { code: str(error?.['code']) ?? String(result.status), message: str(error?.['message']) ?? '' } };
    }
    created.push(parseResourceId(id).id);
  }
  return { vaultId: vault.id, storageAccountId, fqdn, createdPrivateEndpoints: created };
}

/** Name under which the provider registers (for `api.provider<NetworkExports>(NETWORK_PROVIDER_NAME)`). */
export const NETWORK_PROVIDER_NAME = 'network';

/**
 * What the recoveryservices provider exports for this one, by agreement: `privateLinkVault(vaultId)`
 * answers the facts of {@link PrivateLinkVault} (undefined when no such vault).
 */
export interface PrivateLinkVaultSource {
  privateLinkVault(vaultId: string): PrivateLinkVault | undefined;
}

const RG_NETWORK = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network';
const SUB_NETWORK = '/subscriptions/{subscriptionId}/providers/Microsoft.Network';

function rgScope(ctx: ArmContext): string {
  return `/subscriptions/${ctx.params['subscriptionId']}/resourceGroups/${ctx.params['resourceGroupName']}`;
}

function idOf(ctx: ArmContext): string {
  if (ctx.resourceId === undefined) throw armErrors.badRequest('InvalidRequestUri', `${ctx.path} names no resource.`);
  return ctx.resourceId;
}

/** A PUT answered as Microsoft.Network does: 201 (or 200) with `Azure-AsyncOperation`, then the resource. */
function putLongRunning(ctx: ArmContext, result: { status: 200 | 201; body: JsonObject }, render: () => JsonObject): ArmResponse {
  return ctx.longRunning({ status: result.status, body: result.body, complete: render });
}

function deleteLongRunning(ctx: ArmContext, existed: boolean): ArmResponse {
  if (!existed) return { status: 204, events: [] };
  return ctx.longRunning({ status: 202, complete: () => undefined });
}

export function createNetworkProvider(options: Partial<NetworkProviderOptions> = {}): EmulatorProvider<NetworkExports> {
  return {
    name: NETWORK_PROVIDER_NAME,
    register(api: ProviderApi): NetworkExports {
      const vaultFor =
        options.vaultFor ??
        ((_store: ResourceStore, vaultId: string) => {
          let source: PrivateLinkVaultSource | undefined;
          try {
            source = api.provider<PrivateLinkVaultSource>('recoveryservices');
          } catch {
            return undefined;
          }
          return typeof source?.privateLinkVault === 'function' ? source.privateLinkVault(vaultId) : undefined;
        });
      // Storage accounts with Azure DNS zone endpoints, by lower-cased name → `zNN` (control API),
      // and how many `_prot` accounts each vault has (by vault key).
      const partitions = new Map<string, string>();
      const registry = { partitions, protAccounts: new Map<string, number>() };
      const resolved: NetworkProviderOptions = {
        ...options,
        vaultFor,
        storagePartitionOf: (name) => partitions.get(name.toLowerCase()) ?? options.storagePartitionOf?.(name),
      };
      const opCtx = (ctx: ArmContext): NetworkOperationContext => ({ store: api.store, authorizer: api.authorizer, options: resolved, principalId: ctx.caller.principalId });
      const store = api.store;

      // virtual networks
      api.route('PUT', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}`, (ctx) => {
        const result = ensureVirtualNetwork(opCtx(ctx), idOf(ctx), ctx.requireBody());
        return putLongRunning(ctx, result, () => getVirtualNetwork(opCtx(ctx), idOf(ctx)));
      });
      api.route('GET', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}`, (ctx) => ({ status: 200, body: getVirtualNetwork(opCtx(ctx), idOf(ctx)) }));
      api.route('DELETE', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}`, (ctx) => deleteLongRunning(ctx, deleteVirtualNetwork(opCtx(ctx), idOf(ctx))));
      api.route('GET', `${RG_NETWORK}/virtualNetworks`, (ctx) => ({ status: 200, body: listVirtualNetworks(opCtx(ctx), rgScope(ctx)) }), { pageable: true });
      api.route('GET', `${SUB_NETWORK}/virtualNetworks`, (ctx) => ({ status: 200, body: listVirtualNetworks(opCtx(ctx), `/subscriptions/${ctx.params['subscriptionId']}`) }), { requireResourceGroup: false, pageable: true });
      api.route('GET', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}/usages`, (ctx) => {
        const vnetId = `${rgScope(ctx)}/providers/Microsoft.Network/virtualNetworks/${ctx.params['virtualNetworkName']}`;
        return { status: 200, body: listVirtualNetworkUsages(opCtx(ctx), vnetId) };
      });

      // virtual network peerings (network-peerings.ts)
      registerVirtualNetworkPeerings(api);

      // subnets
      api.route('PUT', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`, (ctx) => {
        const result = ensureSubnet(opCtx(ctx), idOf(ctx), ctx.requireBody());
        return putLongRunning(ctx, result, () => getSubnet(opCtx(ctx), idOf(ctx)));
      });
      api.route('GET', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`, (ctx) => ({ status: 200, body: getSubnet(opCtx(ctx), idOf(ctx)) }));
      api.route('DELETE', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`, (ctx) => deleteLongRunning(ctx, deleteSubnet(opCtx(ctx), idOf(ctx))));
      api.route('GET', `${RG_NETWORK}/virtualNetworks/{virtualNetworkName}/subnets`, (ctx) => {
        const vnetId = `${rgScope(ctx)}/providers/Microsoft.Network/virtualNetworks/${ctx.params['virtualNetworkName']}`;
        return { status: 200, body: listSubnets(opCtx(ctx), vnetId) };
      }, { pageable: true });

      // private endpoints
      api.route('PUT', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}`, (ctx) => {
        const peId = idOf(ctx);
        const existing = store.get(peId);
        if (existing && provisioningStateOf(existing) === 'Deleting') {
          throw armErrors.conflict('PrivateEndpointIsBeingDeleted', `Private endpoint ${existing.id} is being deleted; it cannot be updated.`);
        }
        const result = ensurePrivateEndpoint(opCtx(ctx), peId, ctx.requireBody());
        const created = result.status === 201;
        const nicIds = arr(obj(result.body['properties'])?.['networkInterfaces']).map((n) => str(obj(n)?.['id'])).filter((n): n is string => n !== undefined);
        const events = () => {
          const stored = store.get(peId);
          const out: ResourceEventSpec[] = [{ kind: 'write', resourceId: stored?.id ?? peId }];
          if (!created) return out;
          // Azure's network service writes the endpoint's NIC itself: its events name that service, not the caller.
          for (const nicId of nicIds) out.push({ kind: 'write', resourceId: nicId, principal: { principalId: NETWORK_SERVICE_PRINCIPAL_ID, tenantId: ctx.caller.tenantId } });
          return out;
        };
        let connection: StoredResource | undefined;
        const response = ctx.longRunning({
          status: result.status,
          body: result.body,
          complete: () => {
            if (created) connection = completePrivateEndpoint(store, peId, ctx.caller.principalId);
            return getPrivateEndpoint(opCtx(ctx), peId);
          },
          events: () => [...events(), ...(connection ? vaultSideEvents(peId, connection) : [])],
        });
        return response;
      });
      api.route('GET', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}`, (ctx) => ({ status: 200, body: getPrivateEndpoint(opCtx(ctx), idOf(ctx)) }));
      api.route('DELETE', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}`, (ctx) => {
        const peId = idOf(ctx);
        const stored = store.get(peId);
        if (!stored) return { status: 204, events: [] };
        const nicIds = arr(propsOf(stored)['networkInterfaces']).map((n) => str(obj(n)?.['id'])).filter((n): n is string => n !== undefined);
        beginDeletePrivateEndpoint(opCtx(ctx), peId);
        return ctx.longRunning({
          status: 202,
          complete: () => {
            deletePrivateEndpoint(opCtx(ctx), peId);
          },
          events: [
            { kind: 'delete', resourceId: stored.id },
            ...nicIds.map((nicId): ResourceEventSpec => ({ kind: 'delete', resourceId: nicId, principal: { principalId: NETWORK_SERVICE_PRINCIPAL_ID, tenantId: ctx.caller.tenantId } })),
          ],
        });
      });
      api.route('GET', `${RG_NETWORK}/privateEndpoints`, (ctx) => ({ status: 200, body: listPrivateEndpoints(opCtx(ctx), rgScope(ctx)) }), { pageable: true });
      api.route('GET', `${SUB_NETWORK}/privateEndpoints`, (ctx) => ({ status: 200, body: listPrivateEndpoints(opCtx(ctx), `/subscriptions/${ctx.params['subscriptionId']}`) }), { requireResourceGroup: false, pageable: true });

      // private DNS zone groups
      api.route('PUT', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}`, (ctx) => {
        const result = ensurePrivateDnsZoneGroup(opCtx(ctx), idOf(ctx), ctx.requireBody());
        return putLongRunning(ctx, result, () => getPrivateDnsZoneGroup(opCtx(ctx), idOf(ctx)));
      });
      api.route('GET', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}`, (ctx) => ({ status: 200, body: getPrivateDnsZoneGroup(opCtx(ctx), idOf(ctx)) }));
      api.route('DELETE', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}`, (ctx) => deleteLongRunning(ctx, deletePrivateDnsZoneGroup(opCtx(ctx), idOf(ctx))));
      api.route('GET', `${RG_NETWORK}/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups`, (ctx) => {
        const peId = `${rgScope(ctx)}/providers/Microsoft.Network/privateEndpoints/${ctx.params['privateEndpointName']}`;
        return { status: 200, body: listPrivateDnsZoneGroups(opCtx(ctx), peId) };
      }, { pageable: true });

      // network interfaces (read-only here: Azure creates a private endpoint's NIC itself)
      api.route('GET', `${RG_NETWORK}/networkInterfaces/{networkInterfaceName}`, (ctx) => ({ status: 200, body: getNetworkInterface(opCtx(ctx), idOf(ctx)) }));
      api.route('GET', `${RG_NETWORK}/networkInterfaces`, (ctx) => ({ status: 200, body: listNetworkInterfaces(opCtx(ctx), rgScope(ctx)) }), { pageable: true });
      api.route('GET', `${SUB_NETWORK}/networkInterfaces`, (ctx) => ({ status: 200, body: listNetworkInterfaces(opCtx(ctx), `/subscriptions/${ctx.params['subscriptionId']}`) }), { requireResourceGroup: false, pageable: true });

      // control API: free addresses of a subnet (tests and simulations)
      api.controlRoute('GET', 'network/freeAddresses', (req): ControlResponse => {
        const subnetId = req.query.get('subnetId');
        if (!subnetId) throw armErrors.badRequest('MissingParameter', 'The query parameter subnetId is required.');
        return { status: 200, body: { subnetId, freeAddresses: freeAddressCount(store, subnetId) } };
      });

      // control API: Backup's members grow (issue 12, "Backup's members grow")
      const controlCtx = (): NetworkOperationContext => ({ store, authorizer: api.authorizer, options: resolved, principalId: NETWORK_SERVICE_PRINCIPAL_ID });
      const controlBody = (req: { body: JsonValue | undefined }): JsonObject => {
        const b = obj(req.body as JsonValue);
        if (!b) throw armErrors.invalidRequestContent('the body must be a JSON object.');
        return b;
      };
      const requiredString = (b: JsonObject, name: string): string => {
        const v = str(b[name]);
        if (v === undefined || v.length === 0) throw armErrors.badRequest('MissingParameter', `The body needs "${name}" (a string).`);
        return v;
      };
      api.controlRoute('POST', 'network/privateEndpoints/members', (req): ControlResponse => {
        const b = controlBody(req);
        const peId = requiredString(b, 'privateEndpointId');
        const members = b['members'] === undefined ? [...EXTRA_BACKUP_MEMBERS] : arr(b['members']).filter((m): m is string => typeof m === 'string' && /^[a-z0-9]+$/i.test(m));
        if (b['members'] !== undefined && members.length !== arr(b['members']).length) throw armErrors.badRequest('InvalidParameter', '"members" must be an array of member names (letters and digits), e.g. ["prot1b"].');
        return { status: 200, body: growPrivateEndpointMembers(controlCtx(), peId, members) };
      });
      api.controlRoute('POST', 'network/privateEndpoints/addresses', (req): ControlResponse => {
        const b = controlBody(req);
        const peId = requiredString(b, 'privateEndpointId');
        const count = b['count'];
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 16) throw armErrors.badRequest('InvalidParameter', '"count" must be an integer from 1 to 16.');
        return { status: 200, body: growPrivateEndpointMembers(controlCtx(), peId, nextBackupMembers(store, peId, count)) };
      });
      api.controlRoute('PUT', 'network/storagePartitions', (req): ControlResponse => {
        const b = controlBody(req);
        const accountName = requiredString(b, 'accountName').toLowerCase();
        const partition = requiredString(b, 'partition').toLowerCase();
        if (!isStoragePartition(partition)) throw armErrors.badRequest('InvalidParameter', `"partition" must be z00…z99, got ${JSON.stringify(partition)}.`);
        partitions.set(accountName, partition);
        return { status: 200, body: { accountName, partition } };
      });
      api.controlRoute('POST', 'backup/addProtStorageAccount', async (req): Promise<ControlResponse> => {
        const b = controlBody(req);
        const vaultId = requiredString(b, 'vaultId');
        const partition = str(b['partition']);
        if (partition !== undefined && !isStoragePartition(partition)) throw armErrors.badRequest('InvalidParameter', `"partition" must be z00…z99, got ${JSON.stringify(partition)}.`);
        return { status: 200, body: (await addProtStorageAccount(api, resolved, registry, vaultId, partition?.toLowerCase())) as unknown as JsonValue };
      });

      return {
        growMembers: (peId, members) => growPrivateEndpointMembers(controlCtx(), peId, members ?? [...EXTRA_BACKUP_MEMBERS]),
        addAddresses: (peId, count) => growPrivateEndpointMembers(controlCtx(), peId, nextBackupMembers(store, peId, count)),
        setStoragePartition: (accountName, partition) => {
          if (!isStoragePartition(partition)) throw new RangeError(`partition must be z00…z99, got ${partition}`);
          partitions.set(accountName.toLowerCase(), partition.toLowerCase());
        },
        addProtStorageAccount: (vaultId, partition) => addProtStorageAccount(api, resolved, registry, vaultId, partition?.toLowerCase()),
        createPrivateEndpointAs: (principal, peId, body) => api.invoke(principal, 'PUT', parseResourceId(peId).id, body),
        freeAddressCount: (subnetId) => freeAddressCount(store, subnetId),
        vaultConnectionOf: (peId) => vaultConnectionOf(store, peId),
      };
    },
  };
}

/** The provider with default options (vault facts from the recoveryservices provider). */
export const networkProvider = createNetworkProvider();
