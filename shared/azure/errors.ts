/**
 * Errors from Azure, classified in one place.
 *
 * The SDK throws `RestError` (`statusCode`, `code`) for HTTP failures and for transport failures
 * (`code` like `ECONNRESET`, no status). Everything past the adapters asks the questions below —
 * "was it not found?", "is it worth retrying?" — instead of reading status codes, and every
 * error an adapter throws says what was being done on which resource (`reading vault …`), with
 * the SDK's error as `cause`.
 */
import { isRestError, type RestError } from '@azure/core-rest-pipeline';

/** What kind of failure an Azure call met. */
export type AzureErrorKind =
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'throttled'
  | 'authorization-failed'
  | 'transient'
  | 'other';

export interface AzureErrorClassification {
  readonly kind: AzureErrorKind;
  /** ARM's error code (`ResourceNotFound`, `RoleAssignmentExists`, …), the transport code (`ECONNRESET`), or the status as text. */
  readonly code: string;
  readonly statusCode: number | undefined;
  /** True when trying again later may succeed (throttling, 5xx, dropped connections, timeouts). */
  readonly transient: boolean;
  readonly message: string;
}

// Transport failures that a retry can cure (Node's error codes, the SDK's own).
const TRANSIENT_TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'REQUEST_SEND_ERROR',
]);

// ARM codes that say "authorization failed" whatever the status (403 mostly, 401 for tokens).
const AUTHORIZATION_CODES = new Set(['authorizationfailed', 'linkedauthorizationfailed', 'invalidauthenticationtoken', 'invalidauthenticationtokentenant', 'expiredauthenticationtoken']);

/** The `RestError` in an error or anywhere in its `cause` chain. */
export function findRestError(error: unknown): RestError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    if (isRestError(current)) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The {@link AzureOperationError} in an error or its `cause` chain. */
function findOperationError(error: unknown): AzureOperationError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    if (current instanceof AzureOperationError) return current;
    seen.add(current);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Classifies any error thrown by an SDK call (or by an adapter, which wraps them). Not found:
 * 404. Conflict: 409. Precondition failed: 412. Throttled: 429. Authorization failed: 401/403 or
 * an authorization code. Transient: 408, 5xx except 501/505, and dropped connections or timeouts.
 * Anything else (400, a bug) is `other`.
 */
export function classifyAzureError(error: unknown): AzureErrorClassification {
  const wrapped = findOperationError(error);
  if (wrapped) return wrapped.classification;
  const rest = findRestError(error);
  const statusCode = rest?.statusCode;
  const code = rest?.code ?? (error as { code?: unknown } | undefined)?.code;
  const codeText = typeof code === 'string' && code.length > 0 ? code : statusCode !== undefined ? String(statusCode) : 'Unknown';
  const message = messageOf(rest ?? error);
  const make = (kind: AzureErrorKind): AzureErrorClassification => ({
    kind,
    code: codeText,
    statusCode,
    transient: kind === 'throttled' || kind === 'transient',
    message,
  });

  if (AUTHORIZATION_CODES.has(codeText.toLowerCase())) return make('authorization-failed');
  switch (statusCode) {
    case 401:
    case 403:
      return make('authorization-failed');
    case 404:
      return make('not-found');
    case 409:
      return make('conflict');
    case 412:
      return make('precondition-failed');
    case 429:
      return make('throttled');
    case 408:
      return make('transient');
  }
  if (statusCode !== undefined && statusCode >= 500 && statusCode !== 501 && statusCode !== 505) return make('transient');
  if (statusCode === undefined && (TRANSIENT_TRANSPORT_CODES.has(codeText.toUpperCase()) || (error as { name?: unknown })?.name === 'AbortError')) {
    return make('transient');
  }
  return make('other');
}

export const isNotFound = (error: unknown): boolean => classifyAzureError(error).kind === 'not-found';
export const isConflict = (error: unknown): boolean => classifyAzureError(error).kind === 'conflict';
export const isPreconditionFailed = (error: unknown): boolean => classifyAzureError(error).kind === 'precondition-failed';
export const isThrottled = (error: unknown): boolean => classifyAzureError(error).kind === 'throttled';
export const isAuthorizationFailed = (error: unknown): boolean => classifyAzureError(error).kind === 'authorization-failed';
/** Throttled or transient: worth retrying later. */
export const isTransient = (error: unknown): boolean => classifyAzureError(error).transient;
/** ARM's error code of the failure (`RoleAssignmentExists`, `PreconditionFailed`, …). */
export const azureErrorCode = (error: unknown): string => classifyAzureError(error).code;

/**
 * An Azure call that failed, with what was being done (`reading vault`) on which resource. The
 * SDK's error is the `cause`; the classification is computed once, here.
 */
export class AzureOperationError extends Error {
  override readonly name = 'AzureOperationError';
  readonly classification: AzureErrorClassification;
  constructor(
    readonly operation: string,
    readonly resourceId: string,
    cause: unknown,
  ) {
    const classification = classifyAzureError(cause);
    super(`${operation} ${resourceId}: ${classification.code}: ${classification.message}`, { cause });
    this.classification = classification;
  }
  get kind(): AzureErrorKind {
    return this.classification.kind;
  }
  get code(): string {
    return this.classification.code;
  }
  get transient(): boolean {
    return this.classification.transient;
  }
}

/** Runs an SDK call; a failure is rethrown as an {@link AzureOperationError} naming the operation and resource. */
export async function describeAzureCall<T>(operation: string, resourceId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new AzureOperationError(operation, resourceId, e);
  }
}

/** Like {@link describeAzureCall}, but a 404 gives `undefined` (a missing resource is a state, not an error). */
export async function readOrUndefined<T>(operation: string, resourceId: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw new AzureOperationError(operation, resourceId, e);
  }
}
