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
 * pass that confirms the writes reads only and is not counted in the time, but its reads are.
 *
 * Latencies: the emulator's own Azure profile (`latency: 'azure'`, emulator/latency.ts): every
 * write of a step listed there takes a seeded draw from Azure's range × the profile's
 * `latencyScale` (emulated seconds → real ms). The bench profiles are three scales of that one
 * table (slow, mid, fast), so that the fixed costs of the harness and of vaultlink show where
 * Azure is fast. The profile gives reads no latency: a read costs what the in-process HTTPS round
 * trip costs, and the ratio charges every read on the way as overhead.
 *
 * The critical path of a step: the writes vaultlink made in the step, each weighted with the
 * duration the emulator drew for it, along the plans' dependency graph (`actions[].needs`, and
 * `followsFrom`: the grants need the identity) — the longest chain. Nothing vaultlink can do
 * makes a step shorter than that (reads are free in the profile). The ratio is measured ÷
 * critical path, per run (the draws differ per seed), median over the runs.
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Emulator } from '../emulator';
import type { WriteRecord } from '../emulator/server';
import { setVaultReconcilerFactory, reconcilerFromContext } from '../functions/deps';
import { LocalDurableDriver } from '../functions/local/driver';
import { startSimulationEmulator } from '../cli/simulation/emulator';
import { FAST_POLLING, REGION, SIMULATION_IDS, layOutLandingZone, networkClient, recoveryServicesClient, type LandingZone } from '../cli/simulation/landing-zone';
import { createAzureClients, type AzurePorts } from '../shared/azure';
import { simulationAzureClients } from '../cli/simulation/runtime';
import { planVault } from '../shared/plan';
import type { PlannedAction, VaultPlan } from '../shared/plan/types';
import { reconcileVault, type ReconcileContext } from '../shared/reconcile';
import type { Planner } from '../shared/reconcile/context';
import { ARM_PAGE_SIZE, readKind } from './read-kinds';

/**
 * Bench profiles: scales of the emulator's Azure latency profile (emulated seconds → real ms). At
 * `slow` an approval (10–60 s in Azure) takes 150–900 ms. All stay under 1/60, so that the
 * `Retry-After` the emulator derives from Azure's 60 s rounds down to 0 and the SDK polls at
 * {@link POLL_INTERVAL_MS}: the poll interval is the client's choice, not the chain's.
 */
export const PROFILES: Readonly<Record<string, number>> = { slow: 0.015, mid: 0.005, fast: 0.0015 };

/** Poll interval the SDK clients get (ms). */
const POLL_INTERVAL_MS = 5;

export type Path = 'functions' | 'reconciler';

export interface StepFigures {
  readonly step: string;
  readonly criticalMs: number;
  readonly convergedMs: number;
  readonly idleMs: number;
  /** Functions path: of the converged time, how much had an activity running (observe or apply); the rest is event delivery, signalling and orchestration episodes. */
  readonly inActivitiesMs: number;
  /** vaultlink's reads in the step (polls not counted). */
  readonly reads: number;
  /** Functions path: the step's activities, from the step's start (ms). */
  readonly timeline: readonly { name: string; what: string; fromMs: number; toMs: number }[];
}

