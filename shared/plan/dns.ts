/**
 * The DNS part of the planner: per-VNet resolution as the model.
 *
 * For every VNet that must resolve the vault (the VNets of its active PEs and of their classic
 * secondaries, and `dns.linkVirtualNetworks`), each namespace (backup, blob, queue) is served by:
 *   - the zone of that name already linked to the VNet, wherever it lives (observe's
 *     `linkedZones`), or
 *   - the central zone, which vaultlink links.
 * The plan makes every FQDN of the vault's active endpoints resolve, from each of those VNets, to
 * an address of an active endpoint of the vault; the checklist says `ok` only when that already
 * holds in what was observed (see {@link checkResolution}).
 *
 * Decision table (placement `central`; `zone-group` and `custom` at the end):
 *
 * | situation                                                    | actions                         | findings / checklist                           |
 * |--------------------------------------------------------------|---------------------------------|------------------------------------------------|
 * | PEs list Backup FQDNs whose geo code ≠ table/`geoCodes`      | zones follow the FQDNs          | geo-code-contradiction (warning, both codes)   |
 * | no FQDN listed yet                                           | zones from table/`geoCodes`     | —                                              |
 * | central zone absent                                          | ensure-zone                     | dns-zones pending                              |
 * | VNet linked to the central zone (by anyone)                  | —                               | dns-links ok                                   |
 * | VNet linked to another zone of that name, linkedZones report | none (no link that 409s)        | linked-zone-conflict (error); dns-links failed |
 * | … linkedZones adopt                                          | records written into that zone  | linked-zone-adopted (info)                     |
 * | a link Azure refused (409) within LINK_CONFLICT_RETRY_MS: the | none (not tried again until     | linked-zone-conflict (error, Azure's answer);  |
 * |   VNet has a same-named zone observe cannot see (memory)     |   then)                         | dns-links failed                               |
 * | VNet not linked to any zone of that name                     | ensure-link (central)           | dns-links pending                              |
 * | record absent                                                | upsert-record (create only)     | pending                                        |
 * | record holds the addresses of an active endpoint             | none: it keeps them (stability) | ok                                             |
 * | … and another active PE lists the name with other addresses  | none                            | record-claimed-by-several-endpoints (warning:  |
 * |                                                              |                                 | both PEs, the ways out)                        |
 * | owned, this vault's, addresses of no active endpoint         | upsert-record (If-Match)        | pending                                        |
 * | owned, this vault's, TTL/registry drift                      | upsert-record (If-Match)        | pending                                        |
 * | owned by an older vaultlink (no registry), exact addresses   | upsert-record: adopt (If-Match) | pending                                        |
 * | … other addresses                                            | none                            | record-not-adopted; failed                     |
 * | not owned (or another vault's), right addresses              | none                            | record-not-managed (info)                      |
 * | not owned, other addresses                                   | none                            | record-not-managed (warning); failed           |
 * | owned, this vault's (registry), name no active PE lists,     | sync: delete-record (If-Match)  | upsert-only: stale-record (warning)            |
 * |   its endpoint gone / rejected / disconnected                | (not while a read failed)       |                                                |
 * | a name of an active PE does not resolve from a VNet and      | —                               | name-not-resolving (error); failed             |
 * |   nothing planned makes it                                   |                                 |                                                |
 * | zone-group: a PE's zone group misses a zone                  | none                            | zone-group-mismatch; failed                    |
 * | custom: no DNS writes                                        | none                            | custom-dns-records-needed (lines)              |
 *
 * Stale records are found by the registry in their metadata (vault id, PE id, connection), never
 * by name patterns, and never another vault's.
 */
import { armCaseKey } from '../domain/ids';
import { byCodePoint, keyOf, nameOf } from './order';
import {
  conditionalForwarders,
  hostsFileLines,
  isOwnedBy,
  isPartitionedStorageName,
  normalizeResourceId,
  parentResourceId,
  recordsForPrivateEndpoint,
  registryOf,
  resourceInGroupId,
  sameResourceId,
  tryParseResourceId,
  vaultZoneNames,
  ZONE_KINDS,
  zoneFileLines,
  type BackupZoneNames,
  type ChecklistItemKey,
  type ChecklistStatus,
  type DesiredARecord,
  type FindingCode,
  type FindingSeverity,
  type SecondaryRole,
  type Vault,
  type ZoneKind,
  type ARecordSet,
} from '../domain';
import { virtualNetworkLinkName } from './link-name';
import { linkIdOf, recordIdOf } from './targets';
import { LINK_CONFLICT_RETRY_MS, type LinkConflict, type ObservedPrivateEndpoint, type ObservedVault, type ObservedZone, type PlannedAction, type PlanOptions, type PlanPolicy } from './types';

const ZONE_RESOURCE_TYPE = 'Microsoft.Network/privateDnsZones';

/** A DNS action as drafted: plan.ts's finish() draws the graph (`needs`: a record its approval and its zone, a link its zone). */
export type DnsDraftAction = PlannedAction extends infer A ? (A extends PlannedAction ? Omit<A, 'needs'> : never) : never;

/** Where the planner collects what DNS planning decides (plan.ts's draft). */
export interface DnsSink {
  add(action: DnsDraftAction, item: ChecklistItemKey): void;
  set(key: ChecklistItemKey, status: ChecklistStatus, detail: string): void;
  find(code: FindingCode, severity: FindingSeverity, resourceId: string, message: string): void;
  /** Something waits on Azure: a follow-up pass is worth it soon. */
  waitOnAzure(): void;
}

