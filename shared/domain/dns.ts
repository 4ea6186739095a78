/**
 * Private DNS for Azure Backup private endpoints: the three zones of a vault, the A records each
 * PE needs, and the lines an external DNS server or hosts file needs (placement `custom`).
 *
 * Zones: `privatelink.<geo>.backup.<backup suffix>`, `privatelink.blob.<storage suffix>`,
 * `privatelink.queue.<storage suffix>`. `<geo>` is Backup's region code (`uksouth` → `uks`),
 * never the region name; an unknown region is reported, never guessed.
 */
import backupGeoCodes from './backup-geo-codes.json';
import type { PrivateEndpoint } from './model';

export type AzureCloud = 'AzurePublicCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';
export const AZURE_CLOUDS: readonly AzureCloud[] = ['AzurePublicCloud', 'AzureUSGovernment', 'AzureChinaCloud'];

/** Public DNS suffixes of a cloud (without `privatelink.`). */
export interface CloudDnsSuffixes {
  /** Backup's suffix below the geo code: `backup.windowsazure.com`. */
  readonly backup: string;
  /** Storage suffix: `core.windows.net`. */
  readonly storage: string;
}

export const CLOUD_DNS_SUFFIXES: Readonly<Record<AzureCloud, CloudDnsSuffixes>> = {
  AzurePublicCloud: { backup: 'backup.windowsazure.com', storage: 'core.windows.net' },
  AzureUSGovernment: { backup: 'backup.windowsazure.us', storage: 'core.usgovcloudapi.net' },
  AzureChinaCloud: { backup: 'backup.windowsazure.cn', storage: 'core.chinacloudapi.cn' },
};

/** Azure's recursive resolver: target of conditional forwarders for the blob/queue zones. */
export const AZURE_DNS_SERVER_IP = '168.63.129.16';

// ---------------------------------------------------------------------------------------------
// Policy types (the config schema's inferred types must be assignable to these)

/** Where records live: central zones vaultlink writes, PE zone groups, or an external server. */
export type DnsPlacement = 'central' | 'zone-group' | 'custom';
/** `upsert-only` never deletes; `sync` also deletes records vaultlink owns whose PE is gone. */
export type RecordPolicy = 'upsert-only' | 'sync';

/** The `dns` section of the policy file. */
export interface DnsPolicy {
  readonly placement: DnsPlacement;
  /** Required for `central` and `zone-group`: where the zones live. */
  readonly central?: { readonly subscriptionId: string; readonly resourceGroup: string } | undefined;
  readonly recordPolicy: RecordPolicy;
  /** Record TTL in seconds. */
  readonly ttl: number;
  /** Resolver/hub VNets linked to every zone besides those hosting PEs. */
  readonly linkVirtualNetworks: readonly string[];
  /**
   * A VNet already linked to another zone of the same name (an app team's own
   * `privatelink.blob.core.windows.net`) resolves through that zone, and Azure refuses a second
   * link. `report` (default): an error finding names that zone and the choices. `adopt`: vaultlink
   * writes the vault's records into that zone (records of others are never touched).
   */
  readonly linkedZones?: LinkedZonesPolicy | undefined;
}

/** What to do about a VNet that already resolves a namespace through a zone vaultlink does not place. */
export type LinkedZonesPolicy = 'report' | 'adopt';

/** Region → geo code additions/overrides (the policy's `geoCodes`). Keys are region names. */
export type GeoCodeOverrides = Readonly<Record<string, string>>;

// ---------------------------------------------------------------------------------------------
// Regions and zones

const SHIPPED_GEO_CODES: Readonly<Record<string, string>> = backupGeoCodes;

/** `UK South`, `uksouth`, ` UKSouth ` → `uksouth` (ARM's region name). */
export function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

export type GeoCodeLookup =
  | { readonly known: true; readonly region: string; readonly geoCode: string; readonly source: 'override' | 'table' }
  | { readonly known: false; readonly region: string; readonly reason: string };

/** Backup's geo code of a region: overrides first, then the shipped table; unknown → says so. */
export function backupGeoCodeOf(region: string, overrides: GeoCodeOverrides = {}): GeoCodeLookup {
  const key = normalizeRegion(region);
  for (const [r, code] of Object.entries(overrides)) {
    if (normalizeRegion(r) === key) return { known: true, region: key, geoCode: code.trim().toLowerCase(), source: 'override' };
  }
  const code = Object.prototype.hasOwnProperty.call(SHIPPED_GEO_CODES, key) ? SHIPPED_GEO_CODES[key] : undefined;
  if (code !== undefined) return { known: true, region: key, geoCode: code, source: 'table' };
  return {
    known: false,
    region: key,
    reason: `no Backup geo code is known for region "${key}": add it to the policy's "geoCodes" (vaultlink never guesses a code)`,
  };
}

