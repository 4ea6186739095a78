/**
 * Name resolution from inside a virtual network, as `nslookup` from a VM there answers through
 * Azure DNS (168.63.129.16):
 *
 * 1. A private DNS zone linked to the VNet whose name is the query or a suffix of it is
 *    authoritative (the longest such zone wins; Azure refuses links of two zones with the same
 *    name to one VNet). A or CNAME record → that answer; no record → NXDOMAIN, unless the link's
 *    `resolutionPolicy` is `NxDomainRedirect`, which falls back to public resolution.
 * 2. Otherwise public DNS answers. For a name served by a private endpoint (an FQDN in some
 *    endpoint's `customDnsConfigs`: `x.blob.core.windows.net`, a vault's Backup FQDNs), public DNS
 *    first answers a CNAME to the `privatelink.` alias (`x.privatelink.blob.core.windows.net`),
 *    which step 1 then resolves in the VNet's linked zones: that is how Azure turns a public
 *    name into a private IP. Any other name gets a deterministic public address.
 *
 * Reads only the store (zones, links, record sets, private endpoints): no ARM call, no event.
 */
import { createHash } from 'node:crypto';
import { parentResourceId, parseResourceId, tryParseResourceId } from '../../shared/domain/ids';
import type { JsonObject, JsonValue } from '../arm';
import type { ResourceStore } from '../store';
import { privateLinkAlias } from './network-private-link';

export const PRIVATE_DNS_ZONE_TYPE = 'Microsoft.Network/privateDnsZones';
export const VIRTUAL_NETWORK_LINK_TYPE = 'Microsoft.Network/privateDnsZones/virtualNetworkLinks';
export const PRIVATE_ENDPOINT_TYPE = 'Microsoft.Network/privateEndpoints';

export type ResolutionAnswer = 'private' | 'public' | 'nxdomain';

/** What `nslookup <fqdn>` prints from a VM in the VNet, in structured form. */
export interface NameResolution {
  /** The name asked, lower-cased, without a trailing dot. */
  readonly fqdn: string;
  readonly answer: ResolutionAnswer;
  /** A-record addresses (empty for NXDOMAIN). */
  readonly addresses: readonly string[];
  /** CNAME targets followed, in order (e.g. the `privatelink.` alias). */
  readonly aliases: readonly string[];
  /** The private DNS zone that answered (private answers and NXDOMAIN from a zone). */
  readonly zoneId?: string;
  /** The A record set that answered a private answer. */
  readonly recordSetId?: string;
}

