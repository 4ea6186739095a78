/**
 * The emulated Microsoft.Network private DNS provider: private DNS zones (location `global`),
 * virtual network links (long-running, tags, `registrationEnabled`, `resolutionPolicy`) and
 * record sets (A, AAAA, CNAME, MX, PTR, SRV, TXT, plus the zone's SOA), with the behaviour
 * vaultlink relies on: `If-None-Match: *` creates only, `If-Match: <etag>` updates only the
 * version read, both answering 412 `PreconditionFailed` otherwise; record-set names come back
 * lower-cased and `fqdn` ends with a dot; record sets carry `metadata`.
 *
 * Name resolution from a VNet (what `nslookup` from a VM there answers) lives in
 * network-dns-resolver.ts; this provider exports it to other providers and serves it on the
 * control API (`GET /_emulator/dns/resolve?vnetId=…&fqdn=…`).
 */
import { randomUUID } from 'node:crypto';
import { parentResourceId, parseResourceId, tryParseResourceId } from '../../shared/domain/ids';
import { ArmError, armErrors, type JsonObject } from '../arm';
import type { ArmContext, ArmResponse, ControlResponse, EmulatorProvider, ProviderApi } from '../server';
import type { ResourceStore, StoredResource } from '../store';
import { obj, propsOf } from './json';
import { ipv4ToNumber } from './network-addresses';
import {
  normalizeDnsName,
  PRIVATE_DNS_ZONE_TYPE,
  resolveName,
  VIRTUAL_NETWORK_LINK_TYPE,
  type NameResolution,
} from './network-dns-resolver';

export { PRIVATE_DNS_ZONE_TYPE, VIRTUAL_NETWORK_LINK_TYPE, type NameResolution };

export const PRIVATE_DNS_PROVIDER_NAME = 'privatedns';
export const VNET_JOIN_ACTION = 'Microsoft.Network/virtualNetworks/join/action';

/** Record types served, in ARM's spelling; the path may use any casing. */
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'PTR', 'SOA', 'SRV', 'TXT'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** The property that holds a record type's records (RecordSet model of the SDK). */
const RECORDS_PROPERTY: Record<RecordType, string> = {
  A: 'aRecords',
  AAAA: 'aaaaRecords',
  CNAME: 'cnameRecord',
  MX: 'mxRecords',
  PTR: 'ptrRecords',
  SOA: 'soaRecord',
  SRV: 'srvRecords',
  TXT: 'txtRecords',
};

// The published limits (PrivateZonePut example).
const MAX_RECORD_SETS = 25000;
const MAX_LINKS = 1000;
const MAX_LINKS_WITH_REGISTRATION = 100;
const DEFAULT_TTL = 3600;
const SOA_TTL = 3600;

function recordTypeOf(raw: string): RecordType {
  const upper = raw.toUpperCase();
  const found = RECORD_TYPES.find((t) => t === upper);
  if (!found) throw new ArmError(400, 'BadRequest', `The record type '${raw}' is not supported for private DNS zones.`);
  return found;
}

function zoneIdOf(ctx: ArmContext): string {
  return `/subscriptions/${ctx.params['subscriptionId']}/resourceGroups/${ctx.params['resourceGroupName']}/providers/${PRIVATE_DNS_ZONE_TYPE}/${ctx.params['privateZoneName']}`;
}

