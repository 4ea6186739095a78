// Builders of observed state and policy for the planner tests: complete, valid defaults; a case
// overrides only what it is about. Named scenarios built from these live in test/fixtures/observed.
import type {
  ARecordSet,
  ConnectionStatus,
  PrivateEndpoint,
  RoleAssignment,
  SecondaryRole,
  Subnet,
  Vault,
  VaultConnection,
  VirtualNetworkLink,
  ZoneKind,
} from '../../../shared/domain';
import { childResourceId, normalizeResourceId, ownershipMetadata, privateDnsZonesForVault, registryMetadata, ZONE_KINDS } from '../../../shared/domain';
import type { ObservedPrivateEndpoint, ObservedVault, ObservedZone, PlannedAction, PlanPolicy } from '../../../shared/plan';

export const OWNER = 'alz-platform';
export const TENANT = '11111111-1111-1111-1111-111111111111';
export const STRANGER_TENANT = '99999999-9999-9999-9999-999999999999';
export const SUB_VAULT = '00000000-0000-0000-0000-0000000000aa';
export const SUB_SPOKE = '00000000-0000-0000-0000-0000000000bb';
export const SUB_STRANGER = '00000000-0000-0000-0000-0000000000cc';
export const SUB_DNS = '00000000-0000-0000-0000-0000000000dd';
export const PRINCIPAL = '22222222-2222-2222-2222-222222222222';
export const VAULT_ID = `/subscriptions/${SUB_VAULT}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/vault1`;
/** The 19-digit id Backup puts into the vault's FQDNs. */
export const VAULT_NUMBER = '1234567890123456789';
export const DNS_RG = 'rg-dns';
export const OBSERVED_AT = '2026-11-29T16:00:00.000Z';

export function vnetId(name: string, subscriptionId = SUB_SPOKE, resourceGroup = 'rg-net'): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/${name}`;
}
export function peId(name: string, subscriptionId = SUB_SPOKE, resourceGroup = 'rg-pe'): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/privateEndpoints/${name}`;
}
export function zoneId(name: string): string {
  return `/subscriptions/${SUB_DNS}/resourceGroups/${DNS_RG}/providers/Microsoft.Network/privateDnsZones/${name}`;
}

/** Zone names for uksouth in the public cloud. */
export const ZONES = (() => {
  const z = privateDnsZonesForVault('uksouth');
  if (!z.known) throw new Error('uksouth must have a geo code');
  return z.zones;
})();

export function policy(overrides: Partial<PlanPolicy> = {}): PlanPolicy {
  return {
    mode: 'enforce',
    ownerId: OWNER,
    identity: { enableSystemAssigned: true },
    roles: { profile: 'contributor' },
    approval: { unmatched: 'leave-pending', rules: [{ name: 'spoke-a', requester: { tenantId: TENANT, subscriptionId: SUB_SPOKE } }] },
    dns: { placement: 'central', central: { subscriptionId: SUB_DNS, resourceGroup: DNS_RG }, recordPolicy: 'upsert-only', ttl: 10, linkVirtualNetworks: [] },
    geoCodes: {},
    ...overrides,
  };
}

export function vault(overrides: Partial<Vault> = {}): Vault {
  return {
    id: VAULT_ID,
    name: 'vault1',
    subscriptionId: SUB_VAULT,
    resourceGroup: 'rg-backup',
    location: 'uksouth',
    tags: {},
    experience: 'classic',
    identity: { type: 'SystemAssigned', principalId: PRINCIPAL, tenantId: TENANT },
    privateEndpointStateForBackup: 'None',
    connections: [],
    protectedItemCount: 0,
    registeredContainerCount: 0,
    ...overrides,
  };
}

export function subnetOf(vnet: string): Subnet {
  return { id: `${vnet}/subnets/pe`, vnetId: vnet, addressPrefixes: ['10.0.1.0/24'], privateEndpointNetworkPolicies: 'Disabled', usedIpCount: 0, freeIpCount: 200 };
}

