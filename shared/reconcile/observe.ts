/**
 * Observe: read what Azure holds about one vault (reads only).
 *
 * What is read, and how many reads (none depends on past events; each is one ARM call or one
 * paged list):
 *   1. the vault and its Backup usage summaries of protected items and of containers (3);
 *   2. the PEs of each resource group that holds a PE named by the vault's connections (1 per
 *      such resource group): the vault's primaries, wherever they are, and next to them their
 *      classic `_ecs`/`_prot` secondaries (which only their name ties to the vault);
 *   3. under placement `zone-group` only, each of those PEs' zone groups (1 per PE);
 *   4. each distinct subnet of those PEs (1 per subnet);
 *   5. the three zones where the policy places the records, and for each that exists its links
 *      and its A record sets (up to 3 × 3); their names follow the FQDNs the PEs list (Azure's
 *      word), the geo-code table only before any is listed;
 *   5b. the zones each VNet that must resolve the vault already resolves through, wherever they
 *      live: the private DNS zones of every subscription in scope (plus those of the resolver
 *      VNets the policy names), 1 paged list per subscription; for each zone named like one of the
 *      three (other than the central one), its links (1); for each such zone linked to one of
 *      the vault's VNets, its A record sets (1). The zone lists do not depend on the vault: the
 *      `perf` work may share them across the vaults of one sweep;
 *   6. for a vault with a system-assigned identity, that principal's role assignments (1 per
 *      distinct subscription among the scopes the role profile concerns);
 *   7. the vault subscription's tenant (1; skipped silently when it cannot be read: the tenant
 *      check then does not run, and nothing else depends on it), and, when an approval rule names
 *      a tenant, the tenant of each other subscription that holds a requesting PE (1 per distinct
 *      subscription, read once per pass; one that cannot be read is recorded with the reason,
 *      and a tenant rule then does not match it);
 *   8. while the vault shows no sign of ever having had a private endpoint, Backup's jobs (1 paged
 *      list): a protection or registration attempt, failed or not, makes it ineligible.
 * Step 6 lists every assignment at those scopes (not only the identity's), so that the grants
 * vaultlink made for an earlier identity of the vault (its marker names the vault) are seen too.
 *
 * A failed read becomes a `ReadError` (the planner plans nothing that depends on it), except the
 * vault itself: a transient failure to read the vault throws so that the caller retries, any
 * other failure returns the vault as undefined with a read error naming it.
 */
import { classifyAzureError } from '../azure/errors';
import { backupConnectionOf, findSecondaryPrivateEndpoints, VAULT_RESOURCE_TYPE } from '../domain/endpoints';
import { recordsForPrivateEndpoint, registryOf, vaultZoneNames, ZONE_KINDS, type BackupZoneNames } from '../domain/dns';
import { armCaseKey, armEquals, isResourceType, parseResourceId, parentResourceId, resourceGroupResourceId, resourceInGroupId, sameResourceId, tryParseResourceId } from '../domain/ids';
import { hasSystemAssignedIdentity, isOwnedBy, type ARecordSet, type DnsZone, type PrivateEndpoint, type RoleAssignment, type Subnet, type Vault } from '../domain/model';
import type { BackupAttempt, ObservedPrivateEndpoint, ObservedVault, ObservedZone, ReadError, VaultMemory } from '../plan/types';
import { isMarkedFor } from '../domain/rbac';
import { loggerOf, nowOf, type ReconcileContext } from './context';
import { withReadAhead } from './read-ahead';

/** The vault could not be read for a reason worth retrying (throttled, 5xx, connection dropped). */
export class VaultReadError extends Error {
  override readonly name = 'VaultReadError';
  constructor(
    readonly vaultId: string,
    cause: unknown,
  ) {
    super(`reading vault ${vaultId} failed transiently: ${classifyAzureError(cause).message}`, { cause });
  }
}

const PRIVATE_DNS_ZONE_TYPE = 'Microsoft.Network/privateDnsZones';

