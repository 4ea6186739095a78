/**
 * What a custom DNS server must serve for the vaults in scope (`vaultlink dns export`, placement
 * `custom`): the A records of every approved endpoint (and its classic `_ecs`/`_prot`
 * secondaries) per zone, the same as hosts-file lines, and the conditional forwarders for the
 * three namespaces (the seed's SQL Availability Group note), plus `blob.storage.azure.net` when a
 * vault's Backup storage uses zone-partitioned names.
 *
 * Pure: observed state in, lines out. It exports what Azure holds (connections Approved now), not
 * what vaultlink would approve. A name two endpoints of a vault list with other addresses keeps
 * the lowest endpoint id's (a zone holds one answer) and is listed under `conflicts`.
 */
import { armCaseKey } from '../domain/ids';
import { byCodePoint } from './order';
import { conditionalForwarders, hostsFileLines, recordsForPrivateEndpoint, sameResourceId, vaultZoneNames, zoneFileLines, type AzureCloud, type DesiredARecord, type GeoCodeOverrides } from '../domain';
import { fqdnsOfVault, partitionedServicesOf } from './dns';
import type { ObservedVault } from './types';

export interface DnsExportOptions {
  readonly cloud: AzureCloud;
  readonly geoCodes?: GeoCodeOverrides | undefined;
  readonly ttl: number;
}

export interface ExportedRecord {
  readonly zone: string;
  readonly name: string;
  readonly addresses: readonly string[];
  /** What clients ask for (the CNAME chain's start), e.g. `<account>.z12.blob.storage.azure.net`. */
  readonly publicFqdn: string;
  readonly privateLinkFqdn: string;
  readonly vaultId: string;
  readonly privateEndpointId: string;
}

export interface DnsExport {
  readonly zones: readonly { readonly zone: string; readonly records: readonly ExportedRecord[] }[];
  readonly hostsLines: readonly string[];
  /** One RFC 1035 master file per zone (`$ORIGIN`, `$TTL`, A records). */
  readonly zoneFiles: readonly { readonly zone: string; readonly lines: readonly string[] }[];
  readonly forwarders: readonly { readonly zone: string; readonly forwarder: string }[];
  readonly conflicts: readonly string[];
  /** Vaults whose zones cannot be named (unknown region, no FQDN yet). */
  readonly unnamed: readonly { readonly vaultId: string; readonly reason: string }[];
}


/** The records of the approved endpoints of each vault, merged per (zone, name). */
export function exportDns(vaults: readonly ObservedVault[], options: DnsExportOptions): DnsExport {
  const byKey = new Map<string, ExportedRecord>();
  const conflicts: string[] = [];
  const unnamed: { vaultId: string; reason: string }[] = [];
  const forwarders = new Map<string, { zone: string; forwarder: string }>();
  for (const observed of vaults) {
    const vault = observed.vault;
    if (vault === undefined) continue;
    const naming = vaultZoneNames(vault.location, fqdnsOfVault(observed), options.cloud, options.geoCodes ?? {});
    if (!naming.known) {
      unnamed.push({ vaultId: vault.id, reason: naming.reason });
      continue;
    }
    const approved = observed.privateEndpoints.filter((p) => {
      const primaryId = p.classification.kind === 'backup-secondary' ? p.classification.primaryId : p.endpoint.id;
      if (p.classification.kind === 'backup-secondary' && vault.experience !== 'classic') return false;
      return vault.connections.some((c) => sameResourceId(c.privateEndpointId, primaryId) && c.status === 'Approved');
    });
    const records: DesiredARecord[] = approved
      .flatMap((p) => recordsForPrivateEndpoint(p.endpoint, naming.zones))
      .sort((a, b) => byCodePoint(armCaseKey(a.sourcePrivateEndpointId), armCaseKey(b.sourcePrivateEndpointId)));
    for (const r of records) {
      const key = `${r.zone}|${r.recordName}`;
      const first = byKey.get(key);
      if (first === undefined) {
        byKey.set(key, { zone: r.zone, name: r.recordName, addresses: r.ipv4Addresses, publicFqdn: r.publicFqdn, privateLinkFqdn: r.privateLinkFqdn, vaultId: vault.id, privateEndpointId: r.sourcePrivateEndpointId });
      } else if (first.addresses.join(',') !== r.ipv4Addresses.join(',')) {
        conflicts.push(`${r.privateLinkFqdn}: ${first.addresses.join(', ')} (kept, ${first.privateEndpointId}) and ${r.ipv4Addresses.join(', ')} (${r.sourcePrivateEndpointId})`);
      }
    }
    for (const f of conditionalForwarders(naming.zones, { partitionedStorage: partitionedServicesOf(records) })) forwarders.set(f.zone, f);
  }
  const all = [...byKey.values()].sort((a, b) => byCodePoint(a.zone, b.zone) || byCodePoint(a.name, b.name));
  const zoneNames = [...new Set(all.map((r) => r.zone))];
  const asDesired = (r: ExportedRecord): DesiredARecord => ({
    zoneKind: 'blob',
    zone: r.zone,
    recordName: r.name,
    privateLinkFqdn: r.privateLinkFqdn,
    publicFqdn: r.publicFqdn,
    ipv4Addresses: r.addresses,
    sourcePrivateEndpointId: r.privateEndpointId,
  });
  return {
    zones: zoneNames.map((zone) => ({ zone, records: all.filter((r) => r.zone === zone) })),
    hostsLines: hostsFileLines(all.map(asDesired)),
    zoneFiles: zoneNames.map((zone) => ({ zone, lines: [`$TTL ${options.ttl}`, ...zoneFileLines(all.filter((r) => r.zone === zone).map(asDesired), options.ttl)] })),
    forwarders: [...forwarders.values()],
    conflicts,
    unnamed,
  };
}
