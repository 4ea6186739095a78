/**
 * Microsoft.Authorization: role assignments (PUT/GET/DELETE/list at any scope, with ARM's
 * `$filter`s) and role definitions (the built-in roles of auth.ts plus custom roles).
 * The authorizer (auth.ts) reads the assignments and custom definitions that live in the store.
 *
 * Role assignment writes behave as Azure's do for a directory that replicates and conditions that
 * constrain delegates (directory.ts, abac.ts):
 * - `condition` / `conditionVersion: "2.0"` are validated (400 `InvalidConditionExpression`, with
 *   Azure's "The given role assignment condition is invalid.") and stored;
 * - the caller's `roleAssignments/write` (PUT) or `/delete` (DELETE) is checked here, not by the
 *   pipeline, because the caller's own conditions test the request (`@Request[…]`) or the existing
 *   assignment (`@Resource[…]`): 403 `AuthorizationFailed` when no grant's condition holds;
 * - a principal the directory has not replicated yet answers 400 `PrincipalNotFound` unless the
 *   request names its `principalType`; a visible one with another type 400 `UnmatchedPrincipalType`;
 * - a new assignment is effective for authorization after the propagation delay.
 * A vault's system-assigned (or user-assigned) identity enters the directory when it first
 * appears on a vault; tests add principals with `POST /_emulator/principals`.
 */
import { randomUUID } from 'node:crypto';
import { parseResourceId, scopeOfRoleAssignmentId, tryParseResourceId } from '../../shared/domain/ids';
import { InvalidConditionError, parseCondition } from '../abac';
import { ArmError, armErrors, type JsonObject, type JsonValue } from '../arm';
import { isPrincipalType, principalNotFound, PRINCIPAL_TYPES, unmatchedPrincipalType, type IdentityTimingOptions, type PrincipalType } from '../directory';
import {
  BUILT_IN_ROLES,
  builtInRole,
  ROLE_ASSIGNMENT_TYPE,
  ROLE_DEFINITION_TYPE,
  roleDefinitionFromResource,
  roleDefinitionGuid,
  scopeKey,
  type RoleDefinition,
} from '../auth';
import type { ArmContext, EmulatorProvider, ProviderApi } from '../server';
import type { StoredResource } from '../store';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RoleAssignmentSeed {
  readonly scope: string;
  readonly principalId: string;
  /** A role definition GUID or id in any form. */
  readonly roleDefinitionId: string;
  readonly principalType?: string;
  /** Default: a new GUID. */
  readonly name?: string;
  readonly createdBy?: string;
  /** An ABAC condition (version 2.0). */
  readonly condition?: string;
  readonly description?: string;
}

/** The ARM error of a malformed condition (Azure's message, with the parser's reason). */
export function invalidCondition(reason: string): ArmError {
  return armErrors.badRequest('InvalidConditionExpression', `The given role assignment condition is invalid. ${reason}`);
}

/** Checks a condition and its version as Azure does on write; returns the version to store. */
export function validateCondition(condition: unknown, conditionVersion: unknown): { condition: string; conditionVersion: '2.0' } | undefined {
  if (condition === undefined || condition === null || condition === '') {
    if (conditionVersion !== undefined && conditionVersion !== null) throw invalidCondition('conditionVersion is set but there is no condition.');
    return undefined;
  }
  if (typeof condition !== 'string') throw invalidCondition('The condition must be a string.');
  if (conditionVersion !== undefined && conditionVersion !== null && conditionVersion !== '2.0') {
    throw invalidCondition(`conditionVersion must be "2.0" (got ${JSON.stringify(conditionVersion)}).`);
  }
  try {
    parseCondition(condition);
  } catch (e) {
    if (e instanceof InvalidConditionError) throw invalidCondition(`${e.message}.`);
    throw e;
  }
  return { condition, conditionVersion: '2.0' };
}

