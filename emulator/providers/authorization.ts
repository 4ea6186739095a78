/**
 * Microsoft.Authorization: role assignments (PUT/GET/DELETE/list at any scope, with ARM's
 * `$filter`s) and role definitions (the built-in roles of auth.ts plus custom roles).
 * The authorizer (auth.ts) reads the assignments and custom definitions that live in the store.
 */
import { randomUUID } from 'node:crypto';
import { parseResourceId, tryParseResourceId } from '../../shared/domain/ids';
import { ArmError, armErrors, type JsonObject, type JsonValue } from '../arm';
import {
  BUILT_IN_ROLES,
  builtInRole,
  parentScopeOfAssignment,
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
  /** `properties.description` as the request gave it (ARM keeps it; null when absent). */
  readonly description?: string;
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
      condition: null,
      conditionVersion: null,
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
  /** Creates a role assignment without an ARM request (seeding: no event, not counted as a write). */
  seedRoleAssignment(seed: RoleAssignmentSeed): StoredResource;
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
        scopeKey(parentScopeOfAssignment(r.id)) === scopeK &&
        String(p['principalId']).toLowerCase() === principalId.toLowerCase() &&
        roleDefinitionGuid(String(p['roleDefinitionId'])) === roleGuid
      );
    };

    const seedRoleAssignment = (seed: RoleAssignmentSeed): StoredResource => {
      const name = seed.name ?? randomUUID();
      const body = roleAssignmentBody({ ...seed, name });
      return store.put(body['id'] as string, body, seed.createdBy ? { principalId: seed.createdBy } : {});
    };

    // --- role assignments
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
      const id = roleAssignmentId(scope, name);
      const roleGuid = role.name;
      const existing = store.get(id);
      if (existing) {
        if (sameTriple(existing, scopeKey(scope), principalId, roleGuid)) return { status: 201, body: existing.resource };
        throw armErrors.conflict('RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.');
      }
      const scopeK = scopeKey(scope);
      // The principal's own assignments (indexed by the authorizer), not every assignment of the fleet.
      const ofPrincipal = api.authorizer.assignmentKeysOf(principalId).map((k) => store.get(k));
      if (ofPrincipal.some((r) => r !== undefined && sameTriple(r, scopeK, principalId, roleGuid))) throw armErrors.roleAssignmentExists();
      const principalType = typeof props['principalType'] === 'string' ? props['principalType'] : undefined;
      const description = typeof props['description'] === 'string' ? props['description'] : undefined;
      const stored = seedRoleAssignment({ scope, name, principalId, roleDefinitionId: roleGuid, createdBy: ctx.caller.principalId, ...(principalType ? { principalType } : {}), ...(description !== undefined ? { description } : {}) });
      return { status: 201, body: stored.resource };
    });

    const getAssignment = (ctx: ArmContext): StoredResource => {
      const stored = store.get(roleAssignmentId(scopeOf(ctx), ctx.params['roleAssignmentName'] as string));
      if (!stored) throw new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${ctx.params['roleAssignmentName']}' is not found.`);
      return stored;
    };

    api.route('GET', '{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}', (ctx) => ({ status: 200, body: getAssignment(ctx).resource }));

    api.route('DELETE', '{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}', (ctx) => {
      const stored = store.get(roleAssignmentId(scopeOf(ctx), ctx.params['roleAssignmentName'] as string));
      if (!stored) return { status: 204 };
      store.delete(stored.id);
      return { status: 200, body: stored.resource };
    });

    api.route('GET', '{*scope}/providers/Microsoft.Authorization/roleAssignments', (ctx) => {
      const scope = scopeOf(ctx);
      const filter = parseAuthorizationFilter(ctx.query.get('$filter'));
      const target = scopeKey(scope);
      const principal = (filter.principalId ?? filter.assignedTo)?.toLowerCase();
      const value: JsonValue[] = [];
      for (const r of store.list({ type: ROLE_ASSIGNMENT_TYPE })) {
        const at = scopeKey(parentScopeOfAssignment(r.id));
        const above = at === '/' || target === at || target.startsWith(at + '/');
        const below = target === '/' || at.startsWith(target + '/');
        if (!(above || (!filter.atScope && below))) continue;
        const p = r.resource['properties'] as JsonObject;
        if (principal !== undefined && String(p['principalId']).toLowerCase() !== principal) continue;
        value.push(r.resource);
      }
      return { status: 200, body: { value } };
    });

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

    return {
      seedRoleAssignment,
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