/** Where a primary PE's connection stands after the plan's approval decisions. */
export type ConnectionStanding = 'approved' | 'approving' | 'pending' | 'rejecting' | 'rejected' | 'disconnected' | 'unknown';

/** A primary PE of the vault as the planner sees it. */
export interface DnsPrimary {
  readonly observed: ObservedPrivateEndpoint;
  readonly standing: ConnectionStanding;
  /** The vault-side connection name, when the vault lists one for this PE. */
  readonly connectionName: string | undefined;
  readonly secondaries: readonly { readonly observed: ObservedPrivateEndpoint; readonly role: SecondaryRole }[];
}

/** Approved, or approved by this plan: only these get links and records. */
export function isActivePrimary(p: DnsPrimary): boolean {
  return p.standing === 'approved' || p.standing === 'approving';
}

// ---------------------------------------------------------------------------------------------

function rgNameOf(id: string): string {
  return tryParseResourceId(id)?.resourceGroup ?? id;
}
function list(items: readonly string[]): string {
  return items.join(', ');
}
function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a.map((x) => x.trim()))].sort();
  const sb = [...new Set(b.map((x) => x.trim()))].sort();
  return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}

/** The VNet of a PE: its subnet's parent (the PE names its subnet even when the subnet read failed). */
export function vnetOfEndpoint(pe: ObservedPrivateEndpoint): string | undefined {
  if (pe.subnet !== undefined) return pe.subnet.vnetId;
  const parsed = tryParseResourceId(pe.endpoint.subnetId);
  return parsed === undefined ? undefined : parentResourceId(parsed.id);
}

/** Every FQDN the vault's PEs list: the ground truth for the zone names. */
export function fqdnsOfVault(observed: ObservedVault): string[] {
  return observed.privateEndpoints.flatMap((p) => p.endpoint.customDnsConfigs.map((c) => c.fqdn));
}

/** One active endpoint (a primary or a classic secondary) whose names the VNets must resolve. */
interface Served {
  readonly peId: string;
  /** Its connection is Approved in Azure now (not only by this plan): it takes a name before one still being approved. */
  readonly approved: boolean;
  readonly connectionName: string | undefined;
  readonly item: 'dns-records' | 'secondary-records';
  readonly records: readonly DesiredARecord[];
}

function servedEndpoints(vault: Vault, zones: BackupZoneNames, active: readonly DnsPrimary[]): Served[] {
  const out: Served[] = [];
  for (const p of active) {
    const approved = p.standing === 'approved';
    out.push({ peId: p.observed.endpoint.id, approved, connectionName: p.connectionName, item: 'dns-records', records: recordsForPrivateEndpoint(p.observed.endpoint, zones) });
    if (vault.experience !== 'classic') continue;
    for (const s of p.secondaries) out.push({ peId: s.observed.endpoint.id, approved, connectionName: p.connectionName, item: 'secondary-records', records: recordsForPrivateEndpoint(s.observed.endpoint, zones) });
  }
  // An endpoint already approved comes before one this plan approves: a name that no record holds yet
  // goes to it, and never waits on an approval that may still be refused (a grant Azure denies).
  return out.sort((a, b) => Number(b.approved) - Number(a.approved) || byCodePoint(keyOf(a.peId), keyOf(b.peId)));
}

/** A zone the plan reads or writes: a central one, or one a VNet already resolves through. */
interface PlannedZone {
  readonly kind: ZoneKind;
  readonly name: string;
  readonly zoneId: string;
  /** Undefined when observe did not report it: nothing is written in it. */
  readonly observed: ObservedZone | undefined;
  readonly central: boolean;
}

/** How one VNet resolves one namespace. */
interface Serving {
  readonly vnetId: string;
  readonly kind: ZoneKind;
  readonly zone: PlannedZone;
  /**
   * `linked`: already linked; `linking`: this plan links it; `foreign`: another zone of the name is
   * linked (report); `adopted`: … and adopt; `refused`: Azure refused the link lately for a
   * same-named zone observe cannot see (`conflict`).
   */
  readonly how: 'linked' | 'linking' | 'foreign' | 'adopted' | 'unobserved' | 'refused';
  readonly conflict?: LinkConflict;
}

/** A refused link is reported, not tried again, for {@link LINK_CONFLICT_RETRY_MS} after Azure refused it. */
export function linkConflictStands(c: LinkConflict, observedAt: string): boolean {
  const age = Date.parse(observedAt) - Date.parse(c.at);
  return Number.isFinite(age) && age < LINK_CONFLICT_RETRY_MS;
}

// ---------------------------------------------------------------------------------------------

/**
 * Plans the vault's DNS (see the module's decision table). `primaries` are the vault's primary
 * PEs with their standing after the approval decisions.
 */
