/**
 * `npm run bench:fleet -- --vaults 1,10,100,1000 --layout shared|per-rg`: what a timer sweep costs
 * at fleet scale. A measurement that prints figures, not a test: it asserts nothing.
 *
 * For each fleet size, on a fresh embedded emulator (the simulation's landing zone):
 * 1. builds the fleet fast, in-process (the emulator's `engine.invoke`, the ARM pipeline without
 *    HTTPS): classic (v1) vaults, each with one Pending private endpoint from the spoke team;
 *    layout `shared` puts every vault in one resource group and every PE in another (one big
 *    landing zone), `per-rg` gives each vault and its PE a resource group of their own;
 * 2. converges it with vaultlink's own planner and apply (real SDK clients over HTTPS), in waves of
 *    batch observation, acting as a separate "builder" principal with vaultlink's roles, so that
 *    vaultlink's own principal starts the sweep with a full ARM token bucket;
 * 3. sweeps: the REAL timer function on the local Durable driver, the per-vault orchestrations
 *    and their observe activity, vaultlink's real SDK clients over HTTPS as vaultlink's principal.
 *    The first sweep starts the orchestrations; the second (timed and counted) is the steady
 *    state: every vault converged, every orchestration waiting for a signal.
 *
 * Prints, per fleet size: sweep time, ARM reads (total, per vault, by kind), writes, 429s.
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Emulator, WriteRecord } from '../emulator';
import { setVaultReconcilerFactory, reconcilerFromContext } from '../functions/deps';
import { LocalDurableDriver } from '../functions/local/driver';
import { startSimulationEmulator } from '../cli/simulation/emulator';
import { layOutLandingZone, REGION, SIMULATION_IDS, type LandingZone } from '../cli/simulation/landing-zone';
import { ARM_READ_BUDGET } from '../shared/azure';
import { simulationAzureClients } from '../cli/simulation/runtime';
import { resourceGroupResourceId, resourceInGroupId, subscriptionResourceId } from '../shared/domain/ids';
import { planVault } from '../shared/plan';
import { ARM_PAGE_SIZE, readKind } from './read-kinds';
import { applyPlan, observeSweep, sweepReadPorts, type ReconcileContext, type SweepObservation } from '../shared/reconcile';

export type Layout = 'shared' | 'per-rg';

const BUILDER_PRINCIPAL = 'b0b0b0b0-0000-4000-8000-0000000000ff';
const FLEET_VNET = 'vnet-fleet';

export interface FleetOptions {
  readonly vaults: number;
  readonly layout: Layout;
  /** Vaults converged at once while building. */
  readonly buildConcurrency: number;
  readonly maxConcurrentActivityFunctions: number;
  /** Measure the sweep as it was before batching: every vault signalled, each observing alone. */
  readonly perVault: boolean;
}

export interface SweepFigures {
  readonly seconds: number;
  readonly reads: number;
  readonly writes: number;
  readonly throttled: number;
  readonly byKind: Readonly<Record<string, number>>;
}

export interface FleetFigures {
  readonly vaults: number;
  readonly layout: Layout;
  readonly buildSeconds: number;
  readonly convergeSeconds: number;
  readonly firstSweep: SweepFigures;
  readonly sweep: SweepFigures;
}

