/**
 * The emulator's ARM front door: an HTTPS server on 127.0.0.1 and the request pipeline every ARM
 * call goes through, in ARM's order:
 *
 *   authenticate (401) → api-version (400) → subscription exists / token tenant (404 / 401)
 *   → route (404/405) → faults (latency, 429, 500, drop) → write counter → authorize (403)
 *   → resource group exists (404) → provider handler → Event Grid event(s) → response
 *
 * Providers register routes through {@link ProviderApi}; see emulator/README.md. The same pipeline
 * serves in-process calls ({@link ArmEngine.invoke}) for side-effect writes that Azure services
 * make with their own identity (Azure Backup creating endpoints as the vault identity).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parentResourceId, parseResourceId, subscriptionResourceId, tryParseResourceId } from '../shared/domain/ids';
import { ArmError, armErrors, OperationTable, type JsonObject, type JsonValue, type LongRunningOperation, type OperationCompletion } from './arm';
import { authenticate, Authorizer, type Principal, type TokenClaims } from './auth';
import {
  EventGridPublisher,
  RESOURCE_ACTION_FAILURE,
  RESOURCE_ACTION_SUCCESS,
  RESOURCE_DELETE_FAILURE,
  RESOURCE_DELETE_SUCCESS,
  RESOURCE_WRITE_FAILURE,
  RESOURCE_WRITE_SUCCESS,
} from './events';
import { FaultInjector, type Fault } from './faults';
import { LatencyModel } from './latency';
import { assertResourceNamesValid } from './names';
import type { ResourceStore } from './store';
import { SubscriptionRateLimiter } from './throttling';

export type HttpMethod = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST' | 'HEAD';
const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD'];
const WRITE_METHODS = new Set<HttpMethod>(['PUT', 'PATCH', 'DELETE', 'POST']);

/** The api-version put on the operation URLs the emulator hands out (clients poll them as given). */
const OPERATION_API_VERSION = '2020-01-01';
const OPERATIONS_PATH = 'providers/Microsoft.Resources/emulatorOperations';
const OPERATION_RESULTS_PATH = 'providers/Microsoft.Resources/emulatorOperationResults';

/** An event that a successful request causes. */
export interface ResourceEventSpec {
  readonly kind: 'write' | 'delete' | 'action';
  readonly resourceId: string;
  /** Default: `<resource type>/write`, `/delete`, or for an action the request's operation name. */
  readonly operationName?: string;
  /**
   * The identity the event names as caller, when an Azure service wrote the resource on the
   * request's behalf (the network service creating a private endpoint's NIC); default the caller.
   */
  readonly principal?: Principal;
}

/** Retry-After (seconds, before scaling) that Microsoft.Network answers its operations with. */
export const DEFAULT_OPERATION_RETRY_AFTER_SECONDS = 10;
/** Retry-After (seconds, before scaling) of the Backup RP's operations and private DNS links (issue 12). */
export const SLOW_OPERATION_RETRY_AFTER_SECONDS = 60;

/** What a handler answers. */
export interface ArmResponse {
  readonly status: number;
  readonly body?: JsonValue;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Events to emit when the response is a success. Default: one for the request's resource when
   * the method is PUT/PATCH (write), DELETE (delete; not for 204, nothing existed) or POST (action).
   * `[]` emits nothing.
   */
  readonly events?: readonly ResourceEventSpec[];
}

export interface LongRunningSpec {
  /** Initial status: default 201 for PUT/PATCH, 202 otherwise. */
  readonly status?: 200 | 201 | 202;
  /** Initial body, e.g. the resource with `provisioningState: "Updating"`. */
  readonly body?: JsonObject;
  /** Runs when the operation completes; returns the final resource (served by the `Location` URL) or nothing; throws ArmError to fail. */
  readonly complete: OperationCompletion;
  /** Events at success (or a function run after `complete`, for events that depend on what it did); default as for {@link ArmResponse.events}. */
  readonly events?: readonly ResourceEventSpec[] | (() => readonly ResourceEventSpec[]);
  /** Send `Azure-AsyncOperation` (default true; false for the `Location`-only style of resource group deletes). */
  readonly asyncOperationHeader?: boolean;
  /** Polls answered InProgress before completion; default the emulator's `lroPollsBeforeDone`. */
  readonly pollsBeforeDone?: number;
  /**
   * `Retry-After` the RP sends with the operation, in Azure's seconds (scaled by the emulator's
   * `latencyScale`, rounded down); default by RP ({@link operationRetryAfterSeconds}).
   */
  readonly retryAfterSeconds?: number;
}

/** One ARM request as a provider sees it. */
export interface ArmContext {
  readonly method: HttpMethod;
  /** The path with leading slashes collapsed, no trailing slash, segments percent-decoded. */
  readonly path: string;
  readonly segments: readonly string[];
  /** Route parameters by the names in the pattern (`{vaultName}` → `params.vaultName`). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly apiVersion: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, undefined when the request had none. */
  readonly body: JsonValue | undefined;
  readonly caller: TokenClaims;
  readonly correlationId: string;
  /** The operation name checked and reported: `Microsoft.Network/privateEndpoints/write`. */
  readonly operation: string;
  /** The canonical resource id the path names (undefined for collections). */
  readonly resourceId: string | undefined;
  /** The body as an object, or 400 InvalidRequestContent. */
  requireBody(): JsonObject;
  /** 403 AuthorizationFailed unless the caller may perform `action` at `scope`. */
  authorize(action: string, scope: string): void;
  /** 403 LinkedAuthorizationFailed unless the caller may perform `action` on a linked resource. */
  authorizeLinked(action: string, scope: string): void;
  isAuthorized(action: string, scope: string): boolean;
  /** Starts a long-running operation and returns the initial 201/202 response with its headers. */
  longRunning(spec: LongRunningSpec): ArmResponse;
}

