/**
 * `vaultlink simulate` (= `npm run simulate`): the main job on the embedded Azure. Starts the
 * emulator, lays out a landing zone, deploys vaultlink (the real Functions app on the local
 * Durable driver) and plays a scenario, printing the timeline as it happens and the final
 * checklist of every vault.
 */
import { summariseChecklist } from '../../shared/domain';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors';
import { formatTable, writeJson, type OutputFormat } from '../format';
import type { CliIO } from '../io';
import { checklistStatuses, renderChecklist, renderFindings } from '../render';
import { DEFAULT_SCENARIO, SCENARIOS, findScenario } from '../scenarios';
import { runSimulation, type SimulationResult } from '../simulation/run';
import { renderTimelineEntry } from '../simulation/timeline';

export interface SimulateOptions {
  readonly scenario: string;
  readonly seed: number;
  readonly output: OutputFormat;
  readonly listScenarios: boolean;
  /** Print the Functions app's log lines on stderr. */
  readonly verbose: boolean;
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new UsageError(`--seed ${value}: expected an integer from 0 to ${2 ** 32 - 1}`);
  return n;
}

/** The exact JSON of `simulate --output json` (issue 6). */
export function simulationJson(result: SimulationResult): { converged: boolean; vaults: { id: string; checklist: Record<string, string>; findings: unknown[] }[]; writes: number; events: number } {
  return {
    converged: result.converged,
    vaults: result.vaults.map((v) => ({ id: v.id, checklist: checklistStatuses(v.checklist), findings: [...v.findings] })),
    writes: result.writes,
    events: result.events,
  };
}

function listScenarios(io: CliIO, output: OutputFormat): ExitCodeValue {
  if (output === 'json') {
    writeJson(io.stdout, SCENARIOS.map((s) => ({ name: s.name, summary: s.summary, expected: s.expected })));
  } else {
    io.stdout.write(formatTable(['SCENARIO', 'EXPECTED EXIT', 'WHAT IT PLAYS'], SCENARIOS.map((s) => [s.name + (s.name === DEFAULT_SCENARIO ? ' (default)' : ''), String(s.expected.exitCode), s.summary])));
  }
  return ExitCode.ok;
}

function renderSummary(result: SimulationResult, expectedExit: number, because: string): string {
  const lines: string[] = ['', 'Final checklist'];
  for (const v of result.vaults) {
    lines.push(`vault ${v.id}: ${summariseChecklist(v.checklist).text}`, renderChecklist(v.checklist).trimEnd(), '  findings:', renderFindings(v.findings, '    ').trimEnd());
  }
  if (result.vaults.length === 0) lines.push('no vault in scope');
  const needed = result.backups.filter((b) => b.mustSucceed);
  const failed = needed.filter((b) => b.status !== 'Completed');
  lines.push(
    '',
    `backups: ${needed.length} job(s) needed, ${failed.length === 0 ? 'all succeeded' : `${failed.length} failed: ${failed.map((b) => `${b.kind} (${b.error?.code ?? 'no code'})`).join(', ')}`}`,
    `vaultlink: ${result.writes} write(s), ${result.writesInFinalSweep} in the final sweep; ${result.events} event(s) published; ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  for (const p of result.problems) lines.push(`scenario check FAILED: ${p}`);
  const verdict = result.exitCode === 0 ? 'converged, every backup succeeded' : 'not converged, a backup failed, or a scenario check failed';
  const matches = result.exitCode === expectedExit ? 'as the scenario expects' : `the scenario expects exit ${expectedExit}`;
  lines.push(`result: ${verdict} → exit ${result.exitCode} (${matches}: ${because})`, '');
  return lines.join('\n');
}

/** Exit 0 every vault converged and every backup succeeded; 1 otherwise; 2 bad options; 3 the simulation itself broke. */
export async function simulateCommand(io: CliIO, options: SimulateOptions): Promise<ExitCodeValue> {
  if (options.listScenarios) return listScenarios(io, options.output);
  const scenario = findScenario(options.scenario);
  if (!scenario) throw new UsageError(`--scenario ${options.scenario}: unknown; one of ${SCENARIOS.map((s) => s.name).join(', ')} (see --list-scenarios)`);
  const live = options.output === 'table';
  if (live) io.stdout.write(`vaultlink simulate — scenario ${scenario.name} (seed ${options.seed}): ${scenario.summary}\n\n`);
  const result = await runSimulation(scenario, {
    seed: options.seed,
    ...(live ? { onEntry: (e) => io.stdout.write(renderTimelineEntry(e)) } : {}),
    ...(options.verbose ? { onLog: (l) => io.stderr.write(`[${l.level}] ${l.functionName}${l.instanceId ? ` ${l.instanceId}` : ''}: ${l.message}\n`) } : {}),
  });
  if (live) io.stdout.write(renderSummary(result, scenario.expected.exitCode, scenario.expected.because));
  else writeJson(io.stdout, simulationJson(result));
  return result.exitCode;
}