/** What an activity call was for: the action's key, or the vault observed. */
function activityLabel(input: unknown): string {
  const i = (input ?? {}) as { action?: { key?: string }; vaultId?: string; privateEndpointId?: string };
  return i.action?.key ?? i.privateEndpointId ?? i.vaultId ?? '';
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

export interface RunFigures {
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

/** The resource an action writes, as the path of its ARM request (lower case). */
function targetPath(a: PlannedAction): string {
  const path = ((): string => {
    switch (a.kind) {
      case 'enable-identity':
        return a.vaultId;
      case 'grant-role':
        return `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`;
      case 'revoke-role':
        return a.assignmentId;
      case 'approve-connection':
      case 'reject-connection':
        return `${a.vaultId}/privateEndpointConnections/${a.connectionName}`;
      case 'ensure-zone':
        return a.zoneId;
      case 'ensure-link':
        return `${a.zoneId}/virtualNetworkLinks/${a.linkName}`;
      case 'upsert-record':
      case 'delete-record':
        return `${a.zoneId}/A/${a.recordName}`;
    }
  })();
  return path.toLowerCase();
}

/**
 * The longest chain of a step's writes along the plans' dependency graph. `plans`: every plan
 * made in the step (an action keeps its key across passes, so their needs add up); `drawnMs`:
 * the emulator's drawn duration of each write vaultlink made in the step, by request path.
 */
export function criticalPathMs(plans: readonly VaultPlan[], drawnMs: ReadonlyMap<string, number>): number {
  const actions = new Map<string, PlannedAction>();
  const needs = new Map<string, Set<string>>();
  for (const plan of plans) {
    for (const a of plan.actions) {
      actions.set(a.key, a);
      const n = needs.get(a.key) ?? new Set<string>();
      for (const k of a.needs) n.add(k);
      if (a.followsFrom !== undefined) n.add(a.followsFrom);
      needs.set(a.key, n);
    }
  }
  const memo = new Map<string, number>();
  const longest = (key: string, seen: ReadonlySet<string>): number => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    const a = actions.get(key);
    const own = a === undefined ? 0 : (drawnMs.get(targetPath(a)) ?? 0);
    let before = 0;
    for (const k of needs.get(key) ?? []) if (!seen.has(k)) before = Math.max(before, longest(k, new Set([...seen, k])));
    memo.set(key, own + before);
    return own + before;
  };
  let out = 0;
  for (const key of actions.keys()) out = Math.max(out, longest(key, new Set([key])));
  return out;
}

/**
 * Records, for each write request the emulator answers, the duration its latency profile drew
 * (by index in `emulator.writes.log()`): the server draws right after it logged the write, so the
 * draw belongs to the oldest logged write of that method and operation not matched yet.
 */
function recordDraws(emulator: Emulator): { drawnByIndex: Map<number, number>; reset(): void } {
  const model = emulator.latency;
  const original = model.requestMs.bind(model);
  const drawnByIndex = new Map<number, number>();
  const matched = new Set<number>();
  model.requestMs = (method: string, operation: string): number => {
    const ms = original(method, operation);
    const log = emulator.writes.log();
    const i = log.findIndex((r: WriteRecord, j) => !matched.has(j) && r.status === 0 && r.method === method.toUpperCase() && r.operation.toLowerCase() === operation.toLowerCase());
    if (i >= 0) {
      matched.add(i);
      drawnByIndex.set(i, ms);
    }
    return ms;
  };
  return {
    drawnByIndex,
    reset: () => {
      drawnByIndex.clear();
      matched.clear();
    },
  };
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

export async function runLifecycle(path: Path, scale: number, seed: number): Promise<RunFigures> {
  // Role assignments take effect at once: their propagation (0–600 s in the profile) is Azure's
  // delay before an effect, not a call vaultlink waits for, and nothing in the lifecycle waits on it.
  const emulator = await startSimulationEmulator(seed, { latency: 'azure', latencyScale: scale, identity: { propagationDelayMs: 0 }, pageSize: ARM_PAGE_SIZE });
  const undo: (() => void)[] = [];
  try {
    const zone: LandingZone = await layOutLandingZone(emulator, { separateHubSubscription: false });
    let lastWriteAt = 0;
    const azure = timedPorts(
      simulationAzureClients(emulator, SIMULATION_IDS.vaultlinkPrincipalId, { pollIntervalMs: POLL_INTERVAL_MS }),
      (at) => (lastWriteAt = Math.max(lastWriteAt, at)),
    );
    const driver = new LocalDurableDriver({ startAt: new Date() });
    const plans: VaultPlan[] = [];
    const planner: Planner = (observed, policy, options) => {
      const plan = planVault(observed, policy, options);
      plans.push(plan);
      return plan;
    };
    const ctx: ReconcileContext = { azure, policy: zone.policy, cloud: 'AzurePublicCloud', planner, now: () => (path === 'functions' ? driver.now() : new Date()) };

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
        // Event Grid delivers each event on its own, concurrently: every delivery that arrived
        // runs before the driver settles, not one after the other's whole aftermath
        await driver.advance(Math.max(1, Date.now() - driver.now().getTime()));
        for (const batch of arrived.splice(0)) await driver.deliverEvents(batch);
        await driver.idle();
      }
      throw new Error('the Functions app did not settle');
    };

    const draws = recordDraws(emulator);
    emulator.reads.reset();
    emulator.writes.reset();
    draws.reset();
    const me = SIMULATION_IDS.vaultlinkPrincipalId.toLowerCase();
    const steps: StepFigures[] = [];
    let vaultId = '';
    const step = async (name: string, act: () => Promise<void>): Promise<void> => {
      await act();
      const firstWrite = emulator.writes.log().length;
      const firstRead = emulator.reads.log().length;
      const firstCall = driver.activityCalls.length;
      plans.length = 0;
      const t0 = performance.now();
      lastWriteAt = t0;
      if (path === 'functions') await settle();
      else await reconcileVault(ctx, vaultId);
      const idleAt = performance.now();
      const drawnMs = new Map<string, number>();
      emulator.writes.log().forEach((w, i) => {
        if (i < firstWrite || w.principalId.toLowerCase() !== me) return;
        const key = (w.path.split('?')[0] as string).toLowerCase();
        drawnMs.set(key, (drawnMs.get(key) ?? 0) + (draws.drawnByIndex.get(i) ?? 0));
      });
      const stepReads = emulator.reads.log().slice(firstRead).filter((r) => r.principalId.toLowerCase() === me && readKind(r.path) !== 'poll').length;
      const calls = driver.activityCalls.slice(firstCall);
      const intervals = calls.map((c) => [c.startedAtMs, c.finishedAtMs] as const);
      const timeline = calls.map((c) => ({ name: c.name, what: activityLabel(c.input), fromMs: c.startedAtMs - t0, toMs: c.finishedAtMs - t0 }));
      steps.push({ step: name, criticalMs: criticalPathMs(plans, drawnMs), convergedMs: lastWriteAt - t0, idleMs: idleAt - t0, inActivitiesMs: coveredMs(intervals, t0, lastWriteAt), reads: stepReads, timeline });
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
    .option('--profiles <list>', `bench profiles (${Object.entries(PROFILES).map(([n, x]) => `${n} = latencyScale ${x}`).join(', ')}), or latencyScale figures`, 'slow,mid,fast')
    .option('--runs <n>', 'lifecycles per profile and path', Number, 5)
    .option('--paths <list>', 'functions, reconciler', 'functions,reconciler')
    .option('--steps', 'print the per-step medians too')
    .option('--reads', 'print the reads of one lifecycle by kind')
    .option('--timeline', "print one Functions-path lifecycle's activities per step (start → end, ms from the step's event)")
    .parse(process.argv)
    .opts<{ profiles: string; runs: number; paths: string; steps?: boolean; reads?: boolean; timeline?: boolean }>();
  const profiles = o.profiles.split(',').map((p) => p.trim());
  const scaleOf = (p: string): number => PROFILES[p] ?? Number(p);
  for (const p of profiles) if (!(scaleOf(p) > 0)) throw new Error(`--profiles: unknown profile ${JSON.stringify(p)} (known: ${Object.keys(PROFILES).join(', ')}, or a latencyScale > 0)`);
  const paths = o.paths.split(',').map((p) => p.trim()) as Path[];
  for (const p of paths) if (p !== 'functions' && p !== 'reconciler') throw new Error(`--paths: unknown path ${JSON.stringify(p)}`);
  if (!(o.runs >= 1)) throw new Error('--runs must be ≥ 1');

  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && /test mode/.test(args[0])) return;
    warn(...args);
  };
  const rows: string[][] = [];
  const stepRows: string[][] = [];
  const readRows = new Map<string, Record<string, number>>();
  const timelines: string[] = [];
  for (const name of profiles) {
    const scale = scaleOf(name);
    // the same seeds on both paths: the same draws for the platform's and the spoke team's writes
    let seed = 1;
    for (const path of paths) {
      const runs: RunFigures[] = [];
      seed = 1;
      for (let i = 0; i < o.runs; i++) {
        runs.push(await runLifecycle(path, scale, seed++));
        process.stderr.write('.');
      }
      const measured = runs.map((r) => r.convergedMs);
      const ratios = runs.map((r) => r.convergedMs / r.criticalMs);
      const notConverged = runs.filter((r) => !r.converged).length;
      const act = runs[0]?.activities;
      rows.push([
        `${name} (${scale})`,
        path,
        median(runs.map((r) => r.criticalMs)).toFixed(0),
        Math.min(...measured).toFixed(0),
        median(measured).toFixed(0),
        Math.max(...measured).toFixed(0),
        `${median(ratios).toFixed(2)}×`,
        `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`,
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
          median(per.map((x) => x.criticalMs)).toFixed(0),
          median(per.map((x) => x.convergedMs)).toFixed(0),
          `${median(per.map((x) => x.convergedMs / x.criticalMs)).toFixed(2)}×`,
          path === 'functions' ? median(per.map((x) => x.convergedMs - x.inActivitiesMs)).toFixed(0) : '-',
          median(per.map((x) => x.idleMs)).toFixed(0),
          median(per.map((x) => x.reads)).toFixed(0),
        ]);
      }
      if (o.timeline && path === 'functions') {
        for (const s of runs[0]?.steps ?? []) {
          timelines.push(`${name} — ${s.step}: critical ${s.criticalMs.toFixed(0)} ms, converged at ${s.convergedMs.toFixed(0)} ms, idle at ${s.idleMs.toFixed(0)} ms`);
          for (const t of s.timeline) timelines.push(`  ${t.fromMs.toFixed(0).padStart(6)} → ${t.toMs.toFixed(0).padStart(6)}  ${t.name.replace(/^vaultlink/, '')}  ${t.what}`);
        }
      }
    }
  }
  process.stderr.write('\n');
  process.stdout.write(`bench:converge — the seed's classic-vault lifecycle (4 steps), ${o.runs} run(s) per row, the emulator's Azure latency profile × latencyScale\n`);
  process.stdout.write(
    `${table(['profile', 'path', 'critical ms', 'min ms', 'median ms', 'max ms', 'ratio (median)', 'ratio range', 'reads', 'writes', 'polls', 'observe/apply activities', 'converged'], rows)}\n`,
  );
  if (o.reads) {
    const kinds = [...new Set([...readRows.values()].flatMap((r) => Object.keys(r)))].sort();
    process.stdout.write(`\nreads of one lifecycle by kind (last profile):\n${table(['kind', ...readRows.keys()], kinds.map((k) => [k, ...[...readRows.values()].map((r) => String(r[k] ?? 0))]))}\n`);
  }
  if (o.steps) {
    process.stdout.write(`\nper step (medians):\n${table(['profile', 'path', 'step', 'critical ms', 'converged ms', 'ratio', 'outside activities ms', 'idle ms', 'reads'], stepRows)}\n`);
  }
  if (o.timeline) process.stdout.write(`\nactivities of one Functions-path lifecycle:\n${timelines.join('\n')}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:converge: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
