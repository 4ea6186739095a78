/**
 * Identity and authorization, as ARM does them:
 * - callers present bearer tokens; the emulator's are unsigned JWTs (`alg: none`) whose `oid` and
 *   `tid` claims name the principal and its tenant, like the claims of real ARM tokens;
 * - every request is checked against the caller's role assignments: an assignment at a scope or
 *   any parent scope grants the role's `actions` minus its `notActions`, with `*` wildcards.
 * Built-in roles carry their real action lists (Azure's built-in role definitions) for the roles
 * vaultlink and the seed use; custom roles are read from the store.
 */
import { armCaseKey, parseResourceId, scopeOfRoleAssignmentId } from '../shared/domain/ids';
import { evaluateCondition, isConditionedAction, parseCondition, type Condition, type ConditionContext } from './abac';
import { BUILT_IN_ROLE_GUIDS } from './azure-facts';
import { armErrors, type JsonObject } from './arm';
import { Directory, IdentityClock } from './directory';
import type { ResourceStore, StoredResource } from './store';

export const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';
export const ROLE_DEFINITION_TYPE = 'Microsoft.Authorization/roleDefinitions';

/** Who makes a request: the token's `oid` and `tid`. */
export interface Principal {
  readonly principalId: string;
  readonly tenantId: string;
}

