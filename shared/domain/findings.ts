/**
 * Preflight findings: conditions a person must act on (vaultlink cannot or must not fix them).
 * Each check is a pure function of observed state; {@link preflightFindings} runs them all.
 *
 * Free IPs: a classic Backup PE uses 11 private IPs in total (the seed), up to 25 in some
 * regions: its own NIC takes one per Backup FQDN member (fc1, fab1, prot1, rec2, ecs1, id1, tel1,
 * wbcm1: 8), and Azure Backup later adds the `_ecs` blob/queue and `_prot` blob PEs (3) in the
 * same subnet. A v2 PE gets no secondaries, so we budget 8 (the members alone) by default. Both
 * are options because the per-region figures are not published. The check compares what the
 * PE family will use in total against what it uses already plus the subnet's free addresses.
 */
import { backupGeoCodeOf, normalizeRegion, type GeoCodeOverrides } from './dns';
import { classifyPrivateEndpoint, backupConnectionOf } from './endpoints';
import { armCaseKey, armEquals, tryParseResourceId } from './ids';
import { hasSystemAssignedIdentity, type PrivateEndpoint, type Subnet, type Vault } from './model';

export type FindingSeverity = 'error' | 'warning' | 'info';

/**
 * Every finding code. The preflight checks below raise the first ten; the planner (shared/plan)
 * raises the rest from what it sees while planning DNS, roles and identity, and from failed reads.
 */
export const FINDING_CODES = [
  'subnet-network-policies-enabled',
  'subnet-too-few-free-ips',
  'too-many-private-endpoints',
  'private-endpoint-limit-reached',
  'region-mismatch',
  'cross-region-restore-caveat',
  'identity-disabled',
  'tenant-moved',
  'vault-not-eligible',
  'unknown-region-geo-code',
  /** An A record set vaultlink would write exists without vaultlink's ownership: never updated, never deleted. */
  'record-not-managed',
  /** Several PEs of the vault claim the same FQDN with other addresses: one zone can hold only one answer. */
  'record-claimed-by-several-endpoints',
  /** Placement `zone-group`: a PE's private DNS zone group does not point at the zone its records belong in. */
  'zone-group-mismatch',
  /** Placement `custom`: the records an external DNS server (or hosts file) must serve. */
  'custom-dns-records-needed',
  /** A read of observed state failed: writes that depend on it are not planned. */
  'read-failed',
  /** The vault's identity has another principal than the one vaultlink granted roles to: it was turned off and on again. */
  'identity-changed',
  /** vaultlink may not or could not grant the vault identity its roles on an endpoint's resource group: that endpoint is not approved. */
  'roles-not-grantable',
  /**
   * The vault identity's roles are younger than Azure's propagation window: Azure Backup's own
   * endpoints (first VM registration, first backup) may fail with AuthorizationFailed until then.
   */
  'role-propagation',
  /** A VNet that must resolve the vault is linked to another zone of the same name (Azure refuses a second link). */
  'linked-zone-conflict',
  /** `dns.linkedZones: adopt`: vaultlink writes the vault's records into a zone a VNet already resolves through. */
  'linked-zone-adopted',
  /** The geo-code table or a `geoCodes` override contradicts the geo code in the FQDNs Azure lists: Azure is followed. */
  'geo-code-contradiction',
  /** A record vaultlink's registry ties to this vault whose endpoint is gone, rejected or disconnected (`upsert-only` keeps it). */
  'stale-record',
  /** An owned record written by an older vaultlink, without the registry, that does not match exactly: left as it is. */
  'record-not-adopted',
  /** A name of an approved endpoint does not resolve privately from a VNet that must resolve it, and nothing planned fixes it. */
  'name-not-resolving',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: FindingSeverity;
  /** The resource to act on (subnet, PE or vault). */
  readonly resourceId: string;
  readonly message: string;
}

