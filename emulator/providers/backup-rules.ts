/**
 * Azure Backup's rules for the emulator, as pure functions: the vault's numeric id, the names
 * Backup gives the private endpoints it creates itself, the storage accounts they target, which
 * connection-state changes the Backup RP accepts, and the usage summaries a client reads to tell
 * whether a vault ever had items. No I/O: the providers (recoveryservices.ts, backup.ts) call these.
 */
import { createHash } from 'node:crypto';

/** `properties.backupStorageVersion`: V1 is the classic private-endpoint experience, V2 the newer one. */
export type BackupStorageVersion = 'V1' | 'V2';

/** Statuses of `privateLinkServiceConnectionState.status` (KnownPrivateEndpointConnectionStatus). */
export type ConnectionStatus = 'Pending' | 'Approved' | 'Rejected' | 'Disconnected';

export const CONNECTION_STATUSES: readonly ConnectionStatus[] = ['Pending', 'Approved', 'Rejected', 'Disconnected'];

/** The purposes of the private endpoints that Backup creates itself for a classic (v1) vault. */
export type SecondaryEndpointPurpose = 'ecs' | 'prot';

/** The storage sub-resources those endpoints connect to. */
export type StorageService = 'blob' | 'queue';

/**
 * Backup-owned subscription that holds the storage accounts Backup's own endpoints target. The
 * real service uses Microsoft-internal subscriptions; any id outside the customer's tenant will do.
 */
export const BACKUP_SERVICE_SUBSCRIPTION_ID = 'b4c10000-0000-4000-8000-00000000ba5e';
export const BACKUP_SERVICE_RESOURCE_GROUP = 'backup-service-storage';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A vault's 19-digit numeric id (the `<vaultId>` of its FQDNs and connection names). Real vaults
 * get one at creation; a vault deleted and re-created under the same name gets a new one, hence
 * the `incarnation`. Deterministic so that tests and simulations are reproducible.
 */
export function vaultNumericIdFor(vaultKey: string, incarnation: number): string {
  const n = BigInt('0x' + sha256Hex(`${vaultKey}#${incarnation}`).slice(0, 16));
  // 10^18 … 10^19-1: always 19 digits, no leading zero (as in 3592346090307038890)
  const lowest = 10n ** 18n;
  return (lowest + (n % (9n * lowest))).toString();
}

/** Short, stable tag used in the names of Backup's own endpoints (`<pe>_ecs<tag>_blob`). */
export function secondaryEndpointTag(vaultNumericId: string): string {
  return sha256Hex(vaultNumericId).slice(0, 8);
}

/** `<pe>_ecs<tag>_blob`, `<pe>_ecs<tag>_queue`, `<pe>_prot<tag>_blob` (seed: "start with <pe>_ecs … suffixed with _blob and _queue"). */
export function secondaryEndpointName(primaryEndpointName: string, purpose: SecondaryEndpointPurpose, service: StorageService, vaultNumericId: string): string {
  return `${primaryEndpointName}_${purpose}${secondaryEndpointTag(vaultNumericId)}_${service}`;
}

/**
 * The Backup-owned storage account behind a purpose, named like the real ones
 * (`abcdeypod01ecs114`, `…pod01prot120`): six letters, `pod01`, the purpose and three digits.
 * At most 24 lower-case alphanumerics, as storage account names must be.
 */
export function backupStorageAccountName(vaultNumericId: string, purpose: SecondaryEndpointPurpose): string {
  const hex = sha256Hex(`${vaultNumericId}/${purpose}`);
  const letters = Array.from(hex.slice(0, 6), (c) => String.fromCharCode(97 + (parseInt(c, 16) % 26))).join('');
  const digits = 100 + (parseInt(hex.slice(6, 10), 16) % 900);
  return `${letters}pod01${purpose}${digits}`;
}

/** The id of that storage account (in the Backup service's own subscription). */
export function backupStorageAccountId(vaultNumericId: string, purpose: SecondaryEndpointPurpose): string {
  return `/subscriptions/${BACKUP_SERVICE_SUBSCRIPTION_ID}/resourceGroups/${BACKUP_SERVICE_RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/${backupStorageAccountName(vaultNumericId, purpose)}`;
}

/** Which endpoints Backup creates at each step, per primary endpoint. */
export const SECONDARY_ENDPOINTS: Readonly<Record<SecondaryEndpointPurpose, readonly StorageService[]>> = {
  ecs: ['blob', 'queue'],
  prot: ['blob'],
};