export function planDns(sink: DnsSink, observed: ObservedVault, vault: Vault, policy: PlanPolicy, options: PlanOptions, primaries: readonly DnsPrimary[]): void {
  const classic = vault.experience === 'classic';
  const naming = vaultZoneNames(vault.location, fqdnsOfVault(observed), options.cloud, policy.geoCodes ?? {});
  if (!naming.known) {
    const why = `${naming.reason}; no DNS is planned`;
    for (const key of ['dns-zones', 'dns-links', 'dns-records'] as const) sink.set(key, 'failed', why);
    if (classic) sink.set('secondary-records', 'failed', why);
    return;
  }
  const zones = naming.zones;
  if (naming.contradiction !== undefined) {
    const c = naming.contradiction;
    sink.find(
      'geo-code-contradiction',
      'warning',
      vault.id,
      `the private endpoints of vault ${vault.name} list Backup FQDNs under geo code "${c.fromFqdns}", but the ${c.configuredSource === 'override' ? `policy's geoCodes override` : 'shipped geo-code table'} gives "${c.configured}" for region ${vault.location}: vaultlink follows Azure and uses zone ${zones.backup}` +
        (c.configuredSource === 'override' ? `; correct or remove geoCodes["${vault.location.toLowerCase()}"]` : '; the table is wrong for this region: add geoCodes for it'),
    );
  }

  const active = primaries.filter(isActivePrimary);
  for (const p of primaries.filter((x) => !isActivePrimary(x))) {
    const waiting = p.standing === 'pending' || p.standing === 'unknown';
    sink.set('dns-records', waiting ? 'pending' : 'ok', `private endpoint ${p.observed.endpoint.name}: connection ${waiting ? 'not approved yet' : p.standing}, no records for it`);
  }
  if (active.length === 0) {
    sink.set('dns-records', 'pending', 'no approved private endpoint of the vault yet');
    if (classic) sink.set('secondary-records', 'pending', 'no approved private endpoint of the vault yet');
  } else if (classic) {
    planSecondaryWaits(sink, active);
  }

  if (policy.dns.placement !== 'zone-group') {
    // Records come from the PE's customDnsConfigs, which Azure fills in once the PE has its addresses.
    for (const p of active) {
      if (recordsForPrivateEndpoint(p.observed.endpoint, zones).length > 0) continue;
      sink.set('dns-records', 'pending', `Azure lists no FQDN with an address in the zones for private endpoint ${p.observed.endpoint.name} yet`);
      sink.waitOnAzure();
    }
  }

  if (policy.dns.placement === 'custom') {
    planCustomDns(sink, vault, policy, zones, active);
    return;
  }
  const central = policy.dns.central;
  if (central === undefined) {
    const why = `placement ${policy.dns.placement} needs dns.central (where the zones live) and the policy names none`;
    for (const key of ['dns-zones', 'dns-links', 'dns-records'] as const) sink.set(key, 'failed', why);
    return;
  }

  const centralZones: PlannedZone[] = ZONE_KINDS.map((kind) => {
    const name = zones[kind];
    const found = observed.zones.find((z) => z.kind === kind && armCaseKey(z.name) === name);
    const zoneId = found?.resourceId ?? resourceInGroupId(central.subscriptionId, central.resourceGroup, ZONE_RESOURCE_TYPE, name);
    return { kind, name, zoneId: normalizeResourceId(zoneId), observed: found, central: true };
  });

  planZones(sink, centralZones, central.resourceGroup);
  const vnets = vnetsToResolve(policy, active, classic);
  const serving = servingZones(observed, policy, centralZones, zones, vnets);
  planLinks(sink, vault, serving, vnets);
  if (policy.dns.placement === 'central') {
    const served = servedEndpoints(vault, zones, active);
    const targets = writableZones(centralZones, serving);
    const planned = planRecords(sink, observed, vault, policy, targets, serving, served);
    planStale(sink, observed, vault, policy, targets, served);
    checkResolution(sink, vault, serving, served, planned);
  } else {
    planZoneGroups(sink, vault, zones, centralZones, active);
  }
}

function planSecondaryWaits(sink: DnsSink, active: readonly DnsPrimary[]): void {
  for (const p of active) {
    const present = new Set(p.secondaries.map((s) => s.role));
    const name = p.observed.endpoint.name;
    const waits: string[] = [];
    if (!present.has('ecs-blob') || !present.has('ecs-queue')) waits.push(`the first registration (Azure Backup then creates ${name}_ecs…_blob and _queue)`);
    if (!present.has('prot-blob')) waits.push(`the first backup (Azure Backup then creates ${name}_prot…_blob)`);
    if (waits.length > 0) {
      sink.set('secondary-records', 'pending', `private endpoint ${name} is waiting for ${waits.join(' and ')}`);
      sink.waitOnAzure();
    }
  }
}

function planZones(sink: DnsSink, planned: readonly PlannedZone[], resourceGroup: string): void {
  const creating: string[] = [];
  for (const z of planned) {
    if (z.observed === undefined) {
      sink.set('dns-zones', 'pending', `zone ${z.name} was not observed: nothing is written in it this pass`);
      sink.waitOnAzure();
      continue;
    }
    if (z.observed.zone !== undefined) continue;
    sink.add({ kind: 'ensure-zone', key: `ensure-zone:${z.zoneId}`, summary: `Create private DNS zone ${z.name} in resource group ${rgNameOf(z.zoneId)}`, zoneId: z.zoneId, zoneName: z.name }, 'dns-zones');
    creating.push(z.name);
  }
  if (creating.length > 0) sink.set('dns-zones', 'pending', `creating ${list(creating)} in resource group ${resourceGroup}`);
  else sink.set('dns-zones', 'ok', `the three zones exist (${list(planned.filter((z) => z.observed?.zone !== undefined).map((z) => z.name))})`);
}

/** The VNets that must resolve the vault: those of its active PEs and their secondaries, and `linkVirtualNetworks`. */
function vnetsToResolve(policy: PlanPolicy, active: readonly DnsPrimary[], classic: boolean): string[] {
  const vnets = new Map<string, string>();
  const add = (id: string | undefined) => {
    const p = id === undefined ? undefined : tryParseResourceId(id);
    if (p !== undefined && !vnets.has(p.key)) vnets.set(p.key, p.id);
  };
  for (const p of active) {
    add(vnetOfEndpoint(p.observed));
    if (classic) for (const s of p.secondaries) add(vnetOfEndpoint(s.observed));
  }
  for (const v of policy.dns.linkVirtualNetworks) add(v);
  return [...vnets.values()];
}

