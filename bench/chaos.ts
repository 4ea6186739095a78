/**
 * `npm run chaos -- --runs N --fault-rate R --seed S [--jobs J] [--output json]`: N seeded lifecycles of a
 * classic vault on the embedded Azure, with the REAL Functions app on the local Durable driver
 * (as `npm run simulate` runs it), under every kind of trouble at once, and the figures that say
 * whether vaultlink kept its promises. A measurement, not a timed test: test/bench/chaos.test.ts
 * runs a few and checks every invariant.
 *
 * Each run has, drawn from its own seed:
 * - ARM faults at rate R on vaultlink's reads and writes: 429 with Retry-After, 500, dropped
 *   connections, and lost responses (the write is applied, its answer dropped);
 * - 412 races: another principal edits an owned record set between vaultlink's plan and its write;
 * - activity crashes after their write (the driver loses the result and runs the activity again);
 * - Event Grid duplicates and reordering, and failed delivery attempts (retried up to 4 times,
 *   then dead-lettered);
 * - other actors: an outsider's PE from a sandbox subscription (its name matches the allowlist's
 *   glob), the spoke team's PE that no rule matches, a glob-matching PE in another resource
 *   group, and foreign A records in the central zones;
 * - no sweep but the app's own timer (every 30 minutes), on the driver's clock.
 *
 * Figures: runs, converged, wrong approvals, wrong rejections, writes to unowned resources,
 * duplicate role assignments, events published / delivered / dead-lettered / lost (lost =
 * neither handled nor dead-lettered), extra writes per injected fault (against a fault-free run),
 * and the time to converge in driver time (median, p99).
 */
import { Command } from 'commander';
import type { Emulator } from '../emulator';
import type { JsonObject, JsonValue } from '../emulator/arm';
import { seededRandom, type FaultedRequest } from '../emulator/faults';
import { armEquals, resourceGroupResourceId, resourceInGroupId } from '../shared/domain/ids';
import { parsePolicy } from '../shared/config';
import { startSimulationEmulator } from '../cli/simulation/emulator';
import { layOutLandingZone, networkClient, privateDnsClient, FAST_POLLING, REGION, SIMULATION_IDS, simulationPolicyFile, type LandingZone } from '../cli/simulation/landing-zone';
import { startVaultlinkRuntime } from '../cli/simulation/runtime';
import { Simulation } from '../cli/simulation/world';
import { Timeline } from '../cli/simulation/timeline';

const VAULT = 'rsv-app01';
const ALLOWED = 'pe-backup-app01';
const OUTSIDER = 'pe-backup-sandbox';
const UNMATCHED = 'pe-other-app01';
const ELSEWHERE = 'pe-backup-elsewhere';
const OTHER_RG = 'rg-spoke-other';
const FOREIGN_RECORDS = ['foreign-app', 'legacy-db'];
const SWEEP_EVERY_MS = 30 * 60_000;
/** Timer ticks (30 min each) the run may take after its last step before it counts as not converged. */
const MAX_TICKS = 16;

export interface ChaosOptions {
  readonly runs: number;
  readonly faultRate: number;
  readonly seed: number;
  /** Called after each run (progress). */
  readonly onRun?: (run: RunResult, index: number) => void;
}

export interface RunResult {
  readonly seed: number;
  readonly converged: boolean;
  readonly wrongApprovals: number;
  readonly wrongRejections: number;
  readonly unownedWrites: number;
  readonly duplicateRoleAssignments: number;
  readonly published: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly lost: number;
  readonly writes: number;
  readonly injectedFaults: number;
  readonly faults: { readonly arm: number; readonly races: number; readonly crashes: number; readonly failedDeliveries: number };
  /** Driver time from the first step to convergence (ms); undefined when it did not converge. */
  readonly convergeMs: number | undefined;
  readonly problems: readonly string[];
}