export function isConnectionStatus(value: unknown): value is ConnectionStatus {
  return typeof value === 'string' && (CONNECTION_STATUSES as readonly string[]).includes(value);
}

/**
 * Whether the vault owner may move a connection from `from` to `to` through the Backup RP's PUT.
 * The owner decides Approved / Rejected / Disconnected; Pending is the requester's state, never the
 * owner's answer. Disconnected is final (the endpoint must be deleted and made again), as for
 * every Private Link service. Returns the reason when refused.
 */
export function connectionStatusChangeRefusal(from: ConnectionStatus, to: ConnectionStatus): string | undefined {
  if (to === 'Pending') return 'The status of a private endpoint connection can be set to Approved, Rejected or Disconnected only.';
  if (from === 'Disconnected' && to !== 'Disconnected') return 'The private endpoint connection is Disconnected; delete the private endpoint and create it again.';
  return undefined;
}

/** What Backup has recorded about a vault's items (never visible as ARM properties). */
export interface VaultBackupActivity {
  /** Containers (VMs, servers) registered with the vault. */
  registeredContainers: number;
  /** Items protected in the vault (each first backup protects one). */
  protectedItems: number;
  /** True once any registration or protection was attempted, even if it failed (seed FAQ). */
  everHadItems: boolean;
  /** When the first registration or protection was attempted (ISO time), failed or not. */
  firstItemAttemptAt?: string | undefined;
  /** When the vault got its first private endpoint connection (ISO time), whatever became of it. */
  firstPrivateEndpointAt?: string | undefined;
}

/**
 * The seed's eligibility rule, with the memory it needs: a vault refuses new private endpoints
 * when it had items (or an attempt to register or protect one) BEFORE its first private endpoint
 * ("Private endpoints for Backup can be only created for Recovery Services vaults that don't have
 * any items protected to it (or haven't had any items attempted to be protected or registered)").
 * A vault whose private endpoints came first can get more, or lose them and get them again, with
 * items protected (the seed's FAQ: "If you already created private endpoints for a vault and
 * protected backup items to it, you can later add or remove private endpoints as required").
 */
export function itemsBeforePrivateEndpoints(activity: Pick<VaultBackupActivity, 'everHadItems' | 'firstItemAttemptAt' | 'firstPrivateEndpointAt'>): boolean {
  if (!activity.everHadItems) return false;
  if (activity.firstPrivateEndpointAt === undefined || activity.firstItemAttemptAt === undefined) return true;
  // Both are ISO-8601 UTC strings of one clock: they order as text. A tie cannot mean "items
  // first": an endpoint is refused while items came first, so its time is never recorded after.
  return activity.firstItemAttemptAt < activity.firstPrivateEndpointAt;
}

export interface BackupManagementUsage {
  unit: 'Count';
  quotaPeriod?: string;
  currentValue: number;
  limit: number;
  name: { value: string; localizedValue: string };
}

/**
 * The `backupUsageSummaries` list. Without a filter: the vault-wide counters (ProtectedItemCount,
 * ManagedContainerCount, …); with `type eq 'BackupProtectedItemCountSummary'` or
 * `'BackupProtectionContainerCountSummary'`: per workload, as in the REST examples; any other
 * filter matches nothing. Items and
 * containers are counted as SQL-in-Azure-VM workloads (`AzureWorkload`), the workload the
 * seed's private endpoints serve.
 */
export function backupUsageSummaries(activity: VaultBackupActivity, filter: string | undefined): BackupManagementUsage[] {
  const count = (value: string, localizedValue: string, currentValue: number): BackupManagementUsage => ({
    unit: 'Count',
    currentValue,
    limit: -1,
    name: { value, localizedValue },
  });
  const type = filter === undefined ? undefined : /type\s+eq\s+'([^']+)'/i.exec(filter)?.[1]?.toLowerCase();
  if (type === 'backupprotecteditemcountsummary') {
    return [count('AzureWorkload', 'SQL in Azure VM', activity.protectedItems)];
  }
  if (type === 'backupprotectioncontainercountsummary') {
    return [count('AzureWorkload', 'SQL in Azure VM', activity.registeredContainers)];
  }
  if (filter !== undefined && filter.trim() !== '') return [];
  return [
    count('ProtectedItemCount', 'Backup items', activity.protectedItems),
    count('ManagedContainerCount', 'Registered containers', activity.registeredContainers),
    count('ProtectedItemCriticalCount', 'Critical', 0),
    count('ProtectedItemWarningCount', 'Warning', 0),
  ];
}