/** Which zone serves each (VNet, namespace): the one linked to it wherever it lives, else the central one. */
function servingZones(observed: ObservedVault, policy: PlanPolicy, centralZones: readonly PlannedZone[], zones: BackupZoneNames, vnets: readonly string[]): Serving[] {
  const out: Serving[] = [];
  const adopt = policy.dns.linkedZones === 'adopt';
  for (const vnetId of vnets) {
    for (const c of centralZones) {
      if (c.observed === undefined) {
        out.push({ vnetId, kind: c.kind, zone: c, how: 'unobserved' });
        continue;
      }
      if (c.observed.links.some((l) => sameResourceId(l.vnetId, vnetId))) {
        out.push({ vnetId, kind: c.kind, zone: c, how: 'linked' });
        continue;
      }
      const foreign = (observed.linkedZones ?? [])
        .filter((z) => armCaseKey(z.name) === zones[c.kind] && !sameResourceId(z.resourceId, c.zoneId) && z.links.some((l) => sameResourceId(l.vnetId, vnetId)))
        .sort((a, b) => byCodePoint(keyOf(a.resourceId), keyOf(b.resourceId)))[0];
      if (foreign !== undefined) {
        const zone: PlannedZone = { kind: c.kind, name: armCaseKey(foreign.name), zoneId: normalizeResourceId(foreign.resourceId), observed: foreign, central: false };
        out.push({ vnetId, kind: c.kind, zone, how: adopt ? 'adopted' : 'foreign' });
        continue;
      }
      const conflict = (observed.memory?.linkConflicts ?? []).find((x) => sameResourceId(x.vnetId, vnetId) && armCaseKey(x.zoneName) === zones[c.kind] && linkConflictStands(x, observed.observedAt));
      if (conflict !== undefined) {
        // Neither its records nor its links can be read: nothing is written there, nothing counts as answering.
        const zone: PlannedZone = { kind: c.kind, name: zones[c.kind], zoneId: conflict.linkedZoneId === undefined ? c.zoneId : normalizeResourceId(conflict.linkedZoneId), observed: undefined, central: false };
        out.push({ vnetId, kind: c.kind, zone, how: 'refused', conflict });
        continue;
      }
      out.push({ vnetId, kind: c.kind, zone: c, how: 'linking' });
    }
  }
  return out;
}

function planLinks(sink: DnsSink, vault: Vault, serving: readonly Serving[], vnets: readonly string[]): void {
  const linking: string[] = [];
  let done = 0;
  const vaultId = normalizeResourceId(vault.id);
  for (const s of serving) {
    if (s.how === 'linked' || s.how === 'unobserved') {
      if (s.how === 'linked') done++;
      continue;
    }
    if (s.how === 'refused') {
      const c = s.conflict as LinkConflict;
      sink.find(
        'linked-zone-conflict',
        'error',
        c.linkedZoneId ?? s.vnetId,
        `Azure refused at ${c.at} to link virtual network ${nameOf(s.vnetId)} to ${c.zoneId}: it is linked to another zone named ${s.zone.name}${c.linkedZoneId ? ` (${c.linkedZoneId})` : ''}, outside what vaultlink reads, so vaultlink does not try that link again until ${LINK_CONFLICT_RETRY_MS / 3_600_000} hours after. ` +
          `Choices: give vaultlink Reader where that zone lives (then dns.linkedZones "adopt" can write the records there); or remove that link so that vaultlink links the central zone; or write the records there yourself (dns export). Azure: ${c.message}`,
      );
      sink.set('dns-links', 'failed', `${nameOf(s.vnetId)} resolves ${s.zone.name} through a zone vaultlink cannot see (Azure refused the link): a person decides (finding linked-zone-conflict)`);
      continue;
    }
    if (s.how === 'foreign' || s.how === 'adopted') {
      const link = s.zone.observed?.links.find((l) => sameResourceId(l.vnetId, s.vnetId));
      const where = `zone ${s.zone.zoneId} (link ${link?.name ?? '?'})`;
      if (s.how === 'foreign') {
        sink.find(
          'linked-zone-conflict',
          'error',
          s.zone.zoneId,
          `virtual network ${nameOf(s.vnetId)} resolves ${s.zone.name} through ${where}, not through vaultlink's central zone; Azure refuses a second link of a zone with that name, so vaultlink links nothing there. ` +
            `Choices: let vaultlink write vault ${vault.name}'s records into that zone (dns.linkedZones: "adopt", with Private DNS Zone Contributor on it); or remove that link so that vaultlink links the central zone; or write the records there yourself (dns export)`,
        );
        sink.set('dns-links', 'failed', `${nameOf(s.vnetId)} resolves ${s.zone.name} through another zone (${where}): a person decides (finding linked-zone-conflict)`);
      } else {
        sink.find('linked-zone-adopted', 'info', s.zone.zoneId, `virtual network ${nameOf(s.vnetId)} resolves ${s.zone.name} through ${where}; dns.linkedZones is "adopt", so vault ${vault.name}'s records go there too`);
        done++;
      }
      continue;
    }
    const linkName = virtualNetworkLinkName(s.vnetId);
    sink.add(
      {
        kind: 'ensure-link',
        key: `ensure-link:${linkIdOf(s.zone.zoneId, linkName)}`,
        summary: `Link virtual network ${nameOf(s.vnetId)} to zone ${s.zone.name} (link ${linkName})`,
        zoneId: s.zone.zoneId,
        vnetId: s.vnetId,
        linkName,
        vaultId,
      },
      'dns-links',
    );
    linking.push(`${nameOf(s.vnetId)} → ${s.zone.name}`);
  }
  if (linking.length > 0) sink.set('dns-links', 'pending', `linking ${list(linking)}`);
  if (vnets.length === 0) sink.set('dns-links', 'pending', 'no VNet hosts an approved private endpoint of the vault yet');
  else if (linking.length === 0) sink.set('dns-links', 'ok', `${vnets.length} VNet(s) resolve every namespace through a linked zone (${done} link(s))`);
}