/** The canonical id of a vault, or throws when `vaultId` is not one. */
export function canonicalVaultId(vaultId: string): string {
  const p = parseResourceId(vaultId);
  if (!isResourceType(p, VAULT_RESOURCE_TYPE) || p.segments.length !== 1) throw new Error(`not a Recovery Services vault id: ${vaultId}`);
  return p.id;
}

function readErrorOf(resourceId: string, operation: string, error: unknown): ReadError {
  const c = classifyAzureError(error);
  return { resourceId, operation, code: c.code, message: c.message };
}

/**
 * Where the zones of a vault are, by kind, or undefined when the policy places none (custom) or
 * the geo code is unknown. `fqdns` (what the vault's PEs list) name the backup zone when given:
 * the same rule as the planner's (shared/domain/dns.ts `vaultZoneNames`).
 */
export function zoneIdsForVault(ctx: ReconcileContext, vault: Pick<Vault, 'location'>, fqdns: readonly string[] = []): { names: BackupZoneNames; ids: Record<string, string> } | undefined {
  const dns = ctx.policy.dns;
  if (dns.placement === 'custom' || dns.central === undefined) return undefined;
  const lookup = vaultZoneNames(vault.location, fqdns, ctx.cloud, ctx.policy.geoCodes);
  if (!lookup.known) return undefined;
  const central = dns.central;
  const ids: Record<string, string> = {};
  for (const kind of ZONE_KINDS) ids[kind] = resourceInGroupId(central.subscriptionId, central.resourceGroup, PRIVATE_DNS_ZONE_TYPE, lookup.zones[kind]);
  return { names: lookup.zones, ids };
}

export interface ObserveOptions {
  /** What earlier passes saw (the orchestration's memory): handed to the planner with the observation. */
  readonly memory?: VaultMemory | undefined;
}

/**
 * Observes one vault. Throws {@link VaultReadError} only when the vault itself could not be read for a transient reason.
 *
 * Read rounds: each read starts as soon as what it needs is known (read-ahead.ts shares the
 * request with the code that awaits the answer later), so the reads take three round trips, not
 * one per step: (1) the vault, its usage summaries and its subscription's tenant; (2) the PE
 * lists, the zones with their links and records, the role assignments at the PEs' and the zones'
 * resource groups; (3) the subnets (and zone groups), the role assignments at VNet resource
 * groups not listed yet.
 */