function parentNotFound(zoneId: string): ArmError {
  return new ArmError(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${parseResourceId(zoneId).name}' not found.`);
}

function zoneNotFound(zoneId: string): ArmError {
  const p = parseResourceId(zoneId);
  return armErrors.resourceNotFound(PRIVATE_DNS_ZONE_TYPE, p.name, p.resourceGroup);
}

/** ETag header values arrive quoted or weak (`W/"…"`); compare the bare value. */
function bareEtag(value: string): string {
  return value.trim().replace(/^W\//i, '').replace(/^"(.*)"$/, '$1');
}

/**
 * ARM's conditional requests: `If-None-Match: *` only when nothing exists, `If-Match: *` only when
 * something does, `If-Match: <etag>` only for that version. Else 412 PreconditionFailed.
 */
export function checkPreconditions(headers: ArmContext['headers'], existing: StoredResource | undefined): void {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const match = one(ifMatch);
  const noneMatch = one(ifNoneMatch);
  if (noneMatch !== undefined && noneMatch.trim() === '*' && existing) {
    throw armErrors.preconditionFailed(`The resource '${existing.parsed.name}' already exists (If-None-Match: *).`);
  }
  if (match !== undefined && match.trim() !== '') {
    if (!existing) throw armErrors.preconditionFailed('The resource does not exist (If-Match).');
    if (match.trim() !== '*' && bareEtag(match) !== existing.etag) {
      throw armErrors.preconditionFailed(`The etag '${bareEtag(match)}' does not match the current etag of '${existing.parsed.name}'.`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zones

function recordSetsOf(store: ResourceStore, zoneId: string): StoredResource[] {
  const out: StoredResource[] = [];
  for (const t of RECORD_TYPES) if (t !== 'SOA') out.push(...store.children(zoneId, `${PRIVATE_DNS_ZONE_TYPE}/${t}`));
  return out;
}

function linksOf(store: ResourceStore, zoneId: string): StoredResource[] {
  return store.children(zoneId, VIRTUAL_NETWORK_LINK_TYPE);
}

/** A zone or link as ARM renders it: id, name, type, location `global`, etag, tags when set, then `properties`. */
function renderGlobalResource(stored: StoredResource, type: string, properties: JsonObject): JsonObject {
  const body: JsonObject = {
    id: stored.id,
    name: stored.parsed.name,
    type,
    location: 'global',
    etag: stored.etag,
  };
  const tags = obj(stored.resource['tags']);
  if (tags) body['tags'] = tags;
  body['properties'] = properties;
  return body;
}

export function renderZone(store: ResourceStore, stored: StoredResource): JsonObject {
  const links = linksOf(store, stored.id);
  return renderGlobalResource(stored, PRIVATE_DNS_ZONE_TYPE, {
    maxNumberOfRecordSets: MAX_RECORD_SETS,
    numberOfRecordSets: recordSetsOf(store, stored.id).length + 1, // + the SOA record set
    maxNumberOfVirtualNetworkLinks: MAX_LINKS,
    numberOfVirtualNetworkLinks: links.length,
    maxNumberOfVirtualNetworkLinksWithRegistration: MAX_LINKS_WITH_REGISTRATION,
    numberOfVirtualNetworkLinksWithRegistration: links.filter((l) => propsOf(l)['registrationEnabled'] === true).length,
    internalId: String(propsOf(stored)['internalId'] ?? ''),
    provisioningState: 'Succeeded',
  });
}

function assertGlobal(body: JsonObject): void {
  const location = body['location'];
  if (location !== undefined && (typeof location !== 'string' || location.toLowerCase() !== 'global')) {
    throw armErrors.badRequest('InvalidLocation', `The location '${String(location)}' is not valid for private DNS resources: it must be 'global'.`);
  }
}

function validZoneName(name: string): boolean {
  const n = normalizeDnsName(name);
  return n.length <= 253 && n.split('.').length >= 2 && n.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label));
}

export function ensureZone(store: ResourceStore, zoneId: string, body: JsonObject, headers: ArmContext['headers'], principalId: string): { status: 200 | 201; stored: StoredResource } {
  const existing = store.get(zoneId);
  checkPreconditions(headers, existing);
  assertGlobal(body);
  const name = parseResourceId(zoneId).name;
  if (!validZoneName(name)) throw armErrors.badRequest('BadRequest', `The zone name '${name}' is not a valid DNS name with at least two labels.`);
  const resource: JsonObject = {
    id: existing?.id ?? parseResourceId(zoneId).id,
    name,
    type: PRIVATE_DNS_ZONE_TYPE,
    location: 'global',
    properties: { internalId: String(propsOf(existing)['internalId'] ?? randomUUID()) },
  };
  const tags = obj(body['tags']) ?? obj(existing?.resource['tags']);
  if (tags) resource['tags'] = tags;
  const stored = store.put(zoneId, resource, { principalId });
  return { status: existing ? 200 : 201, stored };
}

// ---------------------------------------------------------------------------------------------
// Virtual network links

export function renderLink(stored: StoredResource): JsonObject {
  return renderGlobalResource(stored, VIRTUAL_NETWORK_LINK_TYPE, { ...propsOf(stored), virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded' });
}

function sameId(a: string | undefined, b: string | undefined): boolean {
  const pa = a === undefined ? undefined : tryParseResourceId(a);
  const pb = b === undefined ? undefined : tryParseResourceId(b);
  return pa !== undefined && pb !== undefined && pa.key === pb.key;
}

function linkedVnetId(stored: StoredResource): string | undefined {
  const id = obj(propsOf(stored)['virtualNetwork'])?.['id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * PUT a virtual network link. Checks: zone exists, VNet exists, the caller may join the VNet
 * (`virtualNetworks/join/action`), the VNet is not linked to this zone under another name nor to
 * another zone of the same name, and at most one registration-enabled link per VNet.
 */
export function ensureLink(
  store: ResourceStore,
  linkId: string,
  body: JsonObject,
  headers: ArmContext['headers'],
  caller: { principalId: string; authorizeLinked(action: string, scope: string): void },
): { status: 200 | 201; stored: StoredResource } {
  const zoneId = parentResourceId(linkId) as string;
  const zone = store.get(zoneId);
  if (!zone) throw parentNotFound(zoneId);
  const existing = store.get(linkId);
  checkPreconditions(headers, existing);
  assertGlobal(body);
  const props = obj(body['properties']) ?? {};
  const vnetId = obj(props['virtualNetwork'])?.['id'];
  if (typeof vnetId !== 'string' || tryParseResourceId(vnetId) === undefined) throw armErrors.badRequest('BadRequest', 'properties.virtualNetwork.id is required and must be a virtual network resource id.');
  if (existing && !sameId(linkedVnetId(existing), vnetId)) throw armErrors.badRequest('BadRequest', 'The virtual network of an existing link cannot be changed.');
  const vnet = store.get(vnetId);
  if (!vnet || vnet.type.toLowerCase() !== 'microsoft.network/virtualnetworks') throw armErrors.badRequest('BadRequest', `Virtual network resource ${vnetId} was not found.`);
  caller.authorizeLinked(VNET_JOIN_ACTION, vnet.id);
  const registrationEnabled = props['registrationEnabled'] === true;
  const zoneName = normalizeDnsName(zone.parsed.name);
  for (const other of store.list({ type: VIRTUAL_NETWORK_LINK_TYPE })) {
    if (existing && other.key === existing.key) continue;
    if (!sameId(linkedVnetId(other), vnet.id)) continue;
    const otherZone = parentResourceId(other.id) as string;
    if (sameId(otherZone, zone.id)) {
      throw armErrors.conflict('Conflict', `A virtual network cannot be linked to the same zone more than once: ${vnet.id} is linked to ${zone.parsed.name} by ${other.parsed.name}.`);
    }
    if (normalizeDnsName(parseResourceId(otherZone).name) === zoneName) {
      throw armErrors.conflict('Conflict', `A virtual network cannot be linked to multiple zones with overlapping namespaces: ${vnet.id} is already linked to a zone named ${zoneName} (${otherZone}).`);
    }
    if (registrationEnabled && propsOf(other)['registrationEnabled'] === true) {
      throw armErrors.conflict('Conflict', `A virtual network can have only one registration-enabled link: ${vnet.id} already registers into ${otherZone}.`);
    }
  }
  const resolutionPolicy = typeof props['resolutionPolicy'] === 'string' ? props['resolutionPolicy'] : undefined;
  const resource: JsonObject = {
    id: existing?.id ?? parseResourceId(linkId).id,
    name: parseResourceId(linkId).name,
    type: VIRTUAL_NETWORK_LINK_TYPE,
    location: 'global',
    properties: { virtualNetwork: { id: vnet.id }, registrationEnabled, ...(resolutionPolicy ? { resolutionPolicy } : {}) },
  };
  const tags = obj(body['tags']) ?? obj(existing?.resource['tags']);
  if (tags) resource['tags'] = tags;
  const stored = store.put(linkId, resource, { principalId: caller.principalId });
  return { status: existing ? 200 : 201, stored };
}

// ---------------------------------------------------------------------------------------------
// Record sets

function soaRecordSet(zone: StoredResource): JsonObject {
  const zoneName = normalizeDnsName(zone.parsed.name);
  return {
    id: `${zone.id}/SOA/@`,
    name: '@',
    type: `${PRIVATE_DNS_ZONE_TYPE}/SOA`,
    etag: zone.etag,
    properties: {
      ttl: SOA_TTL,
      fqdn: `${zoneName}.`,
      isAutoRegistered: false,
      soaRecord: { email: 'azureprivatedns-host.microsoft.com', expireTime: 2419200, host: 'azureprivatedns.net', minimumTtl: 10, refreshTime: 3600, retryTime: 300, serialNumber: 1 },
    },
  };
}

export function renderRecordSet(zone: StoredResource, stored: StoredResource): JsonObject {
  const zoneName = normalizeDnsName(zone.parsed.name);
  const name = stored.parsed.name.toLowerCase();
  const type = recordTypeOf(stored.parsed.segments[stored.parsed.segments.length - 1]?.type ?? 'A');
  return {
    id: `${zone.id}/${type}/${name}`,
    name,
    type: `${PRIVATE_DNS_ZONE_TYPE}/${type}`,
    etag: stored.etag,
    properties: {
      ...propsOf(stored),
      fqdn: name === '@' ? `${zoneName}.` : `${name}.${zoneName}.`,
      isAutoRegistered: false,
    },
  };
}

function validateRecords(type: RecordType, props: JsonObject): void {
  if (type === 'A') {
    const records = props['aRecords'];
    if (records === undefined) return;
    if (!Array.isArray(records)) throw armErrors.badRequest('BadRequest', 'properties.aRecords must be an array.');
    for (const r of records) {
      const address = obj(r)?.['ipv4Address'];
      try {
        if (typeof address !== 'string') throw new Error('missing');
        ipv4ToNumber(address);
      } catch {
        throw armErrors.badRequest('BadRequest', `The A record value '${String(address)}' is not a valid IPv4 address.`);
      }
    }
  }
  if (type === 'CNAME' && props['cnameRecord'] !== undefined && typeof obj(props['cnameRecord'])?.['cname'] !== 'string') {
    throw armErrors.badRequest('BadRequest', 'properties.cnameRecord.cname must be a string.');
  }
  const ttl = props['ttl'];
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647)) {
    throw armErrors.badRequest('BadRequest', `The TTL '${String(ttl)}' is not valid.`);
  }
}

function recordProperties(type: RecordType, props: JsonObject, previous?: JsonObject): JsonObject {
  const out: JsonObject = {};
  out['ttl'] = typeof props['ttl'] === 'number' ? props['ttl'] : typeof previous?.['ttl'] === 'number' ? previous['ttl'] : DEFAULT_TTL;
  const metadata = obj(props['metadata']) ?? (previous ? obj(previous['metadata']) : undefined);
  if (metadata) out['metadata'] = metadata;
  const key = RECORDS_PROPERTY[type];
  const records = props[key] ?? previous?.[key];
  if (records !== undefined) out[key] = records;
  else if (type !== 'CNAME') out[key] = [];
  return out;
}

/** PUT (replace) or PATCH (merge) a record set, honouring If-Match / If-None-Match. */
export function ensureRecordSet(
  store: ResourceStore,
  zoneId: string,
  rawType: string,
  rawName: string,
  body: JsonObject,
  headers: ArmContext['headers'],
  principalId: string,
  mode: 'put' | 'patch',
): { status: 200 | 201; body: JsonObject } {
  const zone = store.get(zoneId);
  if (!zone) throw parentNotFound(zoneId);
  const type = recordTypeOf(rawType);
  if (type === 'SOA') throw armErrors.badRequest('BadRequest', 'The SOA record set of a private DNS zone is managed by Azure.');
  const name = rawName.toLowerCase();
  const recordId = `${zone.id}/${type}/${name}`;
  const existing = store.get(recordId);
  if (mode === 'patch' && !existing) throw armErrors.resourceNotFound(`${PRIVATE_DNS_ZONE_TYPE}/${type}`, name, zone.parsed.resourceGroup);
  checkPreconditions(headers, existing);
  const props = obj(body['properties']) ?? {};
  validateRecords(type, props);
  if (type === 'CNAME' && name === '@') throw armErrors.badRequest('BadRequest', 'A CNAME record set cannot be created at the zone apex.');
  const properties = recordProperties(type, props, mode === 'patch' ? propsOf(existing) : undefined);
  const stored = store.put(recordId, { id: recordId, name, type: `${PRIVATE_DNS_ZONE_TYPE}/${type}`, properties }, { principalId });
  return { status: existing ? 200 : 201, body: renderRecordSet(zone, stored) };
}

function listRecordSets(store: ResourceStore, zoneId: string, type: RecordType | undefined, query: URLSearchParams): JsonObject {
  const zone = store.get(zoneId);
  if (!zone) throw zoneNotFound(zoneId);
  const suffix = query.get('$recordsetnamesuffix')?.toLowerCase();
  const value: JsonObject[] = [];
  if (type === undefined || type === 'SOA') value.push(soaRecordSet(zone));
  const sets = type === undefined ? recordSetsOf(store, zone.id) : type === 'SOA' ? [] : store.children(zone.id, `${PRIVATE_DNS_ZONE_TYPE}/${type}`);
  for (const s of sets) value.push(renderRecordSet(zone, s));
  const filtered = suffix === undefined ? value : value.filter((v) => typeof v['name'] === 'string' && v['name'].endsWith(suffix));
  // Paged by the engine: `$top` is the page size, as the private DNS API defines it (default 100 in Azure).
  return { value: filtered };
}

// ---------------------------------------------------------------------------------------------
// The provider

export interface PrivateDnsExports {
  /** What `nslookup fqdn` answers from a VM in `vnetId` (see network-dns-resolver.ts). */
  resolve(vnetId: string, fqdn: string): NameResolution;
}

const ZONES_RG = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/privateDnsZones';
const ZONE = `${ZONES_RG}/{privateZoneName}`;

function deleteAnswer(ctx: ArmContext, existed: boolean): ArmResponse {
  if (!existed) return { status: 204, events: [] };
  return ctx.longRunning({ status: 202, complete: () => undefined });
}

export const privateDnsProvider: EmulatorProvider<PrivateDnsExports> = {
  name: PRIVATE_DNS_PROVIDER_NAME,
  register(api: ProviderApi): PrivateDnsExports {
    const store = api.store;

    // zones
    api.route('PUT', ZONE, (ctx) => {
      const zoneId = zoneIdOf(ctx);
      const { status, stored } = ensureZone(store, zoneId, ctx.requireBody(), ctx.headers, ctx.caller.principalId);
      return ctx.longRunning({ status, body: renderZone(store, stored), complete: () => renderZone(store, store.get(zoneId) ?? stored) });
    });
    api.route('PATCH', ZONE, (ctx) => {
      const zoneId = zoneIdOf(ctx);
      const existing = store.get(zoneId);
      if (!existing) throw zoneNotFound(zoneId);
      const body = ctx.requireBody();
      const { stored } = ensureZone(store, zoneId, { tags: obj(body['tags']) ?? obj(existing.resource['tags']) ?? {} }, ctx.headers, ctx.caller.principalId);
      return ctx.longRunning({ status: 202, complete: () => renderZone(store, store.get(zoneId) ?? stored) });
    });
    api.route('GET', ZONE, (ctx) => {
      const stored = store.get(zoneIdOf(ctx));
      if (!stored) throw zoneNotFound(zoneIdOf(ctx));
      return { status: 200, body: renderZone(store, stored) };
    });
    api.route('DELETE', ZONE, (ctx) => {
      const zoneId = zoneIdOf(ctx);
      const existing = store.get(zoneId);
      checkPreconditions(ctx.headers, existing);
      if (!existing) return deleteAnswer(ctx, false);
      if (linksOf(store, existing.id).length > 0) {
        throw armErrors.conflict('Conflict', `You cannot delete a private DNS zone with virtual network links. Delete the virtual network links of ${existing.parsed.name} first.`);
      }
      store.deleteTree(existing.id);
      return deleteAnswer(ctx, true);
    });
    api.route('GET', ZONES_RG, (ctx) => ({
      status: 200,
      body: { value: store.list({ type: PRIVATE_DNS_ZONE_TYPE, scope: `/subscriptions/${ctx.params['subscriptionId']}/resourceGroups/${ctx.params['resourceGroupName']}` }).map((z) => renderZone(store, z)) },
    }), { pageable: { top: true } });
    api.route(
      'GET',
      '/subscriptions/{subscriptionId}/providers/Microsoft.Network/privateDnsZones',
      (ctx) => ({ status: 200, body: { value: store.list({ type: PRIVATE_DNS_ZONE_TYPE, scope: `/subscriptions/${ctx.params['subscriptionId']}` }).map((z) => renderZone(store, z)) } }),
      { requireResourceGroup: false, pageable: { top: true } },
    );

    // virtual network links (registered before record sets: `{recordType}` would match them too)
    const LINK = `${ZONE}/virtualNetworkLinks/{virtualNetworkLinkName}`;
    const linkIdOf = (ctx: ArmContext): string => `${zoneIdOf(ctx)}/virtualNetworkLinks/${ctx.params['virtualNetworkLinkName']}`;
    api.route('PUT', LINK, (ctx) => {
      const linkId = linkIdOf(ctx);
      const { status, stored } = ensureLink(store, linkId, ctx.requireBody(), ctx.headers, { principalId: ctx.caller.principalId, authorizeLinked: ctx.authorizeLinked });
      return ctx.longRunning({ status, body: renderLink(stored), complete: () => renderLink(store.get(linkId) ?? stored) });
    });
    api.route('PATCH', LINK, (ctx) => {
      const linkId = linkIdOf(ctx);
      const existing = store.get(linkId);
      if (!existing) throw armErrors.resourceNotFound(VIRTUAL_NETWORK_LINK_TYPE, ctx.params['virtualNetworkLinkName'] as string, ctx.params['resourceGroupName']);
      const body = ctx.requireBody();
      const merged: JsonObject = { tags: obj(body['tags']) ?? obj(existing.resource['tags']) ?? {}, properties: { ...propsOf(existing), ...(obj(body['properties']) ?? {}) } };
      const { stored } = ensureLink(store, linkId, merged, ctx.headers, { principalId: ctx.caller.principalId, authorizeLinked: ctx.authorizeLinked });
      return ctx.longRunning({ status: 202, complete: () => renderLink(store.get(linkId) ?? stored) });
    });
    api.route('GET', LINK, (ctx) => {
      const stored = store.get(linkIdOf(ctx));
      if (!stored) throw armErrors.resourceNotFound(VIRTUAL_NETWORK_LINK_TYPE, ctx.params['virtualNetworkLinkName'] as string, ctx.params['resourceGroupName']);
      return { status: 200, body: renderLink(stored) };
    });
    api.route('DELETE', LINK, (ctx) => {
      const existing = store.get(linkIdOf(ctx));
      checkPreconditions(ctx.headers, existing);
      if (!existing) return deleteAnswer(ctx, false);
      store.delete(existing.id);
      return deleteAnswer(ctx, true);
    });
    api.route('GET', `${ZONE}/virtualNetworkLinks`, (ctx) => {
      const zone = store.get(zoneIdOf(ctx));
      if (!zone) throw zoneNotFound(zoneIdOf(ctx));
      return { status: 200, body: { value: linksOf(store, zone.id).map(renderLink) } };
    }, { pageable: { top: true } });

    // record sets; the list of every type is `…/ALL`
    api.route('GET', `${ZONE}/ALL`, (ctx) => ({ status: 200, body: listRecordSets(store, zoneIdOf(ctx), undefined, ctx.query) }), {
      action: 'Microsoft.Network/privateDnsZones/ALL/read',
      scope: (m) => `/subscriptions/${m.params['subscriptionId']}/resourceGroups/${m.params['resourceGroupName']}/providers/${PRIVATE_DNS_ZONE_TYPE}/${m.params['privateZoneName']}`,
      pageable: { top: true },
    });
    api.route('GET', `${ZONE}/{recordType}`, (ctx) => ({ status: 200, body: listRecordSets(store, zoneIdOf(ctx), recordTypeOf(ctx.params['recordType'] as string), ctx.query) }), { pageable: { top: true } });
    api.route('PUT', `${ZONE}/{recordType}/{relativeRecordSetName}`, (ctx) => {
      const r = ensureRecordSet(store, zoneIdOf(ctx), ctx.params['recordType'] as string, ctx.params['relativeRecordSetName'] as string, ctx.requireBody(), ctx.headers, ctx.caller.principalId, 'put');
      return { status: r.status, body: r.body };
    });
    api.route('PATCH', `${ZONE}/{recordType}/{relativeRecordSetName}`, (ctx) => {
      const r = ensureRecordSet(store, zoneIdOf(ctx), ctx.params['recordType'] as string, ctx.params['relativeRecordSetName'] as string, ctx.requireBody(), ctx.headers, ctx.caller.principalId, 'patch');
      return { status: 200, body: r.body };
    });
    api.route('GET', `${ZONE}/{recordType}/{relativeRecordSetName}`, (ctx) => {
      const zoneId = zoneIdOf(ctx);
      const zone = store.get(zoneId);
      if (!zone) throw parentNotFound(zoneId);
      const type = recordTypeOf(ctx.params['recordType'] as string);
      const name = (ctx.params['relativeRecordSetName'] as string).toLowerCase();
      if (type === 'SOA' && name === '@') return { status: 200, body: soaRecordSet(zone) };
      const stored = store.get(`${zone.id}/${type}/${name}`);
      if (!stored) throw armErrors.resourceNotFound(`${PRIVATE_DNS_ZONE_TYPE}/${type}`, name, zone.parsed.resourceGroup);
      return { status: 200, body: renderRecordSet(zone, stored) };
    });
    api.route('DELETE', `${ZONE}/{recordType}/{relativeRecordSetName}`, (ctx) => {
      const zoneId = zoneIdOf(ctx);
      const zone = store.get(zoneId);
      if (!zone) throw parentNotFound(zoneId);
      const type = recordTypeOf(ctx.params['recordType'] as string);
      if (type === 'SOA') throw armErrors.badRequest('BadRequest', 'The SOA record set of a private DNS zone cannot be deleted.');
      const existing = store.get(`${zone.id}/${type}/${(ctx.params['relativeRecordSetName'] as string).toLowerCase()}`);
      checkPreconditions(ctx.headers, existing);
      if (!existing) return { status: 204, events: [] };
      store.delete(existing.id);
      return { status: 200 };
    });

    // control API: name resolution from a VNet
    api.controlRoute('GET', 'dns/resolve', (req): ControlResponse => {
      const vnetId = req.query.get('vnetId');
      const fqdn = req.query.get('fqdn');
      if (!vnetId || !fqdn) throw armErrors.badRequest('MissingParameter', 'The query parameters vnetId and fqdn are required.');
      return { status: 200, body: resolveName(store, vnetId, fqdn) as unknown as JsonObject };
    });

    return { resolve: (vnetId, fqdn) => resolveName(store, vnetId, fqdn) };
  },
};