/** At most 12 PEs per vault (the seed). */
export const MAX_PRIVATE_ENDPOINTS_PER_VAULT = 12;
/** IPs per classic Backup PE (the seed: 11, "up to 25" in some regions). */
export const CLASSIC_IPS_PER_PRIVATE_ENDPOINT = 11;
export const MAX_CLASSIC_IPS_PER_PRIVATE_ENDPOINT = 25;
/** IPs per v2 Backup PE: the 8 Backup FQDN members, no secondaries (our budget; see the module comment). */
export const V2_IPS_PER_PRIVATE_ENDPOINT = 8;

export interface IpBudgetOptions {
  /** Per classic PE, default 11. */
  readonly classic?: number | undefined;
  /** Per classic PE for specific regions (region name → 11..25). */
  readonly classicByRegion?: Readonly<Record<string, number>> | undefined;
  /** Per v2 PE, default 8. */
  readonly v2?: number | undefined;
}

/** IPs one Backup PE of this vault will use in total. Classic figures are clamped to the seed's 11..25. */
export function ipsPerBackupPrivateEndpoint(vault: Pick<Vault, 'experience' | 'location'>, options: IpBudgetOptions = {}): number {
  if (vault.experience === 'v2') return Math.max(1, Math.floor(options.v2 ?? V2_IPS_PER_PRIVATE_ENDPOINT));
  const region = normalizeRegion(vault.location);
  const byRegion = Object.entries(options.classicByRegion ?? {}).find(([r]) => normalizeRegion(r) === region)?.[1];
  const n = byRegion ?? options.classic ?? CLASSIC_IPS_PER_PRIVATE_ENDPOINT;
  return Math.min(MAX_CLASSIC_IPS_PER_PRIVATE_ENDPOINT, Math.max(CLASSIC_IPS_PER_PRIVATE_ENDPOINT, Math.floor(n)));
}

