/**
 * `npm run bench:converge`: how close vaultlink gets to the floor Azure itself sets — the chain of
 * ARM calls that really depend on each other — over the seed's lifecycle of a classic vault, with
 * Azure-like latencies injected into the emulator. A measurement that prints figures, not a test.
 *
 * For each latency profile, it runs the lifecycle ≥ 5 times through each of two paths:
 * - `functions`: the REAL Functions app — Event Grid handler → per-vault orchestration on the local
 *   Durable driver (activities of a fan-out concurrent, as on the host) → activities → reconciler;
 * - `reconciler`: one `reconcileVault` call per step, no Functions app.
 * Steps: the platform creates a vault; the spoke team creates a private endpoint (Pending);
 * Azure Backup registers a VM (its `_ecs` endpoints appear); the first backup (its `_prot`
 * endpoint). The clock of a step starts when the step's own write has completed (its event is
 * emitted then) and stops when vaultlink's last write of the step has completed (converged); the
 * verification pass that follows reads only and is not counted in the time, but its reads are.
 *
 * The critical path of a step: the required ARM calls in dependency order, each at the profile's
 * latency (a long-running write: its PUT plus the polls ARM's protocol needs):
 *   vault created:   read the vault → identity (LRO) → role assignment
 *   endpoint:        read the vault → list the endpoints → max(approval (LRO) → record, link (LRO), role)
 *   `_ecs`, `_prot`: read the vault → list the endpoints → record
 * The lifecycle's critical path is their sum; the ratio is measured ÷ critical path.
 *
 * Latencies: a fault rule of kind `latency` per class of call, for vaultlink's principal only (the
 * other actors' steps are not timed), from {@link PROFILES} × `--scale`.
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Emulator } from '../emulator';
import { setVaultReconcilerFactory, reconcilerFromContext } from '../functions/deps';
import { LocalDurableDriver } from '../functions/local/driver';
import { startSimulationEmulator } from '../cli/simulation/emulator';
import { FAST_POLLING, REGION, SIMULATION_IDS, layOutLandingZone, networkClient, recoveryServicesClient, type LandingZone } from '../cli/simulation/landing-zone';
import { createAzureClients, type AzurePorts } from '../shared/azure';
import { planVault } from '../shared/plan';
import { reconcileVault, type ReconcileContext } from '../shared/reconcile';
import { readKind } from './read-kinds';

/** Latency of each class of ARM call, in ms before scaling. */
export interface LatencyProfile {
  readonly read: number;
  readonly identity: number;
  readonly role: number;
  readonly approval: number;
  readonly link: number;
  readonly record: number;
  /** Any other write. */
  readonly write: number;
}

/**
 * Azure-like latencies (ms): reads a few hundred ms at worst; role assignments and the Backup
 * RP's approval are slow; a VNet link is the slowest long-running write. Three speeds of the same
 * shape, so that the fixed costs of the harness and of vaultlink show where calls are fast.
 */
export const PROFILES: Readonly<Record<string, LatencyProfile>> = {
  slow: { read: 250, identity: 2000, role: 1500, approval: 2000, link: 3000, record: 400, write: 1000 },
  mid: { read: 100, identity: 800, role: 600, approval: 800, link: 1200, record: 150, write: 400 },
  fast: { read: 30, identity: 250, role: 200, approval: 250, link: 400, record: 50, write: 150 },
};

/** Poll interval the SDK clients get (ms), and polls a long-running operation needs on the emulator (lroPollsBeforeDone 1 → InProgress, then Succeeded). */
const POLL_INTERVAL_MS = 5;
const LRO_POLLS = 2;

type Path = 'functions' | 'reconciler';

interface StepFigures {
  readonly step: string;
  readonly criticalMs: number;
  readonly convergedMs: number;
  readonly idleMs: number;
  /** Functions path: of the converged time, how much had an activity running (observe or apply); the rest is event delivery, signalling and orchestration episodes. */
  readonly inActivitiesMs: number;
}

