/**
 * The ports: one narrow interface per resource provider, listing only the calls vaultlink makes.
 * shared/reconcile talks to Azure through these and nothing else; the real adapters sit on the
 * `@azure/arm-*` clients (see `clients.ts`), tests may give fakes.
 *
 * Conventions for every port:
 * - Arguments and results are ARM ids and strict domain types (shared/domain/model.ts), never
 *   SDK models.
 * - Reads of one resource return `undefined` when it does not exist (404); every other failure
 *   throws an `AzureOperationError` (errors.ts) naming the operation and the resource.
 * - Methods that write say so (`create…`, `update…`, `delete…`, `enable…`, `put…`); creates are
 *   create-only (`If-None-Match: *`) where ARM supports it, so a second writer gets 412 (or 409
 *   for role assignments) instead of overwriting.
 */
import type {
  ARecordSet,
  ConnectionStatus,
  DnsZone,
  PrivateDnsZoneGroup,
  PrivateEndpoint,
  RoleAssignment,
  StringMap,
  Subnet,
  Vault,
  VaultIdentity,
  VirtualNetworkLink,
} from '../domain/model';
import type { ProtectionAttempt } from '../domain/findings';

/** Microsoft.RecoveryServices (vaults) and Microsoft.RecoveryServices' Backup RP (usage, connection approval). */
export interface RecoveryServicesPort {
  /**
   * The vault, with its connections and, while it shows no private endpoint (no connection, state
   * not `Enabled`), the Backup RP usage summaries (protected items, registered containers): one
   * read, or three. Undefined when the vault does not exist.
   */
  getVault(vaultId: string): Promise<Vault | undefined>;
  /** Ids of the vaults of a subscription (every page). */
  listVaultIds(subscriptionId: string): Promise<string[]>;
  /**
   * Backup's protection and registration attempts on the vault (its jobs list through the Backup
   * RP, every page, filtered to `ConfigureBackup`, `Register` and `Backup`), oldest first.
   */
  listProtectionAttempts(vaultId: string): Promise<ProtectionAttempt[]>;
  /**
   * Every vault of a subscription as {@link getVault} returns it: one paged list, then the two
   * usage summaries per vault that shows no private endpoint. A sweep's batch observation reads vaults this way.
   */
  listVaults(subscriptionId: string): Promise<Vault[]>;
  /**
   * Turns the vault's system-assigned identity on (PATCH of `identity` only, keeping any
   * user-assigned identities) unless a read shows it on already; never turns anything off.
   */
  enableSystemAssignedIdentity(vaultId: string): Promise<EnableIdentityResult>;
  /**
   * Sets a private endpoint connection's state through the Backup RP (long-running PUT); returns
   * the status ARM answered with.
   */
  putConnectionState(vaultId: string, connectionName: string, state: ConnectionStateUpdate): Promise<ConnectionStatus>;
}

export interface EnableIdentityResult {
  /** The identity as ARM now reports it. */
  readonly identity: VaultIdentity;
  /** True when it was on already and nothing was written. */
  readonly alreadyEnabled: boolean;
}

export interface ConnectionStateUpdate {
  readonly status: 'Approved' | 'Rejected';
  /** Goes into `privateLinkServiceConnectionState.description` (the rule that matched, for the audit trail). */
  readonly description: string;
  /** The connection's private endpoint (the Backup RP's PUT body names it, as the seed's sample does). */
  readonly privateEndpointId: string;
}

/** Microsoft.Network: private endpoints and subnets (reads only). */
export interface NetworkPort {
  /**
   * The PE with its `privateDnsZoneGroups` children (two reads; one with `{ zoneGroups: false }`,
   * which leaves `zoneGroups` empty: for callers that need only the PE's connections). Undefined
   * when it does not exist.
   */
  getPrivateEndpoint(privateEndpointId: string, options?: { readonly zoneGroups?: boolean }): Promise<PrivateEndpoint | undefined>;
  /**
   * The PEs of a subscription, or of one resource group of it (every page). List calls do not
   * return zone groups: `zoneGroups` is `[]` here; read them with {@link listPrivateDnsZoneGroups}
   * for the PEs that matter.
   */
  listPrivateEndpoints(subscriptionId: string, resourceGroup?: string): Promise<PrivateEndpoint[]>;
  /** The `privateDnsZoneGroups` of a PE ([] when it has none or does not exist). */
  listPrivateDnsZoneGroups(privateEndpointId: string): Promise<PrivateDnsZoneGroup[]>;
  /** The subnet. Undefined when it does not exist. */
  getSubnet(subnetId: string): Promise<Subnet | undefined>;
}