function invokeOk(what: string, r: { status: number; body: unknown }): void {
  if (r.status >= 300) throw new Error(`building the fleet: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/** Vaults and Pending PEs, in-process. Returns the vault ids. */
async function buildFleet(emulator: Emulator, zone: LandingZone, o: FleetOptions): Promise<string[]> {
  const sub = zone.spokeSubscriptionId;
  const platform = { principalId: SIMULATION_IDS.platformPrincipalId, tenantId: emulator.tenantId };
  const spokeTeam = { principalId: SIMULATION_IDS.spokeTeamPrincipalId, tenantId: emulator.tenantId };
  const rs = emulator.provider<{ setNewVaultBackupStorageVersion(v: 'V1' | 'V2'): void }>('recoveryservices');
  rs.setNewVaultBackupStorageVersion('V1');

  // One big endpoint subnet: a classic Backup PE takes 11 addresses.
  const vnetId = resourceInGroupId(sub, zone.networkResourceGroup, 'Microsoft.Network/virtualNetworks', FLEET_VNET);
  invokeOk(
    'the fleet VNet',
    await emulator.engine.invoke(platform, 'PUT', `${vnetId}?api-version=2024-05-01`, {
      location: REGION,
      properties: { addressSpace: { addressPrefixes: ['10.16.0.0/12'] }, subnets: [{ name: 'snet-fleet-endpoints', properties: { addressPrefix: '10.16.0.0/14', privateEndpointNetworkPolicies: 'Disabled' } }] },
    }),
  );
  const subnetId = `${vnetId}/subnets/snet-fleet-endpoints`;

  const ids: string[] = [];
  const one = async (i: number): Promise<void> => {
    const n = String(i).padStart(4, '0');
    const vaultRg = o.layout === 'shared' ? zone.backupResourceGroup : `rg-fleet-${n}`;
    const peRg = o.layout === 'shared' ? zone.networkResourceGroup : `rg-fleet-${n}`;
    if (o.layout === 'per-rg') {
      emulator.control.createResourceGroup(sub, vaultRg, REGION);
      // what the landing zone gives the spoke team and vaultlink on their own resource groups
      emulator.control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.spokeTeamPrincipalId, scope: resourceGroupResourceId(sub, vaultRg), principalType: 'Group' });
    }
    const vaultId = resourceInGroupId(sub, vaultRg, 'Microsoft.RecoveryServices/vaults', `rsv-fleet-${n}`);
    invokeOk(`vault ${vaultId}`, await emulator.engine.invoke(platform, 'PUT', `${vaultId}?api-version=2024-04-01`, { location: REGION, sku: { name: 'Standard' }, properties: { publicNetworkAccess: 'Enabled' } }));
    const peName = `pe-backup-fleet-${n}`;
    const peId = resourceInGroupId(sub, peRg, 'Microsoft.Network/privateEndpoints', peName);
    invokeOk(
      `private endpoint ${peId}`,
      await emulator.engine.invoke(spokeTeam, 'PUT', `${peId}?api-version=2024-05-01`, {
        location: REGION,
        properties: { subnet: { id: subnetId }, manualPrivateLinkServiceConnections: [{ name: peName, properties: { privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: 'fleet' } }] },
      }),
    );
    ids.push(vaultId);
  };
  await pool(o.vaults, 16, one);
  // vaultlink links the endpoint VNet of every vault: it is the same VNet for the whole fleet
  return ids.sort();
}

async function pool(count: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/**
 * Converges the whole fleet with vaultlink's own planner and apply, in waves: each wave observes
 * every vault as one batch (observe-batch.ts: a fresh set of shared reads per wave, so a wave
 * sees the writes of the one before) and applies every plan. Per-vault reconciles would list the
 * shared zones and resource groups once per vault and pass: O(n²) reads to build the fleet.
 */
async function convergeInWaves(ctx: ReconcileContext, concurrency: number, log: (line: string) => void): Promise<number> {
  for (let wave = 1; wave <= 8; wave++) {
    const batch = await observeSweep(ctx);
    const todo = batch.filter((b) => b.plan.actions.length > 0);
    if (todo.length === 0) return wave - 1;
    let failed = 0;
    await pool(todo.length, concurrency, async (i) => {
      const outcomes = await applyPlan(ctx, (todo[i] as SweepObservation).plan);
      if (outcomes.some((x) => x.status === 'failed')) failed++;
    });
    log(`    wave ${wave}: applied the plans of ${todo.length} vault(s)${failed > 0 ? `, ${failed} with failed actions` : ''}`);
  }
  throw new Error('building the fleet: still not converged after 8 waves');
}

function vaultlinkContext(emulator: Emulator, zone: LandingZone, principalId: string, now: () => Date, paced: boolean): ReconcileContext {
  // vaultlink as the Function App builds it: reads paced to ARM's budget (functions/deps.ts)
  const azure = simulationAzureClients(emulator, principalId, paced ? { readBudget: ARM_READ_BUDGET } : {});
  return { azure, policy: zone.policy, cloud: 'AzurePublicCloud', planner: planVault, now };
}

/** The builder gets exactly vaultlink's roles (cli/simulation/landing-zone.ts grantVaultlinkRoles). */
function grantBuilderRoles(emulator: Emulator, zone: LandingZone): void {
  const spokeScope = subscriptionResourceId(zone.spokeSubscriptionId);
  const grant = (role: string, scope: string): void => void emulator.control.grantRole({ role, principalId: BUILDER_PRINCIPAL, scope, principalType: 'ServicePrincipal' });
  grant('Reader', spokeScope);
  grant(SIMULATION_IDS.operatorRoleGuid, spokeScope);
  grant('Role Based Access Control Administrator', spokeScope);
  grant('Private DNS Zone Contributor', zone.dnsResourceGroupId);
  grant('Role Based Access Control Administrator', zone.dnsResourceGroupId);
}

function summarise(records: readonly WriteRecord[], seconds: number, writes: number): SweepFigures {
  const byKind: Record<string, number> = {};
  for (const r of records) byKind[readKind(r.path)] = (byKind[readKind(r.path)] ?? 0) + 1;
  return { seconds, reads: records.filter((r) => !r.faulted).length, writes, throttled: records.filter((r) => r.status === 429).length, byKind };
}

export async function measureFleet(o: FleetOptions, log: (line: string) => void = () => undefined): Promise<FleetFigures> {
  const emulator = await startSimulationEmulator(1, { pageSize: ARM_PAGE_SIZE });
  const restore: (() => void)[] = [];
  try {
    const zone = await layOutLandingZone(emulator, { separateHubSubscription: false });
    let t = performance.now();
    const vaultIds = await buildFleet(emulator, zone, o);
    const buildSeconds = (performance.now() - t) / 1000;
    log(`  built ${vaultIds.length} vault(s) (${o.layout}) in ${buildSeconds.toFixed(1)} s`);

    grantBuilderRoles(emulator, zone);
    const builder = vaultlinkContext(emulator, zone, BUILDER_PRINCIPAL, () => new Date(), false);
    t = performance.now();
    const waves = await convergeInWaves(builder, o.buildConcurrency, log);
    const convergeSeconds = (performance.now() - t) / 1000;
    log(`  converged by vaultlink's planner and apply in ${waves} wave(s), ${convergeSeconds.toFixed(1)} s`);

    const driver = new LocalDurableDriver({ maxSteps: 50 * vaultIds.length + 1_000, maxConcurrentActivityFunctions: o.maxConcurrentActivityFunctions });
    const ctx = vaultlinkContext(emulator, zone, SIMULATION_IDS.vaultlinkPrincipalId, () => driver.now(), true);
    // Setup: the first sweep starts every vault's orchestration, whose first pass observes its
    // vault. In Azure those orchestrations have long been running (started by the vaults' own
    // events); here their first passes read through one shared set of lists, as the builder, so
    // that setting up 1,000 orchestrations does not take 1,000 per-vault observations.
    const setupCtx: ReconcileContext = { ...builder, azure: sweepReadPorts(builder.azure), now: () => driver.now() };
    restore.push(setVaultReconcilerFactory(() => reconcilerFromContext(setupCtx)));
    restore.push(driver.install());

    const me = SIMULATION_IDS.vaultlinkPrincipalId.toLowerCase();
    const sweep = async (): Promise<SweepFigures> => {
      // later than every observation so far: the orchestrations do not take the signal as covered
      await driver.advance(1_000);
      emulator.reads.reset();
      emulator.writes.reset();
      const started = performance.now();
      await driver.runSweep();
      await driver.idle();
      const seconds = (performance.now() - started) / 1000;
      const reads = emulator.reads.log().filter((r) => r.principalId.toLowerCase() === me);
      return summarise(reads, seconds, emulator.writes.count(me));
    };
    const firstSweep = await sweep();
    log(`  setup sweep (starts ${vaultIds.length} orchestration(s)) in ${firstSweep.seconds.toFixed(1)} s`);
    // The measured sweep: vaultlink's own principal and plain ports, as in Azure.
    restore.push(setVaultReconcilerFactory(() => (o.perVault ? { ...reconcilerFromContext(ctx), planSweep: undefined } : reconcilerFromContext(ctx))));
    const steady = await sweep();
    return { vaults: vaultIds.length, layout: o.layout, buildSeconds, convergeSeconds, firstSweep, sweep: steady };
  } finally {
    for (const r of restore.reverse()) r();
    await emulator.close();
  }
}

