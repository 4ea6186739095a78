/**
 * Private endpoints from Backup's point of view: the customer's primary PE to a vault, the
 * classic experience's secondary PEs that Azure Backup creates next to it, or unrelated.
 *
 * Classic secondaries are named after their primary and live in the primary's resource group:
 * `<primary>_ecs…_blob` and `<primary>_ecs…_queue` (after the first registration),
 * `<primary>_prot…_blob` (after the first backup). Their own connections target Backup-owned
 * storage accounts, so the name is the only tie to the vault.
 */
import { armCaseKey, armEquals, isResourceType, resourceInGroupId, tryParseResourceId } from './ids';
import type { PrivateEndpoint } from './model';

export const VAULT_RESOURCE_TYPE = 'Microsoft.RecoveryServices/vaults';
export const PRIVATE_ENDPOINT_RESOURCE_TYPE = 'Microsoft.Network/privateEndpoints';

/** Backup's private-link group ids: `AzureBackup_secondary` is (unconfirmed) the paired region's PE for cross-region restore. */
export type BackupGroupId = 'AzureBackup' | 'AzureBackup_secondary';
export const BACKUP_GROUP_IDS: readonly BackupGroupId[] = ['AzureBackup', 'AzureBackup_secondary'];

/** Which secondary PE of the classic experience: ecs blob/queue (first registration), prot blob (first backup). */
export type SecondaryRole = 'ecs-blob' | 'ecs-queue' | 'prot-blob';
export const SECONDARY_ROLES: readonly SecondaryRole[] = ['ecs-blob', 'ecs-queue', 'prot-blob'];

export type PrivateEndpointClass =
  | {
      readonly kind: 'backup-primary';
      /** Id of the target vault, canonical: ARM keywords and `Microsoft.RecoveryServices/vaults` in ARM's casing, names as given. */
      readonly vaultId: string;
      readonly groupId: BackupGroupId;
      /** True when the connection is in `manualPrivateLinkServiceConnections`. */
      readonly manual: boolean;
    }
  | {
      readonly kind: 'backup-secondary';
      readonly role: SecondaryRole;
      /** Name of the primary PE (as that PE spells it). */
      readonly primaryName: string;
      /** Id of the primary PE. */
      readonly primaryId: string;
    }
  | { readonly kind: 'unrelated' };

function backupGroupIdOf(groupIds: readonly string[]): BackupGroupId | undefined {
  for (const g of groupIds) {
    const match = BACKUP_GROUP_IDS.find((b) => b.toLowerCase() === g.toLowerCase());
    if (match) return match;
  }
  return undefined;
}

/**
 * The Backup connection of a PE, when it has one: a connection (automatic first, then manual)
 * whose `privateLinkServiceId` is a well-formed Recovery Services vault id and whose groups
 * include a Backup group. A malformed target id is not a vault.
 */
export function backupConnectionOf(pe: PrivateEndpoint): { vaultId: string; groupId: BackupGroupId; manual: boolean } | undefined {
  const ordered = [...pe.connections.filter((c) => !c.manual), ...pe.connections.filter((c) => c.manual)];
  for (const c of ordered) {
    const target = tryParseResourceId(c.privateLinkServiceId);
    if (!target || !isResourceType(target, VAULT_RESOURCE_TYPE) || target.segments.length !== 1) continue;
    if (target.subscriptionId === undefined || target.resourceGroup === undefined) continue;
    const groupId = backupGroupIdOf(c.groupIds);
    if (groupId === undefined) continue;
    // Rebuilt so the type reads `Microsoft.RecoveryServices/vaults` however the PE spelled it.
    const vaultId = resourceInGroupId(target.subscriptionId, target.resourceGroup, VAULT_RESOURCE_TYPE, target.name);
    return { vaultId, groupId, manual: c.manual };
  }
  return undefined;
}

const SECONDARY_SUFFIXES: readonly { role: SecondaryRole; pattern: RegExp }[] = [
  // `…` may be empty or any characters (Backup appends an opaque id); anchored at the end.
  { role: 'ecs-blob', pattern: /^_ecs.*_blob$/is },
  { role: 'ecs-queue', pattern: /^_ecs.*_queue$/is },
  { role: 'prot-blob', pattern: /^_prot.*_blob$/is },
];

/** The role a name would have as a secondary of `primaryName`, or undefined. Case-insensitive like ARM names. */
export function secondaryRoleOf(name: string, primaryName: string): SecondaryRole | undefined {
  if (primaryName.length === 0 || name.length <= primaryName.length) return undefined;
  if (name.slice(0, primaryName.length).toLowerCase() !== primaryName.toLowerCase()) return undefined;
  const rest = name.slice(primaryName.length);
  return SECONDARY_SUFFIXES.find((s) => s.pattern.test(rest))?.role;
}

// Comparison key of an id; a malformed one still compares, as its own ARM key.
function idKey(id: string): string {
  return tryParseResourceId(id)?.key ?? armCaseKey(id);
}

function sameResourceGroup(a: PrivateEndpoint, b: PrivateEndpoint): boolean {
  return armEquals(a.subscriptionId, b.subscriptionId) && armEquals(a.resourceGroup, b.resourceGroup);
}

/**
 * Classifies a PE. `peersInResourceGroup` are the other PEs of its resource group (PEs from
 * elsewhere and the PE itself are ignored): a secondary is recognised only when its primary —
 * a Backup PE to a vault — is among them. When several primaries' names are prefixes of the
 * name (`pe` and `pe_ecsA` both fit `pe_ecsA_ecs1_blob`), the longest wins: it is the more
 * specific tie, and Backup names a secondary by appending to the full primary name.
 */
export function classifyPrivateEndpoint(pe: PrivateEndpoint, peersInResourceGroup: readonly PrivateEndpoint[] = []): PrivateEndpointClass {
  const backup = backupConnectionOf(pe);
  if (backup) return { kind: 'backup-primary', ...backup };

  let best: { role: SecondaryRole; primary: PrivateEndpoint } | undefined;
  for (const peer of peersInResourceGroup) {
    if (idKey(peer.id) === idKey(pe.id) || !sameResourceGroup(pe, peer)) continue;
    if (best && peer.name.length <= best.primary.name.length) continue;
    const role = secondaryRoleOf(pe.name, peer.name);
    if (role === undefined || backupConnectionOf(peer) === undefined) continue;
    best = { role, primary: peer };
  }
  if (best) return { kind: 'backup-secondary', role: best.role, primaryName: best.primary.name, primaryId: best.primary.id };
  return { kind: 'unrelated' };
}

/**
 * The classic secondaries of a primary PE among all PEs of its resource group: each PE that
 * {@link classifyPrivateEndpoint} ties to exactly this primary (so a longer primary's
 * secondaries are not claimed by a shorter one).
 */
export function findSecondaryPrivateEndpoints(
  primary: PrivateEndpoint,
  privateEndpointsInResourceGroup: readonly PrivateEndpoint[],
): { privateEndpoint: PrivateEndpoint; role: SecondaryRole }[] {
  const all = privateEndpointsInResourceGroup.some((p) => idKey(p.id) === idKey(primary.id))
    ? privateEndpointsInResourceGroup
    : [...privateEndpointsInResourceGroup, primary];
  const found: { privateEndpoint: PrivateEndpoint; role: SecondaryRole }[] = [];
  for (const pe of all) {
    const c = classifyPrivateEndpoint(pe, all);
    if (c.kind === 'backup-secondary' && idKey(c.primaryId) === idKey(primary.id)) found.push({ privateEndpoint: pe, role: c.role });
  }
  return found;
}