export type ArmHandler = (ctx: ArmContext) => ArmResponse | Promise<ArmResponse>;

export interface RouteOptions {
  /**
   * RBAC action checked before the handler at {@link scope}. Default: derived from the path and
   * method (`<type>/read|write|delete`, `<type>/<verb>/action` for POST). `'none'`: the handler
   * checks what it needs itself (or the operation is open to any authenticated caller).
   */
  readonly action?: string | ((ctx: RouteMatch) => string);
  /** Scope of the check; default the resource id, or for a collection its parent. */
  readonly scope?: (ctx: RouteMatch) => string;
  /** Check that the resource group in the path exists (404 ResourceGroupNotFound); default true. */
  readonly requireResourceGroup?: boolean;
  /**
   * A list (`{ value: [...] }`) that ARM pages: the engine cuts it into pages of the emulator's
   * `pageSize` with a `nextLink` carrying `$skipToken`; `{ top: true }` also honours `$top` as the
   * page size, where the API has it.
   */
  readonly pageable?: boolean | { readonly top: boolean };
}

/** What the pipeline knows before the handler runs (for {@link RouteOptions} callbacks). */
export interface RouteMatch {
  readonly method: HttpMethod;
  readonly path: string;
  readonly segments: readonly string[];
  readonly params: Readonly<Record<string, string>>;
}

export interface ControlRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: JsonValue | undefined;
}
export interface ControlResponse {
  readonly status: number;
  readonly body?: JsonValue;
}
export type ControlHandler = (req: ControlRequest) => ControlResponse | Promise<ControlResponse>;

/** A write request as the write counter records it. */
export interface WriteRecord {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operation: string;
  readonly principalId: string;
  status: number;
  /** Answered by an injected fault, not by the provider (not counted by {@link WriteCounter.count}). */
  faulted: boolean;
  /** Made in-process by an Azure service acting with its identity (e.g. Azure Backup). */
  readonly sideEffect: boolean;
  /** Applied, but its answer was dropped by a `lose-response` fault (the client saw a broken connection). */
  answerLost?: boolean;
  /** A read of a list's next page (`$skipToken`): Azure, paging at 100 or more, would mostly not have needed it. */
  nextPage?: boolean;
}

/** Counts ARM write requests (PUT/PATCH/DELETE/POST), total and per principal; tests count vaultlink's writes. */
export class WriteCounter {
  private records: WriteRecord[] = [];

  record(r: WriteRecord): void {
    this.records.push(r);
  }

  /** Write requests that reached a provider (faulted ones excluded), optionally by one principal. */
  count(principalId?: string): number {
    let n = 0;
    for (const r of this.records) if (!r.faulted && (principalId === undefined || r.principalId.toLowerCase() === principalId.toLowerCase())) n++;
    return n;
  }

  /** Count per principal id. */
  byPrincipal(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records) if (!r.faulted) out[r.principalId] = (out[r.principalId] ?? 0) + 1;
    return out;
  }

  /** Every write request recorded, in order (a copy). */
  log(): WriteRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  reset(): void {
    this.records = [];
  }
}

/**
 * Counts ARM read requests (GET, long-running-operation polls included: their path says which),
 * the same way as {@link WriteCounter}; benchmarks count vaultlink's reads per principal and kind.
 */
export class ReadCounter extends WriteCounter {}

/** Given to each provider when it registers. */
export interface ProviderApi {
  readonly store: ResourceStore;
  readonly authorizer: Authorizer;
  readonly events: EventGridPublisher;
  readonly tenantId: string;
  /** Registers an ARM route. Patterns: literal segments (case-insensitive), `{param}`, and a leading `{*scope}` (any scope, possibly empty). */
  route(method: HttpMethod, pattern: string, handler: ArmHandler, options?: RouteOptions): void;
  /** Registers a control route under `/_emulator/` (no ARM authentication). `pattern` is relative: `backup/registerContainer`. */
  controlRoute(method: HttpMethod, pattern: string, handler: ControlHandler): void;
  /**
   * Runs an ARM request in-process through the whole pipeline (authorization, handler, events,
   * write counter) as `principal`: the way an Azure service writes with its own identity.
   * Long-running operations are completed before it returns.
   */
  invoke(principal: Principal, method: HttpMethod, path: string, body?: JsonValue, headers?: Record<string, string>): Promise<InvokeResult>;
  /** Another provider's exports (registered earlier or later; resolved at call time). */
  provider<T>(name: string): T;
}

