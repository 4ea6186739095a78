/**
 * What a private endpoint gets from its target service: the group ids a target offers, the
 * member FQDNs Azure fills into `customDnsConfigs`, how many private IPs the endpoint takes, and
 * how many free IPs the subnet must have for the creation to be accepted.
 *
 * Targets the emulator knows:
 * - a Recovery Services vault, group `AzureBackup` (and `AzureBackup_secondary`, the paired-region
 *   endpoint of the v2 experience; FACTS.md marks it unconfirmed): one FQDN per Backup service
 *   member, `<vaultId>-ab-pod01-<member>.<geo>.backup.windowsazure.com` WITHOUT `privatelink.`
 *   (the seed's note); classic (v1) vaults have eight members, v2 vaults fewer;
 * - a storage account, group `blob` or `queue`: one FQDN, `<account>.<group>.core.windows.net`.
 *
 * The public-cloud DNS suffixes are used: the emulator plays the public cloud.
 */
import { BACKUP_GEO_CODES } from '../azure-facts';

export const BACKUP_GROUP_ID = 'AzureBackup';
export const BACKUP_SECONDARY_GROUP_ID = 'AzureBackup_secondary';
export const STORAGE_GROUP_IDS = ['blob', 'queue'] as const;
export type StorageGroupId = (typeof STORAGE_GROUP_IDS)[number];

/** The eight members of a classic Backup private endpoint (FACTS.md, "Backup FQDNs"). */
export const CLASSIC_BACKUP_MEMBERS = ['fc1', 'fab1', 'prot1', 'rec2', 'ecs1', 'id1', 'tel1', 'wbcm1'] as const;
/**
 * Members of a v2 Backup private endpoint. The v2 documentation only says "fewer private IPs"
 * (10 instead of 11, and no blob/queue endpoints); the exact member list is not published, so
 * the emulator drops the two storage-facing members (`ecs1`, `fc1`). Tests must not depend on it.
 */
export const V2_BACKUP_MEMBERS = ['fab1', 'prot1', 'rec2', 'id1', 'tel1', 'wbcm1'] as const;

/**
 * Free IPs a subnet must have for a Backup private endpoint: 11 for a classic one (its own
 * members plus the blob/queue/prot endpoints Backup adds later), 10 for v2 (the v2 docs).
 * Some regions need more (up to 25): see {@link freeAddressesRequiredForBackup}.
 */
export const CLASSIC_BACKUP_FREE_ADDRESSES = 11;
export const V2_BACKUP_FREE_ADDRESSES = 10;
export const MAX_BACKUP_FREE_ADDRESSES = 25;

/** The seed: "the maximum number of private endpoints that can be created for a vault is 12". */
export const MAX_PRIVATE_ENDPOINTS_PER_VAULT = 12;

export const BACKUP_DNS_SUFFIX = 'backup.windowsazure.com';
export const STORAGE_DNS_SUFFIX = 'core.windows.net';

const GEO_CODES: Readonly<Record<string, string>> = BACKUP_GEO_CODES;

/** `UK South` / `uksouth` → `uksouth` (ARM accepts display names and spaced forms in `location`). */
export function normalizeRegion(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

/** The Backup geo code of a region (`uksouth` → `uks`); undefined for an unknown region. */
export function backupGeoCode(location: string, overrides: Readonly<Record<string, string>> = {}): string | undefined {
  const region = normalizeRegion(location);
  return overrides[region] ?? GEO_CODES[region];
}

/** `<vaultId>-ab-pod01-<member>.<geo>.backup.windowsazure.com`, as `customDnsConfigs` shows it. */
export function backupMemberFqdn(vaultNumericId: string, member: string, geo: string): string {
  return `${vaultNumericId}-ab-pod01-${member}.${geo}.${BACKUP_DNS_SUFFIX}`;
}

/** `<account>.blob.core.windows.net`; with a DNS partition (`z12`), `<account>.z12.blob.storage.azure.net`. */
export function storageFqdn(accountName: string, group: StorageGroupId, partition?: string): string {
  if (partition !== undefined) return `${accountName.toLowerCase()}.${partition.toLowerCase()}.${group}.${PARTITIONED_STORAGE_DNS_SUFFIX}`;
  return `${accountName.toLowerCase()}.${group}.${STORAGE_DNS_SUFFIX}`;
}

/**
 * Storage accounts with Azure DNS zone endpoints ("partitioned DNS") are named
 * `<account>.z[00-99].<service>.storage.azure.net`; Backup's own accounts use them
 * (MicrosoftDocs/azure-docs#82424, #82513). Their private-link alias is NOT the name with
 * `privatelink.` inserted: public DNS points them at `<account>.privatelink.<service>.core.windows.net`
 * (#82513: "the private link alias for this specific domain should be
 * *.privatelink.blob.core.windows.net"), so the `privatelink.blob.core.windows.net` zone serves them.
 */
export const PARTITIONED_STORAGE_DNS_SUFFIX = 'storage.azure.net';
const PARTITIONED_STORAGE_NAME = /^([a-z0-9]+)\.z\d{2}\.(blob|queue|file|table|dfs|web)\.storage\.azure\.net$/;

/** A DNS partition label `z00`…`z99`. */
export function isStoragePartition(value: string): boolean {
  return /^z\d{2}$/i.test(value);
}

/**
 * The name Azure's public DNS points a private-link FQDN at: `privatelink.` inserted after the
 * first label (`x.blob.core.windows.net` → `x.privatelink.blob.core.windows.net`). The private
 * DNS zones are named after what follows the first label.
 */
export function privateLinkAlias(fqdn: string): string {
  const name = fqdn.toLowerCase().replace(/\.$/, '');
  const dot = name.indexOf('.');
  if (dot < 0) return name;
  const partitioned = PARTITIONED_STORAGE_NAME.exec(name);
  if (partitioned) return `${partitioned[1]}.privatelink.${partitioned[2]}.${STORAGE_DNS_SUFFIX}`;
  const rest = name.slice(dot + 1);
  if (rest.startsWith('privatelink.')) return name;
  return `${name.slice(0, dot)}.privatelink.${rest}`;
}

export function isStorageGroupId(group: string): group is StorageGroupId {
  return (STORAGE_GROUP_IDS as readonly string[]).includes(group.toLowerCase());
}

/** Free addresses a Backup PE needs in `location`, honouring per-region overrides (capped at 25). */
export function freeAddressesRequiredForBackup(
  location: string,
  experience: 'classic' | 'v2',
  perRegion: Readonly<Record<string, number>> = {},
): number {
  const base = experience === 'classic' ? CLASSIC_BACKUP_FREE_ADDRESSES : V2_BACKUP_FREE_ADDRESSES;
  const override = perRegion[normalizeRegion(location)];
  if (override === undefined) return base;
  return Math.min(MAX_BACKUP_FREE_ADDRESSES, Math.max(base, override));
}