export interface PrimaryOptions {
  readonly status?: ConnectionStatus;
  readonly subscriptionId?: string;
  readonly vnet?: string;
  /** First address; the FQDN members get consecutive ones. */
  readonly firstIp?: number;
  readonly members?: readonly string[];
  readonly zoneGroupZoneIds?: readonly string[];
}

/** The vault's FQDNs (as `customDnsConfigs` lists them: without `privatelink.`). */
export function backupFqdn(member: string): string {
  return `${VAULT_NUMBER}-ab-pod01-${member}.uks.backup.windowsazure.com`;
}

export function primaryEndpoint(name: string, o: PrimaryOptions = {}): ObservedPrivateEndpoint {
  const subscriptionId = o.subscriptionId ?? SUB_SPOKE;
  const vnet = o.vnet ?? vnetId('vnet-a', subscriptionId);
  const first = o.firstIp ?? 4;
  const members = o.members ?? ['fab1', 'fc1'];
  const endpoint: PrivateEndpoint = {
    id: peId(name, subscriptionId),
    name,
    subscriptionId,
    resourceGroup: 'rg-pe',
    location: 'uksouth',
    subnetId: `${vnet}/subnets/pe`,
    connections: [{ privateLinkServiceId: VAULT_ID, groupIds: ['AzureBackup'], status: o.status ?? 'Pending', manual: true }],
    customDnsConfigs: members.map((m, i) => ({ fqdn: backupFqdn(m), ipAddresses: [`10.0.1.${first + i}`] })),
    zoneGroups: o.zoneGroupZoneIds === undefined ? [] : [{ name: 'default', zoneIds: o.zoneGroupZoneIds }],
    networkInterfaceIds: [],
  };
  return { endpoint, classification: { kind: 'backup-primary', vaultId: VAULT_ID, groupId: 'AzureBackup', manual: true }, subnet: subnetOf(vnet) };
}

const SECONDARY_SUFFIX: Readonly<Record<SecondaryRole, { suffix: string; group: 'blob' | 'queue'; account: string }>> = {
  'ecs-blob': { suffix: '_ecs7f3a_blob', group: 'blob', account: 'abcdeypod01ecs114' },
  'ecs-queue': { suffix: '_ecs7f3a_queue', group: 'queue', account: 'abcdeypod01ecs114' },
  'prot-blob': { suffix: '_prot91c2_blob', group: 'blob', account: 'abcdeypod01prot120' },
};

/** A classic secondary PE that Azure Backup creates next to `primary`. */
export function secondaryEndpoint(primary: ObservedPrivateEndpoint, role: SecondaryRole, ip: string, zoneGroupZoneIds?: readonly string[]): ObservedPrivateEndpoint {
  const s = SECONDARY_SUFFIX[role];
  const name = primary.endpoint.name + s.suffix;
  const endpoint: PrivateEndpoint = {
    ...primary.endpoint,
    id: peId(name, primary.endpoint.subscriptionId),
    name,
    connections: [
      {
        privateLinkServiceId: `/subscriptions/ffffffff-0000-0000-0000-000000000000/resourceGroups/backup-owned/providers/Microsoft.Storage/storageAccounts/${s.account}`,
        groupIds: [s.group],
        status: 'Approved',
        manual: false,
      },
    ],
    customDnsConfigs: [{ fqdn: `${s.account}.${s.group}.core.windows.net`, ipAddresses: [ip] }],
    zoneGroups: zoneGroupZoneIds === undefined ? [] : [{ name: 'default', zoneIds: zoneGroupZoneIds }],
  };
  return { endpoint, classification: { kind: 'backup-secondary', role, primaryName: primary.endpoint.name, primaryId: primary.endpoint.id }, subnet: primary.subnet };
}

/** The vault's connection for a primary PE. */
export function connectionFor(pe: ObservedPrivateEndpoint, status: ConnectionStatus): VaultConnection {
  const name = `${pe.endpoint.name}.${VAULT_NUMBER}.backup.0b1e4c77`;
  return {
    id: `${VAULT_ID}/privateEndpointConnections/${name}`,
    name,
    privateEndpointId: pe.endpoint.id,
    status,
    description: '',
    groupIds: ['AzureBackup'],
    provisioningState: 'Succeeded',
  };
}