export interface InvokeResult {
  readonly status: number;
  readonly body: JsonValue | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** A provider module's default export shape: a name and a register function returning its in-process API. */
export interface EmulatorProvider<TExports = unknown> {
  readonly name: string;
  register(api: ProviderApi): TExports;
}

interface CompiledRoute {
  readonly method: HttpMethod;
  readonly pattern: string;
  /** Segments after an optional leading catch-all. */
  readonly parts: readonly { readonly literal?: string; readonly param?: string }[];
  readonly catchAll: string | undefined;
  readonly handler: ArmHandler;
  readonly options: RouteOptions;
}

interface CompiledControlRoute {
  readonly method: HttpMethod;
  readonly parts: readonly { readonly literal?: string; readonly param?: string }[];
  readonly handler: ControlHandler;
}

export interface ArmEngineOptions {
  readonly store: ResourceStore;
  readonly authorizer: Authorizer;
  readonly events: EventGridPublisher;
  readonly faults: FaultInjector;
  readonly writes: WriteCounter;
  /** Optional: GET requests are recorded here when given. */
  readonly reads?: ReadCounter;
  readonly tenantId: string;
  readonly lroPollsBeforeDone: number;
  /** Latency profile (durations of writes and operations); default none. */
  readonly latency?: LatencyModel;
  /** Emulated seconds → real ms (scales every Retry-After the emulator sends); default 0.001. */
  readonly latencyScale?: number;
  /** ARM's subscription throttling; undefined turns it off. */
  readonly rateLimiter?: SubscriptionRateLimiter;
  /** Items per page of pageable lists; default {@link DEFAULT_PAGE_SIZE}. */
  readonly pageSize?: number;
}

/** Small enough that every list vaultlink makes spans pages (Azure pages at 100 or more). */
export const DEFAULT_PAGE_SIZE = 2;

/** The service principal Microsoft.Network acts as when it writes a private endpoint's NIC (the events' caller). */
export const NETWORK_SERVICE_PRINCIPAL_ID = 'a1f7e0c4-5a2d-4c55-9f8e-6b1b7e4c0a11';

interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly principal?: TokenClaims;
  readonly sideEffect: boolean;
}

interface PipelineResult {
  readonly status: number;
  readonly body: JsonValue | undefined;
  readonly headers: Record<string, string>;
  readonly drop?: boolean;
}

/** The request pipeline and route table; transport-free so that in-process calls share it. */
export class ArmEngine {
  readonly operations: OperationTable;
  private readonly routes = new Map<string, CompiledRoute[]>();
  private readonly catchAllRoutes: CompiledRoute[] = [];
  private readonly controlRoutes: CompiledControlRoute[] = [];
  private readonly providerExports = new Map<string, unknown>();
  /** Base URL put in `Azure-AsyncOperation` / `Location` headers; set once the server listens. */
  baseUrl = 'https://127.0.0.1';

  constructor(private readonly o: ArmEngineOptions) {
    this.operations = new OperationTable(o.lroPollsBeforeDone);
    this.registerOperationRoutes();
  }

  /** Registers a provider; returns (and keeps, for {@link ProviderApi.provider}) its exports. */
  registerProvider<T>(provider: EmulatorProvider<T>): T {
    if (this.providerExports.has(provider.name)) throw new Error(`provider ${provider.name} is registered already`);
    const exports = provider.register(this.api());
    this.providerExports.set(provider.name, exports);
    return exports;
  }

  providerExportsOf<T>(name: string): T {
    if (!this.providerExports.has(name)) throw new Error(`no emulator provider named ${name}`);
    return this.providerExports.get(name) as T;
  }

  api(): ProviderApi {
    return {
      store: this.o.store,
      authorizer: this.o.authorizer,
      events: this.o.events,
      tenantId: this.o.tenantId,
      route: (method, pattern, handler, options) => this.addRoute(method, pattern, handler, options ?? {}),
      controlRoute: (method, pattern, handler) => this.addControlRoute(method, pattern, handler),
      invoke: (principal, method, path, body, headers) => this.invoke(principal, method, path, body, headers),
      provider: <T>(name: string) => this.providerExportsOf<T>(name),
    };
  }

  addRoute(method: HttpMethod, pattern: string, handler: ArmHandler, options: RouteOptions = {}): void {
    const segments = pattern.split('/').filter((s) => s.length > 0);
    let catchAll: string | undefined;
    if (segments[0]?.startsWith('{*')) catchAll = (segments.shift() as string).slice(2, -1);
    const parts = segments.map(compilePart);
    if (parts.some((p) => p.literal?.startsWith('{*'))) throw new Error(`only a leading {*catchAll} is supported: ${pattern}`);
    const route: CompiledRoute = { method, pattern, parts, catchAll, handler, options };
    if (catchAll !== undefined) {
      this.catchAllRoutes.push(route);
    } else {
      const key = `${method} ${parts.length}`;
      const list = this.routes.get(key) ?? [];
      list.push(route);
      this.routes.set(key, list);
    }
  }

  addControlRoute(method: HttpMethod, pattern: string, handler: ControlHandler): void {
    const parts = pattern.split('/').filter((s) => s.length > 0).map(compilePart);
    if (parts[0]?.literal === '_emulator') parts.shift();
    this.controlRoutes.push({ method, parts, handler });
  }

