/**
 * Runs one scenario end to end and reports what happened: the timeline, the final checklist of
 * every vault in scope (observe + plan, as `status` computes it), vaultlink's writes, the events,
 * the backups, and whether the scenario's own checks hold.
 */
import type { Finding } from '../../shared/domain';
import { summariseChecklist, type Checklist } from '../../shared/domain/checklist';
import type { Scenario, ScenarioOutcome } from '../scenarios/types';
import { checklistStatuses } from '../render';
import { startSimulationEmulator } from './emulator';
import { layOutLandingZone, REGION } from './landing-zone';
import { startVaultlinkRuntime } from './runtime';
import { Timeline, type TimelineEntry } from './timeline';
import { Simulation, type BackupJob } from './world';

export interface SimulatedVault {
  readonly id: string;
  readonly checklist: Checklist;
  readonly findings: readonly Finding[];
}

export interface SimulationResult {
  readonly scenario: string;
  readonly seed: number;
  /** Every vault in scope converged. */
  readonly converged: boolean;
  readonly vaults: readonly SimulatedVault[];
  /** ARM writes vaultlink made (faulted attempts excluded). */
  readonly writes: number;
  /** Events the emulator published (every ARM write through ARM: people's, Azure Backup's, vaultlink's). */
  readonly events: number;
  readonly backups: readonly BackupJob[];
  /** Every backup job the scenario needed succeeded. */
  readonly backupsSucceeded: boolean;
  /** vaultlink's writes in the final sweep, after everything settled (0: idempotent). */
  readonly writesInFinalSweep: number;
  /** Scenario checks that failed. */
  readonly problems: readonly string[];
  /** 0 when every vault converged, every needed backup succeeded and the scenario's checks hold; else 1. */
  readonly exitCode: 0 | 1;
  readonly timeline: readonly TimelineEntry[];
  readonly durationMs: number;
}

export interface RunSimulationOptions {
  readonly seed: number;
  /** Receives each timeline entry as it happens (live display). */
  readonly onEntry?: (entry: TimelineEntry) => void;
  /** Receives the Functions app's log lines. */
  readonly onLog?: (line: { level: string; functionName: string; instanceId: string | undefined; message: string }) => void;
}

export async function runSimulation(scenario: Scenario, options: RunSimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const timeline = new Timeline(options.onEntry);
  const emulator = await startSimulationEmulator(options.seed);
  try {
    const zone = await layOutLandingZone(emulator, scenario.landingZone);
    const hub = zone.hubSubscriptionId === zone.spokeSubscriptionId ? 'a resource group of the spoke subscription' : 'the hub subscription';
    timeline.add('platform', `lays out the landing zone in ${REGION}: central private DNS zones in ${hub}, spoke VNet vnet-spoke-app with the VM vm-app01, vaultlink's roles, an allowlist for the spoke team`);
    scenario.faults?.(emulator, options.seed);
    const runtime = await startVaultlinkRuntime(emulator, zone, options.onLog ? { onLog: options.onLog } : {});
    const sim = new Simulation(emulator, zone, runtime, timeline);
    try {
      if (scenario.before) await scenario.before(sim);
      const delivery = scenario.delivery?.(options.seed) ?? {};
      runtime.subscribeToEvents({ ...delivery, subjectBeginsWith: `/subscriptions/${zone.spokeSubscriptionId}` });
      if (!scenario.before) timeline.add('platform', 'deploys vaultlink (enforce mode): Event Grid subscription on the spoke subscription, sweep every 30 minutes');

      await scenario.play(sim);
      await sim.settle();

      // One more sweep after everything settled: a converged vault must cost no write.
      const before = sim.vaultlinkWrites();
      await sim.sweep();
      const writesInFinalSweep = sim.vaultlinkWrites() - before;

      reportChaos(sim, runtime.deliveries, runtime.subscribedFrom, delivery.dropProbability !== undefined || delivery.duplicateProbability !== undefined);

      const plans = await runtime.statusOfVaults();
      const vaults: SimulatedVault[] = plans.map((p) => ({ id: p.vaultId, checklist: p.checklist, findings: p.findings }));
      const converged = vaults.length > 0 && vaults.every((v) => summariseChecklist(v.checklist).converged);
      const backupsSucceeded = sim.backups.filter((b) => b.mustSucceed).every((b) => b.status === 'Completed');
      const outcome: ScenarioOutcome = {
        converged,
        exitCode: converged && backupsSucceeded ? 0 : 1,
        checklists: new Map(vaults.map((v) => [v.id, checklistStatuses(v.checklist)])),
        findingCodes: new Map(vaults.map((v) => [v.id, v.findings.map((f) => f.code)])),
        vaultlinkWrites: sim.vaultlinkWrites(),
      };
      const problems = [...((await scenario.check?.(sim, outcome)) ?? [])];
      if (converged && writesInFinalSweep > 0) problems.push(`the final sweep over converged vaults wrote ${writesInFinalSweep} time(s); expected none`);
      return {
        scenario: scenario.name,
        seed: options.seed,
        converged,
        vaults,
        writes: sim.vaultlinkWrites(),
        events: emulator.events.published().length,
        backups: sim.backups,
        backupsSucceeded,
        writesInFinalSweep,
        problems,
        exitCode: converged && backupsSucceeded && problems.length === 0 ? 0 : 1,
        timeline: timeline.entries(),
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await runtime.close();
    }
  } finally {
    await emulator.close();
  }
}

/** For chaotic delivery: how many events vaultlink got twice, and how many it never got. */
function reportChaos(sim: Simulation, deliveries: { delivered: number; eventIds: Set<string> }, from: number, chaotic: boolean): void {
  if (!chaotic) return;
  const spoke = `/subscriptions/${sim.zone.spokeSubscriptionId}`.toLowerCase();
  const published = sim.emulator.events.published().slice(from).filter((e) => e.subject.toLowerCase().startsWith(spoke));
  const dropped = published.filter((e) => !deliveries.eventIds.has(e.id)).length;
  const duplicates = deliveries.delivered - deliveries.eventIds.size;
  sim.note('chaos', `Event Grid delivered ${deliveries.delivered} event(s) for ${published.length} published: ${duplicates} duplicate(s), ${dropped} dropped, batches reordered; the sweeps found what the dropped ones hid`);
}