/** The zones vaultlink writes records in: the central ones, and those adopted for some VNet. */
function writableZones(centralZones: readonly PlannedZone[], serving: readonly Serving[]): PlannedZone[] {
  const out = new Map<string, PlannedZone>();
  for (const z of centralZones) out.set(keyOf(z.zoneId), z);
  for (const s of serving) if (s.how === 'adopted') out.set(keyOf(s.zone.zoneId), s.zone);
  return [...out.values()].sort((a, b) => byCodePoint(keyOf(a.zoneId), keyOf(b.zoneId)));
}

/** (zone key | record name) pairs that will hold a right answer once the plan's writes are applied. */
type PlannedNames = Set<string>;

function nameKey(zoneId: string, recordName: string): string {
  return `${keyOf(zoneId)}|${armCaseKey(recordName)}`;
}

interface Candidate {
  readonly served: Served;
  readonly record: DesiredARecord;
}

function planRecords(
  sink: DnsSink,
  observed: ObservedVault,
  vault: Vault,
  policy: PlanPolicy,
  targets: readonly PlannedZone[],
  serving: readonly Serving[],
  served: readonly Served[],
): PlannedNames {
  const ttl = policy.dns.ttl;
  const vaultId = normalizeResourceId(vault.id);
  const fixed: PlannedNames = new Set();
  const tally: Record<'dns-records' | 'secondary-records', { ok: number; creating: string[]; updating: string[] }> = {
    'dns-records': { ok: 0, creating: [], updating: [] },
    'secondary-records': { ok: 0, creating: [], updating: [] },
  };

  for (const zone of targets) {
    // Candidates per record name: every active endpoint listing the name.
    const byName = new Map<string, Candidate[]>();
    for (const s of served) for (const r of s.records) if (r.zoneKind === zone.kind && r.zone === zone.name) byName.set(r.recordName, [...(byName.get(r.recordName) ?? []), { served: s, record: r }]);
    const conflicts = new Map<string, { holder: Candidate; other: Candidate; names: string[] }>();

    for (const [recordName, candidates] of [...byName.entries()].sort((a, b) => byCodePoint(a[0], b[0]))) {
      const item = candidates[0]?.served.item ?? 'dns-records';
      const fqdn = `${recordName}.${zone.name}`;
      if (zone.observed === undefined) {
        sink.set(item, 'pending', `${fqdn}: zone ${zone.name} was not observed`);
        continue;
      }
      const existing = zone.observed.records.find((r) => armCaseKey(r.name) === recordName);
      // Stability before order: a record that already answers with an active endpoint's addresses keeps them.
      const holder = (existing !== undefined ? candidates.find((c) => sameAddresses(existing.ipv4Addresses, c.record.ipv4Addresses)) : undefined) ?? (candidates[0] as Candidate);
      for (const other of candidates) {
        if (sameAddresses(other.record.ipv4Addresses, holder.record.ipv4Addresses)) continue;
        const k = `${keyOf(holder.served.peId)}|${keyOf(other.served.peId)}`;
        const entry = conflicts.get(k) ?? { holder, other, names: [] };
        entry.names.push(fqdn);
        conflicts.set(k, entry);
      }
      const pe = nameOf(holder.served.peId);
      const base = {
        kind: 'upsert-record' as const,
        key: `upsert-record:${recordIdOf(zone.zoneId, recordName)}`,
        zoneId: zone.zoneId,
        recordName,
        ipv4Addresses: holder.record.ipv4Addresses,
        ttl,
        sourcePrivateEndpointId: holder.served.peId,
        vaultId,
        connectionName: holder.served.connectionName,
      };
      if (existing === undefined) {
        sink.add({ ...base, etag: undefined, summary: `Create A record ${fqdn} → ${list(holder.record.ipv4Addresses)} (private endpoint ${pe})` }, item);
        tally[item].creating.push(fqdn);
        fixed.add(nameKey(zone.zoneId, recordName));
        continue;
      }
      const answersActive = candidates.some((c) => sameAddresses(existing.ipv4Addresses, c.record.ipv4Addresses));
      const registry = registryOf(existing.metadata);
      const owned = isOwnedBy(existing.metadata, policy.ownerId);
      const anotherVault = registry.vaultId !== undefined && !sameResourceId(registry.vaultId, vault.id);
      if (!owned || anotherVault) {
        const whose = !owned ? `not managed by vaultlink (owner ${policy.ownerId})` : `vaultlink's record for another vault (${nameOf(registry.vaultId ?? '')})`;
        sink.find(
          'record-not-managed',
          answersActive ? 'info' : 'warning',
          existing.id,
          `record exists, ${whose}: ${fqdn} holds ${list(existing.ipv4Addresses) || 'no address'}` +
            (answersActive ? `, as private endpoint ${pe} needs` : `, private endpoint ${pe} needs ${list(holder.record.ipv4Addresses)}: fix it, or delete it so that vaultlink creates its own`),
        );
        if (answersActive) tally[item].ok++;
        else sink.set(item, 'failed', `${fqdn} exists with other addresses and is not vaultlink's to change: a person must fix or delete it`);
        continue;
      }
      if (registry.vaultId === undefined) {
        // Written by an older vaultlink, before the registry: adopted only when it matches exactly.
        if (answersActive) {
          sink.add({ ...base, etag: existing.etag, summary: `Adopt A record ${fqdn} (written by an older vaultlink; addresses match private endpoint ${pe}): record vault, endpoint and connection in its metadata` }, item);
          tally[item].updating.push(fqdn);
          fixed.add(nameKey(zone.zoneId, recordName));
        } else {
          sink.find(
            'record-not-adopted',
            'warning',
            existing.id,
            `${fqdn} was written by an older vaultlink without the ownership registry and holds ${list(existing.ipv4Addresses) || 'no address'}, while private endpoint ${pe} needs ${list(holder.record.ipv4Addresses)}: not adopted; delete it so that vaultlink writes its own, or correct it`,
          );
          sink.set(item, 'failed', `${fqdn}: an older vaultlink record with other addresses (finding record-not-adopted)`);
        }
        continue;
      }
      const drift: string[] = [];
      if (!answersActive) drift.push(`${list(existing.ipv4Addresses) || 'no address'} → ${list(holder.record.ipv4Addresses)} (its endpoint is no longer active)`);
      if (existing.ttl !== ttl) drift.push(`TTL ${existing.ttl} → ${ttl}`);
      if (registry.privateEndpointId === undefined || !sameResourceId(registry.privateEndpointId, holder.served.peId)) drift.push(`source ${registry.privateEndpointId === undefined ? '(none)' : nameOf(registry.privateEndpointId)} → ${pe}`);
      if ((registry.connectionName ?? undefined) !== holder.served.connectionName && holder.served.connectionName !== undefined) drift.push('connection');
      if (drift.length === 0) {
        tally[item].ok++;
        continue;
      }
      sink.add({ ...base, etag: existing.etag, summary: `Update A record ${fqdn}: ${drift.join(', ')} (private endpoint ${pe})` }, item);
      tally[item].updating.push(fqdn);
      fixed.add(nameKey(zone.zoneId, recordName));
    }

    for (const { holder, other, names } of conflicts.values()) {
      const vnetsOfZone = serving.filter((s) => sameResourceId(s.zone.zoneId, zone.zoneId)).map((s) => nameOf(s.vnetId));
      const otherVnet = observed.privateEndpoints.find((p) => sameResourceId(p.endpoint.id, other.served.peId));
      const holderVnet = observed.privateEndpoints.find((p) => sameResourceId(p.endpoint.id, holder.served.peId));
      sink.find(
        'record-claimed-by-several-endpoints',
        'warning',
        other.served.peId,
        `private endpoints ${nameOf(holder.served.peId)} (VNet ${nameOf((holderVnet && vnetOfEndpoint(holderVnet)) ?? '?')}) and ${nameOf(other.served.peId)} (VNet ${nameOf((otherVnet && vnetOfEndpoint(otherVnet)) ?? '?')}) of vault ${vault.name} both list ${names.length} name(s) in zone ${zone.name} (${list(names.slice(0, 3))}${names.length > 3 ? ', …' : ''}), which VNets ${list([...new Set(vnetsOfZone)])} resolve through: a zone holds one answer, and the established one keeps it (${nameOf(holder.served.peId)}, ${list(holder.record.ipv4Addresses)}). ` +
          `Ways out: one private endpoint per DNS island (remove ${nameOf(other.served.peId)}, or the other); split zones (give ${nameOf((otherVnet && vnetOfEndpoint(otherVnet)) ?? '?')} its own zone of that name, then dns.linkedZones "adopt"); or peer the VNets so that ${list(holder.record.ipv4Addresses)} is reachable from both`,
      );
    }
  }

  for (const item of ['dns-records', 'secondary-records'] as const) {
    const t = tally[item];
    if (item === 'secondary-records' && vault.experience !== 'classic') continue;
    if (t.creating.length > 0) sink.set(item, 'pending', `creating ${list(t.creating)}`);
    if (t.updating.length > 0) sink.set(item, 'pending', `updating ${list(t.updating)}`);
    if (t.ok > 0) sink.set(item, 'ok', `${t.ok} record(s) in place`);
  }
  return fixed;
}