export async function observeVault(callerCtx: ReconcileContext, vaultId: string, options: ObserveOptions = {}): Promise<ObservedVault> {
  const ctx: ReconcileContext = { ...callerCtx, azure: withReadAhead(callerCtx.azure) };
  const log = loggerOf(ctx);
  const id = canonicalVaultId(vaultId);
  // round 1: the tenant needs only the subscription id (its failure is handled where it is awaited)
  const vaultSubscriptionId = parseResourceId(id).subscriptionId;
  if (vaultSubscriptionId !== undefined) void ctx.azure.subscriptions.getSubscriptionTenantId(vaultSubscriptionId).catch(() => undefined);
  // round 1 too: the private zones of the subscriptions searched for linked zones need nothing of the vault
  if (ctx.policy.dns.placement !== 'custom') for (const s of linkedZoneSubscriptions(ctx)) void ctx.azure.privateDns.listZones(s).catch(() => undefined);
  const observedAt = nowOf(ctx).toISOString();
  const readErrors: ReadError[] = [];
  const empty = (vault: Vault | undefined): ObservedVault => ({
    vaultId: id,
    observedAt,
    vault,
    privateEndpoints: [],
    zones: [],
    roleAssignments: [],
    subscriptionTenants: {},
    readErrors,
    ...(options.memory === undefined ? {} : { memory: options.memory }),
  });

  // 1. The vault.
  let vault: Vault | undefined;
  try {
    vault = await ctx.azure.recoveryServices.getVault(id);
  } catch (e) {
    if (classifyAzureError(e).transient) throw new VaultReadError(id, e);
    readErrors.push(readErrorOf(id, 'reading vault', e));
    log.warn('vault could not be read', { vaultId: id, code: classifyAzureError(e).code });
    return empty(undefined);
  }
  if (vault === undefined) return empty(undefined);
  const theVault = vault;
  readAheadAfterVault(ctx, theVault);

  // 2. PEs: by the resource groups of the PEs the vault's connections name.
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
  for (const c of theVault.connections) {
    const pe = tryParseResourceId(c.privateEndpointId);
    if (pe?.subscriptionId === undefined || pe.resourceGroup === undefined) continue;
    const rgId = resourceGroupResourceId(pe.subscriptionId, pe.resourceGroup);
    groups.set(armCaseKey(rgId), { subscriptionId: pe.subscriptionId, resourceGroup: pe.resourceGroup });
  }
  const observedEndpoints: { endpoint: PrivateEndpoint; classification: ObservedPrivateEndpoint['classification'] }[] = [];
  await Promise.all(
    [...groups.values()].map(async (g) => {
      let inGroup: PrivateEndpoint[];
      try {
        inGroup = await ctx.azure.network.listPrivateEndpoints(g.subscriptionId, g.resourceGroup);
      } catch (e) {
        readErrors.push(readErrorOf(resourceGroupResourceId(g.subscriptionId, g.resourceGroup), 'listing private endpoints', e));
        return;
      }
      for (const pe of inGroup) {
        const backup = backupConnectionOf(pe);
        if (backup === undefined || !sameResourceId(backup.vaultId, id)) continue;
        observedEndpoints.push({ endpoint: pe, classification: { kind: 'backup-primary', ...backup } });
        for (const s of findSecondaryPrivateEndpoints(pe, inGroup)) {
          observedEndpoints.push({ endpoint: s.privateEndpoint, classification: { kind: 'backup-secondary', role: s.role, primaryName: pe.name, primaryId: pe.id } });
        }
      }
    }),
  );
  // Stable order whatever the order of the concurrent reads: plans must read the same every time.
  observedEndpoints.sort((a, b) => compareKeys(a.endpoint.id, b.endpoint.id));
  // round 3 starts: the role assignments at the endpoints' VNet resource groups, beside the subnets
  readAheadRoleAssignments(ctx, theVault, observedEndpoints.map((o) => o.endpoint.subnetId));

  // 3. Zone groups (placement zone-group only: under the others vaultlink does not look at them).
  if (ctx.policy.dns.placement === 'zone-group') {
    await Promise.all(
      observedEndpoints.map(async (o, i) => {
        try {
          const zoneGroups = await ctx.azure.network.listPrivateDnsZoneGroups(o.endpoint.id);
          observedEndpoints[i] = { ...o, endpoint: { ...o.endpoint, zoneGroups } };
        } catch (e) {
          readErrors.push(readErrorOf(o.endpoint.id, 'listing private DNS zone groups', e));
        }
      }),
    );
  }

  // 4. Subnets.
  const subnets = new Map<string, Subnet | undefined>();
  const subnetIds = [...new Map(observedEndpoints.map((o) => [armCaseKey(o.endpoint.subnetId), o.endpoint.subnetId])).values()];
  await Promise.all(
    subnetIds.map(async (subnetId) => {
      try {
        subnets.set(armCaseKey(subnetId), await ctx.azure.network.getSubnet(subnetId));
      } catch (e) {
        readErrors.push(readErrorOf(subnetId, 'reading subnet', e));
      }
    }),
  );
  const privateEndpoints: ObservedPrivateEndpoint[] = observedEndpoints.map((o) => ({
    endpoint: o.endpoint,
    classification: o.classification,
    subnet: subnets.get(armCaseKey(o.endpoint.subnetId)),
  }));

  // 5. Zones, links, records.
  // 5b. (beside them) The zones the vault's VNets already resolve through, wherever they live.
  const [zones, linkedZones] = await Promise.all([observeZones(ctx, theVault, privateEndpoints, readErrors), observeLinkedZones(ctx, theVault, privateEndpoints, readErrors)]);

  // 6. Role assignments of the vault identity, and vaultlink's grants to identities it no longer has.
  const { roleAssignments, staleRoleAssignments } = await observeRoleAssignments(ctx, theVault, privateEndpoints, readErrors);

  // 8. Backup's protection attempts: they decide eligibility only while the vault shows no sign of
  // ever having had a private endpoint (no connection now, none remembered, state None).
  let backupJobs: BackupAttempt[] | undefined;
  const hadEndpoint = theVault.connections.length > 0 || theVault.privateEndpointStateForBackup === 'Enabled' || (options.memory?.connections.privateEndpointIds.length ?? 0) > 0;
  if (!hadEndpoint) {
    try {
      backupJobs = await ctx.azure.recoveryServices.listProtectionAttempts(id);
    } catch (e) {
      // Eligibility then rests on the counts; an unread job list must not pass for an empty one.
      readErrors.push(readErrorOf(id, 'listing Backup jobs', e));
    }
  }

  // 7. The vault subscription's tenant.
  const subscriptionTenants: Record<string, string> = {};
  try {
    const tenant = await ctx.azure.subscriptions.getSubscriptionTenantId(theVault.subscriptionId);
    if (tenant !== undefined) subscriptionTenants[armCaseKey(theVault.subscriptionId)] = tenant;
  } catch (e) {
    log.warn('subscription tenant could not be read; the tenant check is skipped', { subscriptionId: theVault.subscriptionId, code: classifyAzureError(e).code });
  }
  const subscriptionTenantErrors = await observeRequesterTenants(ctx, theVault, subscriptionTenants);

  readErrors.sort((a, b) => compareKeys(a.resourceId, b.resourceId) || compareKeys(a.operation, b.operation));
  return {
    vaultId: id,
    observedAt,
    vault: theVault,
    privateEndpoints,
    zones,
    linkedZones,
    roleAssignments,
    subscriptionTenants,
    subscriptionTenantErrors,
    readErrors,
    ...(backupJobs === undefined ? {} : { backupJobs }),
    staleRoleAssignments,
    ...(options.memory === undefined ? {} : { memory: options.memory }),
  };
}