export function emptyZone(kind: ZoneKind, exists = true): ObservedZone {
  const name = ZONES[kind];
  const id = zoneId(name);
  return { kind, name, resourceId: id, zone: exists ? { id, name } : undefined, links: [], records: [] };
}

export function link(zone: ObservedZone, vnet: string, name = 'hand-made-link', owned = false): VirtualNetworkLink {
  return { id: childResourceId(zone.resourceId, 'virtualNetworkLinks', name), zoneId: zone.resourceId, name, vnetId: vnet, metadata: owned ? ownershipMetadata(OWNER) : {}, provisioningState: 'Succeeded' };
}

export interface RecordOptions {
  readonly ttl?: number;
  /** Undefined: not owned (no metadata). */
  readonly ownedFor?: string;
  readonly etag?: string;
  readonly owner?: string;
  /** Written by an older vaultlink: ownership without the registry (vault, connection). */
  readonly legacy?: boolean;
  /** The vault the registry names (default: the fixture vault). */
  readonly vaultId?: string;
  /** The connection the registry names. */
  readonly connectionName?: string;
}

export function record(zone: ObservedZone, name: string, ips: readonly string[], o: RecordOptions = {}): ARecordSet {
  return {
    id: childResourceId(zone.resourceId, 'A', name),
    zoneId: zone.resourceId,
    name,
    fqdn: `${name}.${zone.name}.`,
    ttl: o.ttl ?? 10,
    ipv4Addresses: ips,
    metadata:
      o.ownedFor === undefined
        ? {}
        : { ...ownershipMetadata(o.owner ?? OWNER, o.ownedFor), ...(o.legacy ? {} : registryMetadata({ vaultId: normalizeResourceId(o.vaultId ?? VAULT_ID), connectionName: o.connectionName })) },
    etag: o.etag ?? `etag-${name}`,
  };
}

export interface ObservedOptions {
  readonly vault?: Vault | undefined;
  readonly privateEndpoints?: readonly ObservedPrivateEndpoint[];
  readonly zones?: readonly ObservedZone[];
  readonly roleAssignments?: readonly RoleAssignment[];
  readonly readErrors?: ObservedVault['readErrors'];
}

export function observed(o: ObservedOptions = {}): ObservedVault {
  return {
    vaultId: VAULT_ID,
    observedAt: OBSERVED_AT,
    vault: 'vault' in o ? o.vault : vault(),
    privateEndpoints: o.privateEndpoints ?? [],
    zones: o.zones ?? ZONE_KINDS.map((k) => emptyZone(k, false)),
    roleAssignments: o.roleAssignments ?? [],
    subscriptionTenants: { [SUB_VAULT]: TENANT, [SUB_SPOKE]: TENANT, [SUB_DNS]: TENANT, [SUB_STRANGER]: STRANGER_TENANT },
    readErrors: o.readErrors ?? [],
  };
}

/**
 * The in-memory twin of apply (external-dns style): makes each action true in a copy of the
 * observed state, as Azure would after a successful write, so that a second plan can be taken.
 */
