/**
 * vaultlink inside the simulation: the REAL Functions app — its Event Grid handler, per-vault
 * orchestration, private-endpoint routing and sweep — running on the local Durable driver
 * (functions/local, the development harness that replays through durable-functions' own engine),
 * with the real reconciler (shared/reconcile) and SDK clients acting as vaultlink's identity.
 * The emulator's Event Grid delivers to it in-process.
 */
import type { DeliveryOptions, Emulator } from '../../emulator';
import { createAzureClients, type AzureClients, type CreateAzureClientsOptions } from '../../shared/azure';
import { planVault } from '../../shared/plan';
import type { VaultPlan } from '../../shared/plan/types';
import { listVaultsInScope, observeAndPlan, type ReconcileContext } from '../../shared/reconcile';
import { SIMULATION_IDS, type LandingZone } from './landing-zone';
import type { VaultlinkRuntime } from './world';

/** What vaultlink saw of Event Grid: batches and events delivered (duplicates included), event ids. */
export interface DeliveryStats {
  batches: number;
  delivered: number;
  readonly eventIds: Set<string>;
  /** Invocations that failed and were delivered again (Event Grid retries). */
  redelivered: number;
  /** Delivery attempts that failed (the function failed, or the attempt was lost on the way). */
  failedAttempts: number;
  /** Events given up on after the last attempt: Event Grid's dead-letter store. */
  readonly deadLettered: unknown[];
  /** Ids of the events an invocation handled (its attempt succeeded for them). */
  readonly handledIds: Set<string>;
}

export interface SimulationRuntime extends VaultlinkRuntime {
  /** Deploys vaultlink's Event Grid subscription: from now on the emulator's events reach it. */
  subscribeToEvents(options: DeliveryOptions): void;
  readonly deliveries: DeliveryStats;
  /** Events published since the subscription started (ids). */
  readonly subscribedFrom: number;
  /** The driver's clock (timers, retry back-offs and the sweep's schedule run on it). */
  now(): Date;
  advance(ms: number): Promise<void>;
  /** Activities whose result an injected crash lost. */
  crashedActivities(): number;
}

/**
 * Loads the Functions app and its local driver. Loaded on demand, with `@azure/functions`' "test
 * mode" warnings (printed once per registration when no Functions host runs) kept off the
 * terminal: the other commands never load it, and simulate's output stays readable.
 */
function loadFunctionsApp(): {
  LocalDurableDriver: typeof import('../../functions/local/driver').LocalDurableDriver;
  setVaultReconcilerFactory: typeof import('../../functions/deps').setVaultReconcilerFactory;
  reconcilerFromContext: typeof import('../../functions/deps').reconcilerFromContext;
} {
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && /test mode/.test(args[0])) return;
    warn(...args);
  };
  try {
    // require, not import(): under module node16 an import() is an ESM import, which would load a
    // second copy of the CommonJS modules the rest of the CLI already holds.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const driver = require('../../functions/local/driver') as typeof import('../../functions/local/driver');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const deps = require('../../functions/deps') as typeof import('../../functions/deps');
    return { LocalDurableDriver: driver.LocalDurableDriver, setVaultReconcilerFactory: deps.setVaultReconcilerFactory, reconcilerFromContext: deps.reconcilerFromContext };
  } finally {
    console.warn = warn;
  }
}

export interface RuntimeOptions {
  /** Receives every log line of the Functions app (`simulate --verbose` prints them on stderr). */
  readonly onLog?: (line: { level: string; functionName: string; instanceId: string | undefined; message: string }) => void;
  /** Chaos: lose an activity's result after it ran (the driver runs it again). */
  readonly crashAfterActivity?: (activity: { readonly name: string; readonly instanceId: string; readonly attempt: number }) => boolean;
  /** Chaos: true fails one delivery attempt of a batch (Event Grid retries it; after the last, it dead-letters). */
  readonly failDeliveryAttempt?: () => boolean;
  /** Delivery attempts per batch before it is dead-lettered. Default 4. */
  readonly maxDeliveryAttempts?: number;
}

/**
 * vaultlink's SDK clients on a simulation emulator, as `principalId`: short polls and back-off (the
 * SDK's back-off starts at 1 s; a Retry-After header still wins). Benchmarks add what they measure
 * (a read budget, a poll interval).
 */