/**
 * The tenants of the subscriptions that hold the vault's requesting PEs, when some approval rule
 * names a tenant (else nobody asks). Each distinct subscription is read once; the answers join
 * `subscriptionTenants`, and a subscription that cannot be read gets its reason.
 */
async function observeRequesterTenants(ctx: ReconcileContext, vault: Vault, subscriptionTenants: Record<string, string>): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  if (!ctx.policy.approval.rules.some((r) => r.requester.tenantId !== undefined)) return errors;
  const wanted = new Map<string, string>();
  for (const c of vault.connections) {
    const sub = tryParseResourceId(c.privateEndpointId)?.subscriptionId;
    if (sub !== undefined && !armEquals(sub, vault.subscriptionId)) wanted.set(armCaseKey(sub), sub);
  }
  await Promise.all(
    [...wanted.values()].map(async (sub) => {
      try {
        const tenant = await ctx.azure.subscriptions.getSubscriptionTenantId(sub);
        if (tenant !== undefined) subscriptionTenants[armCaseKey(sub)] = tenant;
        else errors[armCaseKey(sub)] = `subscription ${sub} is not visible to vaultlink (no role in it, or it does not exist)`;
      } catch (e) {
        const c = classifyAzureError(e);
        errors[armCaseKey(sub)] = `subscription ${sub} could not be read (${c.code})`;
      }
    }),
  );
  return errors;
}

/**
 * Round 2: starts the reads that need only the vault — its zones (the zone, its links, its A
 * records: all three at once; a list of a missing zone answers []) and its identity's role
 * assignments at the resource groups known now (its PEs', from the connections, and the zones').
 * observeZones and observeRoleAssignments await the same requests.
 */