/** Microsoft.Network/privateDnsZones: zones, virtual network links and A record sets. */
export interface PrivateDnsPort {
  getZone(zoneId: string): Promise<DnsZone | undefined>;
  /** The private DNS zones of a subscription (every page): where a VNet's own linked zones are found. */
  listZones(subscriptionId: string): Promise<DnsZone[]>;
  /** Creates the zone (location `global`) with `tags`, create-only (`If-None-Match: *`: 412 when it exists). */
  createZone(zoneId: string, tags: StringMap): Promise<DnsZone>;
  /** The virtual network links of a zone ([] when the zone does not exist). */
  listVirtualNetworkLinks(zoneId: string): Promise<VirtualNetworkLink[]>;
  /** Creates a link (auto-registration off) with `tags`, create-only (`If-None-Match: *`). */
  createVirtualNetworkLink(zoneId: string, linkName: string, vnetId: string, tags: StringMap): Promise<VirtualNetworkLink>;
  /** The A record sets of a zone ([] when the zone does not exist). */
  listARecordSets(zoneId: string): Promise<ARecordSet[]>;
  getARecordSet(zoneId: string, recordName: string): Promise<ARecordSet | undefined>;
  /** Creates an A record set, create-only (`If-None-Match: *`: 412 when it exists). */
  createARecordSet(zoneId: string, recordName: string, content: ARecordSetContent): Promise<ARecordSet>;
  /** Replaces an A record set only if its etag is still `etag` (`If-Match`: 412 otherwise). */
  updateARecordSet(zoneId: string, recordName: string, content: ARecordSetContent, etag: string): Promise<ARecordSet>;
  /** Deletes an A record set only if its etag is still `etag` (`If-Match`). */
  deleteARecordSet(zoneId: string, recordName: string, etag: string): Promise<void>;
}

export interface ARecordSetContent {
  readonly ttl: number;
  readonly ipv4Addresses: readonly string[];
  readonly metadata: StringMap;
}

/** Microsoft.Authorization: role assignments. */
export interface AuthorizationPort {
  /**
   * The role assignments of `principalId` at, above or below `scope` (ARM's `principalId eq`
   * filter), every page. Without a principal: every assignment at or under `scope` (ARM's
   * `atScope()` lists at and above only, so no filter is sent).
   */
  listRoleAssignments(scope: string, principalId?: string): Promise<RoleAssignment[]>;
  /**
   * Every principal's role assignments at, above or below `scope` (no filter), every page: one
   * list that a sweep shares between all the vault identities it concerns.
   */
  listRoleAssignmentsAtScope(scope: string): Promise<RoleAssignment[]>;
  /**
   * Creates the assignment `name` (a GUID) of a role to a service principal at `scope`. ARM answers
   * 409 `RoleAssignmentExists` when the same (scope, principal, role) exists under another name.
   */
  createRoleAssignment(scope: string, name: string, assignment: RoleAssignmentRequest): Promise<RoleAssignment>;
  /** Deletes a role assignment by id (absent: nothing to do). */
  deleteRoleAssignment(assignmentId: string): Promise<void>;
}

export interface RoleAssignmentRequest {
  readonly roleDefinitionGuid: string;
  readonly principalId: string;
  /** The assignment's `description` (vaultlink's ownership marker). */
  readonly description?: string | undefined;
}

/** Microsoft.Resources: the subscription's tenant (to notice a vault moved to another tenant). */
export interface SubscriptionPort {
  /** The tenant id of the subscription; undefined when the subscription is not visible. */
  getSubscriptionTenantId(subscriptionId: string): Promise<string | undefined>;
}

/** Everything reconcile needs from Azure. */
export interface AzurePorts {
  readonly recoveryServices: RecoveryServicesPort;
  readonly network: NetworkPort;
  readonly privateDns: PrivateDnsPort;
  readonly authorization: AuthorizationPort;
  readonly subscriptions: SubscriptionPort;
}