function table(rows: readonly FleetFigures[]): string {
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.sweep.byKind)))].sort();
  const head = ['vaults', 'layout', 'sweep s', 'ms/vault', 'reads', 'reads/vault', 'writes', '429s', ...kinds.map((k) => `${k}/vault`)];
  const lines = rows.map((r) => [
    String(r.vaults),
    r.layout,
    r.sweep.seconds.toFixed(2),
    ((r.sweep.seconds * 1000) / r.vaults).toFixed(1),
    String(r.sweep.reads),
    (r.sweep.reads / r.vaults).toFixed(2),
    String(r.sweep.writes),
    String(r.sweep.throttled),
    ...kinds.map((k) => ((r.sweep.byKind[k] ?? 0) / r.vaults).toFixed(2)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--vaults <list>', 'fleet sizes, comma-separated', '1,10,100')
    .option('--layout <layout>', 'shared | per-rg', 'shared')
    .option('--build-concurrency <n>', 'vaults converged at once while building', Number, 8)
    .option('--activities <n>', 'the driver\'s maxConcurrentActivityFunctions', Number, 10)
    .option('--per-vault', 'sweep as before batching: signal every vault, each observes alone (slow beyond 100 vaults)')
    .option('--json', 'print the figures as JSON too')
    .parse(process.argv)
    .opts<{ vaults: string; layout: string; buildConcurrency: number; activities: number; perVault?: boolean; json?: boolean }>();
  if (o.layout !== 'shared' && o.layout !== 'per-rg') throw new Error(`--layout: expected shared or per-rg, got ${JSON.stringify(o.layout)}`);
  const sizes = o.vaults.split(',').map((s) => Number(s.trim()));
  const bad = sizes.find((n) => !Number.isInteger(n) || n < 1);
  if (bad !== undefined) throw new Error(`--vaults: expected positive integers, got ${JSON.stringify(o.vaults)}`);

  // @azure/functions prints a "test mode" warning per registration when no host runs
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && /test mode/.test(args[0])) return;
    warn(...args);
  };
  const rows: FleetFigures[] = [];
  for (const vaults of sizes) {
    process.stderr.write(`fleet of ${vaults}:\n`);
    rows.push(await measureFleet({ vaults, layout: o.layout, buildConcurrency: o.buildConcurrency, maxConcurrentActivityFunctions: o.activities, perVault: o.perVault === true }, (l) => process.stderr.write(`${l}\n`)));
  }
  process.stdout.write(`bench:fleet — steady-state timer sweep (every vault converged, orchestrations waiting), vaultlink's principal only, ${o.perVault ? 'per-vault observation (before batching)' : 'batch observation'}\n`);
  process.stdout.write(`${table(rows)}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:fleet: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
