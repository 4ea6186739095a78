/**
 * The embedded Azure: `startEmulator()` serves ARM over HTTPS on 127.0.0.1 for the resource
 * providers vaultlink uses, with Event Grid delivery, faults and a write counter. Tests and
 * `npm run simulate` use it in-process; `npm run emulator` runs it standalone (main.ts).
 * How providers plug in: emulator/README.md.
 */
import { randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import { credentialFor as credentialForPrincipal, Authorizer, type EmulatorTokenCredential, type Principal } from './auth';
import { EmulatorControl } from './control';
import { Directory, IdentityClock, type IdentityTimingOptions } from './directory';
import { EventGridPublisher } from './events';
import { FaultInjector } from './faults';
import { LatencyModel, type LatencyProfileName } from './latency';
import { authorizationProvider, type AuthorizationExports } from './providers/authorization';
import { backupProvider } from './providers/backup';
import { backupJobsProvider } from './providers/backup-jobs';
import { networkProvider } from './providers/network';
import { privateDnsProvider } from './providers/privatedns';
import { recoveryServicesProvider } from './providers/recoveryservices';
import { resourcesProvider, type ResourcesExports } from './providers/resources';
import { ArmEngine, ArmServer, DEFAULT_LATENCY_SCALE, DEFAULT_PAGE_SIZE, ReadCounter, WriteCounter, type EmulatorProvider } from './server';
import { ResourceStore } from './store';
import { AZURE_SUBSCRIPTION_RATE_LIMITS, SubscriptionRateLimiter, type RateLimitOptions } from './throttling';

export { ArmError, armErrors } from './arm';
export type { JsonObject, JsonValue } from './arm';
export type { EmulatorTokenCredential, Principal } from './auth';
export { DEFAULT_REPLICATION_DELAY_MS, REALISTIC_IDENTITY_TIMING, type IdentityTimingOptions, type PrincipalType } from './directory';
export type { CloudEvent, DeliveryOptions, EventGridEvent, EventSchema } from './events';
export type { Fault, FaultRule } from './faults';
export type { ArmContext, ArmResponse, EmulatorProvider, ProviderApi, WriteRecord } from './server';
export { AZURE_LATENCY_PROFILE, LatencyModel, type LatencyProfileName, type LatencyStep, type LatencyStepName } from './latency';
export { AZURE_SUBSCRIPTION_RATE_LIMITS, type RateLimitOptions, type TokenBucketFigures } from './throttling';
export { DEFAULT_LATENCY_SCALE, DEFAULT_PAGE_SIZE, NETWORK_SERVICE_PRINCIPAL_ID } from './server';

export interface StartEmulatorOptions {
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Seed of every PRNG (faults, event delivery); default 1. */
  readonly seed?: number;
  readonly tenantId?: string;
  /** The first subscription; default a new GUID. */
  readonly subscriptionId?: string;
  /** The principal that owns the first subscription; default a new GUID. */
  readonly ownerPrincipalId?: string;
  /** Polls a long-running operation answers InProgress before it completes; default 1. */
  readonly lroPollsBeforeDone?: number;
  /**
   * `azure`: writes and operations take the durations of {@link AZURE_LATENCY_PROFILE} (× `latencyScale`);
   * default `none` (answers at once; operations end after `lroPollsBeforeDone` polls).
   */
  readonly latency?: LatencyProfileName;
  /**
   * Emulated seconds → real milliseconds, for the latency profile and every `Retry-After` the
   * emulator sends (an approval's 60 s becomes `Retry-After: 0` at the default 0.001). `1` is
   * Azure's own pace.
   */
  readonly latencyScale?: number;
  /** Items per page of the lists ARM pages (`nextLink` with `$skipToken`); default 2, so that every list spans pages. */
  readonly pageSize?: number;
  /**
   * ARM's subscription throttling per principal and subscription (token buckets; default Azure's
   * figures, {@link AZURE_SUBSCRIPTION_RATE_LIMITS}); `false` turns it off.
   */
  readonly rateLimits?: RateLimitOptions | false;
  /**
   * Providers to register besides the built-in ones (resources, authorization, and the RPs in
   * {@link DEFAULT_PROVIDERS}). One named like a default replaces it (a test configuring the
   * network provider, say).
   */
  readonly providers?: readonly EmulatorProvider[];
  /**
   * Directory replication and role assignment propagation (emulator/directory.ts): defaults one
   * minute of replication and no propagation delay; `REALISTIC_IDENTITY_TIMING` is Azure-like.
   */
  readonly identity?: IdentityTimingOptions;
}

/** Resource providers registered by default, after Microsoft.Resources and Microsoft.Authorization. */
export const DEFAULT_PROVIDERS: readonly EmulatorProvider[] = [networkProvider, privateDnsProvider, recoveryServicesProvider, backupProvider, backupJobsProvider];

export interface Emulator {
  /** `https://127.0.0.1:PORT`: the ARM endpoint for SDK clients. */
  readonly endpoint: string;
  /** PEM of the self-signed certificate: pass as `tlsOptions: { ca }`. */
  readonly ca: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** Owner of the first subscription (and of every subscription created through the control API). */
  readonly ownerPrincipalId: string;
  readonly ownerToken: string;
  /** A TokenCredential for any principal of the emulator's tenant (or of `tenantId`). */
  credentialFor(principalId: string, tenantId?: string): EmulatorTokenCredential;
  /** ARM write requests, total and per principal; `reset()` between test phases. */
  readonly writes: WriteCounter;
  /** ARM read requests (GET, polls included), total and per principal, like {@link writes}. */
  readonly reads: ReadCounter;
  /** Event Grid: `subscribe(callback, options)`, `published()`, `drain()`. */
  readonly events: EventGridPublisher;
  /** Fault rules: `add(rule)`, `remove(id)`, `reset(seed?)`. */
  readonly faults: FaultInjector;
  readonly control: EmulatorControl;
  /** The generic resource store (read-only use in tests: write through ARM or the control API). */
  readonly store: ResourceStore;
  readonly engine: ArmEngine;
  /** The latency model in force (its `profile` is the table a benchmark reads; empty without `latency: 'azure'`). */
  readonly latency: LatencyModel;
  /** A registered provider's in-process API by name (e.g. `provider<NetworkExports>('network')`). */
  provider<T>(name: string): T;
  readonly resources: ResourcesExports;
  readonly authorization: AuthorizationExports;
  close(): Promise<void>;
}

let certificate: Promise<{ key: string; cert: string }> | undefined;

/**
 * The self-signed certificate (sha256, SAN 127.0.0.1, ::1 and localhost). Made once per process
 * and shared by every emulator it starts: generating a key pair per test file would cost more
 * than the tests.
 */
export function emulatorCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= generate([{ name: 'commonName', value: 'vaultlink-emulator' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, { type: 2, value: 'localhost' }] },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 1;
  const tenantId = options.tenantId ?? randomUUID();
  const ownerPrincipalId = options.ownerPrincipalId ?? randomUUID();
  const store = new ResourceStore();
  // With the Azure latency profile, role assignments take effect after the profile's propagation
  // delay (scaled), unless the caller set the identity timing itself.
  const latencyScale = options.latencyScale ?? DEFAULT_LATENCY_SCALE;
  const latency = LatencyModel.of(options.latency ?? 'none', latencyScale, seed);
  const identity = options.latency === 'azure' ? { propagationDelayMs: latency.propagationMs(), ...(options.identity ?? {}) } : options.identity;
  const authorizer = new Authorizer(store, new Directory(new IdentityClock(), identity));
  const events = new EventGridPublisher(seed);
  const faults = new FaultInjector(seed);
  const writes = new WriteCounter();
  const reads = new ReadCounter();
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const rateLimiter = options.rateLimits === false ? undefined : new SubscriptionRateLimiter(options.rateLimits ?? AZURE_SUBSCRIPTION_RATE_LIMITS, latencyScale);
  const engine = new ArmEngine({
    store,
    authorizer,
    events,
    faults,
    writes,
    reads,
    tenantId,
    lroPollsBeforeDone: options.lroPollsBeforeDone ?? 1,
    latency,
    latencyScale,
    pageSize,
    ...(rateLimiter ? { rateLimiter } : {}),
  });

  const resources = engine.registerProvider(resourcesProvider);
  const authorization = engine.registerProvider(authorizationProvider);
  const extra = options.providers ?? [];
  const replaced = new Set(extra.map((p) => p.name));
  for (const provider of [...DEFAULT_PROVIDERS.filter((p) => !replaced.has(p.name)), ...extra]) engine.registerProvider(provider);

  const control = new EmulatorControl({ engine, store, events, faults, writes, tenantId, ownerPrincipalId });
  control.registerRoutes();
  const subscriptionId = control.createSubscription(options.subscriptionId ? { subscriptionId: options.subscriptionId } : {});

  const { key, cert } = await emulatorCertificate();
  const server = new ArmServer(engine, { key, cert, ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
  const endpoint = await server.listen();

  return {
    endpoint,
    ca: cert,
    tenantId,
    subscriptionId,
    ownerPrincipalId,
    ownerToken: control.tokenFor(ownerPrincipalId),
    credentialFor: (principalId, tenant = tenantId) => credentialForPrincipal({ principalId, tenantId: tenant } satisfies Principal),
    writes,
    reads,
    events,
    faults,
    control,
    store,
    engine,
    latency,
    provider: <T>(name: string) => engine.providerExportsOf<T>(name),
    resources,
    authorization,
    close: async () => {
      events.close();
      await server.close();
    },
  };
}