export function simulationAzureClients(emulator: Emulator, principalId: string, options: Pick<CreateAzureClientsOptions, 'readBudget' | 'pollIntervalMs'> = {}): AzureClients {
  return createAzureClients({
    cloud: 'AzurePublicCloud',
    credential: emulator.credentialFor(principalId),
    armEndpoint: emulator.endpoint,
    ca: emulator.ca,
    pollIntervalMs: 5,
    retry: { retryDelayInMs: 10, maxRetryDelayInMs: 200 },
    ...options,
  });
}

export async function startVaultlinkRuntime(emulator: Emulator, zone: LandingZone, options: RuntimeOptions = {}): Promise<SimulationRuntime> {
  const principalId = SIMULATION_IDS.vaultlinkPrincipalId;
  const azure = simulationAzureClients(emulator, principalId);
  const app = loadFunctionsApp();
  const driver = new app.LocalDurableDriver({ ...(options.onLog ? { onLog: options.onLog } : {}), ...(options.crashAfterActivity ? { crashAfterActivity: options.crashAfterActivity } : {}) });
  // One clock for the orchestrations (signal times) and the reconciler (observation times): the
  // orchestrator drops a signal sent at or before the last observation as already covered.
  const ctx: ReconcileContext = { azure, policy: zone.policy, cloud: 'AzurePublicCloud', planner: planVault, now: () => driver.now() };
  const restoreFactory = app.setVaultReconcilerFactory(() => app.reconcilerFromContext(ctx));
  driver.install();

  const deliveries: DeliveryStats = { batches: 0, delivered: 0, eventIds: new Set(), redelivered: 0, failedAttempts: 0, deadLettered: [], handledIds: new Set() };
  const maxAttempts = options.maxDeliveryAttempts ?? 4;
  let subscription: { unsubscribe(): void } | undefined;
  let subscribedFrom = 0;
  // Event Grid hands batches over at any moment; the driver runs one thing at a time. Batches wait
  // here and are handed to the Event Grid function by idle(), in arrival order.
  const arrived: unknown[][] = [];

  /**
   * The driver's clock stands still between runs (timers and retry back-offs move it); move it to
   * the wall clock, and always by at least 1 ms, so that what happens next is later than the last
   * observation — as it is in Azure.
   */
  const catchUpClock = async (): Promise<void> => {
    await driver.advance(Math.max(1, Date.now() - driver.now().getTime()));
  };

  const deliver = async (batch: unknown[]): Promise<void> => {
    deliveries.batches++;
    deliveries.delivered += batch.length;
    for (const e of batch) {
      const id = (e as { id?: unknown }).id;
      if (typeof id === 'string') deliveries.eventIds.add(id);
    }
    // A failed invocation is redelivered by Event Grid (a few times, then dead-lettered).
    let pending: unknown[] = batch;
    for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) deliveries.redelivered += pending.length;
      await catchUpClock();
      if (options.failDeliveryAttempt?.() === true) {
        // The attempt failed before the function saw it (503, a dropped connection): retried as a whole.
        deliveries.failedAttempts++;
        continue;
      }
      const failed = await driver.deliverEvents(pending);
      await driver.idle();
      if (failed.length > 0) deliveries.failedAttempts++;
      const failedEvents = new Set(failed.map((f) => f.event));
      for (const e of pending) {
        const id = (e as { id?: unknown }).id;
        if (!failedEvents.has(e) && typeof id === 'string') deliveries.handledIds.add(id);
      }
      pending = failed.map((f) => f.event);
    }
    deliveries.deadLettered.push(...pending);
  };

  return {
    principalId,
    deliveries,
    now: () => driver.now(),
    advance: (ms: number) => driver.advance(ms),
    crashedActivities: () => driver.crashedActivities,
    deliveredEventIds: () => deliveries.eventIds,
    get subscribedFrom() {
      return subscribedFrom;
    },
    subscribeToEvents(options) {
      subscribedFrom = emulator.events.published().length;
      subscription = emulator.events.subscribe((batch) => {
        arrived.push(batch);
      }, options);
    },
    async idle() {
      for (let batch = arrived.shift(); batch !== undefined; batch = arrived.shift()) await deliver(batch);
      await driver.idle();
    },
    async sweep() {
      await catchUpClock();
      await driver.runSweep();
      await driver.idle();
    },
    async statusOfVaults(): Promise<VaultPlan[]> {
      const plans: VaultPlan[] = [];
      for (const id of await listVaultsInScope(ctx)) plans.push((await observeAndPlan(ctx, id)).plan);
      return plans;
    },
    async close() {
      subscription?.unsubscribe();
      driver.dispose();
      restoreFactory();
    },
  } satisfies SimulationRuntime;
}