function key(id: string): string {
  return tryParseResourceId(id)?.key ?? id.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Individual checks

/** The subnet must have private-endpoint network policies disabled (the seed). */
export function checkSubnetNetworkPolicies(subnet: Subnet): Finding[] {
  if (subnet.privateEndpointNetworkPolicies === 'Disabled') return [];
  return [
    {
      code: 'subnet-network-policies-enabled',
      severity: 'error',
      resourceId: subnet.id,
      message: `subnet has privateEndpointNetworkPolicies "${subnet.privateEndpointNetworkPolicies}"; Backup private endpoints need "Disabled"`,
    },
  ];
}

/**
 * Whether the subnet can hold what the vault's Backup PEs in it will use: each primary needs
 * {@link ipsPerBackupPrivateEndpoint} in total; IPs already taken by the primaries and their
 * secondaries count towards it.
 */
export function checkSubnetFreeIps(
  subnet: Subnet,
  vault: Vault,
  privateEndpointsInSubnet: readonly PrivateEndpoint[],
  peersByResourceGroup: readonly PrivateEndpoint[] = privateEndpointsInSubnet,
  options: IpBudgetOptions = {},
): Finding[] {
  const inSubnet = privateEndpointsInSubnet.filter((pe) => key(pe.subnetId) === key(subnet.id));
  const primaries = inSubnet.filter((pe) => {
    const b = backupConnectionOf(pe);
    return b !== undefined && key(b.vaultId) === key(vault.id);
  });
  if (primaries.length === 0) return [];
  const primaryKeys = new Set(primaries.map((p) => key(p.id)));
  const family = inSubnet.filter((pe) => {
    if (primaryKeys.has(key(pe.id))) return true;
    const c = classifyPrivateEndpoint(pe, peersByResourceGroup);
    return c.kind === 'backup-secondary' && primaryKeys.has(key(c.primaryId));
  });
  const used = new Set<string>();
  for (const pe of family) for (const c of pe.customDnsConfigs) c.ipAddresses.forEach((ip) => used.add(ip));
  const perPe = ipsPerBackupPrivateEndpoint(vault, options);
  const needed = perPe * primaries.length - used.size;
  if (needed <= subnet.freeIpCount) return [];
  return [
    {
      code: 'subnet-too-few-free-ips',
      severity: 'error',
      resourceId: subnet.id,
      message:
        `${primaries.length} Backup private endpoint(s) of vault ${vault.name} will use ${perPe * primaries.length} IPs ` +
        `(${perPe} each, ${vault.experience}); ${used.size} are in use, ${needed} more are needed and the subnet has ${subnet.freeIpCount} free`,
    },
  ];
}

/** More than 12 PE connections is over the limit; exactly 12 leaves no room (info). */
export function checkPrivateEndpointCount(vault: Vault): Finding[] {
  const n = vault.connections.length;
  if (n > MAX_PRIVATE_ENDPOINTS_PER_VAULT) {
    return [{ code: 'too-many-private-endpoints', severity: 'error', resourceId: vault.id, message: `vault has ${n} private endpoint connections; the limit is ${MAX_PRIVATE_ENDPOINTS_PER_VAULT}` }];
  }
  if (n === MAX_PRIVATE_ENDPOINTS_PER_VAULT) {
    return [{ code: 'private-endpoint-limit-reached', severity: 'info', resourceId: vault.id, message: `vault has ${n} private endpoint connections, the limit: no more can be added` }];
  }
  return [];
}

/**
 * A primary (`AzureBackup`) PE should sit in the vault's region (the seed). `AzureBackup_secondary`
 * PEs are skipped: they are expected in the paired region.
 */
export function checkRegion(pe: PrivateEndpoint, vault: Vault): Finding[] {
  const b = backupConnectionOf(pe);
  if (!b || b.groupId !== 'AzureBackup' || key(b.vaultId) !== key(vault.id)) return [];
  if (normalizeRegion(pe.location) === normalizeRegion(vault.location)) return [];
  return [
    {
      code: 'region-mismatch',
      severity: 'warning',
      resourceId: pe.id,
      message: `private endpoint is in ${normalizeRegion(pe.location)} but vault ${vault.name} is in ${normalizeRegion(vault.location)}`,
    },
  ];
}

/** Cross-region restore of SQL / SAP HANA backups is unsupported once a vault has PEs. */
export function checkCrossRegionRestore(vault: Vault): Finding[] {
  if (vault.connections.length === 0) return [];
  return [
    {
      code: 'cross-region-restore-caveat',
      severity: 'info',
      resourceId: vault.id,
      message: 'cross-region restore of SQL and SAP HANA backups is not supported on a vault with private endpoints',
    },
  ];
}

/**
 * What shows that a vault's system-assigned identity was on before: the seed's "must never be
 * disabled, even temporarily" applies only then. A classic vault whose identity was never turned
 * on is not in breach: turning it on is a step of the procedure (the planner's enable-identity).
 */
export interface IdentityEvidence {
  /** Principals vaultlink saw the identity have in earlier passes (its memory, persisted with the orchestration). */
  readonly principalsSeen?: readonly string[] | undefined;
  /** Principals of role assignments that carry vaultlink's marker for this vault and are not the current identity's (Azure's memory of it). */
  readonly markedPrincipals?: readonly string[] | undefined;
}

/**
 * A classic vault whose system-assigned identity is off although it was on before: the seed
 * forbids it, and Backup breaks. Without evidence that it was on, nothing to report.
 */
export function checkIdentity(vault: Vault, evidence: IdentityEvidence = {}): Finding[] {
  if (vault.experience !== 'classic' || hasSystemAssignedIdentity(vault.identity)) return [];
  const distinct = (ids: readonly string[]): string[] => [...new Map(ids.map((p) => [armCaseKey(p), p])).values()];
  const seen = distinct(evidence.principalsSeen ?? []);
  const marked = distinct(evidence.markedPrincipals ?? []).filter((p) => !seen.some((q) => armEquals(p, q)));
  if (seen.length === 0 && marked.length === 0) return [];
  const why = [
    ...(seen.length > 0 ? [`vaultlink saw it as principal ${seen.join(', ')}`] : []),
    ...(marked.length > 0 ? [`vaultlink's role assignments for this vault belong to principal ${marked.join(', ')}`] : []),
  ].join('; ');
  return [
    {
      code: 'identity-disabled',
      severity: 'error',
      resourceId: vault.id,
      message:
        `the system-assigned identity of classic vault ${vault.name} is off (type ${vault.identity.type}) but it was on before (${why}): once enabled it must never be disabled, even temporarily (the seed). ` +
        'Turned on again it gets a new principal: re-register the vault\'s servers and containers with Azure Backup, and if backups still fail re-create its private endpoints',
    },
  ];
}

/** What the seed says to do after a tenant move (its "Before you start" notes). */
export const TENANT_MOVE_REMEDIATION =
  'update the vault to re-create and reconfigure its managed identity in the new tenant, create new private endpoints (in the new tenant) as needed, and reconfigure the RBAC permissions set up in the subscription; until then backup and restore operations start failing';

/** The identity's tenant differs from the subscription's: the vault moved tenants and needs a new identity and new PEs. */
export function checkTenant(vault: Vault, subscriptionTenantId: string | undefined): Finding[] {
  const t = vault.identity.tenantId;
  if (t === undefined || subscriptionTenantId === undefined || t.toLowerCase() === subscriptionTenantId.toLowerCase()) return [];
  return [
    {
      code: 'tenant-moved',
      severity: 'error',
      resourceId: vault.id,
      message: `vault identity is in tenant ${t} but the subscription is in ${subscriptionTenantId}: the vault moved tenants. The seed: ${TENANT_MOVE_REMEDIATION}. vaultlink grants and approves nothing for this vault until the identity is in the subscription's tenant`,
    },
  ];
}

/** Backup job operations that are attempts to register or protect something (the seed's FAQ: any attempt counts, failed or not). */
export const PROTECTION_ATTEMPT_OPERATIONS: readonly string[] = ['ConfigureBackup', 'Register', 'Backup'];

/** A protection or registration attempt from Backup's jobs list (shared/plan's `BackupAttempt`, structurally). */
export interface ProtectionAttempt {
  readonly operation: string;
  readonly status: string;
  readonly startTime: string | undefined;
  readonly entity: string;
}

/** The facts that decide eligibility, each from Azure or from what vaultlink saw. */
export interface EligibilityEvidence {
  /** Backup's jobs, when they were read (undefined: not read; the counts then decide alone). */
  readonly jobs?: readonly ProtectionAttempt[] | undefined;
  /** Private endpoints vaultlink saw connected to the vault in earlier passes (its connection history). */
  readonly everConnected?: readonly string[] | undefined;
}

function isAttempt(job: ProtectionAttempt): boolean {
  return PROTECTION_ATTEMPT_OPERATIONS.some((op) => op.toLowerCase() === job.operation.trim().toLowerCase());
}

/**
 * Eligibility for private endpoints (the seed's FAQ), with memory:
 *
 * | evidence that the vault has or had a private endpoint                  | attempts / counts         | eligible |
 * |------------------------------------------------------------------------|---------------------------|----------|
 * | a connection now, one in vaultlink's history, or `privateEndpointStateForBackup: Enabled` | any | yes: PEs may be added or removed later (FAQ 3) |
 * | none                                                                   | an attempt job (any status) | no: "must not have had any attempts" (FAQ 2) |
 * | none                                                                   | items or containers counted | no (FAQ 1) |
 * | none                                                                   | none                       | yes |
 *
 * Azure itself refuses a private endpoint for a vault that had an attempt, so a connection (now or
 * remembered) proves that no attempt preceded the first one: attempts are read as "before the first
 * connection" exactly while no connection was ever seen.
 */
export function checkEligibility(vault: Vault, evidence: EligibilityEvidence = {}): Finding[] {
  const hadEndpoint = vault.connections.length > 0 || (evidence.everConnected?.length ?? 0) > 0 || vault.privateEndpointStateForBackup === 'Enabled';
  if (hadEndpoint) return [];
  const attempts = (evidence.jobs ?? []).filter(isAttempt);
  if (attempts.length > 0) {
    const first = [...attempts].sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''))[0] as ProtectionAttempt;
    const failed = attempts.filter((a) => a.status.toLowerCase() === 'failed').length;
    return [
      {
        code: 'vault-not-eligible',
        severity: 'error',
        resourceId: vault.id,
        message:
          `Backup's jobs show ${attempts.length} protection or registration attempt(s) (${failed} failed; first: ${first.operation} of ${first.entity || 'an item'} ${first.status}${first.startTime ? ` at ${first.startTime}` : ''}) ` +
          'and the vault never had a private endpoint: Azure refuses private endpoints for a vault that had any attempt, failed or not (the seed\'s FAQ); use a new vault',
      },
    ];
  }
  if (vault.protectedItemCount === 0 && vault.registeredContainerCount === 0) return [];
  return [
    {
      code: 'vault-not-eligible',
      severity: 'error',
      resourceId: vault.id,
      message:
        `vault has ${vault.protectedItemCount} protected item(s) and ${vault.registeredContainerCount} registered container(s) ` +
        'but never had a private endpoint: private endpoints need a vault that never protected or registered anything; use a new vault',
    },
  ];
}