export type ZoneKind = 'backup' | 'blob' | 'queue';
export const ZONE_KINDS: readonly ZoneKind[] = ['backup', 'blob', 'queue'];

/** The three private DNS zone names of a vault, lower-case, each starting with `privatelink.`. */
export type BackupZoneNames = Readonly<Record<ZoneKind, string>>;

export type VaultZonesLookup =
  | { readonly known: true; readonly zones: BackupZoneNames }
  | { readonly known: false; readonly region: string; readonly reason: string };

/** The three zones for a vault in `region` of `cloud`. */
export function privateDnsZonesForVault(region: string, cloud: AzureCloud = 'AzurePublicCloud', overrides: GeoCodeOverrides = {}): VaultZonesLookup {
  const geo = backupGeoCodeOf(region, overrides);
  if (!geo.known) return geo;
  const s = CLOUD_DNS_SUFFIXES[cloud];
  return {
    known: true,
    zones: {
      backup: `privatelink.${geo.geoCode}.${s.backup}`,
      blob: `privatelink.blob.${s.storage}`,
      queue: `privatelink.queue.${s.storage}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Records

const PRIVATELINK = 'privatelink.';
// One DNS label: every FQDN Backup lists is `<label>.<zone>` (vault member or storage account).
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A (zone, record) pair for an FQDN. */
export interface ZoneRecordName {
  readonly zoneKind: ZoneKind;
  /** Zone name (`privatelink.…`). */
  readonly zone: string;
  /** Record name relative to the zone, lower-case. */
  readonly recordName: string;
  /** The privatelink-qualified FQDN, without trailing dot. */
  readonly privateLinkFqdn: string;
  /** The public FQDN (what clients ask for), without trailing dot. */
  readonly publicFqdn: string;
}

// Zone-partitioned storage names (public cloud): `<account>.z<NN>.<service>.storage.azure.net`.
// Azure's public DNS answers them with a CNAME to `<account>.privatelink.<service>.core.windows.net`
// (MicrosoftDocs/azure-docs#82513: "the private link alias for this specific domain should be
// *.privatelink.blob.core.windows.net"), so their record is `<account>` in the same
// `privatelink.blob.core.windows.net` / `privatelink.queue.core.windows.net` zone as the
// account's classic name. The partition label `zNN` never appears in the private zone.
const PARTITIONED_STORAGE = /^([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)\.z(\d{1,2})\.(blob|queue)\.storage\.azure\.net$/;
/** The public suffix of zone-partitioned storage names (public cloud only; other clouds publish none). */
export const PARTITIONED_STORAGE_SUFFIX = 'storage.azure.net';

/**
 * Maps an FQDN from `customDnsConfigs` to its zone and record, inserting `privatelink.` where
 * Azure omits it (`x.uks.backup.windowsazure.com` → record `x` in
 * `privatelink.uks.backup.windowsazure.com`); already privatelink-qualified names are taken as
 * they are. A zone-partitioned storage name (`acct.z12.blob.storage.azure.net`) maps to record
 * `acct` of the blob zone, where its public CNAME leads (public cloud zones only). Undefined when
 * the FQDN is outside the three zones (not ours) or not `<label>.<zone>`.
 */
export function zoneRecordOf(fqdn: string, zones: BackupZoneNames): ZoneRecordName | undefined {
  const name = fqdn.trim().toLowerCase().replace(/\.$/, '');
  const partitioned = PARTITIONED_STORAGE.exec(name);
  if (partitioned !== null) {
    const [, label, , service] = partitioned as unknown as [string, string, string, 'blob' | 'queue'];
    const zone = zones[service].toLowerCase();
    // Only where the storage zone is the public cloud's: the CNAME target is `….core.windows.net`.
    if (zone !== `privatelink.${service}.core.windows.net`) return undefined;
    return { zoneKind: service, zone, recordName: label, privateLinkFqdn: `${label}.${zone}`, publicFqdn: name };
  }
  for (const zoneKind of ZONE_KINDS) {
    const zone = zones[zoneKind].toLowerCase();
    const publicZone = zone.startsWith(PRIVATELINK) ? zone.slice(PRIVATELINK.length) : zone;
    for (const suffix of [zone, publicZone]) {
      if (!name.endsWith('.' + suffix)) continue;
      const label = name.slice(0, name.length - suffix.length - 1);
      // `privatelink.<public zone>` is the zone apex, not a record in it
      if (!LABEL.test(label) || label === 'privatelink') return undefined;
      return { zoneKind, zone, recordName: label, privateLinkFqdn: `${label}.${zone}`, publicFqdn: `${label}.${publicZone}` };
    }
  }
  return undefined;
}

/** True for a zone-partitioned storage name (`<account>.zNN.blob.storage.azure.net`). */
export function isPartitionedStorageName(fqdn: string): boolean {
  return PARTITIONED_STORAGE.test(fqdn.trim().toLowerCase().replace(/\.$/, ''));
}

// ---------------------------------------------------------------------------------------------
// FQDNs as the ground truth for the backup zone

// `<vault id>-ab-pod01-<member>.<geo>.backup.windowsazure.com` (with or without `privatelink.`).
const BACKUP_FQDN = /^[0-9]+-ab-pod[0-9]+-[a-z0-9]+\.(?:privatelink\.)?([a-z0-9]+)\.backup\.windowsazure\.(?:com|us|cn)$/;

/** The Backup geo code named by a Backup FQDN, or undefined when it is not one. */
export function backupGeoCodeOfFqdn(fqdn: string): string | undefined {
  const m = BACKUP_FQDN.exec(fqdn.trim().toLowerCase().replace(/\.$/, ''));
  return m?.[1];
}

/** How the vault's backup zone was named: from the FQDNs Azure lists, or from the table/override before any. */
export type ZoneNameSource = 'fqdns' | 'table' | 'override';

export type VaultZoneNaming =
  | {
      readonly known: true;
      readonly zones: BackupZoneNames;
      readonly source: ZoneNameSource;
      /** The geo code the table or override gives, when the FQDNs say otherwise (reported, not followed). */
      readonly contradiction?: { readonly configured: string; readonly configuredSource: 'table' | 'override'; readonly fromFqdns: string } | undefined;
    }
  | { readonly known: false; readonly region: string; readonly reason: string };

/**
 * The vault's three zones, with Azure's word first: when the vault's PEs list Backup FQDNs, the
 * geo code they carry names the backup zone (the most common FQDN wins; ties by code point). The
 * table (and `geoCodes`) only names the zone before Azure has listed any FQDN. A table or override
 * that disagrees with the FQDNs is returned as a contradiction for the planner to report.
 */
export function vaultZoneNames(region: string, fqdns: readonly string[], cloud: AzureCloud = 'AzurePublicCloud', overrides: GeoCodeOverrides = {}): VaultZoneNaming {
  const counts = new Map<string, number>();
  for (const f of fqdns) {
    const geo = backupGeoCodeOfFqdn(f);
    if (geo !== undefined) counts.set(geo, (counts.get(geo) ?? 0) + 1);
  }
  const fromFqdns = [...counts.entries()].sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]))[0]?.[0];
  const configured = backupGeoCodeOf(region, overrides);
  const s = CLOUD_DNS_SUFFIXES[cloud];
  const zonesFor = (geo: string): BackupZoneNames => ({ backup: `privatelink.${geo}.${s.backup}`, blob: `privatelink.blob.${s.storage}`, queue: `privatelink.queue.${s.storage}` });
  if (fromFqdns === undefined) {
    if (!configured.known) return configured;
    return { known: true, zones: zonesFor(configured.geoCode), source: configured.source };
  }
  const contradiction = configured.known && configured.geoCode !== fromFqdns ? { configured: configured.geoCode, configuredSource: configured.source, fromFqdns } : undefined;
  return { known: true, zones: zonesFor(fromFqdns), source: 'fqdns', contradiction };
}

/** A desired A record for a PE. */
export interface DesiredARecord {
  readonly zoneKind: ZoneKind;
  readonly zone: string;
  readonly recordName: string;
  readonly privateLinkFqdn: string;
  readonly publicFqdn: string;
  /** IPv4 addresses, sorted and unique. */
  readonly ipv4Addresses: readonly string[];
  /** The PE the record serves (goes into the record's ownership metadata). */
  readonly sourcePrivateEndpointId: string;
}

/**
 * The A records a PE needs in `zones`, from its `customDnsConfigs`: one per FQDN, addresses
 * merged when an FQDN is listed twice. FQDNs outside the zones are left out (see
 * {@link foreignFqdnsOf}); entries without an IPv4 address give no record.
 * Sorted by zone then record name, so plans are stable.
 */
export function recordsForPrivateEndpoint(pe: PrivateEndpoint, zones: BackupZoneNames): DesiredARecord[] {
  const byKey = new Map<string, { name: ZoneRecordName; ips: Set<string> }>();
  for (const config of pe.customDnsConfigs) {
    const name = zoneRecordOf(config.fqdn, zones);
    if (!name) continue;
    const ips = config.ipAddresses.map((ip) => ip.trim()).filter((ip) => IPV4.test(ip));
    if (ips.length === 0) continue;
    const key = `${name.zone}|${name.recordName}`;
    const entry = byKey.get(key) ?? { name, ips: new Set<string>() };
    ips.forEach((ip) => entry.ips.add(ip));
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map(({ name, ips }) => ({ ...name, ipv4Addresses: [...ips].sort(compareIpv4), sourcePrivateEndpointId: pe.id }))
    .sort((a, b) => byCodePoint(a.zone, b.zone) || byCodePoint(a.recordName, b.recordName));
}

/** FQDNs of a PE's `customDnsConfigs` that fall outside `zones` (reported, never written). */
export function foreignFqdnsOf(pe: PrivateEndpoint, zones: BackupZoneNames): string[] {
  return pe.customDnsConfigs.map((c) => c.fqdn).filter((fqdn) => zoneRecordOf(fqdn, zones) === undefined);
}

// Locale-independent order: plans must read the same on every machine.
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIpv4(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Placement `custom`: lines for an external DNS server

/**
 * Hosts-file lines: `<ip> <privatelink FQDN> <public FQDN>`. The seed asks for the privatelink
 * name; the public name follows as an alias because a hosts file is consulted for the name the
 * client asks for and does not follow the public name's CNAME into `privatelink.`.
 */
export function hostsFileLines(records: readonly DesiredARecord[]): string[] {
  const lines: string[] = [];
  for (const r of records) for (const ip of r.ipv4Addresses) lines.push(`${ip} ${r.privateLinkFqdn} ${r.publicFqdn}`);
  return lines;
}

/**
 * Zone-file lines (RFC 1035 master file), one `$ORIGIN` block per zone:
 * `<record> <ttl> IN A <ip>`.
 */
export function zoneFileLines(records: readonly DesiredARecord[], ttl: number): string[] {
  const byZone = new Map<string, DesiredARecord[]>();
  for (const r of records) byZone.set(r.zone, [...(byZone.get(r.zone) ?? []), r]);
  const lines: string[] = [];
  for (const zone of [...byZone.keys()].sort()) {
    lines.push(`$ORIGIN ${zone}.`);
    for (const r of byZone.get(zone) ?? []) for (const ip of r.ipv4Addresses) lines.push(`${r.recordName} ${ttl} IN A ${ip}`);
  }
  return lines;
}

/**
 * Conditional forwarders for an external DNS server, to Azure DNS (168.63.129.16): all three
 * namespaces, as the seed asks for SQL Availability Groups (its blob/queue note is the subset for
 * servers without AG). When the vault's Backup storage uses zone-partitioned names, the public
 * `blob.storage.azure.net` namespace too (MicrosoftDocs/azure-docs#82424): a server that does not
 * chase the public CNAME to `privatelink.blob.core.windows.net` must ask Azure DNS for it.
 */
export function conditionalForwarders(zones: BackupZoneNames, options: { partitionedStorage?: readonly ('blob' | 'queue')[] } = {}): { zone: string; forwarder: string }[] {
  const out = [zones.backup, zones.blob, zones.queue].map((zone) => ({ zone, forwarder: AZURE_DNS_SERVER_IP }));
  for (const service of [...new Set(options.partitionedStorage ?? [])].sort()) out.push({ zone: `${service}.${PARTITIONED_STORAGE_SUFFIX}`, forwarder: AZURE_DNS_SERVER_IP });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The ownership registry (record-set metadata, link tags), the way external-dns keeps a TXT registry

/** Metadata key naming the vault a record or link serves. */
export const REGISTRY_VAULT_KEY = 'vaultlinkVault';
/** Metadata key naming the private endpoint connection (of the vault) a record serves. */
export const REGISTRY_CONNECTION_KEY = 'vaultlinkConnection';

/** What vaultlink's registry says about a record or link. */
export interface RegistryEntry {
  readonly vaultId: string | undefined;
  readonly privateEndpointId: string | undefined;
  readonly connectionName: string | undefined;
}

/** The registry part of metadata (keys compared case-insensitively, as Azure does). */
export function registryOf(metadata: Readonly<Record<string, string>> | undefined): RegistryEntry {
  const get = (key: string): string | undefined => {
    if (metadata === undefined) return undefined;
    const wanted = key.toLowerCase();
    for (const [k, v] of Object.entries(metadata)) if (k.toLowerCase() === wanted) return v;
    return undefined;
  };
  return { vaultId: get(REGISTRY_VAULT_KEY), privateEndpointId: get('vaultlinkSource'), connectionName: get(REGISTRY_CONNECTION_KEY) };
}

/** The registry fields vaultlink adds to its ownership metadata (owner id and `managedBy` come from model.ts). */
export function registryMetadata(entry: { vaultId?: string | undefined; connectionName?: string | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry.vaultId !== undefined) out[REGISTRY_VAULT_KEY] = entry.vaultId;
  if (entry.connectionName !== undefined) out[REGISTRY_CONNECTION_KEY] = entry.connectionName;
  return out;
}