function readAheadAfterVault(ctx: ReconcileContext, vault: Vault): void {
  const ignore = (): undefined => undefined;
  const placed = zoneIdsForVault(ctx, vault);
  if (placed !== undefined) {
    for (const kind of ZONE_KINDS) {
      const zoneId = placed.ids[kind] as string;
      void ctx.azure.privateDns.getZone(zoneId).catch(ignore);
      void ctx.azure.privateDns.listVirtualNetworkLinks(zoneId).catch(ignore);
      void ctx.azure.privateDns.listARecordSets(zoneId).catch(ignore);
    }
  }
  const central = ctx.policy.dns.central;
  readAheadRoleAssignments(ctx, vault, [...vault.connections.map((c) => c.privateEndpointId), ...(central !== undefined && ctx.policy.dns.placement !== 'custom' ? [resourceGroupResourceId(central.subscriptionId, central.resourceGroup)] : [])]);
}

/** Starts the listing of the vault identity's role assignments at the resource groups of `ids` (observeRoleAssignments awaits the same requests). */
function readAheadRoleAssignments(ctx: ReconcileContext, vault: Vault, ids: readonly string[]): void {
  const principalId = vault.identity.principalId;
  if (!hasSystemAssignedIdentity(vault.identity) || principalId === undefined) return;
  const scopes = new Map<string, string>();
  for (const id of ids) {
    const p = tryParseResourceId(id);
    if (p?.subscriptionId !== undefined && p.resourceGroup !== undefined) scopes.set(armCaseKey(resourceGroupResourceId(p.subscriptionId, p.resourceGroup)), resourceGroupResourceId(p.subscriptionId, p.resourceGroup));
  }
  for (const scope of scopes.values()) void ctx.azure.authorization.listRoleAssignments(scope).catch(() => undefined);
}

async function observeZones(ctx: ReconcileContext, vault: Vault, endpoints: readonly ObservedPrivateEndpoint[], readErrors: ReadError[]): Promise<ObservedZone[]> {
  const placed = zoneIdsForVault(ctx, vault, fqdnsOf(endpoints));
  if (placed === undefined) return [];

  return Promise.all(
    ZONE_KINDS.map(async (kind): Promise<ObservedZone> => {
      const name = placed.names[kind];
      const zoneId = placed.ids[kind] as string;
      const wantedNames = wantedNamesOf(endpoints, placed.names, kind);

      let zone;
      try {
        zone = await ctx.azure.privateDns.getZone(zoneId);
      } catch (e) {
        readErrors.push(readErrorOf(zoneId, 'reading private DNS zone', e));
        return { kind, name, resourceId: zoneId, zone: undefined, links: [], records: [] };
      }
      if (zone === undefined) return { kind, name, resourceId: zoneId, zone: undefined, links: [], records: [] };

      const [links, records] = await Promise.all([
        ctx.azure.privateDns.listVirtualNetworkLinks(zoneId).catch((e: unknown) => {
          readErrors.push(readErrorOf(zoneId, 'listing virtual network links', e));
          return [];
        }),
        ctx.azure.privateDns.listARecordSets(zoneId).catch((e: unknown) => {
          readErrors.push(readErrorOf(zoneId, 'listing A record sets', e));
          return [] as ARecordSet[];
        }),
      ]);
      const concerning = records.filter((r) => concernsVault(ctx, vault, endpoints, wantedNames, r));
      concerning.sort((a, b) => compareKeys(a.name, b.name));
      return { kind, name, resourceId: zoneId, zone, links: [...links].sort((a, b) => compareKeys(a.id, b.id)), records: concerning };
    }),
  );
}

function fqdnsOf(endpoints: readonly ObservedPrivateEndpoint[]): string[] {
  return endpoints.flatMap((o) => o.endpoint.customDnsConfigs.map((c) => c.fqdn));
}

function wantedNamesOf(endpoints: readonly ObservedPrivateEndpoint[], names: BackupZoneNames, kind: string): Set<string> {
  const wanted = new Set<string>();
  for (const o of endpoints) for (const r of recordsForPrivateEndpoint(o.endpoint, names)) if (r.zoneKind === kind) wanted.add(r.recordName);
  return wanted;
}

