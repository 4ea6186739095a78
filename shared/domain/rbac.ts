/**
 * The role assignments a classic vault's system-assigned identity needs so that Azure Backup can
 * create its secondary PEs and their DNS records (seed: "Grant permissions to the vault").
 *
 * Profiles:
 * - `contributor` (the seed's default): Contributor on the resource groups of the VNet, of the
 *   PEs and of the DNS zones.
 * - `least-privilege` (the seed's "Managing permissions on Resource Groups"):
 *   PrivateEndpointContributor + NetworkInterfaceReader on the PE resource group,
 *   PrivateEndpointSubnetContributor on the VNet itself, Private DNS Zone Contributor on the
 *   DNS-zone resource group. The subnet role goes on the VNet rather than its resource group:
 *   the seed says "on the virtual network", and the VNet is the narrowest scope that covers
 *   every subnet a PE may join (a resource group may hold other VNets the vault has no business
 *   joining).
 *
 * Names are deterministic — UUIDv5 of `scope|principal|roleGuid` — so a retried or concurrent
 * write converges on the same assignment (the same idea as Bicep's `guid(scope, principal, role)`).
 */
import { v5 as uuidv5 } from 'uuid';
import contract from '../contract.json';
import { parseResourceId, resourceGroupOf, tryParseResourceId } from './ids';
import type { RoleAssignment } from './model';

export type RoleProfile = 'contributor' | 'least-privilege';

/** GUIDs (or full ids) of the seed's three custom role definitions, created per tenant. */
export interface CustomRoleDefinitionIds {
  readonly PrivateEndpointContributor: string;
  readonly NetworkInterfaceReader: string;
  readonly PrivateEndpointSubnetContributor: string;
}

/** The `roles` section of the policy file. */
export interface RolesPolicy {
  readonly profile: RoleProfile;
  /** Required when `profile` is `least-privilege`. */
  readonly customRoleDefinitionIds?: CustomRoleDefinitionIds | undefined;
}

/** Built-in role GUIDs (from shared/contract.json). */
export const BUILT_IN_ROLE_GUIDS = contract.roleDefinitions;

/** Actions of the seed's custom roles (from shared/contract.json). */
export const LEAST_PRIVILEGE_CUSTOM_ROLE_ACTIONS: Readonly<Record<keyof CustomRoleDefinitionIds, readonly string[]>> = {
  PrivateEndpointContributor: contract.leastPrivilegeCustomRoles.PrivateEndpointContributor,
  NetworkInterfaceReader: contract.leastPrivilegeCustomRoles.NetworkInterfaceReader,
  PrivateEndpointSubnetContributor: contract.leastPrivilegeCustomRoles.PrivateEndpointSubnetContributor,
};

/**
 * Namespace of role assignment names (UUIDv5). Fixed forever: changing it would rename every
 * assignment vaultlink ever made, and ARM would answer 409 `RoleAssignmentExists` for each.
 * Generated once, randomly, for this project.
 */
export const ROLE_ASSIGNMENT_NAMESPACE = 'c703fcbb-62ef-402c-8010-ba5af5c7e4ec';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The GUID of a role definition, lower-cased, from any of: the subscription-scoped id
 * (`/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}`), the
 * provider-only id (`/providers/Microsoft.Authorization/roleDefinitions/{guid}`), or a bare GUID.
 * Throws on anything else.
 */
export function roleDefinitionGuidOf(id: string): string {
  const trimmed = id.trim();
  if (GUID.test(trimmed)) return trimmed.toLowerCase();
  const p = tryParseResourceId(trimmed);
  const last = p?.segments[p.segments.length - 1];
  if (
    p === undefined ||
    last === undefined ||
    p.type.toLowerCase() !== 'microsoft.authorization/roledefinitions' ||
    p.resourceGroup !== undefined ||
    p.segments.length !== 1 ||
    !GUID.test(last.name)
  ) {
    throw new Error(`not a role definition id: ${JSON.stringify(id)}`);
  }
  return last.name.toLowerCase();
}