/** Length of the union of intervals clipped to [from, to]. */
function coveredMs(intervals: readonly (readonly [number, number])[], from: number, to: number): number {
  const clipped = intervals.map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = from;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

interface RunFigures {
  readonly path: Path;
  readonly steps: readonly StepFigures[];
  readonly criticalMs: number;
  readonly convergedMs: number;
  readonly reads: number;
  readonly writes: number;
  readonly polls: number;
  readonly readsByKind: Readonly<Record<string, number>>;
  readonly converged: boolean;
  /** Functions path: time inside observe / apply activities, activity counts. */
  readonly activities?: { observe: number; observeMs: number; apply: number; applyMs: number };
}

/** The critical path of each step for a profile (see the module comment). */
export function criticalPath(p: LatencyProfile, scale: number): Record<string, number> {
  const s = (ms: number): number => ms * scale;
  const lro = (ms: number): number => s(ms) + LRO_POLLS * (POLL_INTERVAL_MS + s(p.read));
  return {
    'vault created': s(p.read) + lro(p.identity) + s(p.role),
    'endpoint created': 2 * s(p.read) + Math.max(lro(p.approval) + s(p.record), lro(p.link), s(p.role)),
    'VM registered (_ecs)': 2 * s(p.read) + s(p.record),
    'first backup (_prot)': 2 * s(p.read) + s(p.record),
  };
}

function addLatency(emulator: Emulator, p: LatencyProfile, scale: number): void {
  const principalId = SIMULATION_IDS.vaultlinkPrincipalId;
  const rule = (operation: string | undefined, method: string | undefined, ms: number): void =>
    void emulator.faults.add({ match: { principalId, ...(operation ? { operation } : {}), ...(method ? { method } : {}) }, fault: { kind: 'latency', ms: ms * scale } });
  rule('Microsoft.Authorization/roleAssignments/write', 'PUT', p.role);
  rule('Microsoft.RecoveryServices/vaults/privateEndpointConnections/*', 'PUT', p.approval);
  rule('Microsoft.Network/privateDnsZones/virtualNetworkLinks/write', 'PUT', p.link);
  rule('Microsoft.Network/privateDnsZones/A/*', 'PUT', p.record);
  rule('Microsoft.RecoveryServices/vaults/write', 'PATCH', p.identity);
  rule(undefined, 'GET', p.read);
  for (const m of ['PUT', 'PATCH', 'DELETE', 'POST']) rule(undefined, m, p.write);
}

const WRITE_METHOD = /^(create|update|delete|enable|put|grant|approve|ensure)/;

/** vaultlink's ports with the completion time of its last write kept (a write's promise settles once its long-running operation is done). */
function timedPorts(azure: AzurePorts, onWriteDone: (at: number) => void): AzurePorts {
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string' || !WRITE_METHOD.test(prop)) return value;
        return async (...args: unknown[]) => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            onWriteDone(performance.now());
          }
        };
      },
    });
  return { recoveryServices: wrap(azure.recoveryServices), network: wrap(azure.network), privateDns: wrap(azure.privateDns), authorization: wrap(azure.authorization), subscriptions: azure.subscriptions };
}

interface Backup {
  registerContainer(vaultId: string, options?: { containerName?: string; vnetId?: string }): Promise<{ status: string }>;
  runBackup(vaultId: string, options?: { itemName?: string; vnetId?: string }): Promise<{ status: string }>;
}

