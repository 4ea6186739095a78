/**
 * The timer sweep: every vault in the subscriptions in scope gets a signal, on the schedule of
 * VAULTLINK_SWEEP_SCHEDULE. It catches what events miss (lost deliveries, Azure Backup's own
 * private endpoint creations). A vault whose pass is recent skips nothing here: the orchestration
 * coalesces. One failed signal never stops the others; the invocation fails at the end when any
 * did, so that monitoring sees it.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import contract from '../shared/contract.json';
import { currentTime } from './clock';
import { getVaultReconciler } from './deps';
import { getDurableClient } from './durable-client';
import { errorMessage, logDecision } from './log';
import { declareFunction } from './registry';
import { signalVault } from './signal';

export const SWEEP_FUNCTION = contract.functions.sweep;

export interface SweepReport {
  readonly vaults: number;
  readonly signalled: number;
  readonly failed: number;
}

export async function sweepVaults(_timer: Timer | unknown, context: InvocationContext): Promise<SweepReport> {
  const correlationId = `sweep:${context.invocationId}`;
  const reconciler = await getVaultReconciler();
  const vaultIds = await reconciler.listVaultsInScope();
  const client = getDurableClient(context);
  let signalled = 0;
  const failures: string[] = [];
  for (const vaultId of vaultIds) {
    try {
      const result = await signalVault(client, vaultId, { sentAt: currentTime().toISOString(), reason: 'sweep', correlationId });
      signalled++;
      logDecision(context, { decision: `signal.${result.delivery}`, vaultId, correlationId, reason: 'sweep' });
    } catch (e) {
      failures.push(`${vaultId}: ${errorMessage(e)}`);
      logDecision(context, { decision: 'signal.failed', vaultId, correlationId, reason: 'sweep', error: errorMessage(e) }, 'error');
    }
  }
  const report: SweepReport = { vaults: vaultIds.length, signalled, failed: failures.length };
  logDecision(context, { decision: 'sweep.completed', correlationId, ...report }, failures.length > 0 ? 'error' : 'info');
  if (failures.length > 0) throw new Error(`sweep: ${failures.length} of ${vaultIds.length} vault(s) could not be signalled: ${failures.join('; ')}`);
  return report;
}

/**
 * The host resolves the schedule from the app setting (a binding expression), so nothing here reads
 * it at module load: a bad value can only stop the sweep, never the registration of the others.
 */
export const SWEEP_SCHEDULE_EXPRESSION = '%VAULTLINK_SWEEP_SCHEDULE%';

declareFunction({ kind: 'timer', name: SWEEP_FUNCTION, options: { schedule: SWEEP_SCHEDULE_EXPRESSION, handler: sweepVaults, extraInputs: [df.input.durableClient()] } });