  /** In-process ARM call as `principal` (see {@link ProviderApi.invoke}). */
  async invoke(principal: Principal, method: HttpMethod, path: string, body?: JsonValue, headers: Record<string, string> = {}): Promise<InvokeResult> {
    const claims: TokenClaims = { principalId: principal.principalId, tenantId: principal.tenantId, claims: { oid: principal.principalId, tid: principal.tenantId } };
    const url = path.includes('api-version=') ? path : `${path}${path.includes('?') ? '&' : '?'}api-version=${OPERATION_API_VERSION}`;
    const lowered: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) lowered[k.toLowerCase()] = v;
    const result = await this.handle({ method, url, headers: lowered, body: body === undefined ? '' : JSON.stringify(body), principal: claims, sideEffect: true });
    const asyncUrl = result.headers['azure-asyncoperation'] ?? result.headers['location'];
    if (asyncUrl && (result.status === 201 || result.status === 202)) {
      const opId = asyncUrl.split('?')[0]?.split('/').pop() ?? '';
      const op = this.operations.get(opId);
      if (op) {
        await this.operations.settle(op);
        if (op.status === 'Failed' && op.error) return { status: op.error.status, body: op.error.toBody(), headers: {} };
        if (method === 'PUT' || method === 'PATCH') {
          const final = await this.handle({ method: 'GET', url, headers: lowered, body: '', principal: claims, sideEffect: true });
          return { status: final.status === 200 ? 200 : final.status, body: final.body, headers: final.headers };
        }
        return { status: op.result ? 200 : 204, body: op.result, headers: {} };
      }
    }
    return { status: result.status, body: result.body, headers: result.headers };
  }

  /** Runs the pipeline for one request. Never throws: errors become ARM error responses. */
  async handle(raw: RawRequest): Promise<PipelineResult> {
    const correlationId = headerValue(raw.headers['x-ms-correlation-request-id']) ?? randomUUID();
    const baseHeaders: Record<string, string> = { 'x-ms-request-id': randomUUID(), 'x-ms-correlation-request-id': correlationId };
    let writeRecord: WriteRecord | undefined;
    try {
      const q = raw.url.indexOf('?');
      const rawPath = q < 0 ? raw.url : raw.url.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : raw.url.slice(q + 1));
      const segments = splitPath(rawPath);
      const path = '/' + segments.join('/');
      const method = toMethod(raw.method);

      if (segments[0] === '_emulator') return { ...(await this.handleControl(method, segments.slice(1), path, query, raw.body)), headers: baseHeaders };

      const caller = raw.principal ?? authenticate(headerValue(raw.headers['authorization']));
      const apiVersion = query.get('api-version');
      if (!apiVersion) throw armErrors.missingApiVersion();

      if (segments[0]?.toLowerCase() === 'subscriptions' && segments.length >= 2) {
        const subscriptionId = segments[1] as string;
        const subscription = this.o.store.get(subscriptionResourceId(subscriptionId));
        if (!subscription) throw armErrors.subscriptionNotFound(subscriptionId);
        const tenantId = subscription.resource['tenantId'];
        if (typeof tenantId === 'string' && tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
          throw armErrors.invalidAuthenticationTokenTenant(caller.tenantId, subscriptionId);
        }
        // ARM's throttling comes before the RP; Azure services' own in-process calls are not ours to
        // count. A next page costs nothing: Azure pages at 100 or more, so a list it answers in one
        // read spans several of the emulator's small pages, which exist to exercise paging, not to
        // spend the client's budget.
        const nextPage = query.has('$skipToken') || query.has('$skiptoken');
        if (this.o.rateLimiter && !raw.sideEffect && !nextPage) {
          const decision = this.o.rateLimiter.take(caller.principalId, subscriptionId, SubscriptionRateLimiter.kindOf(method));
          Object.assign(baseHeaders, decision.headers);
          if (decision.throttled) throw decision.throttled;
        }
      }

      const found = this.match(method, segments);
      if (!found) {
        const other = HTTP_METHODS.some((m) => m !== method && this.match(m, segments));
        if (other) throw armErrors.methodNotAllowed(method, path);
        throw armErrors.noRoute(method, path);
      }
      const { route, params } = found;
      const routeMatch: RouteMatch = { method, path, segments, params };
      const derived = deriveOperation(method, segments);
      const operation = typeof route.options.action === 'function' ? route.options.action(routeMatch) : route.options.action && route.options.action !== 'none' ? route.options.action : derived.operation;
      const scope = route.options.scope ? route.options.scope(routeMatch) : derived.scope;

      const fault = this.o.faults.decide({ method, path, operation, principalId: caller.principalId });
      // A lost answer: the request runs to the end (the write is applied), then the connection is cut.
      const answerLost = fault?.kind === 'lose-response';
      if (method === 'GET' && this.o.reads !== undefined) {
        writeRecord = { method, path, operation, principalId: caller.principalId, status: 0, faulted: fault !== undefined && fault.kind !== 'latency', sideEffect: raw.sideEffect };
        if (query.has('$skipToken') || query.has('$skiptoken')) writeRecord.nextPage = true;
        this.o.reads.record(writeRecord);
      }
      if (WRITE_METHODS.has(method)) {
        // A lost response is a write that happened: it counts as one (not as a faulted attempt).
        writeRecord = { method, path, operation, principalId: caller.principalId, status: 0, faulted: fault !== undefined && fault.kind !== 'latency' && !answerLost, sideEffect: raw.sideEffect };
        if (answerLost) writeRecord.answerLost = true;
        this.o.writes.record(writeRecord);
      }
      if (fault && !answerLost) {
        const answered = await applyFault(fault);
        if (answered) {
          if (writeRecord) writeRecord.status = answered.status;
          return { ...answered, headers: { ...baseHeaders, ...answered.headers } };
        }
      }

      if (route.options.action !== 'none') this.o.authorizer.assertAuthorized(caller.principalId, operation, scope);

      // Names Azure would refuse never reach a provider (emulator/names.ts).
      if (method === 'PUT') assertResourceNamesValid(segments);

      if (route.options.requireResourceGroup !== false && segments.length > 4 && segments[2]?.toLowerCase() === 'resourcegroups') {
        const rgId = `/subscriptions/${segments[1]}/resourceGroups/${segments[3]}`;
        if (!this.o.store.has(rgId)) throw armErrors.resourceGroupNotFound(segments[3] as string);
      }

      let body: JsonValue | undefined;
      if (raw.body.length > 0) {
        try {
          body = JSON.parse(raw.body) as JsonValue;
        } catch (e) {
          throw armErrors.invalidRequestContent(e instanceof Error ? e.message : String(e));
        }
      }

      // Microsoft.Network locks a resource while an operation on it runs: a second write gets
      // 429 RetryableErrorDueToAnotherOperation (ARM's throttling doc) until it ends.
      const lockKey = method === 'PUT' || method === 'PATCH' || method === 'DELETE' ? networkLockKey(derived.resourceId) : undefined;
      if (lockKey !== undefined) {
        const running = await this.operations.runningOn(lockKey);
        if (running) throw this.anotherOperation(running, derived.resourceId as string);
      }

      const durationMs = WRITE_METHODS.has(method) && this.o.latency ? this.o.latency.requestMs(method, operation) : 0;
      const started = { operation: false };
      const ctx = this.context(
        { method, path, segments, params, query, apiVersion, headers: raw.headers, body, caller, correlationId, operation, resourceId: derived.resourceId },
        { durationMs, lockKey, started },
      );
      const handled = await route.handler(ctx);
      // A write answered at once still takes its time in Azure; a long-running one takes it in its operation.
      if (durationMs > 0 && !started.operation) await sleep(durationMs);
      const response = route.options.pageable && method === 'GET' && handled.status === 200 ? this.page(handled, route.options.pageable, path, query) : handled;
      if (writeRecord) writeRecord.status = response.status;
      if (response.status >= 200 && response.status < 300) {
        const events = response.events ?? defaultEvents(method, response.status, derived.resourceId, operation);
        for (const e of events) this.emit(e, caller, correlationId, method, raw.url, headerValue(raw.headers['x-ms-client-request-id']));
      }
      if (answerLost) return { status: 0, body: undefined, headers: {}, drop: true };
      return { status: response.status, body: method === 'HEAD' ? undefined : response.body, headers: { ...baseHeaders, ...(response.headers ?? {}) } };
    } catch (e) {
      const error = e instanceof ArmError ? e : armErrors.internalServerError(e instanceof Error ? e.message : String(e));
      if (!(e instanceof ArmError)) console.error('[emulator] unexpected error', e);
      if (writeRecord) {
        writeRecord.status = error.status;
        // A write the RP (or authorization) refused shows in Event Grid as a failure; throttled ones never reached it.
        if (WRITE_METHODS.has(writeRecord.method) && failureEventsFor(error)) this.emitFailure(writeRecord.method, writeRecord.path, writeRecord.operation, error, raw, correlationId);
      }
      return { status: error.status, body: error.toBody(), headers: { ...baseHeaders, ...error.headers } };
    }
  }

  /** 429 RetryableErrorDueToAnotherOperation with the wait until the running operation ends. */
  private anotherOperation(running: LongRunningOperation, resourceId: string): ArmError {
    const waitMs = Math.max(1, running.readyAt - Date.now());
    const headers = { 'retry-after': String(Math.max(0, Math.floor(this.scaledSeconds(DEFAULT_OPERATION_RETRY_AFTER_SECONDS)))), 'retry-after-ms': String(waitMs) };
    return new ArmError(
      429,
      'RetryableErrorDueToAnotherOperation',
      `Operation on ${resourceId} cannot be performed because another operation (${running.id}) is in progress on it. Please retry after the other operation completes.`,
      [],
      headers,
    );
  }

  private scaledSeconds(seconds: number): number {
    return seconds * (this.o.latencyScale ?? DEFAULT_LATENCY_SCALE);
  }

  /** Cuts a `{ value }` list into the page `$skipToken` asks for, with `nextLink` to the next one. */
  private page(response: ArmResponse, pageable: true | { readonly top: boolean }, path: string, query: URLSearchParams): ArmResponse {
    const body = response.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body['value'])) return response;
    const items = body['value'];
    const top = pageable !== true && pageable.top ? Number(query.get('$top') ?? Number.NaN) : Number.NaN;
    const size = Number.isInteger(top) && top > 0 ? top : (this.o.pageSize ?? DEFAULT_PAGE_SIZE);
    const token = query.get('$skipToken') ?? query.get('$skiptoken');
    const offset = token === null ? 0 : decodeSkipToken(token);
    const next = offset + size;
    const out: JsonObject = { ...body, value: items.slice(offset, next) };
    if (next < items.length) {
      const q = new URLSearchParams(query);
      q.delete('$skiptoken');
      q.set('$skipToken', encodeSkipToken(next));
      // ARM writes `$skipToken` with a literal dollar, as the REST examples show it.
      out['nextLink'] = `${this.baseUrl}${path}?${q.toString().replace(/%24/g, '$')}`;
    } else {
      delete out['nextLink'];
    }
    return { ...response, body: out };
  }

  private context(
    c: {
    method: HttpMethod;
    path: string;
    segments: readonly string[];
    params: Record<string, string>;
    query: URLSearchParams;
    apiVersion: string;
    headers: IncomingHttpHeaders;
    body: JsonValue | undefined;
    caller: TokenClaims;
    correlationId: string;
    operation: string;
    resourceId: string | undefined;
  },
    timing: { durationMs: number; lockKey: string | undefined; started: { operation: boolean } },
  ): ArmContext {
    const authorizer = this.o.authorizer;
    return {
      ...c,
      requireBody: () => {
        if (c.body === undefined || c.body === null || typeof c.body !== 'object' || Array.isArray(c.body)) {
          throw armErrors.invalidRequestContent('the request body must be a JSON object.');
        }
        return c.body;
      },
      authorize: (action, scope) => authorizer.assertAuthorized(c.caller.principalId, action, scope),
      authorizeLinked: (action, scope) => authorizer.assertLinkedAuthorized(c.caller.principalId, action, scope),
      isAuthorized: (action, scope) => authorizer.isAuthorized(c.caller.principalId, action, scope),
      longRunning: (spec) => {
        timing.started.operation = true;
        return this.startLongRunning(spec, c, timing);
      },
    };
  }

  private startLongRunning(
    spec: LongRunningSpec,
    c: { method: HttpMethod; segments: readonly string[]; caller: TokenClaims; correlationId: string; operation: string; resourceId: string | undefined; path: string },
    timing: { durationMs: number; lockKey: string | undefined } = { durationMs: 0, lockKey: undefined },
  ): ArmResponse {
    const subscriptionId = c.segments[0]?.toLowerCase() === 'subscriptions' && c.segments[1] ? c.segments[1] : this.defaultSubscriptionFor();
    const eventsOf = (): readonly ResourceEventSpec[] => (typeof spec.events === 'function' ? spec.events() : (spec.events ?? defaultEvents(c.method, 200, c.resourceId, c.operation)));
    const op = this.operations.start(
      subscriptionId,
      async () => {
        let result: JsonObject | void;
        try {
          result = await spec.complete();
        } catch (e) {
          if (e instanceof ArmError && failureEventsFor(e)) this.emitFailureFor(c.method, c.resourceId, c.operation, e, c.caller, c.correlationId, c.path);
          throw e;
        }
        for (const e of eventsOf()) this.emit(e, c.caller, c.correlationId, c.method, c.path, undefined);
        return result;
      },
      spec.pollsBeforeDone,
      { durationMs: timing.durationMs, ...(timing.lockKey !== undefined ? { lockKey: timing.lockKey } : {}) },
    );
    const retryAfter = Math.max(0, Math.floor(this.scaledSeconds(spec.retryAfterSeconds ?? operationRetryAfterSeconds(c.operation))));
    const headers: Record<string, string> = {
      location: `${this.baseUrl}/subscriptions/${subscriptionId}/${OPERATION_RESULTS_PATH}/${op.id}?api-version=${OPERATION_API_VERSION}`,
      'retry-after': String(retryAfter),
    };
    if (spec.asyncOperationHeader !== false) headers['azure-asyncoperation'] = `${this.baseUrl}/subscriptions/${subscriptionId}/${OPERATIONS_PATH}/${op.id}?api-version=${OPERATION_API_VERSION}`;
    const status = spec.status ?? (c.method === 'PUT' || c.method === 'PATCH' ? 201 : 202);
    return { status, body: spec.body, headers, events: [] };
  }

  private defaultSubscriptionFor(): string {
    const first = this.o.store.list({ type: 'Microsoft.Resources/subscriptions' })[0];
    return first ? first.parsed.name : '00000000-0000-0000-0000-000000000000';
  }

  private emit(spec: ResourceEventSpec, caller: TokenClaims, correlationId: string, method: HttpMethod, url: string, clientRequestId: string | undefined): void {
    const parsed = tryParseResourceId(spec.resourceId);
    if (!parsed || parsed.subscriptionId === undefined) return;
    const stored = this.o.store.get(parsed.id);
    const resourceId = stored?.id ?? parsed.id;
    const eventType = spec.kind === 'write' ? RESOURCE_WRITE_SUCCESS : spec.kind === 'delete' ? RESOURCE_DELETE_SUCCESS : RESOURCE_ACTION_SUCCESS;
    const operationName = spec.operationName ?? `${parsed.type}/${spec.kind}`;
    const by = spec.principal
      ? { tenantId: spec.principal.tenantId, claims: { oid: spec.principal.principalId, tid: spec.principal.tenantId } as Record<string, unknown> }
      : { tenantId: caller.tenantId, claims: caller.claims };
    this.o.events.publishResourceEvent({
      eventType,
      resourceId,
      subscriptionId: parsed.subscriptionId,
      tenantId: by.tenantId,
      operationName,
      claims: by.claims,
      correlationId,
      // A service's own write has no client request of the caller's to show.
      ...(spec.principal ? {} : { httpRequest: { method, url: `${this.baseUrl}${url}`, ...(clientRequestId ? { clientRequestId } : {}) } }),
    });
  }

  /** `ResourceWriteFailure` / `ResourceDeleteFailure` / `ResourceActionFailure` for a refused write. */
  private emitFailure(method: HttpMethod, path: string, operation: string, error: ArmError, raw: RawRequest, correlationId: string): void {
    let caller: TokenClaims;
    try {
      caller = raw.principal ?? authenticate(headerValue(raw.headers['authorization']));
    } catch {
      return;
    }
    const segments = splitPath(path);
    this.emitFailureFor(method, deriveOperation(method, segments).resourceId, operation, error, caller, correlationId, raw.url);
  }

  private emitFailureFor(method: HttpMethod, resourceId: string | undefined, operation: string, error: ArmError, caller: TokenClaims, correlationId: string, url: string): void {
    const parsed = resourceId === undefined ? undefined : tryParseResourceId(resourceId);
    if (!parsed || parsed.subscriptionId === undefined) return;
    const eventType = method === 'DELETE' ? RESOURCE_DELETE_FAILURE : method === 'POST' ? RESOURCE_ACTION_FAILURE : RESOURCE_WRITE_FAILURE;
    this.o.events.publishResourceEvent({
      eventType,
      resourceId: this.o.store.get(parsed.id)?.id ?? parsed.id,
      subscriptionId: parsed.subscriptionId,
      tenantId: caller.tenantId,
      operationName: operation,
      claims: caller.claims,
      correlationId,
      httpRequest: { method, url: url.startsWith('http') ? url : `${this.baseUrl}${url}` },
      status: 'Failed',
      error: { code: error.code, message: error.message },
    });
  }

  private match(method: HttpMethod, segments: readonly string[]): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const candidates = this.routes.get(`${method} ${segments.length}`);
    if (candidates) {
      for (const route of candidates) {
        const params = matchParts(route.parts, segments, 0);
        if (params) return { route, params };
      }
    }
    for (const route of this.catchAllRoutes) {
      if (route.method !== method) continue;
      const scopeLength = segments.length - route.parts.length;
      if (scopeLength < 0) continue;
      const params = matchParts(route.parts, segments, scopeLength);
      if (params) {
        params[route.catchAll as string] = '/' + segments.slice(0, scopeLength).join('/');
        return { route, params };
      }
    }
    return undefined;
  }

  private async handleControl(method: HttpMethod, segments: readonly string[], path: string, query: URLSearchParams, rawBody: string): Promise<{ status: number; body: JsonValue | undefined }> {
    for (const route of this.controlRoutes) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      const params = matchParts(route.parts, segments, 0);
      if (!params) continue;
      let body: JsonValue | undefined;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody) as JsonValue;
        } catch (e) {
          throw armErrors.invalidRequestContent(e instanceof Error ? e.message : String(e));
        }
      }
      const response = await route.handler({ method, path, params, query, body });
      return { status: response.status, body: response.body };
    }
    throw new ArmError(404, 'NotFound', `No emulator control endpoint serves ${method} ${path}.`);
  }

  private registerOperationRoutes(): void {
    // The URLs handed out in Azure-AsyncOperation and Location headers. Any authenticated caller
    // may poll (operation ids are unguessable), as with ARM's operation URLs.
    this.addRoute(
      'GET',
      `/subscriptions/{subscriptionId}/${OPERATIONS_PATH}/{operationId}`,
      async (ctx) => {
        const op = this.operations.get(ctx.params['operationId'] as string);
        if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${ctx.params['operationId']}' could not be found.`);
        await this.operations.poll(op);
        return { status: 200, body: OperationTable.statusBody(op), events: [] };
      },
      { action: 'none' },
    );
    this.addRoute(
      'GET',
      `/subscriptions/{subscriptionId}/${OPERATION_RESULTS_PATH}/{operationId}`,
      async (ctx) => {
        const op = this.operations.get(ctx.params['operationId'] as string);
        if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${ctx.params['operationId']}' could not be found.`);
        await this.operations.poll(op);
        if (op.status === 'InProgress') {
          return { status: 202, headers: { location: `${this.baseUrl}${ctx.path}?api-version=${OPERATION_API_VERSION}` }, events: [] };
        }
        if (op.status === 'Failed' && op.error) throw op.error;
        return op.result ? { status: 200, body: op.result, events: [] } : { status: 204, events: [] };
      },
      { action: 'none' },
    );
  }
}