async function runLifecycle(path: Path, profile: LatencyProfile, scale: number, seed: number): Promise<RunFigures> {
  const emulator = await startSimulationEmulator(seed);
  const undo: (() => void)[] = [];
  try {
    const zone: LandingZone = await layOutLandingZone(emulator, { separateHubSubscription: false });
    let lastWriteAt = 0;
    const azure = timedPorts(
      createAzureClients({
        cloud: 'AzurePublicCloud',
        credential: emulator.credentialFor(SIMULATION_IDS.vaultlinkPrincipalId),
        armEndpoint: emulator.endpoint,
        ca: emulator.ca,
        pollIntervalMs: POLL_INTERVAL_MS,
        retry: { retryDelayInMs: 10, maxRetryDelayInMs: 200 },
      }),
      (at) => (lastWriteAt = Math.max(lastWriteAt, at)),
    );
    const driver = new LocalDurableDriver({ startAt: new Date() });
    const ctx: ReconcileContext = { azure, policy: zone.policy, cloud: 'AzurePublicCloud', planner: planVault, now: () => (path === 'functions' ? driver.now() : new Date()) };

    const arrived: unknown[][] = [];
    if (path === 'functions') {
      undo.push(setVaultReconcilerFactory(() => reconcilerFromContext(ctx)));
      undo.push(driver.install());
      const subscription = emulator.events.subscribe((batch) => void arrived.push(batch), {});
      undo.push(() => subscription.unsubscribe());
    }
    // Event Grid → the Event Grid function → orchestrations, until nothing is left to do.
    const settle = async (): Promise<void> => {
      for (let round = 0; round < 60; round++) {
        await emulator.events.drain();
        if (arrived.length === 0) return;
        for (let batch = arrived.shift(); batch !== undefined; batch = arrived.shift()) {
          await driver.advance(Math.max(1, Date.now() - driver.now().getTime()));
          await driver.deliverEvents(batch);
          await driver.idle();
        }
      }
      throw new Error('the Functions app did not settle');
    };

    const critical = criticalPath(profile, scale);
    addLatency(emulator, profile, scale);
    emulator.reads.reset();
    emulator.writes.reset();
    const steps: StepFigures[] = [];
    let vaultId = '';
    const step = async (name: string, act: () => Promise<void>): Promise<void> => {
      await act();
      const t0 = performance.now();
      lastWriteAt = t0;
      if (path === 'functions') await settle();
      else await reconcileVault(ctx, vaultId);
      const idleAt = performance.now();
      const intervals = driver.activityCalls.map((c) => [c.startedAtMs, c.finishedAtMs] as const);
      steps.push({ step: name, criticalMs: critical[name] as number, convergedMs: lastWriteAt - t0, idleMs: idleAt - t0, inActivitiesMs: coveredMs(intervals, t0, lastWriteAt) });
    };

    const platform = recoveryServicesClient(emulator, SIMULATION_IDS.platformPrincipalId, zone.spokeSubscriptionId);
    const backup = emulator.provider<Backup>('backup');
    await step('vault created', async () => {
      emulator.provider<{ setNewVaultBackupStorageVersion(v: 'V1' | 'V2'): void }>('recoveryservices').setNewVaultBackupStorageVersion('V1');
      const v = await platform.vaults.beginCreateOrUpdateAndWait(zone.backupResourceGroup, 'rsv-app01', { location: REGION, sku: { name: 'Standard' }, properties: { publicNetworkAccess: 'Enabled' } }, FAST_POLLING);
      vaultId = v.id as string;
    });
    await step('endpoint created', async () => {
      await networkClient(emulator, SIMULATION_IDS.spokeTeamPrincipalId, zone.spokeSubscriptionId).privateEndpoints.beginCreateOrUpdateAndWait(
        zone.networkResourceGroup,
        'pe-backup-app01',
        { location: REGION, subnet: { id: zone.endpointSubnetId }, manualPrivateLinkServiceConnections: [{ name: 'pe-backup-app01', privateLinkServiceId: vaultId, groupIds: ['AzureBackup'] }] },
        FAST_POLLING,
      );
    });
    await step('VM registered (_ecs)', async () => void (await backup.registerContainer(vaultId, { containerName: 'vm-app01', vnetId: zone.vnetId })));
    await step('first backup (_prot)', async () => void (await backup.runBackup(vaultId, { itemName: 'db01' })));

    const me = SIMULATION_IDS.vaultlinkPrincipalId.toLowerCase();
    const reads = emulator.reads.log().filter((r) => r.principalId.toLowerCase() === me);
    const polls = reads.filter((r) => readKind(r.path) === 'poll').length;
    const final = await reconcileVault({ ...ctx, azure: createAzureClients({ cloud: 'AzurePublicCloud', credential: emulator.credentialFor(SIMULATION_IDS.vaultlinkPrincipalId), armEndpoint: emulator.endpoint, ca: emulator.ca }) }, vaultId);
    const calls = driver.activityCalls;
    const activity = (name: string): { count: number; ms: number } => ({ count: calls.filter((c) => c.name === name).length, ms: calls.filter((c) => c.name === name).reduce((n, c) => n + (c.finishedAtMs - c.startedAtMs), 0) });
    const observe = activity('vaultlinkObserveAndPlan');
    const apply = activity('vaultlinkApplyAction');
    return {
      path,
      steps,
      criticalMs: steps.reduce((n, s) => n + s.criticalMs, 0),
      convergedMs: steps.reduce((n, s) => n + s.convergedMs, 0),
      reads: reads.length - polls,
      writes: emulator.writes.count(me),
      polls,
      readsByKind: reads.reduce<Record<string, number>>((acc, r) => ({ ...acc, [readKind(r.path)]: (acc[readKind(r.path)] ?? 0) + 1 }), {}),
      converged: final.outcomes.length === 0 && final.converged,
      ...(path === 'functions' ? { activities: { observe: observe.count, observeMs: observe.ms, apply: apply.count, applyMs: apply.ms } } : {}),
    };
  } finally {
    for (const u of undo.reverse()) u();
    await emulator.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--profiles <list>', `latency profiles (${Object.keys(PROFILES).join(', ')})`, 'slow,mid,fast')
    .option('--scale <x>', 'multiplies every latency of the profile (so that a run takes seconds)', Number, 0.1)
    .option('--runs <n>', 'lifecycles per profile and path', Number, 5)
    .option('--paths <list>', 'functions, reconciler', 'functions,reconciler')
    .option('--steps', 'print the per-step medians too')
    .option('--reads', 'print the reads of one lifecycle by kind')
    .parse(process.argv)
    .opts<{ profiles: string; scale: number; runs: number; paths: string; steps?: boolean; reads?: boolean }>();
  const profiles = o.profiles.split(',').map((p) => p.trim());
  for (const p of profiles) if (PROFILES[p] === undefined) throw new Error(`--profiles: unknown profile ${JSON.stringify(p)} (known: ${Object.keys(PROFILES).join(', ')})`);
  const paths = o.paths.split(',').map((p) => p.trim()) as Path[];
  for (const p of paths) if (p !== 'functions' && p !== 'reconciler') throw new Error(`--paths: unknown path ${JSON.stringify(p)}`);
  if (!(o.runs >= 1) || !(o.scale > 0)) throw new Error('--runs must be ≥ 1 and --scale > 0');

  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && /test mode/.test(args[0])) return;
    warn(...args);
  };
  const rows: string[][] = [];
  const stepRows: string[][] = [];
  const readRows = new Map<string, Record<string, number>>();
  let seed = 1;
  for (const name of profiles) {
    const profile = PROFILES[name] as LatencyProfile;
    for (const path of paths) {
      const runs: RunFigures[] = [];
      for (let i = 0; i < o.runs; i++) {
        runs.push(await runLifecycle(path, profile, o.scale, seed++));
        process.stderr.write('.');
      }
      const measured = runs.map((r) => r.convergedMs);
      const critical = runs[0]?.criticalMs ?? 0;
      const notConverged = runs.filter((r) => !r.converged).length;
      const act = runs[0]?.activities;
      rows.push([
        name,
        path,
        critical.toFixed(0),
        Math.min(...measured).toFixed(0),
        median(measured).toFixed(0),
        Math.max(...measured).toFixed(0),
        `${(median(measured) / critical).toFixed(2)}×`,
        median(runs.map((r) => r.reads)).toFixed(0),
        median(runs.map((r) => r.writes)).toFixed(0),
        median(runs.map((r) => r.polls)).toFixed(0),
        act ? `${median(runs.map((r) => r.activities?.observe ?? 0))}/${median(runs.map((r) => r.activities?.apply ?? 0))}` : '-',
        notConverged === 0 ? 'yes' : `${runs.length - notConverged}/${runs.length}`,
      ]);
      readRows.set(path, runs[0]?.readsByKind ?? {});
      for (const s of runs[0]?.steps ?? []) {
        const per = runs.map((r) => r.steps.find((x) => x.step === s.step) as StepFigures);
        stepRows.push([
          name,
          path,
          s.step,
          s.criticalMs.toFixed(0),
          median(per.map((x) => x.convergedMs)).toFixed(0),
          `${(median(per.map((x) => x.convergedMs)) / s.criticalMs).toFixed(2)}×`,
          path === 'functions' ? median(per.map((x) => x.convergedMs - x.inActivitiesMs)).toFixed(0) : '-',
          median(per.map((x) => x.idleMs)).toFixed(0),
        ]);
      }
    }
  }
  process.stderr.write('\n');
  process.stdout.write(`bench:converge — the seed's classic-vault lifecycle (4 steps), ${o.runs} run(s) per row, latencies × ${o.scale}\n`);
  process.stdout.write(
    `${table(['profile', 'path', 'critical ms', 'min ms', 'median ms', 'max ms', 'ratio', 'reads', 'writes', 'polls', 'observe/apply activities', 'converged'], rows)}\n`,
  );
  if (o.reads) {
    const kinds = [...new Set([...readRows.values()].flatMap((r) => Object.keys(r)))].sort();
    process.stdout.write(`\nreads of one lifecycle by kind (last profile):\n${table(['kind', ...readRows.keys()], kinds.map((k) => [k, ...[...readRows.values()].map((r) => String(r[k] ?? 0))]))}\n`);
  }
  if (o.steps) {
    process.stdout.write(`\nper step (medians):\n${table(['profile', 'path', 'step', 'critical ms', 'converged ms', 'ratio', 'outside activities ms', 'idle ms'], stepRows)}\n`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:converge: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
