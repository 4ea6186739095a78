/**
 * The emulator's control plane: what a test (or `npm run emulator`'s user) does to the emulated
 * cloud that is not an ARM call — create subscriptions, mint tokens, grant roles without a request,
 * read and reset the write counter, set faults, subscribe webhooks to events, settle long-running
 * operations. In-process through {@link EmulatorControl}; over HTTP under `/_emulator/` (no ARM
 * authentication: the emulator listens on 127.0.0.1 only, and these endpoints are test tooling,
 * not part of Azure). Writes made here emit no events and are not counted.
 */
import { randomUUID } from 'node:crypto';
import { resourceGroupResourceId, subscriptionResourceId } from '../shared/domain/ids';
import { ArmError, type JsonObject, type JsonValue } from './arm';
import { createAccessToken, type Principal } from './auth';
import type { DeliveryOptions, EventGridPublisher, EventSchema, EventSubscription, WebhookOptions } from './events';
import type { FaultInjector, FaultRule } from './faults';
import { authorizationProvider, type AuthorizationExports } from './providers/authorization';
import { resourceGroupBody, subscriptionBody } from './providers/resources';
import type { ArmEngine, ControlRequest, WriteCounter } from './server';
import type { ResourceStore, StoredResource } from './store';

export interface CreateSubscriptionOptions {
  /** Default: a new GUID. */
  readonly subscriptionId?: string;
  readonly displayName?: string;
  /** Default: the emulator's tenant. */
  readonly tenantId?: string;
  /** Give the owner principal the Owner role on it; default true. */
  readonly grantOwner?: boolean;
}

export interface GrantRoleOptions {
  /** Role name (`Contributor`) or role definition GUID / id. */
  readonly role: string;
  readonly principalId: string;
  readonly scope: string;
  readonly principalType?: string;
  /** An ABAC condition (version 2.0) on the assignment (emulator/abac.ts). */
  readonly condition?: string;
}

export class EmulatorControl {
  private readonly webhooks = new Map<string, EventSubscription>();

  constructor(
    private readonly o: {
      readonly engine: ArmEngine;
      readonly store: ResourceStore;
      readonly events: EventGridPublisher;
      readonly faults: FaultInjector;
      readonly writes: WriteCounter;
      readonly tenantId: string;
      readonly ownerPrincipalId: string;
    },
  ) {}

  /** Creates a subscription in the tenant (owner gets Owner on it unless told otherwise). */
  createSubscription(options: CreateSubscriptionOptions = {}): string {
    const subscriptionId = options.subscriptionId ?? randomUUID();
    const id = subscriptionResourceId(subscriptionId);
    if (this.o.store.has(id)) throw new ArmError(409, 'SubscriptionExists', `The subscription '${subscriptionId}' exists already.`);
    this.o.store.put(id, subscriptionBody({ subscriptionId, tenantId: options.tenantId ?? this.o.tenantId, ...(options.displayName ? { displayName: options.displayName } : {}) }));
    if (options.grantOwner !== false) this.grantRole({ role: 'Owner', principalId: this.o.ownerPrincipalId, scope: id, principalType: 'User' });
    return subscriptionId;
  }

  /** Moves a subscription to another tenant (a tenant move: old tokens then get 401). */
  setSubscriptionTenant(subscriptionId: string, tenantId: string): void {
    const stored = this.o.store.get(subscriptionResourceId(subscriptionId));
    if (!stored) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
    this.o.store.put(stored.id, { ...stored.resource, tenantId });
  }

  /** Creates a resource group without an ARM request (no event, no write counted). */
  createResourceGroup(subscriptionId: string, name: string, location: string): StoredResource {
    return this.o.store.put(resourceGroupResourceId(subscriptionId, name), resourceGroupBody(subscriptionId, name, location));
  }

  /** Grants a role without an ARM request (no event, no write counted). */
  grantRole(options: GrantRoleOptions): StoredResource {
    const authz = this.o.engine.providerExportsOf<AuthorizationExports>(authorizationProvider.name);
    const guid = /^[0-9a-f-]{36}$/i.test(options.role.split('/').pop() ?? '') ? (options.role.split('/').pop() as string) : authz.roleGuidByName(options.role);
    if (!guid || !authz.findRoleDefinition(guid)) throw new ArmError(400, 'RoleDefinitionDoesNotExist', `No role definition named or with id '${options.role}'.`);
    return authz.seedRoleAssignment({
      scope: options.scope,
      principalId: options.principalId,
      roleDefinitionId: guid,
      ...(options.principalType ? { principalType: options.principalType } : {}),
      ...(options.condition ? { condition: options.condition } : {}),
    });
  }

  /** A bearer token for any principal (default tenant: the emulator's). */
  tokenFor(principalId: string, tenantId = this.o.tenantId): string {
    return createAccessToken({ principalId, tenantId } satisfies Principal);
  }

  /** Completes every long-running operation still in progress. */
  settleOperations(): Promise<void> {
    return this.o.engine.operations.settleAll();
  }

  /** Subscribes an HTTP(S) webhook to the resource events; returns the subscription id. */
  subscribeWebhook(url: string, options: WebhookOptions = {}): string {
    const s = this.o.events.subscribeWebhook(url, options);
    this.webhooks.set(s.id, s);
    return s.id;
  }