export interface ChaosReport {
  readonly runs: number;
  readonly faultRate: number;
  readonly seed: number;
  readonly converged: number;
  readonly wrongApprovals: number;
  readonly wrongRejections: number;
  readonly unownedWrites: number;
  readonly duplicateRoleAssignments: number;
  readonly events: { readonly published: number; readonly delivered: number; readonly deadLettered: number; readonly lost: number };
  readonly injectedFaults: { readonly arm: number; readonly races: number; readonly crashes: number; readonly failedDeliveries: number; readonly total: number };
  readonly baselineWrites: number;
  /** vaultlink's writes over all runs (so that reports of chunks can be pooled exactly). */
  readonly writes?: number;
  readonly extraWritesPerFault: number;
  readonly convergeDriverMinutes: { readonly median: number | undefined; readonly p99: number | undefined };
  /** Each converged run's driver time to converge (minutes), so that runs in chunks can be pooled. */
  readonly convergeMinutesByRun: readonly number[];
  readonly wallSeconds: number;
  readonly failures: readonly { readonly seed: number; readonly problems: readonly string[] }[];
}

/** The chaos policy: the spoke team's endpoints in its network resource group only, strangers rejected. */
function chaosPolicy(zone: LandingZone) {
  const file = simulationPolicyFile({ spokeSubscriptionId: zone.spokeSubscriptionId, hubSubscriptionId: zone.hubSubscriptionId, dnsResourceGroup: 'rg-private-dns' });
  return parsePolicy(
    JSON.stringify({
      ...file,
      approval: {
        unmatched: 'reject',
        rules: [{ name: 'spoke-app-team', requester: { subscriptionId: zone.spokeSubscriptionId, resourceGroup: zone.networkResourceGroup, privateEndpointName: 'pe-backup-*' } }],
      },
    }),
    'chaos.policy.json',
  );
}

function connectionStatuses(emulator: Emulator, vaultId: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of emulator.store.children(vaultId, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections')) {
    const props = c.resource['properties'] as { privateEndpoint?: { id?: string }; privateLinkServiceConnectionState?: { status?: string } } | undefined;
    const peName = props?.privateEndpoint?.id?.split('/').pop();
    if (peName !== undefined) out.set(peName.toLowerCase(), props?.privateLinkServiceConnectionState?.status ?? 'unknown');
  }
  return out;
}

async function layOutOtherActors(emulator: Emulator, zone: LandingZone): Promise<{ sandboxSubnet: string; foreignRecords: Map<string, string> }> {
  const { control } = emulator;
  const sandbox = control.createSubscription({ subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, displayName: 'sandbox' });
  control.createResourceGroup(sandbox, 'rg-sandbox', REGION);
  control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.outsiderPrincipalId, scope: resourceGroupResourceId(sandbox, 'rg-sandbox'), principalType: 'User' });
  const vnet = await networkClient(emulator, SIMULATION_IDS.outsiderPrincipalId, sandbox).virtualNetworks.beginCreateOrUpdateAndWait(
    'rg-sandbox',
    'vnet-sandbox',
    { location: REGION, addressSpace: { addressPrefixes: ['10.9.0.0/16'] }, subnets: [{ name: 'snet-pe', addressPrefix: '10.9.1.0/24', privateEndpointNetworkPolicies: 'Disabled' }] },
    FAST_POLLING,
  );
  control.createResourceGroup(zone.spokeSubscriptionId, OTHER_RG, REGION);
  control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.spokeTeamPrincipalId, scope: resourceGroupResourceId(zone.spokeSubscriptionId, OTHER_RG), principalType: 'Group' });
  // Records another team wrote by hand in the central zones: no ownership metadata.
  const foreignRecords = new Map<string, string>();
  const dns = privateDnsClient(emulator, SIMULATION_IDS.platformPrincipalId, zone.hubSubscriptionId);
  for (const zoneId of zone.zoneIds) {
    const zoneName = zoneId.split('/').pop() as string;
    for (const name of FOREIGN_RECORDS) {
      const r = await dns.recordSets.createOrUpdate('rg-private-dns', zoneName, 'A', name, { ttl: 300, aRecords: [{ ipv4Address: '10.200.0.9' }] });
      foreignRecords.set(resourceInGroupId(zone.hubSubscriptionId, 'rg-private-dns', 'Microsoft.Network/privateDnsZones/A', zoneName, name), r.etag as string);
    }
  }
  return { sandboxSubnet: `${vnet.id as string}/subnets/snet-pe`, foreignRecords };
}