/** Why an owned record's endpoint no longer deserves it, or undefined when it still might. */
function staleReason(observed: ObservedVault, vault: Vault, peId: string): 'gone' | 'rejected' | 'disconnected' | undefined {
  const pe = observed.privateEndpoints.find((p) => sameResourceId(p.endpoint.id, peId));
  // A secondary answers for its primary's connection.
  const primaryId = pe?.classification.kind === 'backup-secondary' ? pe.classification.primaryId : peId;
  const connection = vault.connections.find((c) => sameResourceId(c.privateEndpointId, primaryId));
  if (pe === undefined) return 'gone';
  if (connection === undefined) return pe.classification.kind === 'backup-secondary' && !observed.privateEndpoints.some((p) => sameResourceId(p.endpoint.id, primaryId)) ? 'gone' : undefined;
  if (connection.status === 'Rejected') return 'rejected';
  if (connection.status === 'Disconnected') return 'disconnected';
  return undefined;
}

/** Owned records of this vault (by the registry) that no active endpoint lists and whose endpoint is gone, rejected or disconnected. */
function planStale(sink: DnsSink, observed: ObservedVault, vault: Vault, policy: PlanPolicy, targets: readonly PlannedZone[], served: readonly Served[]): void {
  const wanted = new Set<string>();
  for (const z of targets) for (const s of served) for (const r of s.records) if (r.zone === z.name) wanted.add(nameKey(z.zoneId, r.recordName));
  const knownEndpoints = new Set([...observed.privateEndpoints.map((p) => keyOf(p.endpoint.id)), ...vault.connections.map((c) => keyOf(c.privateEndpointId))]);
  const stale: { zone: PlannedZone; record: ARecordSet; peId: string; why: string }[] = [];
  for (const z of targets) {
    if (z.observed?.zone === undefined) continue;
    for (const r of z.observed.records) {
      if (!isOwnedBy(r.metadata, policy.ownerId) || wanted.has(nameKey(z.zoneId, r.name))) continue;
      const registry = registryOf(r.metadata);
      if (registry.privateEndpointId === undefined) continue;
      // The registry names the vault; an older record without it counts only when its endpoint is one of the vault's own (by id, never by name).
      const ours = registry.vaultId !== undefined ? sameResourceId(registry.vaultId, vault.id) : knownEndpoints.has(keyOf(registry.privateEndpointId));
      if (!ours) continue;
      const why = staleReason(observed, vault, registry.privateEndpointId);
      if (why === undefined) continue;
      stale.push({ zone: z, record: r, peId: registry.privateEndpointId, why });
    }
  }
  if (stale.length === 0) return;
  const names = stale.map((s) => `${s.record.name.toLowerCase()}.${s.zone.name} (private endpoint ${nameOf(s.peId)} ${s.why})`);
  if (policy.dns.recordPolicy !== 'sync') {
    for (const s of stale) {
      sink.find(
        'stale-record',
        'warning',
        s.record.id,
        `${s.record.name.toLowerCase()}.${s.zone.name} → ${list(s.record.ipv4Addresses)} was written by vaultlink for private endpoint ${nameOf(s.peId)} of vault ${vault.name}, which is ${s.why}; recordPolicy is upsert-only, so it stays: delete it, or set recordPolicy "sync"`,
      );
    }
    return;
  }
  if (observed.readErrors.length > 0) {
    // An endpoint may only look gone because its read failed: never delete on a partial picture.
    sink.set('dns-records', 'pending', `not deleting ${list(names)} while a read failed`);
    sink.waitOnAzure();
    return;
  }
  for (const s of stale) {
    const name = armCaseKey(s.record.name);
    sink.add(
      {
        kind: 'delete-record',
        key: `delete-record:${recordIdOf(s.zone.zoneId, name)}`,
        summary: `Delete A record ${name}.${s.zone.name}: vaultlink wrote it for private endpoint ${nameOf(s.peId)}, which is ${s.why} (recordPolicy sync)`,
        zoneId: s.zone.zoneId,
        recordName: name,
        etag: s.record.etag,
      },
      'dns-records',
    );
  }
  sink.set('dns-records', 'pending', `deleting ${list(names)}`);
}