/**
 * The records of a zone that concern this vault: those its PEs need (owned or not, so that the
 * planner sees a record it must not touch), and those vaultlink's registry ties to the vault —
 * including records of PEs that are gone (for `sync`). A record from before the registry counts
 * when its recorded PE is one of the vault's (by id; never by name patterns, which tied another
 * vault's PE named like a secondary to this vault).
 */
function concernsVault(ctx: ReconcileContext, vault: Vault, endpoints: readonly ObservedPrivateEndpoint[], wantedNames: ReadonlySet<string>, r: ARecordSet): boolean {
  if (wantedNames.has(r.name)) return true;
  if (!isOwnedBy(r.metadata, ctx.policy.ownerId)) return false;
  const registry = registryOf(r.metadata);
  if (registry.vaultId !== undefined) return sameResourceId(registry.vaultId, vault.id);
  const source = registry.privateEndpointId;
  if (source === undefined) return false;
  return endpoints.some((o) => sameResourceId(o.endpoint.id, source)) || vault.connections.some((c) => sameResourceId(c.privateEndpointId, source));
}

/**
 * The subscriptions searched for the zones a VNet already resolves through: where vaultlink holds
 * Reader (infra/), the subscriptions in scope, and those of the resolver VNets the policy names. A
 * VNet elsewhere (an outsider's) is not searched: its zones are not vaultlink's to read, and a
 * link planned for it would be for an outsider's PE anyway (never active).
 */
function linkedZoneSubscriptions(ctx: ReconcileContext): string[] {
  const subscriptions = new Map<string, string>();
  const add = (s: string | undefined) => {
    if (s !== undefined && !subscriptions.has(armCaseKey(s))) subscriptions.set(armCaseKey(s), s);
  };
  for (const s of ctx.policy.scope.subscriptions) add(s);
  for (const v of ctx.policy.dns.linkVirtualNetworks) add(tryParseResourceId(v)?.subscriptionId);
  return [...subscriptions.values()];
}

/**
 * Zones named like the vault's three, outside the policy's central place, linked to a VNet that
 * hosts one of the vault's PEs or is in `dns.linkVirtualNetworks`: what that VNet resolves through.
 * Subscriptions searched: the policy's scope, the VNets' and the central zones' subscriptions.
 */
async function observeLinkedZones(ctx: ReconcileContext, vault: Vault, endpoints: readonly ObservedPrivateEndpoint[], readErrors: ReadError[]): Promise<ObservedZone[]> {
  const placed = zoneIdsForVault(ctx, vault, fqdnsOf(endpoints));
  if (placed === undefined) return [];
  const vnets = new Map<string, string>();
  const addVnet = (id: string | undefined) => {
    const p = id === undefined ? undefined : tryParseResourceId(id);
    if (p !== undefined) vnets.set(p.key, p.id);
  };
  for (const o of endpoints) addVnet(o.subnet?.vnetId ?? parentResourceId(o.endpoint.subnetId));
  for (const v of ctx.policy.dns.linkVirtualNetworks) addVnet(v);
  if (vnets.size === 0) return [];

  const subscriptions = linkedZoneSubscriptions(ctx);

  const names = new Map<string, string>(ZONE_KINDS.map((k) => [placed.names[k], k]));
  const centralIds = Object.values(placed.ids);
  const candidates: DnsZone[] = [];
  await Promise.all(
    subscriptions.map(async (s) => {
      try {
        for (const z of await ctx.azure.privateDns.listZones(s)) {
          if (names.has(armCaseKey(z.name)) && !centralIds.some((c) => sameResourceId(c, z.id))) candidates.push(z);
        }
      } catch (e) {
        readErrors.push(readErrorOf(`/subscriptions/${s}`, 'listing private DNS zones', e));
      }
    }),
  );
  const found = await Promise.all(
    candidates.map(async (zone): Promise<ObservedZone | undefined> => {
      const kind = names.get(armCaseKey(zone.name)) as ObservedZone['kind'];
      let links;
      try {
        links = await ctx.azure.privateDns.listVirtualNetworkLinks(zone.id);
      } catch (e) {
        readErrors.push(readErrorOf(zone.id, 'listing virtual network links', e));
        return undefined;
      }
      if (!links.some((l) => vnets.has(tryParseResourceId(l.vnetId)?.key ?? ''))) return undefined;
      let records: ARecordSet[];
      try {
        records = await ctx.azure.privateDns.listARecordSets(zone.id);
      } catch (e) {
        readErrors.push(readErrorOf(zone.id, 'listing A record sets', e));
        records = [];
      }
      const wantedNames = wantedNamesOf(endpoints, placed.names, kind);
      const concerning = records.filter((r) => concernsVault(ctx, vault, endpoints, wantedNames, r)).sort((a, b) => compareKeys(a.name, b.name));
      return { kind, name: armCaseKey(zone.name), resourceId: zone.id, zone, links: [...links].sort((a, b) => compareKeys(a.id, b.id)), records: concerning };
    }),
  );
  return found.filter((z): z is ObservedZone => z !== undefined).sort((a, b) => compareKeys(a.resourceId, b.resourceId));
}