interface Chaos {
  readonly rate: number;
  readonly random: () => number;
  races: number;
}

/** ARM faults on vaultlink's requests at `rate`, split evenly among the four kinds. */
function addArmFaults(emulator: Emulator, rate: number): void {
  const principalId = SIMULATION_IDS.vaultlinkPrincipalId;
  if (rate <= 0) return;
  const each = rate / 4;
  // Rules are checked in order and each draws on its own: the chance that one of them fires is ≈ rate.
  emulator.faults.add({ match: { principalId }, fault: { kind: 'throttle', retryAfterSeconds: 1, retryAfterMs: 5 }, probability: each });
  emulator.faults.add({ match: { principalId }, fault: { kind: 'error', status: 500, code: 'InternalServerError' }, probability: each / (1 - each) });
  emulator.faults.add({ match: { principalId }, fault: { kind: 'drop' }, probability: each / (1 - 2 * each) });
  emulator.faults.add({ match: { principalId, method: 'PUT' }, fault: { kind: 'lose-response' }, probability: Math.min(1, each / (1 - 3 * each)) });
}

/**
 * 412 races: another principal edits vaultlink's own record sets. When vaultlink lists a zone's
 * records (observe), the other principal may change the addresses of one owned record (drift that
 * vaultlink must repair), and when vaultlink's write to that record arrives, it edits it once more
 * first, so the etag vaultlink planned with is stale: 412.
 */
function addRecordRaces(emulator: Emulator, chaos: Chaos): void {
  const faults = emulator.faults;
  const decide = faults.decide.bind(faults);
  const armed = new Set<string>();
  const vaultlink = SIMULATION_IDS.vaultlinkPrincipalId;
  const editAsOther = (id: string, aRecords?: JsonValue): void => {
    const existing = emulator.store.get(id);
    if (existing === undefined) return;
    const properties = { ...(existing.resource['properties'] as JsonObject) };
    if (aRecords !== undefined) properties['aRecords'] = aRecords;
    emulator.store.put(existing.id, { ...existing.resource, properties }, { principalId: SIMULATION_IDS.platformPrincipalId });
  };
  faults.decide = (request: FaultedRequest) => {
    if (chaos.rate > 0 && armEquals(request.principalId, vaultlink)) {
      if (request.method === 'GET' && /\/privatednszones\/[^/]+\/a$/i.test(request.path) && chaos.random() < chaos.rate) {
        const owned = emulator.store
          .children(request.path.slice(0, -2), 'Microsoft.Network/privateDnsZones/A')
          .filter((r) => ((r.resource['properties'] as { metadata?: Record<string, string> } | undefined)?.metadata ?? {})['managedBy'] === 'vaultlink');
        const victim = owned[Math.floor(chaos.random() * owned.length)];
        if (victim !== undefined) {
          editAsOther(victim.id, [{ ipv4Address: '10.254.254.254' }]);
          armed.add(victim.key);
        }
      }
      if ((request.method === 'PUT' || request.method === 'PATCH') && /\/privatednszones\/[^/]+\/a\/[^/]+$/i.test(request.path)) {
        const existing = emulator.store.get(request.path);
        if (existing !== undefined && armed.delete(existing.key)) {
          editAsOther(existing.id);
          chaos.races++;
        }
      }
    }
    return decide(request);
  };
}