  unsubscribeWebhook(id: string): boolean {
    const s = this.webhooks.get(id);
    if (!s) return false;
    s.unsubscribe();
    this.webhooks.delete(id);
    return true;
  }

  /** Registers the control endpoints under `/_emulator/` (documented in emulator/README.md). */
  registerRoutes(): void {
    const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', pattern: string, handler: (req: ControlRequest) => { status: number; body?: JsonValue } | Promise<{ status: number; body?: JsonValue }>) =>
      this.o.engine.addControlRoute(method, pattern, handler);

    route('GET', 'health', () => ({ status: 200, body: { status: 'ok', tenantId: this.o.tenantId } }));

    route('GET', 'subscriptions', () => ({ status: 200, body: { value: this.o.store.list({ type: 'Microsoft.Resources/subscriptions' }).map((s) => s.resource) } }));
    route('POST', 'subscriptions', (req) => {
      const b = objectBody(req.body);
      const subscriptionId = this.createSubscription({
        ...optionalString(b, 'subscriptionId'),
        ...optionalString(b, 'displayName'),
        ...optionalString(b, 'tenantId'),
        ...(b['grantOwner'] === false ? { grantOwner: false } : {}),
      });
      return { status: 201, body: this.o.store.get(subscriptionResourceId(subscriptionId))?.resource ?? null };
    });

    // A tenant move: the subscription's tenantId changes; what was made before keeps its tenant
    // (a vault's system-assigned identity stays in the old one, as in Azure).
    route('POST', 'subscriptions/{subscriptionId}/move', (req) => {
      const subscriptionId = req.params['subscriptionId'] as string;
      this.setSubscriptionTenant(subscriptionId, requireString(objectBody(req.body), 'tenantId'));
      return { status: 200, body: this.o.store.get(subscriptionResourceId(subscriptionId))?.resource ?? null };
    });

    route('POST', 'tokens', (req) => {
      const b = objectBody(req.body);
      const principalId = requireString(b, 'principalId');
      const tenantId = typeof b['tenantId'] === 'string' ? b['tenantId'] : this.o.tenantId;
      return { status: 200, body: { principalId, tenantId, token: this.tokenFor(principalId, tenantId) } };
    });

    route('POST', 'roleAssignments', (req) => {
      const b = objectBody(req.body);
      const stored = this.grantRole({
        role: requireString(b, 'role'),
        principalId: requireString(b, 'principalId'),
        scope: requireString(b, 'scope'),
        ...optionalString(b, 'principalType'),
        ...optionalString(b, 'condition'),
      });
      return { status: 201, body: stored.resource };
    });

    route('GET', 'writes', () => ({ status: 200, body: { total: this.o.writes.count(), byPrincipal: this.o.writes.byPrincipal(), log: this.o.writes.log() as unknown as JsonValue } }));
    route('DELETE', 'writes', () => {
      this.o.writes.reset();
      return { status: 204 };
    });

    route('GET', 'faults', () => ({ status: 200, body: { value: this.o.faults.list() as unknown as JsonValue } }));
    route('POST', 'faults', (req) => ({ status: 201, body: { id: this.o.faults.add(objectBody(req.body) as unknown as FaultRule) } }));
    route('DELETE', 'faults', (req) => {
      const seed = req.query.get('seed');
      this.o.faults.reset(seed === null ? undefined : Number(seed));
      return { status: 204 };
    });
    route('DELETE', 'faults/{id}', (req) => ({ status: this.o.faults.remove(Number(req.params['id'])) ? 204 : 404 }));

    route('GET', 'events', () => ({ status: 200, body: { value: this.o.events.published() as unknown as JsonValue } }));
    route('DELETE', 'events', () => {
      this.o.events.clear();
      return { status: 204 };
    });
    route('POST', 'eventSubscriptions', (req) => {
      const b = objectBody(req.body);
      const url = requireString(b, 'url');
      const options = { ...b } as JsonObject;
      delete options['url'];
      const schema = options['schema'];
      if (schema !== undefined && schema !== 'EventGridSchema' && schema !== 'CloudEventSchemaV1_0') {
        throw new ArmError(400, 'InvalidRequestContent', `schema must be EventGridSchema or CloudEventSchemaV1_0, got ${JSON.stringify(schema)}`);
      }
      const id = this.subscribeWebhook(url, options as unknown as DeliveryOptions & { schema?: EventSchema });
      return { status: 201, body: { id } };
    });
    route('DELETE', 'eventSubscriptions/{id}', (req) => ({ status: this.unsubscribeWebhook(req.params['id'] as string) ? 204 : 404 }));

    route('POST', 'operations/settle', async () => {
      await this.settleOperations();
      return { status: 204 };
    });
  }
}

function objectBody(body: JsonValue | undefined): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ArmError(400, 'InvalidRequestContent', 'The request body must be a JSON object.');
  return body;
}

function requireString(body: JsonObject, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0) throw new ArmError(400, 'InvalidRequestContent', `'${name}' is required (a string).`);
  return v;
}

function optionalString<K extends string>(body: JsonObject, name: K): { [P in K]?: string } {
  const v = body[name];
  return (typeof v === 'string' ? { [name]: v } : {}) as { [P in K]?: string };
}