function compilePart(segment: string): { literal?: string; param?: string } {
  if (segment.startsWith('{') && segment.endsWith('}') && !segment.startsWith('{*')) return { param: segment.slice(1, -1) };
  return { literal: segment.toLowerCase() };
}

function matchParts(parts: CompiledRoute['parts'], segments: readonly string[], offset: number): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as { literal?: string; param?: string };
    const seg = segments[offset + i] as string;
    if (part.literal !== undefined) {
      if (part.literal !== seg.toLowerCase()) return undefined;
    } else if (part.param !== undefined) {
      params[part.param] = seg;
    }
  }
  return params;
}

/** Path segments: leading/duplicate slashes collapsed (SDKs send `//subscriptions/…` for scoped calls), each percent-decoded. */
export function splitPath(rawPath: string): string[] {
  const out: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s.length === 0) continue;
    let decoded: string;
    try {
      decoded = s.includes('%') ? decodeURIComponent(s) : s;
    } catch {
      throw armErrors.badRequest('InvalidRequestUri', `The request URI segment '${s}' is not valid percent-encoding.`);
    }
    out.push(decoded);
  }
  return out;
}

function toMethod(method: string): HttpMethod {
  const m = method.toUpperCase();
  if ((HTTP_METHODS as readonly string[]).includes(m)) return m as HttpMethod;
  throw armErrors.methodNotAllowed(method, '');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const VERB: Record<HttpMethod, string> = { GET: 'read', HEAD: 'read', PUT: 'write', PATCH: 'write', DELETE: 'delete', POST: 'action' };

/**
 * The operation name and scope ARM checks for a path: a resource id gives `<type>/<verb>` at the
 * resource; a collection (`…/privateEndpoints`) gives `<type>/read` at its parent; a POST to
 * `…/vaults/v/refresh` gives `<vault type>/refresh/action` at the vault.
 */
export function deriveOperation(method: HttpMethod, segments: readonly string[]): { operation: string; scope: string; resourceId: string | undefined } {
  const path = '/' + segments.join('/');
  const asResource = segments.length > 0 ? tryParseResourceId(path) : undefined;
  if (asResource && method !== 'POST') {
    return { operation: `${armType(asResource.type)}/${VERB[method]}`, scope: asResource.id, resourceId: asResource.id };
  }
  if (method === 'POST' && segments.length > 1) {
    const target = tryParseResourceId('/' + segments.slice(0, -1).join('/'));
    if (target) return { operation: `${armType(target.type)}/${segments[segments.length - 1]}/action`, scope: target.id, resourceId: target.id };
  }
  const asCollection = tryParseResourceId(path + '/_');
  if (asCollection) {
    return { operation: `${armType(asCollection.type)}/read`, scope: parentResourceId(asCollection.id) ?? '/', resourceId: undefined };
  }
  if (asResource) return { operation: `${armType(asResource.type)}/${VERB[method]}`, scope: asResource.id, resourceId: asResource.id };
  return { operation: `unknown/${VERB[method]}`, scope: path, resourceId: undefined };
}

/** ARM names resource group operations under subscriptions: `Microsoft.Resources/subscriptions/resourceGroups/write`. */
function armType(type: string): string {
  return type.toLowerCase() === 'microsoft.resources/resourcegroups' ? 'Microsoft.Resources/subscriptions/resourceGroups' : type;
}

function defaultEvents(method: HttpMethod, status: number, resourceId: string | undefined, operation: string): ResourceEventSpec[] {
  if (resourceId === undefined) return [];
  const parsed = parseResourceId(resourceId);
  if (method === 'PUT' || method === 'PATCH') return [{ kind: 'write', resourceId, operationName: `${armType(parsed.type)}/write` }];
  if (method === 'DELETE' && status !== 204) return [{ kind: 'delete', resourceId, operationName: `${armType(parsed.type)}/delete` }];
  if (method === 'POST') return [{ kind: 'action', resourceId, operationName: operation }];
  return [];
}

/**
 * The `Retry-After` an RP sends with its operations (seconds, before scaling): 60 for the Backup
 * RP (an approval) and private DNS links, as issue 12 observed; 10 for the rest of Microsoft.Network.
 */
export function operationRetryAfterSeconds(operation: string): number {
  const o = operation.toLowerCase();
  if (o.startsWith('microsoft.recoveryservices/') || o.startsWith('microsoft.network/privatednszones/virtualnetworklinks/')) return SLOW_OPERATION_RETRY_AFTER_SECONDS;
  return DEFAULT_OPERATION_RETRY_AFTER_SECONDS;
}

/** Emulated seconds → real ms when nobody says otherwise: a minute of Azure takes 60 ms. */
export const DEFAULT_LATENCY_SCALE = 0.001;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Failures that reached the RP (or ARM's authorization) and so show in Event Grid; throttling never does. */
function failureEventsFor(error: ArmError): boolean {
  return error.status !== 429 && error.status !== 401 && !(error.status === 404 && error.code === 'InvalidResourceType');
}

/**
 * The key Microsoft.Network locks for a write: the top-level network resource (a private endpoint
 * for its zone groups, a VNet for its subnets, a private DNS zone for its links and record sets).
 */
export function networkLockKey(resourceId: string | undefined): string | undefined {
  const parsed = resourceId === undefined ? undefined : tryParseResourceId(resourceId);
  if (!parsed || !parsed.type.toLowerCase().startsWith('microsoft.network/') || parsed.resourceGroup === undefined || parsed.subscriptionId === undefined) return undefined;
  const top = parsed.segments[0];
  if (!top) return undefined;
  return parseResourceId(`/subscriptions/${parsed.subscriptionId}/resourceGroups/${parsed.resourceGroup}/providers/${top.namespace}/${top.type}/${top.name}`).key;
}

/** `$skipToken` values are opaque to clients; the emulator's carry the offset of the next page. */
function encodeSkipToken(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function decodeSkipToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^o:(\d+)$/.exec(text);
  if (!m) throw armErrors.badRequest('InvalidSkipToken', `The $skipToken '${token}' is not one this list handed out.`);
  return Number(m[1]);
}

async function applyFault(fault: Fault): Promise<PipelineResult | undefined> {
  switch (fault.kind) {
    case 'latency':
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      return undefined;
    case 'throttle': {
      const seconds = fault.retryAfterSeconds ?? 1;
      const headers: Record<string, string> = { 'retry-after': String(seconds) };
      if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
      const error = armErrors.tooManyRequests(seconds, headers);
      return { status: 429, body: error.toBody(), headers };
    }
    case 'error': {
      const error = new ArmError(fault.status ?? 500, fault.code ?? 'InternalServerError', fault.message ?? 'Injected fault: the server encountered an internal error.');
      return { status: error.status, body: error.toBody(), headers: {} };
    }
    case 'drop':
      return { status: 0, body: undefined, headers: {}, drop: true };
    case 'lose-response':
      return undefined; // served first; handle() drops the answer
  }
}

// ---------------------------------------------------------------------------------------------
// HTTPS transport

export interface ArmServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly key: string;
  readonly cert: string;
}

/** Serves an {@link ArmEngine} over HTTPS with keep-alive; `close()` ends open connections. */
export class ArmServer {
  private readonly server: https.Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly engine: ArmEngine,
    private readonly options: ArmServerOptions,
  ) {
    this.server = https.createServer({ key: options.key, cert: options.cert, keepAlive: true }, (req, res) => this.serve(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const endpoint = `https://${this.options.host ?? '127.0.0.1'}:${address.port}`;
    this.engine.baseUrl = endpoint;
    return endpoint;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
      this.engine
        .handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, sideEffect: false })
        .then((result) => {
          if (result.drop) {
            // A dropped connection: no status line at all, as when a gateway resets the socket.
            req.socket.destroy();
            return;
          }
          const payload = result.body === undefined ? '' : JSON.stringify(result.body);
          const headers: Record<string, string | number> = { ...result.headers, 'content-length': Buffer.byteLength(payload) };
          if (payload.length > 0) headers['content-type'] = 'application/json; charset=utf-8';
          res.writeHead(result.status, headers);
          res.end(payload);
        })
        .catch((e: unknown) => {
          console.error('[emulator] failed to answer', e);
          res.destroy();
        });
    });
  }
}