/** Structurally the `TokenCredential` of @azure/core-auth, so SDK clients accept it. */
export interface EmulatorTokenCredential {
  getToken(scopes: string | string[], options?: unknown): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

const TOKEN_LIFETIME_SECONDS = 3600 * 24;

function base64url(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** An unsigned JWT for a principal, with the claims ARM tokens carry. */
export function createAccessToken(principal: Principal, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  return [
    base64url({ alg: 'none', typ: 'JWT' }),
    base64url({
      aud: 'https://management.azure.com/',
      iss: `https://sts.windows.net/${principal.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + TOKEN_LIFETIME_SECONDS,
      oid: principal.principalId,
      sub: principal.principalId,
      tid: principal.tenantId,
      appid: principal.principalId,
      ver: '1.0',
    }),
    '',
  ].join('.');
}

/** A TokenCredential that always hands out a token for `principal` (any scopes). */
export function credentialFor(principal: Principal): EmulatorTokenCredential {
  return {
    async getToken() {
      const now = Date.now();
      return { token: createAccessToken(principal, now), expiresOnTimestamp: now + TOKEN_LIFETIME_SECONDS * 1000 };
    },
  };
}

/** The claims of a validated token. */
export interface TokenClaims extends Principal {
  readonly claims: Readonly<Record<string, unknown>>;
}

const TOKEN_CACHE_LIMIT = 10_000;
const tokenCache = new Map<string, TokenClaims>();

/**
 * Reads the `Authorization` header. Throws 401 InvalidAuthenticationToken when it is missing, not
 * a bearer token, not a JWT, lacks `oid`/`tid`, or has expired.
 */
export function authenticate(authorization: string | undefined, now = Date.now()): TokenClaims {
  if (!authorization) throw armErrors.invalidAuthenticationToken("Authentication failed. The 'Authorization' header is missing.");
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw armErrors.invalidAuthenticationToken("Authentication failed. The 'Authorization' header is provided in an invalid format.");
  const token = match[1] as string;
  const cached = tokenCache.get(token);
  if (cached) {
    checkExpiry(cached.claims, now);
    return cached;
  }
  const parts = token.split('.');
  if (parts.length !== 3) throw armErrors.invalidAuthenticationToken('The token is not a JWT.');
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('claims are not an object');
    claims = parsed as Record<string, unknown>;
  } catch {
    throw armErrors.invalidAuthenticationToken('The token payload is not valid JSON.');
  }
  const oid = claims['oid'];
  const tid = claims['tid'];
  if (typeof oid !== 'string' || oid.length === 0 || typeof tid !== 'string' || tid.length === 0) {
    throw armErrors.invalidAuthenticationToken("The token has no 'oid' or 'tid' claim.");
  }
  checkExpiry(claims, now);
  const result: TokenClaims = { principalId: oid, tenantId: tid, claims };
  if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.clear();
  tokenCache.set(token, result);
  return result;
}

function checkExpiry(claims: Readonly<Record<string, unknown>>, now: number): void {
  const exp = claims['exp'];
  if (typeof exp === 'number' && exp * 1000 < now) throw armErrors.invalidAuthenticationToken('The token has expired.');
}

// ---------------------------------------------------------------------------------------------
// Role definitions

export interface RolePermission {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

export interface RoleDefinition {
  /** The GUID (the definition's name). */
  readonly name: string;
  readonly roleName: string;
  readonly roleType: 'BuiltInRole' | 'CustomRole';
  readonly description: string;
  readonly permissions: readonly RolePermission[];
  readonly assignableScopes: readonly string[];
}

const roles = BUILT_IN_ROLE_GUIDS;
const commonReadActions = [
  'Microsoft.Authorization/*/read',
  'Microsoft.Insights/alertRules/*',
  'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read',
  'Microsoft.Support/*',
];

function builtIn(name: string, roleName: string, description: string, actions: string[], notActions: string[] = []): RoleDefinition {
  return {
    name,
    roleName,
    roleType: 'BuiltInRole',
    description,
    permissions: [{ actions, notActions, dataActions: [], notDataActions: [] }],
    assignableScopes: ['/'],
  };
}

/** Azure's built-in roles that the project uses, with their published action lists. */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  builtIn(roles.Owner, 'Owner', 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', ['*']),
  builtIn(
    roles.Contributor,
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    ['*'],
    [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  ),
  builtIn(roles.Reader, 'Reader', 'View all resources, but does not allow you to make any changes.', ['*/read']),
  builtIn(roles.NetworkContributor, 'Network Contributor', 'Lets you manage networks, but not access to them.', [
    ...commonReadActions.slice(0, 2),
    'Microsoft.Network/*',
    'Microsoft.ResourceHealth/availabilityStatuses/read',
    ...commonReadActions.slice(2),
  ]),
  builtIn(
    roles.PrivateDnsZoneContributor,
    'Private DNS Zone Contributor',
    'Lets you manage private DNS zone resources, but not the virtual networks they are linked to.',
    [
      ...commonReadActions,
      'Microsoft.Network/privateDnsZones/*',
      'Microsoft.Network/privateDnsOperationResults/*',
      'Microsoft.Network/privateDnsOperationStatuses/*',
      'Microsoft.Network/virtualNetworks/read',
      'Microsoft.Network/virtualNetworks/join/action',
    ],
  ),
  builtIn(
    roles.RoleBasedAccessControlAdministrator,
    'Role Based Access Control Administrator',
    'Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.',
    ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'],
  ),
  builtIn(roles.UserAccessAdministrator, 'User Access Administrator', 'Lets you manage user access to Azure resources.', [
    '*/read',
    'Microsoft.Authorization/*',
    'Microsoft.Support/*',
  ]),
];

const builtInByName = new Map(BUILT_IN_ROLES.map((r) => [armCaseKey(r.name), r]));

/** The role definition GUID of a `roleDefinitionId` in any of its forms (tenant or subscription scoped, or a bare GUID). */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  const last = roleDefinitionId.split('/').filter((s) => s.length > 0).pop() ?? '';
  return armCaseKey(last);
}

/** The built-in role with this GUID, if any. */
export function builtInRole(guid: string): RoleDefinition | undefined {
  return builtInByName.get(armCaseKey(guid));
}

/** Reads a custom role definition's stored ARM JSON into a {@link RoleDefinition}. */
export function roleDefinitionFromResource(stored: StoredResource): RoleDefinition {
  const props = (stored.resource['properties'] ?? {}) as JsonObject;
  const permissions = Array.isArray(props['permissions']) ? props['permissions'] : [];
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    name: armCaseKey(stored.parsed.name),
    roleName: typeof props['roleName'] === 'string' ? props['roleName'] : stored.parsed.name,
    roleType: 'CustomRole',
    description: typeof props['description'] === 'string' ? props['description'] : '',
    permissions: permissions.map((p) => {
      const o = (p ?? {}) as JsonObject;
      return { actions: strings(o['actions']), notActions: strings(o['notActions']), dataActions: strings(o['dataActions']), notDataActions: strings(o['notDataActions']) };
    }),
    assignableScopes: strings(props['assignableScopes']),
  };
}

// ---------------------------------------------------------------------------------------------
// Action matching and the authorizer

const patternCache = new Map<string, RegExp>();

/** True when an RBAC action pattern (`Microsoft.Network/*`, `* /read` without the space, `*`) matches an action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$', 'i');
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** True when a role grants an action: some permission block lists it in `actions` and not in `notActions`. */
export function roleGrants(role: RoleDefinition, action: string): boolean {
  return role.permissions.some((p) => p.actions.some((a) => actionMatches(a, action)) && !p.notActions.some((n) => actionMatches(n, action)));
}

interface EffectiveAssignment {
  readonly scopeKey: string;
  readonly roleGuid: string;
  /** Identity-clock time from which the assignment counts (propagation); 0 for seeded ones. */
  effectiveAt: number;
  /** The assignment's ABAC condition; `false` when the stored text does not parse (grants nothing conditioned). */
  readonly condition: Condition | false | undefined;
}

/** The attributes of a request that conditions test (the action is given separately). */
export type ConditionAttributes = Omit<ConditionContext, 'action'>;

/**
 * Answers "may this principal perform this action at this scope?" from the role assignments in the
 * store. The assignments are indexed per principal and kept up to date by watching the store, so a
 * check costs a few comparisons however many assignments a fleet has; custom role definitions are
 * re-read when any of them changes (rare).
 */
export class Authorizer {
  private readonly byPrincipal = new Map<string, Map<string, EffectiveAssignment>>();
  private readonly principalOfAssignment = new Map<string, string>();
  private customRoles = new Map<string, RoleDefinition>();
  private customRolesVersion = -1;

  /** The directory (principals, replication) and the identity clock that propagation reads. */
  readonly directory: Directory;

  constructor(
    private readonly store: ResourceStore,
    directory?: Directory,
  ) {
    this.directory = directory ?? new Directory(new IdentityClock());
    // What is in the store before the authorizer watches it was there "before": effective at once.
    for (const stored of store.list({ type: ROLE_ASSIGNMENT_TYPE })) this.index(stored.key, stored, 0);
    store.watch(ROLE_ASSIGNMENT_TYPE, (key, stored) => this.index(key, stored));
  }

  /**
   * True when the principal holds a role granting `action` at `scope` or a parent scope, through
   * an assignment that has propagated, and whose condition (for the actions conditions apply to:
   * role assignment writes and deletes) holds for `attributes`. Without `attributes` (no request
   * or resource to test, e.g. deleting what does not exist) conditions are not evaluated.
   */
  isAuthorized(principalId: string, action: string, scope: string, attributes?: ConditionAttributes): boolean {
    const assignments = this.byPrincipal.get(armCaseKey(principalId));
    if (!assignments) return false;
    const target = scopeKey(scope);
    const now = this.directory.clock.now();
    for (const assignment of assignments.values()) {
      if (!isAtOrBelow(target, assignment.scopeKey)) continue;
      if (assignment.effectiveAt > now) continue;
      const role = this.roleDefinition(assignment.roleGuid);
      if (!role || !roleGrants(role, action)) continue;
      if (assignment.condition !== undefined && attributes !== undefined && isConditionedAction(action)) {
        if (assignment.condition === false || !evaluateCondition(assignment.condition, { action, ...attributes })) continue;
      }
      return true;
    }
    return false;
  }

  /** Throws 403 AuthorizationFailed unless authorized. */
  assertAuthorized(principalId: string, action: string, scope: string, attributes?: ConditionAttributes): void {
    if (!this.isAuthorized(principalId, action, scope, attributes)) throw armErrors.authorizationFailed(principalId, action, displayScope(scope));
  }

  /** Makes an assignment effective at once (seeding: the landing zone as it already was). */
  markEffectiveNow(assignmentKey: string): void {
    const principal = this.principalOfAssignment.get(assignmentKey);
    const a = principal === undefined ? undefined : this.byPrincipal.get(principal)?.get(assignmentKey);
    if (a) a.effectiveAt = 0;
  }

  /** When an assignment becomes effective (identity-clock ms), undefined when it is unknown. */
  effectiveAtOf(assignmentKey: string): number | undefined {
    const principal = this.principalOfAssignment.get(assignmentKey);
    return principal === undefined ? undefined : this.byPrincipal.get(principal)?.get(assignmentKey)?.effectiveAt;
  }

  /** Throws 403 LinkedAuthorizationFailed unless authorized on a linked resource (a subnet a PE joins, a vault it connects to). */
  assertLinkedAuthorized(principalId: string, action: string, linkedScope: string): void {
    if (!this.isAuthorized(principalId, action, linkedScope)) throw armErrors.linkedAuthorizationFailed(principalId, action, displayScope(linkedScope));
  }

  /** True when the principal holds any role assignment at, above or below the scope (ARM shows such a subscription to it). */
  hasAnyAssignmentWithin(principalId: string, scope: string): boolean {
    const target = scopeKey(scope);
    const assignments = this.byPrincipal.get(armCaseKey(principalId));
    if (!assignments) return false;
    for (const a of assignments.values()) if (isAtOrBelow(a.scopeKey, target) || isAtOrBelow(target, a.scopeKey)) return true;
    return false;
  }

  /** Store keys of the principal's role assignments (any scope). */
  assignmentKeysOf(principalId: string): string[] {
    return [...(this.byPrincipal.get(armCaseKey(principalId))?.keys() ?? [])];
  }

  /** A role definition by GUID: built-in, else a custom definition stored under any scope. */
  roleDefinition(guid: string): RoleDefinition | undefined {
    const g = armCaseKey(guid);
    const builtin = builtInByName.get(g);
    if (builtin) return builtin;
    const version = this.store.version(ROLE_DEFINITION_TYPE);
    if (version !== this.customRolesVersion) {
      this.customRoles = new Map(this.store.list({ type: ROLE_DEFINITION_TYPE }).map((stored) => {
        const role = roleDefinitionFromResource(stored);
        return [role.name, role] as const;
      }));
      this.customRolesVersion = version;
    }
    return this.customRoles.get(g);
  }

  private index(key: string, stored: StoredResource | undefined, effectiveAt?: number): void {
    const previousPrincipal = this.principalOfAssignment.get(key);
    const previousEffectiveAt = previousPrincipal === undefined ? undefined : this.byPrincipal.get(previousPrincipal)?.get(key)?.effectiveAt;
    if (previousPrincipal !== undefined) {
      this.byPrincipal.get(previousPrincipal)?.delete(key);
      this.principalOfAssignment.delete(key);
    }
    if (!stored) return;
    const props = (stored.resource['properties'] ?? {}) as JsonObject;
    const principalId = props['principalId'];
    const roleDefinitionId = props['roleDefinitionId'];
    if (typeof principalId !== 'string' || typeof roleDefinitionId !== 'string') return;
    const principal = armCaseKey(principalId);
    let assignments = this.byPrincipal.get(principal);
    if (!assignments) this.byPrincipal.set(principal, (assignments = new Map()));
    const conditionText = props['condition'];
    let condition: Condition | false | undefined;
    if (typeof conditionText === 'string' && conditionText.trim() !== '') {
      try {
        condition = parseCondition(conditionText);
      } catch {
        condition = false;
      }
    }
    assignments.set(key, {
      scopeKey: scopeKey(scopeOfRoleAssignmentId(stored.id)),
      roleGuid: roleDefinitionGuid(roleDefinitionId),
      effectiveAt: effectiveAt ?? previousEffectiveAt ?? this.directory.clock.now() + this.directory.propagationDelayMs,
      condition,
    });
    this.principalOfAssignment.set(key, principal);
  }
}

/** Comparison key of a scope: `/` for the root (tenant), else the lower-cased canonical id. */
export function scopeKey(scope: string): string {
  if (/^\/*$/.test(scope)) return '/';
  try {
    return parseResourceId(scope).key;
  } catch {
    return armCaseKey(scope);
  }
}

function isAtOrBelow(target: string, scope: string): boolean {
  return scope === '/' || target === scope || target.startsWith(scope + '/');
}

function displayScope(scope: string): string {
  try {
    return parseResourceId(scope).id;
  } catch {
    return scope;
  }
}