function isConverged(sim: Simulation, vaultId: string): boolean {
  const statuses = connectionStatuses(sim.emulator, vaultId);
  if (statuses.get(ALLOWED) !== 'Approved') return false;
  const vault = sim.emulator.store.get(vaultId);
  if ((vault?.resource['identity'] as { type?: string } | undefined)?.type !== 'SystemAssigned') return false;
  const names = sim.emulator.provider<{ requiredNames(vaultId: string): Map<string, string[]> }>('backup').requiredNames(vaultId);
  if (names.size === 0) return false;
  for (const [fqdn, expected] of names) {
    const r = sim.resolve(fqdn);
    if (r.answer !== 'private' || [...r.addresses].sort().join() !== [...expected].sort().join()) return false;
  }
  // Every stranger settled (rejected by policy), none pending.
  for (const name of [OUTSIDER, UNMATCHED, ELSEWHERE]) if (statuses.get(name) === 'Pending') return false;
  return true;
}

export async function runOnce(seed: number, faultRate: number): Promise<RunResult> {
  const chaos: Chaos = { rate: faultRate, random: seededRandom(seed ^ 0x5eed), races: 0 };
  const emulator = await startSimulationEmulator(seed);
  const problems: string[] = [];
  try {
    const laidOut = await layOutLandingZone(emulator, { separateHubSubscription: false });
    const zone: LandingZone = { ...laidOut, policy: chaosPolicy(laidOut) };
    const actors = await layOutOtherActors(emulator, zone);
    emulator.faults.reset(seed);
    addArmFaults(emulator, faultRate);
    addRecordRaces(emulator, chaos);
    const crashRandom = seededRandom(seed ^ 0xc0a5);
    const deliveryRandom = seededRandom(seed ^ 0xd311);
    const runtime = await startVaultlinkRuntime(emulator, zone, {
      crashAfterActivity: () => faultRate > 0 && crashRandom() < faultRate,
      failDeliveryAttempt: () => faultRate > 0 && deliveryRandom() < faultRate,
    });
    const timeline = new Timeline();
    const sim = new Simulation(emulator, zone, runtime, timeline);
    try {
      runtime.subscribeToEvents({ seed, duplicateProbability: faultRate, reorder: true, maxEventsPerBatch: 10, batchWindowMs: 60_000, subjectBeginsWith: `/subscriptions/${zone.spokeSubscriptionId}` });
      const startedAt = runtime.now().getTime();
      let nextSweepAt = startedAt + SWEEP_EVERY_MS - (startedAt % SWEEP_EVERY_MS);
      // The app's own timer: when the driver's clock passes the next half hour, the sweep runs.
      const timer = async (): Promise<void> => {
        while (runtime.now().getTime() >= nextSweepAt) {
          nextSweepAt += SWEEP_EVERY_MS;
          // A timer invocation that fails (its reads throttled past the SDK's retries) is logged by
          // the host and the next tick runs: it does not stop the app.
          await runtime.sweep().catch(() => undefined);
          await sim.settle();
        }
      };
      const step = async (action: () => Promise<unknown>): Promise<void> => {
        await action();
        await timer();
      };

      const vaultId = await sim.createVault(VAULT);
      await timer();
      await step(() => sim.createPrivateEndpoint(ALLOWED, vaultId));
      await step(() => sim.createPrivateEndpoint(OUTSIDER, vaultId, { as: 'outsider', subnetId: actors.sandboxSubnet, subscriptionId: SIMULATION_IDS.sandboxSubscriptionId, resourceGroup: 'rg-sandbox' }));
      await step(() => sim.createPrivateEndpoint(UNMATCHED, vaultId));
      await step(() => sim.createPrivateEndpoint(ELSEWHERE, vaultId, { resourceGroup: OTHER_RG }));
      let registered = (await sim.registerContainer(vaultId, { mustSucceed: false })).status === 'Completed';
      await timer();
      let protCreated = registered && (await sim.runBackup(vaultId, { fromVnet: false, mustSucceed: false })).status === 'Completed';
      await timer();

      let convergeMs: number | undefined;
      for (let tick = 0; tick <= MAX_TICKS; tick++) {
        // Azure Backup's jobs are retried by their owners until they pass (they fail while vaultlink is not done).
        if (!registered) registered = (await sim.registerContainer(vaultId, { mustSucceed: false })).status === 'Completed';
        if (registered && !protCreated) protCreated = (await sim.runBackup(vaultId, { fromVnet: false, mustSucceed: false })).status === 'Completed';
        if (registered && protCreated && isConverged(sim, vaultId)) {
          convergeMs = runtime.now().getTime() - startedAt;
          break;
        }
        if (tick === MAX_TICKS) break;
        await runtime.advance(Math.max(1, nextSweepAt - runtime.now().getTime()));
        await timer();
      }
      const backup = convergeMs === undefined ? undefined : await sim.runBackup(vaultId, { mustSucceed: true });
      if (convergeMs !== undefined && backup?.status !== 'Completed') problems.push(`converged, but the backup from the VNet ${backup?.status ?? 'did not run'}: ${backup?.error?.code ?? ''}`);
      if (convergeMs === undefined) problems.push(`not converged after ${MAX_TICKS} sweeps: ${JSON.stringify(Object.fromEntries(connectionStatuses(emulator, vaultId)))}, registered ${registered}, _prot ${protCreated}`);

      // Invariants, read from Azure's side.
      const statuses = connectionStatuses(emulator, vaultId);
      const wrongApprovals = [OUTSIDER, UNMATCHED, ELSEWHERE].filter((n) => statuses.get(n) === 'Approved').length;
      const wrongRejections = statuses.get(ALLOWED) === 'Rejected' ? 1 : 0;
      const me = SIMULATION_IDS.vaultlinkPrincipalId;
      const foreignKeys = new Set([...actors.foreignRecords.keys()].map((id) => id.toLowerCase()));
      let unownedWrites = emulator.writes
        .log()
        .filter((w) => armEquals(w.principalId, me) && w.method !== 'GET' && w.status >= 200 && w.status < 300 && foreignKeys.has(w.path.toLowerCase())).length;
      for (const [id, etag] of actors.foreignRecords) if (emulator.store.get(id)?.etag !== etag) unownedWrites++;
      const assignments = emulator.store.list({ type: 'Microsoft.Authorization/roleAssignments' });
      const triples = new Map<string, number>();
      for (const a of assignments) {
        const p = a.resource['properties'] as { scope?: string; principalId?: string; roleDefinitionId?: string } | undefined;
        const scope = (p?.scope ?? a.id.slice(0, a.id.toLowerCase().indexOf('/providers/microsoft.authorization/'))).toLowerCase();
        const key = `${scope}|${(p?.principalId ?? '').toLowerCase()}|${(p?.roleDefinitionId ?? '').split('/').pop()?.toLowerCase()}`;
        triples.set(key, (triples.get(key) ?? 0) + 1);
      }
      const duplicateRoleAssignments = [...triples.values()].reduce((n, c) => n + (c - 1), 0);

      const spoke = `/subscriptions/${zone.spokeSubscriptionId}`.toLowerCase();
      const published = emulator.events
        .published()
        .slice(runtime.subscribedFrom)
        .filter((e) => e.subject.toLowerCase().startsWith(spoke))
        .map((e) => e.id);
      const deadIds = new Set(runtime.deliveries.deadLettered.map((e) => (e as { id?: string }).id).filter((id): id is string => typeof id === 'string'));
      const handled = runtime.deliveries.handledIds;
      const lost = published.filter((id) => !handled.has(id) && !deadIds.has(id)).length;
      const arm = emulator.faults.list().reduce((n, r) => n + r.applied, 0);
      const crashes = runtime.crashedActivities();
      const failedDeliveries = runtime.deliveries.failedAttempts;
      if (wrongApprovals > 0) problems.push(`${wrongApprovals} wrong approval(s)`);
      if (wrongRejections > 0) problems.push('the allowlisted endpoint was rejected');
      if (unownedWrites > 0) problems.push(`${unownedWrites} write(s) to records vaultlink does not own`);
      if (duplicateRoleAssignments > 0) problems.push(`${duplicateRoleAssignments} duplicate role assignment(s)`);
      if (lost > 0) problems.push(`${lost} event(s) lost`);
      return {
        seed,
        converged: convergeMs !== undefined && problems.length === 0,
        wrongApprovals,
        wrongRejections,
        unownedWrites,
        duplicateRoleAssignments,
        published: published.length,
        delivered: published.filter((id) => handled.has(id)).length,
        deadLettered: published.filter((id) => deadIds.has(id) && !handled.has(id)).length,
        lost,
        writes: sim.vaultlinkWrites(),
        injectedFaults: arm + chaos.races + crashes + failedDeliveries,
        faults: { arm, races: chaos.races, crashes, failedDeliveries },
        convergeMs,
        problems,
      };
    } finally {
      await runtime.close();
    }
  } finally {
    await emulator.close();
  }
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const baseline = await runOnce(options.seed, 0);
  const results: RunResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = await runOnce(options.seed + 1 + i, options.faultRate);
    results.push(r);
    options.onRun?.(r, i);
  }
  const sum = (f: (r: RunResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const times = results.map((r) => r.convergeMs).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const totalFaults = sum((r) => r.injectedFaults);
  const toMinutes = (ms: number | undefined) => (ms === undefined ? undefined : Math.round((ms / 60_000) * 10) / 10);
  return {
    runs: results.length,
    faultRate: options.faultRate,
    seed: options.seed,
    converged: results.filter((r) => r.converged).length,
    wrongApprovals: sum((r) => r.wrongApprovals),
    wrongRejections: sum((r) => r.wrongRejections),
    unownedWrites: sum((r) => r.unownedWrites),
    duplicateRoleAssignments: sum((r) => r.duplicateRoleAssignments),
    events: { published: sum((r) => r.published), delivered: sum((r) => r.delivered), deadLettered: sum((r) => r.deadLettered), lost: sum((r) => r.lost) },
    injectedFaults: {
      arm: sum((r) => r.faults.arm),
      races: sum((r) => r.faults.races),
      crashes: sum((r) => r.faults.crashes),
      failedDeliveries: sum((r) => r.faults.failedDeliveries),
      total: totalFaults,
    },
    baselineWrites: baseline.writes,
    writes: sum((r) => r.writes),
    extraWritesPerFault: totalFaults === 0 ? 0 : Math.round(((sum((r) => r.writes) - baseline.writes * results.length) / totalFaults) * 100) / 100,
    convergeDriverMinutes: { median: toMinutes(percentile(times, 50)), p99: toMinutes(percentile(times, 99)) },
    convergeMinutesByRun: times.map((t) => toMinutes(t) as number),
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    failures: results.filter((r) => !r.converged).map((r) => ({ seed: r.seed, problems: r.problems })),
  };
}

/**
 * One report from the reports of chunks of one measurement, each over its own seeds (`--jobs`, or
 * `--pool` of files that runs with `--output json` wrote): counts add up, the converge-time
 * percentiles are taken again over every run's time, and extra writes per fault are recomputed
 * from each chunk's writes against its own fault-free baseline (weighted by its faults when a
 * report predates the `writes` field). Wall time is the longest chunk's (they run side by side).
 */
export function poolChaosReports(reports: readonly ChaosReport[]): ChaosReport {
  const first = reports[0];
  if (first === undefined) throw new Error('no chaos reports to pool');
  const rates = new Set(reports.map((r) => r.faultRate));
  if (rates.size > 1) throw new Error(`cannot pool reports of different fault rates: ${[...rates].join(', ')}`);
  // A report with --seed S and --runs N ran seeds S+1 … S+N: two that share a seed ran the same lifecycle twice.
  const ranges = reports.map((r) => [r.seed + 1, r.seed + r.runs] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const [prev, next] = [ranges[i - 1] as readonly [number, number], ranges[i] as readonly [number, number]];
    if (next[0] <= prev[1]) throw new Error(`cannot pool reports whose seeds overlap: ${prev[0]}–${prev[1]} and ${next[0]}–${next[1]}`);
  }
  const sum = (f: (r: ChaosReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  const totalFaults = sum((r) => r.injectedFaults.total);
  const extra = sum((r) => (r.writes === undefined ? r.extraWritesPerFault * r.injectedFaults.total : r.writes - r.baselineWrites * r.runs));
  const minutes = reports.flatMap((r) => r.convergeMinutesByRun).sort((a, b) => a - b);
  return {
    runs: sum((r) => r.runs),
    faultRate: first.faultRate,
    seed: Math.min(...reports.map((r) => r.seed)),
    converged: sum((r) => r.converged),
    wrongApprovals: sum((r) => r.wrongApprovals),
    wrongRejections: sum((r) => r.wrongRejections),
    unownedWrites: sum((r) => r.unownedWrites),
    duplicateRoleAssignments: sum((r) => r.duplicateRoleAssignments),
    events: { published: sum((r) => r.events.published), delivered: sum((r) => r.events.delivered), deadLettered: sum((r) => r.events.deadLettered), lost: sum((r) => r.events.lost) },
    injectedFaults: {
      arm: sum((r) => r.injectedFaults.arm),
      races: sum((r) => r.injectedFaults.races),
      crashes: sum((r) => r.injectedFaults.crashes),
      failedDeliveries: sum((r) => r.injectedFaults.failedDeliveries),
      total: totalFaults,
    },
    baselineWrites: first.baselineWrites,
    ...(reports.every((r) => r.writes !== undefined) ? { writes: sum((r) => r.writes ?? 0) } : {}),
    extraWritesPerFault: totalFaults === 0 ? 0 : Math.round((extra / totalFaults) * 100) / 100,
    convergeDriverMinutes: { median: percentile(minutes, 50), p99: percentile(minutes, 99) },
    convergeMinutesByRun: minutes,
    wallSeconds: Math.max(...reports.map((r) => r.wallSeconds)),
    failures: reports.flatMap((r) => r.failures),
  };
}

/** Runs `runs` lifecycles in `jobs` child processes side by side (contiguous seed ranges), pooled. */
async function runChaosInJobs(runs: number, faultRate: number, seed: number, jobs: number, progress: boolean): Promise<ChaosReport> {
  const { fork } = await import('node:child_process');
  const size = Math.ceil(runs / jobs);
  const chunks: { runs: number; seed: number }[] = [];
  // Chunk k's runs use seeds seed+1+start … as `--runs runs --seed seed` would: its --seed is one less.
  for (let start = 0; start < runs; start += size) chunks.push({ runs: Math.min(size, runs - start), seed: seed + start });
  const started = performance.now();
  const reports = await Promise.all(
    chunks.map(
      (c) =>
        new Promise<ChaosReport>((resolve, reject) => {
          const args = ['--runs', String(c.runs), '--fault-rate', String(faultRate), '--seed', String(c.seed), '--output', 'json', ...(progress ? ['--progress'] : [])];
          const child = fork(__filename, args, { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
          let out = '';
          child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
          child.on('error', reject);
          child.on('exit', (code) => {
            if (code !== 0) return reject(new Error(`chaos chunk --seed ${c.seed} --runs ${c.runs} exited with ${code}`));
            try {
              resolve(JSON.parse(out) as ChaosReport);
            } catch (e) {
              reject(new Error(`chaos chunk --seed ${c.seed} printed no report: ${e instanceof Error ? e.message : String(e)}`));
            }
          });
        }),
    ),
  );
  return { ...poolChaosReports(reports), seed, wallSeconds: Math.round((performance.now() - started) / 100) / 10 };
}

export function formatChaosReport(r: ChaosReport): string {
  const pct = r.runs === 0 ? 0 : Math.round((r.converged / r.runs) * 1000) / 10;
  const lines = [
    `runs                          ${r.runs} (fault rate ${r.faultRate}, seed ${r.seed})`,
    `converged                     ${r.converged} (${pct} %)`,
    `wrong approvals               ${r.wrongApprovals}`,
    `wrong rejections              ${r.wrongRejections}`,
    `writes to unowned resources   ${r.unownedWrites}`,
    `duplicate role assignments    ${r.duplicateRoleAssignments}`,
    `events published              ${r.events.published}`,
    `events delivered              ${r.events.delivered}`,
    `events dead-lettered          ${r.events.deadLettered}`,
    `events lost                   ${r.events.lost}`,
    `injected faults               ${r.injectedFaults.total} (ARM ${r.injectedFaults.arm}, 412 races ${r.injectedFaults.races}, crashes ${r.injectedFaults.crashes}, failed deliveries ${r.injectedFaults.failedDeliveries})`,
    `extra writes per fault        ${r.extraWritesPerFault} (fault-free run: ${r.baselineWrites} writes)`,
    `time to converge (driver)     median ${r.convergeDriverMinutes.median ?? '-'} min, p99 ${r.convergeDriverMinutes.p99 ?? '-'} min`,
    `wall time                     ${r.wallSeconds} s`,
  ];
  for (const f of r.failures.slice(0, 20)) lines.push(`  not converged: seed ${f.seed}: ${f.problems.join('; ')}`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--runs <n>', 'lifecycles to run', '100')
    .option('--fault-rate <r>', 'chance of each kind of fault per request, attempt or delivery', '0.1')
    .option('--seed <s>', 'seed of the first run (run k uses seed + k)', '1')
    .option('--output <format>', 'text or json', 'text')
    .option('--progress', 'print one line per run on stderr')
    .option('--jobs <n>', 'child processes running chunks of the runs side by side (one per core helps)', '1')
    .option('--pool <files...>', 'print one report pooled from reports that --output json wrote (chunks of one measurement), and run nothing')
    .parse(process.argv)
    .opts<{ runs: string; faultRate: string; seed: string; output: string; progress?: boolean; jobs: string; pool?: string[] }>();
  const print = (report: ChaosReport): void => {
    process.stdout.write(options.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatChaosReport(report));
  };
  if (options.pool !== undefined) {
    const { readFileSync } = await import('node:fs');
    print(poolChaosReports(options.pool.map((f) => {
      try {
        return JSON.parse(readFileSync(f, 'utf8')) as ChaosReport;
      } catch (e) {
        throw new Error(`--pool ${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
    })));
    return;
  }
  const jobs = Number(options.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive whole number, got ${options.jobs}`);
  const runs = Number(options.runs);
  const faultRate = Number(options.faultRate);
  const seed = Number(options.seed);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${options.runs}`);
  if (!(faultRate >= 0 && faultRate <= 0.5)) throw new Error(`--fault-rate must be within [0, 0.5], got ${options.faultRate}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${options.seed}`);
  if (options.output !== 'json' && options.output !== 'text') throw new Error(`--output must be text or json, got ${options.output}`);
  if (jobs > 1) {
    print(await runChaosInJobs(runs, faultRate, seed, Math.min(jobs, runs), options.progress === true));
    return;
  }
  // The Functions app logs every decision; a benchmark prints figures only.
  const log = console.log;
  const quiet = (): void => undefined;
  console.info = quiet;
  console.warn = quiet;
  console.error = quiet;
  console.log = quiet;
  const report = await runChaos({
    runs,
    faultRate,
    seed,
    onRun: (r, i) => {
      if (options.progress) process.stderr.write(`run ${i + 1}/${runs} seed ${r.seed}: ${r.converged ? 'converged' : 'NOT converged'} in ${r.convergeMs === undefined ? '-' : Math.round(r.convergeMs / 60_000)} min driver time, faults ${r.injectedFaults}${r.problems.length > 0 ? `: ${r.problems.join('; ')}` : ''}\n`);
    },
  });
  console.log = log;
  print(report);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
