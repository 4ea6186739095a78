/**
 * Shared helpers for tests that run against the emulator: start one, make SDK clients for a
 * principal, catch the RestError of an SDK call that must fail, send raw ARM requests over HTTPS
 * (for APIs without an installed SDK client, and for malformed requests an SDK would never send).
 */
import { randomUUID } from 'node:crypto';
import * as https from 'node:https';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { isRestError } from '@azure/core-rest-pipeline';
import { startEmulator, type Emulator, type StartEmulatorOptions } from '../../emulator';

export type { Emulator };

/** Poller options for tests: poll every 5 ms instead of the SDK's 2 s. */
export const FAST_POLLING = { updateIntervalInMs: 5 } as const;

export function startTestEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ seed: 42, ...options });
}

/** A fresh principal (object id). */
export function newPrincipalId(): string {
  return randomUUID();
}

/** Options every @azure/arm-* client needs to reach the emulator. */
export function sdkClientOptions(emulator: Emulator): { endpoint: string; tlsOptions: { ca: string } } {
  return { endpoint: emulator.endpoint, tlsOptions: { ca: emulator.ca } };
}

/** {@link sdkClientOptions} without the SDK's retries, so that a contract test sees each error as the emulator answers it. */
export function noRetrySdkClientOptions(emulator: Emulator): { endpoint: string; tlsOptions: { ca: string }; retryOptions: { maxRetries: number } } {
  return { ...sdkClientOptions(emulator), retryOptions: { maxRetries: 0 } };
}

/** An @azure/arm-* client class: every one is built from a credential, a subscription id and options. */
export type SdkClientClass<Client> = new (credential: ReturnType<Emulator['credentialFor']>, subscriptionId: string, options: ReturnType<typeof noRetrySdkClientOptions>) => Client;

/** A real SDK client acting as `principalId` (default: the subscription owner) in the emulator's subscription, without retries. */
export function noRetrySdkClient<Client>(emulator: Emulator, Client: SdkClientClass<Client>, principalId = emulator.ownerPrincipalId): Client {
  return new Client(emulator.credentialFor(principalId), emulator.subscriptionId, noRetrySdkClientOptions(emulator));
}

/** The real Microsoft.Authorization client acting as `principalId` (default: the subscription owner). */
export function authorizationClientFor(emulator: Emulator, principalId = emulator.ownerPrincipalId, subscriptionId = emulator.subscriptionId): AuthorizationManagementClient {
  return new AuthorizationManagementClient(emulator.credentialFor(principalId), subscriptionId, sdkClientOptions(emulator));
}

/** What an SDK call that failed reports: the HTTP status and ARM's error code. */
export interface RestFailure {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}

/**
 * Awaits an SDK call that must fail with a RestError and answers its status and code, and nothing
 * else (so `toEqual` pins both). Throws when the call succeeds; rethrows any other error.
 */
export async function restErrorOf(call: Promise<unknown>): Promise<RestFailure> {
  const { statusCode, code } = await restErrorWithMessageOf(call);
  return { statusCode, code };
}

/** {@link restErrorOf} with the error's message, for tests that check what it says. */
export async function restErrorWithMessageOf(call: Promise<unknown>): Promise<RestFailure & { readonly message: string }> {
  try {
    await call;
  } catch (e) {
    if (isRestError(e)) return { statusCode: e.statusCode, code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The names an SDK list answers, in its order, across all its pages. */
export async function namesOf(list: AsyncIterable<{ name?: string }>): Promise<string[]> {
  const names: string[] = [];
  for await (const resource of list) names.push(resource.name as string);
  return names;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

export interface RawRequestOptions {
  readonly method?: string;
  /** Path with query, e.g. `/subscriptions/…?api-version=2021-04-01`. */
  readonly path: string;
  readonly body?: unknown;
  /** A body sent as is (for malformed JSON); wins over `body`. */
  readonly rawBody?: string;
  /** A principal to act as (default: the owner); `null` sends no Authorization header. */
  readonly principalId?: string | null;
  /** Overrides the Authorization header completely. */
  readonly authorization?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends one HTTPS request to the emulator, trusting its certificate; answers status, headers and parsed body. */
export function armRequest(emulator: Emulator, options: RawRequestOptions): Promise<RawResponse> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  else if (options.principalId !== null) headers['authorization'] = `Bearer ${emulator.control.tokenFor(options.principalId ?? emulator.ownerPrincipalId)}`;
  const url = new URL(emulator.endpoint);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: url.hostname, port: url.port, path: options.path, method: options.method ?? 'GET', headers, ca: emulator.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text.length === 0 ? undefined : JSON.parse(text);
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The ARM error code of a raw response (`body.error.code`), or undefined. */
export function errorCode(response: RawResponse): string | undefined {
  const body = response.body as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** Polls an `Azure-AsyncOperation` / `Location` URL until it reports completion; returns the last response. */
export async function pollUntilDone(emulator: Emulator, url: string, principalId?: string): Promise<RawResponse> {
  const path = new URL(url).pathname + new URL(url).search;
  for (let i = 0; i < 100; i++) {
    const r = await armRequest(emulator, { path, ...(principalId ? { principalId } : {}) });
    const status = (r.body as { status?: string } | undefined)?.status;
    if (r.status !== 202 && status !== 'InProgress') return r;
  }
  throw new Error(`operation ${url} did not complete in 100 polls`);
}