/** The canonical text of a scope: `/` for the tenant root, else the canonical resource id. */
export function canonicalScope(scope: string): string {
  if (/^\/*$/.test(scope)) return '/';
  return parseResourceId(scope).id;
}

/** The id of a role assignment at a scope. */
export function roleAssignmentId(scope: string, name: string): string {
  const s = canonicalScope(scope);
  return `${s === '/' ? '' : s}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** A role definition id in the subscription-scoped form responses use (tenant form without a subscription). */
export function roleDefinitionIdFor(guid: string, subscriptionId: string | undefined): string {
  return subscriptionId === undefined
    ? `/providers/Microsoft.Authorization/roleDefinitions/${guid}`
    : `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

function subscriptionOfScope(scope: string): string | undefined {
  return scope === '/' ? undefined : tryParseResourceId(scope)?.subscriptionId;
}

/** The ARM body of a role assignment. */
export function roleAssignmentBody(seed: Required<Pick<RoleAssignmentSeed, 'name'>> & RoleAssignmentSeed, now = new Date().toISOString()): JsonObject {
  const scope = canonicalScope(seed.scope);
  return {
    id: roleAssignmentId(scope, seed.name),
    type: ROLE_ASSIGNMENT_TYPE,
    name: seed.name,
    properties: {
      roleDefinitionId: roleDefinitionIdFor(roleDefinitionGuid(seed.roleDefinitionId), subscriptionOfScope(scope)),
      principalId: seed.principalId,
      principalType: seed.principalType ?? 'ServicePrincipal',
      scope,
      condition: seed.condition ?? null,
      conditionVersion: seed.condition ? '2.0' : null,
      description: seed.description ?? null,
      createdOn: now,
      updatedOn: now,
      createdBy: seed.createdBy ?? null,
      updatedBy: seed.createdBy ?? null,
      delegatedManagedIdentityResourceId: null,
    },
  };
}

/** The ARM body of a role definition as seen from `scope`. */
export function roleDefinitionBody(role: RoleDefinition, scope: string, stored?: StoredResource): JsonObject {
  const subscriptionId = subscriptionOfScope(scope);
  return {
    id: stored?.id ?? roleDefinitionIdFor(role.name, subscriptionId),
    name: role.name,
    type: ROLE_DEFINITION_TYPE,
    properties: {
      roleName: role.roleName,
      type: role.roleType,
      description: role.description,
      assignableScopes: [...role.assignableScopes],
      permissions: role.permissions.map((p) => ({ actions: [...p.actions], notActions: [...p.notActions], dataActions: [...p.dataActions], notDataActions: [...p.notDataActions] })),
      createdOn: stored?.createdAt ?? '2015-02-02T21:55:09.8806423Z',
      updatedOn: stored?.changedAt ?? '2024-01-01T00:00:00.0000000Z',
      createdBy: stored?.createdBy ?? null,
      updatedBy: stored?.createdBy ?? null,
    },
  };
}

export interface AuthorizationExports {
  /** Creates a role assignment without an ARM request (seeding: no event, not counted as a write, effective at once). */
  seedRoleAssignment(seed: RoleAssignmentSeed): StoredResource;
  /** Adds a principal to the directory now (default type ServicePrincipal, default id a new GUID); it replicates like a new one. */
  createPrincipal(options?: { principalId?: string; principalType?: PrincipalType }): { principalId: string; principalType: PrincipalType };
  /** Replication and propagation delays. */
  identitySettings(): Required<IdentityTimingOptions>;
  configureIdentity(options: IdentityTimingOptions): Required<IdentityTimingOptions>;
  /** Moves the identity clock forward ("ten minutes later"), for replication and propagation. */
  advanceIdentityClock(ms: number): void;
  /** A role definition by GUID or id (built-in or custom). */
  findRoleDefinition(roleDefinitionId: string): RoleDefinition | undefined;
  /** A role definition GUID by role name (`Contributor`), built-in or custom. */
  roleGuidByName(roleName: string): string | undefined;
}

interface ParsedFilter {
  readonly atScope: boolean;
  readonly principalId?: string;
  readonly assignedTo?: string;
  readonly roleName?: string;
  readonly type?: string;
}

/** Parses the `$filter`s ARM accepts here: `atScope()`, `principalId eq '…'`, `assignedTo('…')`, `roleName eq '…'`, `type eq '…'`. */
export function parseAuthorizationFilter(filter: string | null): ParsedFilter {
  if (!filter) return { atScope: false };
  const result: { atScope: boolean; principalId?: string; assignedTo?: string; roleName?: string; type?: string } = { atScope: false };
  for (const clause of filter.split(/\s+and\s+/i)) {
    const c = clause.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(c)) result.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(c))) result.principalId = m[1] as string;
    else if ((m = /^assignedTo\('([^']*)'\)$/i.exec(c))) result.assignedTo = m[1] as string;
    else if ((m = /^roleName\s+eq\s+'([^']*)'$/i.exec(c))) result.roleName = m[1] as string;
    else if ((m = /^type\s+eq\s+'([^']*)'$/i.exec(c))) result.type = m[1] as string;
    else throw armErrors.badRequest('InvalidFilterInQueryString', `The filter '${filter}' is not supported.`);
  }
  return result;
}

export const authorizationProvider: EmulatorProvider<AuthorizationExports> = {
  name: 'authorization',
  register(api: ProviderApi): AuthorizationExports {
    const { store } = api;

    const customRoles = (): StoredResource[] => store.list({ type: ROLE_DEFINITION_TYPE });
    const findCustom = (guid: string): StoredResource | undefined => customRoles().find((r) => r.parsed.name.toLowerCase() === guid.toLowerCase());
    const findRoleDefinition = (roleDefinitionId: string): RoleDefinition | undefined => {
      const guid = roleDefinitionGuid(roleDefinitionId);
      const builtin = builtInRole(guid);
      if (builtin) return builtin;
      const custom = findCustom(guid);
      return custom ? roleDefinitionFromResource(custom) : undefined;
    };

    const scopeOf = (ctx: ArmContext): string => {
      try {
        return canonicalScope(ctx.params['scope'] as string);
      } catch (e) {
        throw armErrors.badRequest('InvalidScope', e instanceof Error ? e.message : String(e));
      }
    };

    const sameTriple = (r: StoredResource, scopeK: string, principalId: string, roleGuid: string): boolean => {
      const p = r.resource['properties'] as JsonObject;
      return (
        scopeKey(scopeOfRoleAssignmentId(r.id)) === scopeK &&
        String(p['principalId']).toLowerCase() === principalId.toLowerCase() &&
        roleDefinitionGuid(String(p['roleDefinitionId'])) === roleGuid
      );
    };

    const putRoleAssignment = (seed: RoleAssignmentSeed): StoredResource => {
      const name = seed.name ?? randomUUID();
      const body = roleAssignmentBody({ ...seed, name });
      return store.put(body['id'] as string, body, seed.createdBy ? { principalId: seed.createdBy } : {});
    };
    const seedRoleAssignment = (seed: RoleAssignmentSeed): StoredResource => {
      if (seed.condition !== undefined) validateCondition(seed.condition, '2.0');
      const stored = putRoleAssignment(seed);
      api.authorizer.markEffectiveNow(stored.key);
      return stored;
    };
    const directory = api.authorizer.directory;

    // A managed identity is a new service principal in the directory from the moment a vault shows it.
    store.watch('Microsoft.RecoveryServices/vaults', (_key, vault) => {
      const identity = vault?.resource['identity'];
      if (!isObject(identity)) return;
      const principalId = identity['principalId'];
      if (typeof principalId === 'string') directory.register(principalId, 'ServicePrincipal');
      const userAssigned = identity['userAssignedIdentities'];
      if (isObject(userAssigned)) {
        for (const entry of Object.values(userAssigned)) {
          if (isObject(entry) && typeof entry['principalId'] === 'string') directory.register(entry['principalId'], 'ServicePrincipal');
        }
      }
    });

    const ASSIGNMENT_WRITE = `${ROLE_ASSIGNMENT_TYPE}/write`;
    const ASSIGNMENT_DELETE = `${ROLE_ASSIGNMENT_TYPE}/delete`;
    /** Condition attributes of a role assignment: the request's (write) or the stored one's (delete). */
    const assignmentAttributes = (roleGuid: string, principalId: string, principalType: string): Record<string, string[]> => ({
      [`${ROLE_ASSIGNMENT_TYPE}:RoleDefinitionId`]: [roleGuid],
      [`${ROLE_ASSIGNMENT_TYPE}:PrincipalId`]: [principalId],
      [`${ROLE_ASSIGNMENT_TYPE}:PrincipalType`]: [principalType],
    });

    // --- role assignments (the write and delete checks are the handlers' own: conditions test the request)
    api.route('PUT', '{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}', (ctx) => {
      const scope = scopeOf(ctx);
      const name = ctx.params['roleAssignmentName'] as string;
      if (!GUID.test(name)) throw armErrors.badRequest('InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
      const body = ctx.requireBody();
      const props = body['properties'];
      if (!isObject(props)) throw armErrors.invalidRequestContent("the 'properties' object is required.");
      const roleDefinitionId = props['roleDefinitionId'];
      const principalId = props['principalId'];
      if (typeof roleDefinitionId !== 'string' || roleDefinitionId.length === 0) throw armErrors.invalidRequestContent("'properties.roleDefinitionId' is required.");
      if (typeof principalId !== 'string' || !GUID.test(principalId)) throw armErrors.badRequest('InvalidPrincipalId', 'A valid principal ID must be provided for role assignment.');
      const role = findRoleDefinition(roleDefinitionId);
      if (!role) throw armErrors.badRequest('RoleDefinitionDoesNotExist', `The specified role definition with ID '${roleDefinitionGuid(roleDefinitionId)}' does not exist.`);
      const condition = validateCondition(props['condition'], props['conditionVersion']);
      const requestedType = props['principalType'];
      if (requestedType !== undefined && requestedType !== null && !isPrincipalType(requestedType)) {
        throw armErrors.badRequest('InvalidPrincipalType', `principalType must be one of ${PRINCIPAL_TYPES.join(', ')} (got ${JSON.stringify(requestedType)}).`);
      }
      const known = directory.lookup(principalId);
      const principalType: string = (isPrincipalType(requestedType) ? requestedType : undefined) ?? (known.state === 'visible' ? known.principalType : 'ServicePrincipal');
      const id = roleAssignmentId(scope, name);
      const roleGuid = role.name;
      api.authorizer.assertAuthorized(ctx.caller.principalId, ASSIGNMENT_WRITE, scope, { request: assignmentAttributes(roleGuid, principalId, principalType) });
      // The directory lookup ARM makes unless told the type (replication: Azure/azure-cli#11594).
      if (!isPrincipalType(requestedType) && known.state === 'replicating') throw principalNotFound(principalId, api.tenantId);
      if (isPrincipalType(requestedType) && known.state === 'visible' && known.principalType !== requestedType) throw unmatchedPrincipalType(principalId, known.principalType, requestedType);
      const existing = store.get(id);
      if (existing) {
        if (sameTriple(existing, scopeKey(scope), principalId, roleGuid)) return { status: 201, body: existing.resource };
        throw armErrors.conflict('RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
      }
      const scopeK = scopeKey(scope);
      // The principal's own assignments (indexed by the authorizer), not every assignment of the fleet.
      const ofPrincipal = api.authorizer.assignmentKeysOf(principalId).map((k) => store.get(k));
      if (ofPrincipal.some((r) => r !== undefined && sameTriple(r, scopeK, principalId, roleGuid))) throw armErrors.roleAssignmentExists();
      const description = typeof props['description'] === 'string' ? props['description'] : undefined;
      const stored = putRoleAssignment({
        scope,
        name,
        principalId,
        roleDefinitionId: roleGuid,
        createdBy: ctx.caller.principalId,
        principalType,
        ...(condition ? { condition: condition.condition } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      return { status: 201, body: stored.resource };
    }, { action: 'none' });

    const getAssignment = (ctx: ArmContext): StoredResource => {
      const stored = store.get(roleAssignmentId(scopeOf(ctx), ctx.params['roleAssignmentName'] as string));
      if (!stored) throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${ctx.params['roleAssignmentName']}' is not found.`);
      return stored;
    };

    api.route('GET', '{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}', (ctx) => ({ status: 200, body: getAssignment(ctx).resource }));

    api.route('DELETE', '{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}', (ctx) => {
      const scope = scopeOf(ctx);
      const stored = store.get(roleAssignmentId(scope, ctx.params['roleAssignmentName'] as string));
      if (!stored) {
        // Nothing to delete, nothing for a condition to test: the plain permission decides.
        api.authorizer.assertAuthorized(ctx.caller.principalId, ASSIGNMENT_DELETE, scope);
        return { status: 204 };
      }
      const p = stored.resource['properties'] as JsonObject;
      api.authorizer.assertAuthorized(ctx.caller.principalId, ASSIGNMENT_DELETE, scope, {
        resource: assignmentAttributes(roleDefinitionGuid(String(p['roleDefinitionId'])), String(p['principalId']), String(p['principalType'] ?? 'ServicePrincipal')),
      });
      store.delete(stored.id);
      return { status: 200, body: stored.resource };
    }, { action: 'none' });

    api.route('GET', '{*scope}/providers/Microsoft.Authorization/roleAssignments', (ctx) => {
      const scope = scopeOf(ctx);
      const filter = parseAuthorizationFilter(ctx.query.get('$filter'));
      const target = scopeKey(scope);
      const principal = (filter.principalId ?? filter.assignedTo)?.toLowerCase();
      const value: JsonValue[] = [];
      for (const r of store.list({ type: ROLE_ASSIGNMENT_TYPE })) {
        const at = scopeKey(scopeOfRoleAssignmentId(r.id));
        const above = at === '/' || target === at || target.startsWith(at + '/');
        const below = target === '/' || at.startsWith(target + '/');
        if (!(above || (!filter.atScope && below))) continue;
        const p = r.resource['properties'] as JsonObject;
        if (principal !== undefined && String(p['principalId']).toLowerCase() !== principal) continue;
        value.push(r.resource);
      }
      return { status: 200, body: { value } };
    }, { pageable: true });

    // --- role definitions: readable by any authenticated caller, as in ARM
    api.route(
      'GET',
      '{*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}',
      (ctx) => {
        const scope = scopeOf(ctx);
        const guid = (ctx.params['roleDefinitionId'] as string).toLowerCase();
        const builtin = builtInRole(guid);
        if (builtin) return { status: 200, body: roleDefinitionBody(builtin, scope) };
        const custom = findCustom(guid);
        if (!custom) throw new ArmError(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${guid}' does not exist.`);
        return { status: 200, body: roleDefinitionBody(roleDefinitionFromResource(custom), scope, custom) };
      },
      { action: 'none' },
    );

    api.route(
      'GET',
      '{*scope}/providers/Microsoft.Authorization/roleDefinitions',
      (ctx) => {
        const scope = scopeOf(ctx);
        const filter = parseAuthorizationFilter(ctx.query.get('$filter'));
        const all: { role: RoleDefinition; stored?: StoredResource }[] = [
          ...BUILT_IN_ROLES.map((role) => ({ role })),
          ...customRoles().map((stored) => ({ role: roleDefinitionFromResource(stored), stored })),
        ];
        const value = all
          .filter(({ role }) => filter.roleName === undefined || role.roleName.toLowerCase() === filter.roleName.toLowerCase())
          .filter(({ role }) => filter.type === undefined || role.roleType.toLowerCase() === filter.type.toLowerCase())
          .map(({ role, stored }) => roleDefinitionBody(role, scope, stored));
        return { status: 200, body: { value } };
      },
      { action: 'none' },
    );

    api.route('PUT', '{*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}', (ctx) => {
      const scope = scopeOf(ctx);
      const guid = (ctx.params['roleDefinitionId'] as string).toLowerCase();
      if (!GUID.test(guid)) throw armErrors.badRequest('InvalidRoleDefinitionId', `The role definition ID '${guid}' is not valid. It must be a GUID.`);
      if (builtInRole(guid)) throw armErrors.badRequest('RoleDefinitionNotModifiable', 'Built-in role definitions cannot be modified.');
      const body = ctx.requireBody();
      const props = body['properties'];
      if (!isObject(props)) throw armErrors.invalidRequestContent("the 'properties' object is required.");
      const roleName = props['roleName'];
      if (typeof roleName !== 'string' || roleName.length === 0) throw armErrors.invalidRequestContent("'properties.roleName' is required.");
      const permissions = props['permissions'];
      if (!Array.isArray(permissions) || permissions.length === 0) throw armErrors.invalidRequestContent("'properties.permissions' must list at least one permission block.");
      const assignable = Array.isArray(props['assignableScopes']) ? props['assignableScopes'].filter((s): s is string => typeof s === 'string') : [];
      if (assignable.length === 0) throw armErrors.badRequest('InvalidAssignableScopes', 'At least one assignable scope is required.');
      const clash = [...BUILT_IN_ROLES.map((r) => ({ name: r.name, roleName: r.roleName })), ...customRoles().map((r) => ({ name: r.parsed.name.toLowerCase(), roleName: roleDefinitionFromResource(r).roleName }))].find(
        (r) => r.roleName.toLowerCase() === roleName.toLowerCase() && r.name !== guid,
      );
      if (clash) throw armErrors.conflict('RoleDefinitionWithSameNameExists', `A custom role with the same name '${roleName}' already exists in this directory.`);
      const existing = findCustom(guid);
      const id = existing?.id ?? `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
      const stored = store.put(
        id,
        {
          id,
          name: guid,
          type: ROLE_DEFINITION_TYPE,
          properties: {
            roleName,
            type: 'CustomRole',
            description: typeof props['description'] === 'string' ? props['description'] : '',
            assignableScopes: assignable,
            permissions: permissions as JsonValue[],
          },
        },
        { principalId: ctx.caller.principalId },
      );
      return { status: 201, body: roleDefinitionBody(roleDefinitionFromResource(stored), scope, stored) };
    });

    api.route('DELETE', '{*scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}', (ctx) => {
      const scope = scopeOf(ctx);
      const guid = (ctx.params['roleDefinitionId'] as string).toLowerCase();
      if (builtInRole(guid)) throw armErrors.badRequest('RoleDefinitionNotModifiable', 'Built-in role definitions cannot be deleted.');
      const existing = findCustom(guid);
      if (!existing) return { status: 204 };
      const inUse = store.list({ type: ROLE_ASSIGNMENT_TYPE }).some((r) => roleDefinitionGuid(String((r.resource['properties'] as JsonObject)['roleDefinitionId'])) === guid);
      if (inUse) throw armErrors.conflict('RoleDefinitionHasAssignments', 'There are existing role assignments referencing role definition.');
      const body = roleDefinitionBody(roleDefinitionFromResource(existing), scope, existing);
      store.delete(existing.id);
      return { status: 200, body };
    });

    const createPrincipal = (options: { principalId?: string; principalType?: PrincipalType } = {}): { principalId: string; principalType: PrincipalType } => {
      const principalId = options.principalId ?? randomUUID();
      if (!GUID.test(principalId)) throw armErrors.badRequest('InvalidPrincipalId', `A principal id must be a GUID (got '${principalId}').`);
      const principalType = options.principalType ?? 'ServicePrincipal';
      if (directory.has(principalId)) throw armErrors.conflict('PrincipalExists', `Principal ${principalId} is already in the directory.`);
      directory.register(principalId, principalType);
      return { principalId, principalType };
    };

    api.controlRoute('POST', 'principals', (req) => {
      const body = isObject(req.body ?? null) ? (req.body as JsonObject) : {};
      const type = body['principalType'];
      if (type !== undefined && !isPrincipalType(type)) throw armErrors.badRequest('InvalidPrincipalType', `principalType must be one of ${PRINCIPAL_TYPES.join(', ')}.`);
      const principalId = typeof body['principalId'] === 'string' ? body['principalId'] : undefined;
      return { status: 201, body: createPrincipal({ ...(principalId ? { principalId } : {}), ...(type ? { principalType: type } : {}) }) };
    });
    api.controlRoute('GET', 'identity/settings', () => ({ status: 200, body: directory.settings() }));
    api.controlRoute('PUT', 'identity/settings', (req) => {
      const body = isObject(req.body ?? null) ? (req.body as JsonObject) : {};
      return { status: 200, body: directory.configure(body as IdentityTimingOptions) };
    });
    api.controlRoute('POST', 'identity/advanceClock', (req) => {
      const ms = isObject(req.body ?? null) ? (req.body as JsonObject)['ms'] : undefined;
      directory.clock.advance(typeof ms === 'number' ? ms : Number.NaN);
      return { status: 200, body: { now: new Date(directory.clock.now()).toISOString() } };
    });

    return {
      seedRoleAssignment,
      createPrincipal,
      identitySettings: () => directory.settings(),
      configureIdentity: (options) => directory.configure(options),
      advanceIdentityClock: (ms) => directory.clock.advance(ms),
      findRoleDefinition,
      roleGuidByName: (roleName) => {
        const builtin = BUILT_IN_ROLES.find((r) => r.roleName.toLowerCase() === roleName.toLowerCase());
        if (builtin) return builtin.name;
        return customRoles().map(roleDefinitionFromResource).find((r) => r.roleName.toLowerCase() === roleName.toLowerCase())?.name;
      },
    };
  },
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