export function applyInMemory(state: ObservedVault, actions: readonly PlannedAction[], ownerId = OWNER): ObservedVault {
  let vaultNow = state.vault;
  let pes = [...state.privateEndpoints];
  let zones = state.zones.map((z) => ({ ...z, links: [...z.links], records: [...z.records] }));
  const roles = [...state.roleAssignments];
  let etag = 0;
  let stale = [...(state.staleRoleAssignments ?? [])];
  // What follows from the identity step is written in the pass after it, as apply does.
  const deferred = new Set<string>();
  const zoneOf = (id: string) => {
    const z = zones.find((x) => normalizeResourceId(x.resourceId).toLowerCase() === normalizeResourceId(id).toLowerCase());
    if (!z) throw new Error(`applyInMemory: no zone ${id}`);
    return z;
  };
  for (const a of actions) {
    if (a.followsFrom !== undefined || a.needs.some((k) => deferred.has(k))) {
      deferred.add(a.key);
      continue;
    }
    switch (a.kind) {
      case 'revoke-role':
        stale = stale.filter((r) => r.id !== a.assignmentId);
        break;
      case 'enable-identity':
        if (!vaultNow) throw new Error('no vault');
        vaultNow = { ...vaultNow, identity: { type: 'SystemAssigned', principalId: PRINCIPAL, tenantId: TENANT } };
        break;
      case 'grant-role':
        roles.push({ id: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`, name: a.name, scope: a.scope, principalId: a.principalId, roleDefinitionGuid: a.roleDefinitionGuid, description: a.description });
        break;
      case 'approve-connection':
      case 'reject-connection': {
        if (!vaultNow) throw new Error('no vault');
        const status: ConnectionStatus = a.kind === 'approve-connection' ? 'Approved' : 'Rejected';
        vaultNow = { ...vaultNow, connections: vaultNow.connections.map((c) => (c.name === a.connectionName ? { ...c, status, description: a.description } : c)) };
        pes = pes.map((p) =>
          p.endpoint.id === a.privateEndpointId ? { ...p, endpoint: { ...p.endpoint, connections: p.endpoint.connections.map((c) => ({ ...c, status })) } } : p,
        );
        break;
      }
      case 'ensure-zone':
        zones = zones.map((z) => (z.resourceId === a.zoneId ? { ...z, zone: { id: a.zoneId, name: a.zoneName } } : z));
        break;
      case 'ensure-link': {
        const z = zoneOf(a.zoneId);
        z.links.push({ id: childResourceId(a.zoneId, 'virtualNetworkLinks', a.linkName), zoneId: a.zoneId, name: a.linkName, vnetId: a.vnetId, metadata: ownershipMetadata(ownerId), provisioningState: 'Succeeded' });
        break;
      }
      case 'upsert-record': {
        const z = zoneOf(a.zoneId);
        const existing = z.records.find((r) => r.name === a.recordName);
        if (a.etag === undefined && existing) throw new Error(`412: ${a.recordName} exists`);
        if (a.etag !== undefined && existing?.etag !== a.etag) throw new Error(`412: etag of ${a.recordName}`);
        z.records = z.records.filter((r) => r.name !== a.recordName);
        z.records.push({
          id: childResourceId(a.zoneId, 'A', a.recordName),
          zoneId: a.zoneId,
          name: a.recordName,
          fqdn: `${a.recordName}.${z.name}.`,
          ttl: a.ttl,
          ipv4Addresses: a.ipv4Addresses,
          metadata: { ...ownershipMetadata(ownerId, a.sourcePrivateEndpointId), ...registryMetadata(a) },
          etag: `applied-${++etag}`,
        });
        break;
      }
      case 'delete-record': {
        const z = zoneOf(a.zoneId);
        z.records = z.records.filter((r) => r.name !== a.recordName);
        break;
      }
    }
  }
  return { ...state, vault: vaultNow, privateEndpoints: pes, zones, roleAssignments: roles, staleRoleAssignments: stale };
}

/** Kinds per stage, for readable assertions. */
/** The plan's actions grouped by depth in the dependency graph (the waves the orchestration schedules), as kinds. */
export function stageKinds(actions: readonly PlannedAction[]): string[][] {
  const depth = new Map<string, number>();
  const keys = new Set(actions.map((a) => a.key));
  for (const a of actions) depth.set(a.key, Math.max(0, ...a.needs.filter((k) => keys.has(k)).map((k) => (depth.get(k) ?? 0) + 1)));
  const waves: string[][] = [];
  for (const a of actions) (waves[depth.get(a.key) ?? 0] ??= []).push(a.kind);
  return waves.map((w) => w ?? []);
}

export function allActions(actions: readonly PlannedAction[]): PlannedAction[] {
  return [...actions];
}