/**
 * The checklist's truth: every FQDN of every active endpoint must resolve, from every VNet that
 * must resolve the vault, through the zone that serves it there, to an address of an active
 * endpoint that lists the name. Judged on what was observed: an item is `ok` only when it holds
 * now; `pending` when the plan's links and records make it hold; `failed` (with a finding) when
 * nothing planned does.
 */
function checkResolution(sink: DnsSink, vault: Vault, serving: readonly Serving[], served: readonly Served[], planned: PlannedNames): void {
  const good = new Map<string, Set<string>>(); // fqdn → addresses of active endpoints listing it
  const items = new Map<string, 'dns-records' | 'secondary-records'>();
  for (const s of served) {
    for (const r of s.records) {
      const set = good.get(r.privateLinkFqdn) ?? new Set<string>();
      r.ipv4Addresses.forEach((ip) => set.add(ip));
      good.set(r.privateLinkFqdn, set);
      if (!items.has(r.privateLinkFqdn) || s.item === 'dns-records') items.set(r.privateLinkFqdn, s.item);
    }
  }
  const records = new Map<string, DesiredARecord>();
  for (const s of served) for (const r of s.records) if (!records.has(r.privateLinkFqdn)) records.set(r.privateLinkFqdn, r);

  const counts = { 'dns-records': { ok: 0, pending: [] as string[], failed: [] as string[] }, 'secondary-records': { ok: 0, pending: [] as string[], failed: [] as string[] } };
  for (const s of serving) {
    for (const r of records.values()) {
      if (r.zoneKind !== s.kind) continue;
      const item = items.get(r.privateLinkFqdn) ?? 'dns-records';
      const where = `${r.publicFqdn} from ${nameOf(s.vnetId)}`;
      const existing = s.zone.observed?.records.find((x) => armCaseKey(x.name) === r.recordName);
      const answers = existing !== undefined && existing.ipv4Addresses.some((ip) => good.get(r.privateLinkFqdn)?.has(ip));
      const linkedNow = s.how === 'linked' || s.how === 'foreign' || s.how === 'adopted' || s.how === 'refused';
      if (linkedNow && answers) {
        counts[item].ok++;
        continue;
      }
      const recordWillAnswer = answers || (s.how !== 'foreign' && s.how !== 'refused' && planned.has(nameKey(s.zone.zoneId, r.recordName)));
      const linkWillServe = s.how !== 'unobserved';
      if (recordWillAnswer && linkWillServe) counts[item].pending.push(where);
      else if (s.how === 'unobserved') counts[item].pending.push(`${where} (zone not observed)`);
      else counts[item].failed.push(`${where} (through ${s.zone.zoneId})`);
    }
  }
  for (const item of ['dns-records', 'secondary-records'] as const) {
    const c = counts[item];
    if (c.failed.length > 0) {
      sink.set(item, 'failed', `${c.failed.length} name(s) do not resolve privately and nothing planned makes them: ${list(c.failed.slice(0, 3))}${c.failed.length > 3 ? ', …' : ''}`);
      sink.find('name-not-resolving', 'error', vault.id, `from the VNets that must resolve vault ${vault.name}, ${c.failed.length} name(s) of its approved endpoints do not resolve to their private addresses, and vaultlink plans nothing that fixes them: ${list(c.failed)}`);
    }
    if (c.pending.length > 0) sink.set(item, 'pending', `${c.pending.length} name(s) resolve privately once the planned links and records are written`);
    if (c.ok > 0 && c.failed.length === 0 && c.pending.length === 0) sink.set(item, 'ok', `${c.ok} (VNet, name) pair(s) resolve privately`);
  }
}