async function observeRoleAssignments(
  ctx: ReconcileContext,
  vault: Vault,
  endpoints: readonly ObservedPrivateEndpoint[],
  readErrors: ReadError[],
): Promise<{ roleAssignments: RoleAssignment[]; staleRoleAssignments: RoleAssignment[] }> {
  // With the identity off (or its principal not known yet) the identity holds nothing, but
  // vaultlink's marked grants to an earlier principal still show that it was on before.
  const principalId = hasSystemAssignedIdentity(vault.identity) ? vault.identity.principalId : undefined;
  if (principalId === undefined && vault.experience !== 'classic') return { roleAssignments: [], staleRoleAssignments: [] };
  // The resource groups of every scope the role profile concerns: the PEs' resource groups, the
  // VNets' resource groups (least-privilege grants on the VNet itself, which a listing at its
  // resource group includes: ARM returns assignments at, above and below the scope) and the DNS
  // zones' resource group. Listing at resource-group scope, not the subscription, needs only what
  // vaultlink holds there — a hub subscription with the central zones grants it rights on the DNS
  // resource group alone (infra/modules/dns-access.bicep).
  const scopes = new Map<string, string>();
  const add = (id: string | undefined) => {
    const p = id === undefined ? undefined : tryParseResourceId(id);
    if (p?.subscriptionId === undefined || p.resourceGroup === undefined) return;
    const rg = resourceGroupResourceId(p.subscriptionId, p.resourceGroup);
    scopes.set(armCaseKey(rg), rg);
  };
  for (const o of endpoints) {
    add(o.endpoint.id);
    add(parentResourceId(o.endpoint.subnetId));
  }
  const central = ctx.policy.dns.central;
  if (central !== undefined && ctx.policy.dns.placement !== 'custom') add(resourceGroupResourceId(central.subscriptionId, central.resourceGroup));

  // Every assignment at those scopes, not only the identity's: the ones vaultlink made for an
  // earlier identity of this vault (its marker in the description) are found the same way.
  const all: RoleAssignment[] = [];
  await Promise.all(
    [...scopes.values()].map(async (scope) => {
      try {
        all.push(...(await ctx.azure.authorization.listRoleAssignments(scope)));
      } catch (e) {
        readErrors.push(readErrorOf(scope, 'listing role assignments', e));
      }
    }),
  );
  const unique = [...new Map(all.map((a) => [armCaseKey(a.id), a])).values()].sort((a, b) => compareKeys(a.id, b.id));
  const mine = principalId === undefined ? undefined : armCaseKey(principalId.trim());
  return {
    roleAssignments: mine === undefined ? [] : unique.filter((a) => armCaseKey(a.principalId.trim()) === mine),
    staleRoleAssignments: unique.filter((a) => armCaseKey(a.principalId.trim()) !== mine && isMarkedFor(a, ctx.policy.ownerId, vault.id)),
  };
}

// Locale-independent order on lower-cased ids.
function compareKeys(a: string, b: string): number {
  const x = armCaseKey(a);
  const y = armCaseKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
