/**
 * Microsoft.Resources: subscriptions (read; created through the control API) and resource groups
 * (PUT/PATCH/GET/HEAD/DELETE/list). Deleting a resource group is long-running (202 + Location, as
 * ARM does) and removes everything in it.
 */
import { resourceGroupResourceId, subscriptionResourceId } from '../../shared/domain/ids';
import { ArmError, armErrors, type JsonObject } from '../arm';
import { resourceGroupNameProblem } from '../names';
import type { EmulatorProvider, ProviderApi } from '../server';
import type { StoredResource } from '../store';

export const SUBSCRIPTION_TYPE = 'Microsoft.Resources/subscriptions';
export const RESOURCE_GROUP_TYPE = 'Microsoft.Resources/resourceGroups';
const RG_READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';
const RG_WRITE = 'Microsoft.Resources/subscriptions/resourceGroups/write';
const RG_DELETE = 'Microsoft.Resources/subscriptions/resourceGroups/delete';

export interface SubscriptionSeed {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly displayName?: string;
}

/** The body of `GET /subscriptions/{id}`. */
export function subscriptionBody(seed: SubscriptionSeed): JsonObject {
  return {
    id: subscriptionResourceId(seed.subscriptionId),
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: seed.subscriptionId,
    tenantId: seed.tenantId,
    displayName: seed.displayName ?? `Emulated subscription ${seed.subscriptionId.slice(0, 8)}`,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

/** The ARM body of a resource group. */
export function resourceGroupBody(subscriptionId: string, name: string, location: string, tags?: JsonObject): JsonObject {
  const body: JsonObject = {
    id: resourceGroupResourceId(subscriptionId, name),
    name,
    type: RESOURCE_GROUP_TYPE,
    location: normalizeLocation(location),
    properties: { provisioningState: 'Succeeded' },
  };
  if (tags) body['tags'] = tags;
  return body;
}

/** ARM answers locations lower-case without spaces (`West Europe` → `westeurope`). */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

export interface ResourcesExports {
  /** The subscription resources in the store. */
  subscriptions(): StoredResource[];
}

export const resourcesProvider: EmulatorProvider<ResourcesExports> = {
  name: 'resources',
  register(api: ProviderApi): ResourcesExports {
    const { store, authorizer } = api;
    const rgId = (p: Readonly<Record<string, string>>) => resourceGroupResourceId(p['subscriptionId'] as string, p['resourceGroupName'] as string);
    const rgScope = { scope: (m: { params: Readonly<Record<string, string>> }) => rgId(m.params) };

    // Subscriptions: a caller sees a subscription when it holds any role assignment in it, as in ARM.
    api.route(
      'GET',
      '/subscriptions',
      (ctx) => ({
        status: 200,
        body: {
          value: store
            .list({ type: SUBSCRIPTION_TYPE })
            .filter((s) => authorizer.hasAnyAssignmentWithin(ctx.caller.principalId, s.id))
            .map((s) => s.resource),
        },
      }),
      { action: 'none' },
    );
    api.route(
      'GET',
      '/subscriptions/{subscriptionId}',
      (ctx) => {
        const stored = store.get(subscriptionResourceId(ctx.params['subscriptionId'] as string)) as StoredResource;
        if (!authorizer.hasAnyAssignmentWithin(ctx.caller.principalId, stored.id)) {
          throw armErrors.authorizationFailed(ctx.caller.principalId, 'Microsoft.Resources/subscriptions/read', stored.id);
        }
        return { status: 200, body: stored.resource };
      },
      { action: 'none' },
    );

    api.route(
      'GET',
      '/subscriptions/{subscriptionId}/resourcegroups',
      (ctx) => ({
        status: 200,
        body: { value: store.list({ type: RESOURCE_GROUP_TYPE, scope: subscriptionResourceId(ctx.params['subscriptionId'] as string) }).map((r) => r.resource) },
      }),
      { action: RG_READ },
    );

    const getGroup = (ctx: { params: Readonly<Record<string, string>> }): StoredResource => {
      const stored = store.get(rgId(ctx.params));
      if (!stored) throw armErrors.resourceGroupNotFound(ctx.params['resourceGroupName'] as string);
      return stored;
    };

    api.route('GET', '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}', (ctx) => ({ status: 200, body: getGroup(ctx).resource }), { action: RG_READ, ...rgScope });
    api.route(
      'HEAD',
      '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      (ctx) => ({ status: store.has(rgId(ctx.params)) ? 204 : 404 }),
      { action: RG_READ, ...rgScope },
    );

    api.route(
      'PUT',
      '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      (ctx) => {
        const body = ctx.requireBody();
        const location = body['location'];
        if (typeof location !== 'string' || location.length === 0) throw armErrors.badRequest('LocationRequired', 'The location property is required for this definition.');
        const name = ctx.params['resourceGroupName'] as string;
        const problem = resourceGroupNameProblem(name);
        if (problem !== undefined) {
          throw armErrors.badRequest('InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters or is too long: it ${problem}.`);
        }
        const existing = store.get(rgId(ctx.params));
        if (existing && existing.resource['location'] !== normalizeLocation(location)) {
          throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${location}'. The Resource group already exists in location '${String(existing.resource['location'])}'.`);
        }
        const tags = isObject(body['tags']) ? body['tags'] : undefined;
        const stored = store.put(
          rgId(ctx.params),
          resourceGroupBody(ctx.params['subscriptionId'] as string, existing?.parsed.name ?? name, location, tags),
          { principalId: ctx.caller.principalId },
        );
        return { status: existing ? 200 : 201, body: stored.resource };
      },
      { action: RG_WRITE, ...rgScope },
    );

    api.route(
      'PATCH',
      '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      (ctx) => {
        const existing = getGroup(ctx);
        const body = ctx.requireBody();
        const next: JsonObject = { ...existing.resource };
        if (isObject(body['tags'])) next['tags'] = body['tags'];
        return { status: 200, body: store.put(existing.id, next).resource };
      },
      { action: RG_WRITE, ...rgScope },
    );

    api.route(
      'DELETE',
      '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}',
      (ctx) => {
        const existing = getGroup(ctx);
        return ctx.longRunning({
          status: 202,
          asyncOperationHeader: false,
          complete: () => {
            store.deleteTree(existing.id);
          },
        });
      },
      { action: RG_DELETE, ...rgScope },
    );

    return { subscriptions: () => store.list({ type: SUBSCRIPTION_TYPE }) };
  },
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