/** The vault's region has no known Backup geo code: the backup zone cannot be named. */
export function checkGeoCode(vault: Vault, overrides: GeoCodeOverrides = {}): Finding[] {
  const geo = backupGeoCodeOf(vault.location, overrides);
  if (geo.known) return [];
  return [{ code: 'unknown-region-geo-code', severity: 'error', resourceId: vault.id, message: geo.reason }];
}

// ---------------------------------------------------------------------------------------------

export interface PreflightInput {
  readonly vault: Vault;
  /** The vault's Backup PEs that vaultlink can read, plus every PE of their resource groups (for secondaries). */
  readonly privateEndpoints: readonly PrivateEndpoint[];
  /** Subnets hosting those PEs. */
  readonly subnets: readonly Subnet[];
  /** Tenant of the vault's subscription, when known. */
  readonly subscriptionTenantId: string | undefined;
  readonly geoCodeOverrides?: GeoCodeOverrides | undefined;
  readonly ipBudget?: IpBudgetOptions | undefined;
  /** Jobs and connection history for {@link checkEligibility}. */
  readonly eligibility?: EligibilityEvidence | undefined;
  /** What shows the identity was on before, for {@link checkIdentity}. */
  readonly identity?: IdentityEvidence | undefined;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SEVERITY_ORDER: Readonly<Record<FindingSeverity, number>> = { error: 0, warning: 1, info: 2 };

/** All preflight findings of a vault, errors first, then by code and resource. */
export function preflightFindings(input: PreflightInput): Finding[] {
  const { vault } = input;
  const own = input.privateEndpoints.filter((pe) => {
    const b = backupConnectionOf(pe);
    return b !== undefined && key(b.vaultId) === key(vault.id);
  });
  const ownSubnetKeys = new Set(own.map((pe) => key(pe.subnetId)));
  const findings: Finding[] = [
    ...checkEligibility(vault, input.eligibility),
    ...checkGeoCode(vault, input.geoCodeOverrides),
    ...checkIdentity(vault, input.identity),
    ...checkTenant(vault, input.subscriptionTenantId),
    ...checkPrivateEndpointCount(vault),
    ...checkCrossRegionRestore(vault),
    ...own.flatMap((pe) => checkRegion(pe, vault)),
  ];
  for (const subnet of input.subnets) {
    if (!ownSubnetKeys.has(key(subnet.id))) continue;
    findings.push(...checkSubnetNetworkPolicies(subnet));
    findings.push(...checkSubnetFreeIps(subnet, vault, input.privateEndpoints, input.privateEndpoints, input.ipBudget));
  }
  return findings.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || byCodePoint(a.code, b.code) || byCodePoint(a.resourceId.toLowerCase(), b.resourceId.toLowerCase()),
  );
}