/** Lower-case, no trailing dot: the form names are compared in. */
export function normalizeDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** A deterministic, obviously public address for a name (documented ranges are not routable; 20.0.0.0/8 is Azure's). */
export function publicAddressFor(fqdn: string): string {
  const h = createHash('sha256').update(normalizeDnsName(fqdn)).digest();
  return `20.${h[0]}.${h[1]}.${1 + ((h[2] ?? 0) % 254)}`;
}

interface LinkedZone {
  readonly zoneId: string;
  readonly zoneName: string;
  readonly nxDomainRedirect: boolean;
}

function objectAt(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** Zones linked to the VNet (by `properties.virtualNetwork.id`, compared by id key). */
export function zonesLinkedTo(store: ResourceStore, vnetId: string): LinkedZone[] {
  const vnetKey = tryParseResourceId(vnetId)?.key;
  if (vnetKey === undefined) return [];
  const zones: LinkedZone[] = [];
  for (const link of store.list({ type: VIRTUAL_NETWORK_LINK_TYPE })) {
    const props = objectAt(link.resource['properties']);
    const linked = objectAt(props?.['virtualNetwork'])?.['id'];
    if (typeof linked !== 'string' || tryParseResourceId(linked)?.key !== vnetKey) continue;
    const zoneId = parentResourceId(link.id);
    if (zoneId === undefined || !store.has(zoneId)) continue;
    zones.push({
      zoneId,
      zoneName: normalizeDnsName(parseResourceId(zoneId).name),
      nxDomainRedirect: String(props?.['resolutionPolicy'] ?? '').toLowerCase() === 'nxdomainredirect',
    });
  }
  return zones;
}

/** The record-set name of `fqdn` inside `zoneName` (`@` for the apex), or undefined when the zone does not contain the name. */
export function relativeRecordName(fqdn: string, zoneName: string): string | undefined {
  const name = normalizeDnsName(fqdn);
  const zone = normalizeDnsName(zoneName);
  if (name === zone) return '@';
  return name.endsWith('.' + zone) ? name.slice(0, name.length - zone.length - 1) : undefined;
}

const privateEndpointNames = new WeakMap<ResourceStore, { version: number; names: Set<string> }>();

/** FQDNs that some private endpoint serves (its `customDnsConfigs`), cached per store version. */
function namesServedByPrivateEndpoints(store: ResourceStore): Set<string> {
  const version = store.version(PRIVATE_ENDPOINT_TYPE);
  const cached = privateEndpointNames.get(store);
  if (cached && cached.version === version) return cached.names;
  const names = new Set<string>();
  for (const pe of store.list({ type: PRIVATE_ENDPOINT_TYPE })) {
    const configs = objectAt(pe.resource['properties'])?.['customDnsConfigs'];
    if (!Array.isArray(configs)) continue;
    for (const config of configs) {
      const fqdn = objectAt(config)?.['fqdn'];
      if (typeof fqdn === 'string') names.add(normalizeDnsName(fqdn));
    }
  }
  privateEndpointNames.set(store, { version, names });
  return names;
}

function recordValues(store: ResourceStore, zoneId: string, type: 'A' | 'CNAME', relative: string): { id: string; values: string[] } | undefined {
  const stored = store.get(`${zoneId}/${type}/${relative}`);
  if (!stored) return undefined;
  const props = objectAt(stored.resource['properties']);
  if (type === 'A') {
    const records = props?.['aRecords'];
    const values = Array.isArray(records)
      ? records.map((r) => objectAt(r)?.['ipv4Address']).filter((a): a is string => typeof a === 'string')
      : [];
    return { id: stored.id, values };
  }
  const cname = objectAt(props?.['cnameRecord'])?.['cname'];
  return { id: stored.id, values: typeof cname === 'string' ? [normalizeDnsName(cname)] : [] };
}

const MAX_CNAME_CHAIN = 8;

/** Resolves `fqdn` as a VM in `vnetId` would (see the module comment). */
export function resolveName(store: ResourceStore, vnetId: string, fqdn: string): NameResolution {
  const query = normalizeDnsName(fqdn);
  const linked = zonesLinkedTo(store, vnetId);
  const aliases: string[] = [];
  let name = query;
  for (let step = 0; step <= MAX_CNAME_CHAIN; step++) {
    // 1. the longest linked zone containing the name is authoritative
    let best: { zone: LinkedZone; relative: string } | undefined;
    for (const zone of linked) {
      const relative = relativeRecordName(name, zone.zoneName);
      if (relative !== undefined && (!best || zone.zoneName.length > best.zone.zoneName.length)) best = { zone, relative };
    }
    if (best) {
      const a = recordValues(store, best.zone.zoneId, 'A', best.relative);
      if (a && a.values.length > 0) {
        return { fqdn: query, answer: 'private', addresses: a.values, aliases, zoneId: best.zone.zoneId, recordSetId: a.id };
      }
      const cname = recordValues(store, best.zone.zoneId, 'CNAME', best.relative);
      const target = cname?.values[0];
      if (target !== undefined) {
        aliases.push(target);
        name = target;
        continue;
      }
      if (!best.zone.nxDomainRedirect) return { fqdn: query, answer: 'nxdomain', addresses: [], aliases, zoneId: best.zone.zoneId };
    }
    // 2. public DNS: a private-link name first CNAMEs to its privatelink. alias
    const alias = privateLinkAlias(name);
    if (alias !== name && namesServedByPrivateEndpoints(store).has(name)) {
      aliases.push(alias);
      name = alias;
      continue;
    }
    return { fqdn: query, answer: 'public', addresses: [publicAddressFor(name)], aliases };
  }
  return { fqdn: query, answer: 'nxdomain', addresses: [], aliases };
}