function planZoneGroups(sink: DnsSink, vault: Vault, zones: BackupZoneNames, planned: readonly PlannedZone[], active: readonly DnsPrimary[]): void {
  const zoneIdOf = (kind: ZoneKind) => planned.find((z) => z.kind === kind)?.zoneId ?? zones[kind];
  const check = (pe: ObservedPrivateEndpoint, kinds: readonly ZoneKind[], item: 'dns-records' | 'secondary-records') => {
    const has = pe.endpoint.zoneGroups.flatMap((g) => g.zoneIds);
    const missing = kinds.filter((k) => !has.some((id) => sameResourceId(id, zoneIdOf(k))));
    if (missing.length === 0) {
      sink.set(item, 'ok', `private endpoint ${pe.endpoint.name}: its zone group points at ${list(kinds.map((k) => zones[k]))}`);
      return;
    }
    const what = missing.map((k) => zoneIdOf(k));
    sink.find(
      'zone-group-mismatch',
      'error',
      pe.endpoint.id,
      pe.endpoint.zoneGroups.length === 0
        ? `private endpoint ${pe.endpoint.name} has no private DNS zone group; add one with ${list(what)}`
        : `the zone group of private endpoint ${pe.endpoint.name} does not point at ${list(what)}`,
    );
    sink.set(item, 'failed', `private endpoint ${pe.endpoint.name}: zone group misses ${list(missing.map((k) => zones[k]))} (placement zone-group: a person fixes the zone group)`);
  };
  for (const p of active) {
    check(p.observed, ZONE_KINDS, 'dns-records');
    if (vault.experience !== 'classic') continue;
    for (const s of p.secondaries) check(s.observed, [s.role === 'ecs-queue' ? 'queue' : 'blob'], 'secondary-records');
  }
}

/** The records an external DNS server must serve for the vault's active endpoints (placement custom, `dns export`). */
export function customDnsRecords(vault: Vault, zones: BackupZoneNames, active: readonly DnsPrimary[]): { primary: DesiredARecord[]; secondary: DesiredARecord[] } {
  const primary = active.flatMap((p) => recordsForPrivateEndpoint(p.observed.endpoint, zones));
  const secondary = vault.experience === 'classic' ? active.flatMap((p) => p.secondaries.flatMap((s) => recordsForPrivateEndpoint(s.observed.endpoint, zones))) : [];
  return { primary, secondary };
}

/** The partitioned storage services (`blob`, `queue`) among the records' public names. */
export function partitionedServicesOf(records: readonly DesiredARecord[]): ('blob' | 'queue')[] {
  return [...new Set(records.filter((r) => isPartitionedStorageName(r.publicFqdn)).map((r) => (r.zoneKind === 'queue' ? 'queue' : 'blob') as 'blob' | 'queue'))].sort();
}

function planCustomDns(sink: DnsSink, vault: Vault, policy: PlanPolicy, zones: BackupZoneNames, active: readonly DnsPrimary[]): void {
  const { primary, secondary } = customDnsRecords(vault, zones, active);
  const records = [...primary, ...secondary];
  const forwarders = conditionalForwarders(zones, { partitionedStorage: partitionedServicesOf(records) }).map((f) => `${f.zone} → ${f.forwarder}`);
  sink.set('dns-zones', 'not-applicable', `placement custom: the external DNS server hosts ${list(ZONE_KINDS.map((k) => zones[k]))} (or forwards ${list(forwarders)})`);
  sink.set('dns-links', 'not-applicable', 'placement custom: no Azure private DNS zone to link');
  if (records.length === 0) return;
  sink.find(
    'custom-dns-records-needed',
    'info',
    vault.id,
    [
      `placement custom: the external DNS server must serve these ${records.length} record(s) (vaultlink dns export prints them per zone); zone file:`,
      ...zoneFileLines(records, policy.dns.ttl),
      'hosts file:',
      ...hostsFileLines(records),
      `or conditional forwarders: ${list(forwarders)}`,
    ].join('\n'),
  );
  const detail = (n: number) => `placement custom: vaultlink writes no DNS; the external server needs ${n} record(s) (zone-file and hosts lines in finding custom-dns-records-needed)`;
  if (primary.length > 0) sink.set('dns-records', 'not-applicable', detail(primary.length));
  if (secondary.length > 0) sink.set('secondary-records', 'not-applicable', detail(secondary.length));
}