/** The subscription-scoped role definition id that role assignment requests send. */
export function roleDefinitionIdFor(subscriptionId: string, roleDefinitionGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionGuidOf(roleDefinitionGuid)}`;
}

/** The deterministic name of the assignment of `roleDefinitionGuid` to `principalId` at `scope`. */
export function roleAssignmentName(scope: string, principalId: string, roleDefinitionGuid: string): string {
  const key = `${parseResourceId(scope).key}|${principalId.trim().toLowerCase()}|${roleDefinitionGuidOf(roleDefinitionGuid)}`;
  return uuidv5(key, ROLE_ASSIGNMENT_NAMESPACE);
}

/** A role assignment vaultlink wants to exist. */
export interface DesiredRoleAssignment {
  /** Canonical scope id (`ids.ts`). */
  readonly scope: string;
  readonly roleDefinitionGuid: string;
  readonly principalId: string;
  /** UUIDv5 name ({@link roleAssignmentName}). */
  readonly name: string;
  /** Role name for plans and logs (`Contributor`, `PrivateEndpointContributor`, …). */
  readonly roleName: string;
}

export interface RequiredRoleAssignmentsInput {
  /** VNets hosting the vault's PEs. */
  readonly vnetIds: readonly string[];
  /** Resource group ids holding the vault's PEs. */
  readonly peResourceGroupIds: readonly string[];
  /** Resource group ids holding the DNS zones. */
  readonly dnsZoneResourceGroupIds: readonly string[];
  /** The vault's system-assigned identity. */
  readonly principalId: string;
  readonly profile: RoleProfile;
  readonly customRoleDefinitionIds?: CustomRoleDefinitionIds | undefined;
}

/**
 * The assignments the profile needs, deduplicated by (scope, role) and sorted by scope then role
 * name. Scopes are normalised with ids.ts, so `resourcegroups`/`resourceGroups` variants collapse.
 * Throws on a malformed id, or on `least-privilege` without custom role ids (the policy schema
 * requires them).
 */
export function requiredRoleAssignments(input: RequiredRoleAssignmentsInput): DesiredRoleAssignment[] {
  const principalId = input.principalId.trim();
  if (principalId.length === 0) throw new Error('requiredRoleAssignments: the vault identity has no principal id');
  const wanted: { scope: string; roleName: string; guid: string }[] = [];
  const rg = (id: string) => resourceGroupOf(id);
  const builtIn = BUILT_IN_ROLE_GUIDS;

  if (input.profile === 'contributor') {
    for (const id of [...input.vnetIds.map(rg), ...input.peResourceGroupIds.map(rg), ...input.dnsZoneResourceGroupIds.map(rg)]) {
      wanted.push({ scope: id, roleName: 'Contributor', guid: builtIn.Contributor });
    }
  } else {
    const custom = input.customRoleDefinitionIds;
    if (custom === undefined) throw new Error('requiredRoleAssignments: profile "least-privilege" needs customRoleDefinitionIds');
    for (const id of input.peResourceGroupIds.map(rg)) {
      wanted.push({ scope: id, roleName: 'PrivateEndpointContributor', guid: custom.PrivateEndpointContributor });
      wanted.push({ scope: id, roleName: 'NetworkInterfaceReader', guid: custom.NetworkInterfaceReader });
    }
    for (const id of input.vnetIds) wanted.push({ scope: id, roleName: 'PrivateEndpointSubnetContributor', guid: custom.PrivateEndpointSubnetContributor });
    for (const id of input.dnsZoneResourceGroupIds.map(rg)) wanted.push({ scope: id, roleName: 'PrivateDnsZoneContributor', guid: builtIn.PrivateDnsZoneContributor });
  }

  const byKey = new Map<string, DesiredRoleAssignment>();
  for (const w of wanted) {
    const scope = parseResourceId(w.scope);
    const roleDefinitionGuid = roleDefinitionGuidOf(w.guid);
    const key = `${scope.key}|${roleDefinitionGuid}`;
    if (byKey.has(key)) continue;
    byKey.set(key, {
      scope: scope.id,
      roleDefinitionGuid,
      principalId,
      name: roleAssignmentName(scope.id, principalId, roleDefinitionGuid),
      roleName: w.roleName,
    });
  }
  return [...byKey.values()].sort((a, b) => byCodePoint(a.scope.toLowerCase(), b.scope.toLowerCase()) || byCodePoint(a.roleName, b.roleName));
}

// Locale-independent order: plans must read the same on every machine.
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * True when an existing assignment grants the desired one: same scope (ids.ts key), principal
 * and role GUID — whatever its name (someone may have granted it by hand). An assignment at a
 * broader scope is not counted: vaultlink does not reason about inheritance.
 */
export function grantsRoleAssignment(existing: RoleAssignment, desired: DesiredRoleAssignment): boolean {
  const a = tryParseResourceId(existing.scope);
  const b = tryParseResourceId(desired.scope);
  return (
    a !== undefined &&
    b !== undefined &&
    a.key === b.key &&
    existing.principalId.trim().toLowerCase() === desired.principalId.toLowerCase() &&
    existing.roleDefinitionGuid.toLowerCase() === desired.roleDefinitionGuid
  );
}

/**
 * How long Azure can take to apply a new role assignment ("Troubleshoot Azure RBAC": role
 * assignment changes can take up to 10 minutes to take effect). Until then Azure Backup, acting
 * as the vault identity, cannot create its `_ecs`/`_prot` endpoints with the roles just granted.
 */
export const ROLE_ASSIGNMENT_PROPAGATION_MS = 10 * 60 * 1000;

/**
 * When the last of `held` (plus any granted now, at `now`) takes effect in Azure: undefined when
 * all of them are older than the propagation window (or ARM did not say when they were made).
 */
export function rolesEffectiveAfter(held: readonly RoleAssignment[], grantingNow: boolean, now: string): string | undefined {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) return undefined;
  let latest = grantingNow ? nowMs : Number.NEGATIVE_INFINITY;
  for (const a of held) {
    const created = a.createdOn === undefined ? Number.NaN : Date.parse(a.createdOn);
    if (!Number.isNaN(created)) latest = Math.max(latest, created);
  }
  if (!Number.isFinite(latest) || latest + ROLE_ASSIGNMENT_PROPAGATION_MS <= nowMs) return undefined;
  return new Date(latest + ROLE_ASSIGNMENT_PROPAGATION_MS).toISOString();
}

/** The desired assignments that no existing one grants. */
export function missingRoleAssignments(desired: readonly DesiredRoleAssignment[], existing: readonly RoleAssignment[]): DesiredRoleAssignment[] {
  return desired.filter((d) => !existing.some((e) => grantsRoleAssignment(e, d)));
}

// ---------------------------------------------------------------------------------------------
// Ownership marker
//
// Role assignments have no tags or metadata; their `description` is the one free-text field ARM
// keeps. vaultlink writes there who made the assignment (owner id) and for which vault's identity,
// so that it can tell its own grants from everyone else's after the identity changed (a vault's
// identity turned off and on again comes back with a new principal id; the old one's grants stay
// behind). A grant without the marker, or with another owner's, is never revoked.

const MARKER_PREFIX = 'managed by vaultlink';

/** An identity change vaultlink recorded in the marker of the grants it made for the new identity. */
export interface MarkedIdentityChange {
  readonly fromPrincipalId: string;
  readonly detectedAt: string;
}

const CHANGE_MARK = /; identity changed from ([0-9a-f-]{36}) at (\S+)$/i;

/**
 * The `description` vaultlink gives a role assignment it makes for the identity of `vaultId`. When
 * the grant follows an identity change, the marker records it, so that the change stays visible in
 * Azure itself (a stateless `vaultlink status` reads it back) for as long as the grant lives.
 */
export function roleAssignmentMarker(ownerId: string, vaultId: string, change?: MarkedIdentityChange): string {
  const base = `${MARKER_PREFIX} (owner ${ownerId}) for the system-assigned identity of vault ${parseResourceId(vaultId).id}`;
  return change === undefined ? base : `${base}; identity changed from ${change.fromPrincipalId} at ${change.detectedAt}`;
}

/** The identity change a marker records, if any. */
export function markedIdentityChangeOf(description: string | undefined): MarkedIdentityChange | undefined {
  const m = description === undefined ? null : CHANGE_MARK.exec(description);
  return m === null ? undefined : { fromPrincipalId: (m[1] as string).toLowerCase(), detectedAt: m[2] as string };
}

/** The vault a role assignment was made for by vaultlink with this `ownerId`, from its description; undefined when it carries no such marker. */
export function markedVaultOf(description: string | undefined, ownerId: string): string | undefined {
  if (description === undefined || ownerId.length === 0) return undefined;
  const head = `${MARKER_PREFIX} (owner ${ownerId}) for the system-assigned identity of vault `;
  if (!description.startsWith(head)) return undefined;
  const rest = description.slice(head.length);
  const end = rest.indexOf(';');
  const id = tryParseResourceId((end < 0 ? rest : rest.slice(0, end)).trim());
  return id === undefined ? undefined : id.id;
}

/** True when the assignment carries vaultlink's marker (this owner) naming `vaultId`. */
export function isMarkedFor(assignment: Pick<RoleAssignment, 'description'>, ownerId: string, vaultId: string): boolean {
  const marked = markedVaultOf(assignment.description, ownerId);
  const a = marked === undefined ? undefined : tryParseResourceId(marked);
  const b = tryParseResourceId(vaultId);
  return a !== undefined && b !== undefined && a.key === b.key;
}
