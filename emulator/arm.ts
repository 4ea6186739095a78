/**
 * ARM's wire conventions shared by every provider: the error envelope with ARM's codes, and the
 * long-running-operation records that `Azure-AsyncOperation` / `Location` URLs point at.
 */
import { randomUUID } from 'node:crypto';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One entry of ARM's `error.details`. */
export interface ArmErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly target?: string;
}

/**
 * An ARM error: thrown by providers, turned by the server into `{ "error": { code, message } }`
 * with the HTTP status. The SDK clients surface it as `RestError` with `statusCode` and `code`.
 */
export class ArmError extends Error {
  override readonly name = 'ArmError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ArmErrorDetail[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The body ARM sends. */
  toBody(): JsonObject {
    const error: JsonObject = { code: this.code, message: this.message };
    if (this.details.length > 0) error['details'] = this.details.map((d) => ({ ...d }));
    return { error };
  }
}

// Constructors for the codes the emulator answers with; messages follow ARM's wording.
export const armErrors = {
  missingApiVersion: () =>
    new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."),
  invalidAuthenticationToken: (why: string) =>
    new ArmError(401, 'InvalidAuthenticationToken', `The access token is invalid. ${why}`),
  invalidAuthenticationTokenTenant: (tokenTenant: string, subscriptionId: string) =>
    new ArmError(
      401,
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer 'https://sts.windows.net/${tokenTenant}/'. It must match the tenant associated with this subscription '${subscriptionId}'.`,
    ),
  authorizationFailed: (principalId: string, action: string, scope: string) =>
    new ArmError(
      403,
      'AuthorizationFailed',
      `The client '${principalId}' with object id '${principalId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  linkedAuthorizationFailed: (principalId: string, action: string, linkedScope: string) =>
    new ArmError(
      403,
      'LinkedAuthorizationFailed',
      `The client '${principalId}' with object id '${principalId}' has permission to perform the requested operation but does not have permission to perform action(s) '${action}' on the linked scope(s) '${linkedScope}' or the linked scope(s) are invalid.`,
    ),
  subscriptionNotFound: (subscriptionId: string) =>
    new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`),
  resourceGroupNotFound: (resourceGroup: string) =>
    new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`),
  resourceNotFound: (type: string, name: string, resourceGroup?: string) =>
    new ArmError(
      404,
      'ResourceNotFound',
      resourceGroup === undefined
        ? `The Resource '${type}/${name}' was not found.`
        : `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  invalidResourceType: (type: string, apiVersion: string) =>
    new ArmError(404, 'InvalidResourceType', `The resource type '${type}' could not be found for api version '${apiVersion}'.`),
  noRoute: (method: string, path: string) =>
    new ArmError(404, 'InvalidResourceType', `No registered resource provider serves ${method} '${path}'.`),
  methodNotAllowed: (method: string, path: string) =>
    new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}' on '${path}'.`),
  invalidRequestContent: (why: string) => new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: ${why}`),
  invalidResourceId: (why: string) => new ArmError(400, 'LinkedInvalidPropertyId', why),
  badRequest: (code: string, message: string) => new ArmError(400, code, message),
  conflict: (code: string, message: string) => new ArmError(409, code, message),
  preconditionFailed: (message = 'The precondition given in the request failed.') => new ArmError(412, 'PreconditionFailed', message),
  roleAssignmentExists: () => new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.'),
  tooManyRequests: (retryAfterSeconds: number, headers: Record<string, string>) =>
    new ArmError(429, 'TooManyRequests', `The request is being throttled. Please retry after ${retryAfterSeconds} seconds.`, [], headers),
  internalServerError: (message = 'The server encountered an internal error. Please retry the request.') =>
    new ArmError(500, 'InternalServerError', message),
} as const;

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

/**
 * What a long-running operation does when it finishes: returns the final resource body (for a
 * PUT; served by the `Location` URL) or nothing (a DELETE); throws an {@link ArmError} to fail it.
 */
export type OperationCompletion = () => JsonObject | void | Promise<JsonObject | void>;

export interface LongRunningOperation {
  readonly id: string;
  readonly subscriptionId: string;
  readonly startTime: string;
  status: OperationStatus;
  endTime?: string;
  error?: ArmError;
  result?: JsonObject;
  /** Polls that still answer InProgress before the operation completes. */
  pollsLeft: number;
  /** Epoch ms before which polls answer InProgress (the latency profile's duration). */
  readyAt: number;
  /** The resource this operation locks against concurrent writes (Microsoft.Network's lock), by id key. */
  readonly lockKey?: string;
  completion: OperationCompletion;
  /** Set while the completion runs, so concurrent polls wait for the same outcome. */
  settling?: Promise<void>;
}

/** The framework's table of long-running operations; providers start them through `ctx.longRunning`. */
export class OperationTable {
  private readonly operations = new Map<string, LongRunningOperation>();
  /** Running operations by the key they lock (one per key: a second write is refused meanwhile). */
  private readonly locks = new Map<string, LongRunningOperation>();

  constructor(private readonly defaultPollsBeforeDone: number) {}

  start(
    subscriptionId: string,
    completion: OperationCompletion,
    pollsBeforeDone = this.defaultPollsBeforeDone,
    options: { readonly durationMs?: number; readonly lockKey?: string } = {},
  ): LongRunningOperation {
    const now = Date.now();
    const op: LongRunningOperation = {
      id: randomUUID(),
      subscriptionId,
      startTime: new Date(now).toISOString(),
      status: 'InProgress',
      pollsLeft: Math.max(0, pollsBeforeDone),
      readyAt: now + Math.max(0, options.durationMs ?? 0),
      completion,
      ...(options.lockKey !== undefined ? { lockKey: options.lockKey } : {}),
    };
    this.operations.set(op.id, op);
    if (op.lockKey !== undefined) this.locks.set(op.lockKey, op);
    return op;
  }

  get(id: string): LongRunningOperation | undefined {
    return this.operations.get(id.toLowerCase()) ?? this.operations.get(id);
  }

  /** Counts one poll; completes the operation once its polls are used up and its duration has passed. */
  async poll(op: LongRunningOperation): Promise<void> {
    if (op.status !== 'InProgress') return;
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
      return;
    }
    if (Date.now() < op.readyAt) return;
    await this.settle(op);
  }

  /**
   * The operation still running on `lockKey`, if any. The lock lasts the operation's duration:
   * one whose duration has passed is completed here first, polled or not (in Azure the work is
   * done by then; polls only observe it), so a client that lost the answer never leaves a lock.
   */
  async runningOn(lockKey: string): Promise<LongRunningOperation | undefined> {
    const op = this.locks.get(lockKey);
    if (!op || op.status !== 'InProgress') return undefined;
    if (Date.now() >= op.readyAt) {
      await this.settle(op);
      return undefined;
    }
    return op;
  }

  /** Completes the operation now (runs its completion once). */
  async settle(op: LongRunningOperation): Promise<void> {
    if (op.status !== 'InProgress') return;
    op.settling ??= (async () => {
      try {
        const result = await op.completion();
        if (result) op.result = result;
        op.status = 'Succeeded';
      } catch (e) {
        op.error = e instanceof ArmError ? e : armErrors.internalServerError(e instanceof Error ? e.message : String(e));
        op.status = 'Failed';
      }
      op.endTime = new Date().toISOString();
      if (op.lockKey !== undefined && this.locks.get(op.lockKey) === op) this.locks.delete(op.lockKey);
    })();
    await op.settling;
  }

  /** Completes every operation still in progress (tests that start LROs without polling them). */
  async settleAll(): Promise<void> {
    await Promise.all([...this.operations.values()].map((op) => this.settle(op)));
  }

  pending(): LongRunningOperation[] {
    return [...this.operations.values()].filter((op) => op.status === 'InProgress');
  }

  /** The `Azure-AsyncOperation` body. */
  static statusBody(op: LongRunningOperation): JsonObject {
    const body: JsonObject = { id: op.id, name: op.id, status: op.status, startTime: op.startTime };
    if (op.endTime) body['endTime'] = op.endTime;
    if (op.error) body['error'] = op.error.toBody()['error'] as JsonObject;
    return body;
  }
}
