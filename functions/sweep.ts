/**
 * The timer sweep: every vault in the subscriptions in scope is looked at, on the schedule of
 * VAULTLINK_SWEEP_SCHEDULE. It catches what events miss (lost deliveries, Azure Backup's own
 * private endpoint creations).
 *
 * When the reconciler offers `planSweep`, the sweep observes every vault as ONE batch (the reads
 * vaults share — private endpoints, zones, links, records, role assignments — made once per sweep:
 * shared/reconcile/observe-batch.ts) and signals only the vaults that need a pass: something to
 * apply, a read error, a vault gone. A vault with nothing to do whose orchestration is alive is
 * left alone (its own timers and the next event cover it); one without a live orchestration is
 * signalled, so that every vault in scope has one and shows in the status API. The signalled
 * pass observes its vault afresh: the batch only decides who gets one. Without `planSweep`, every
 * vault is signalled and the orchestrations coalesce.
 *
 * One failed signal never stops the others; the invocation fails at the end when any did, so
 * that monitoring sees it.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import contract from '../shared/contract.json';
import { currentTime } from './clock';
import { getVaultReconciler } from './deps';
import { getDurableClient, isActiveRuntimeStatus, tryGetInstanceStatus } from './durable-client';
import { vaultInstanceId } from './instance-ids';
import { errorMessage, logDecision } from './log';
import { declareFunction } from './registry';
import { signalVault } from './signal';

export const SWEEP_FUNCTION = contract.functions.sweep;

export interface SweepReport {
  readonly vaults: number;
  readonly signalled: number;
  /** Vaults the batch observation found with nothing to do and a live orchestration: not signalled. */
  readonly unchanged: number;
  readonly failed: number;
}

export async function sweepVaults(_timer: Timer | unknown, context: InvocationContext): Promise<SweepReport> {
  const correlationId = `sweep:${context.invocationId}`;
  const reconciler = await getVaultReconciler();
  const verdicts = reconciler.planSweep ? await reconciler.planSweep() : (await reconciler.listVaultsInScope()).map((vaultId) => ({ vaultId, needsPass: true, reason: 'sweep' }));
  const vaultIds = verdicts.map((v) => v.vaultId);
  const client = getDurableClient(context);
  let signalled = 0;
  let unchanged = 0;
  const failures: string[] = [];
  for (const verdict of verdicts) {
    const vaultId = verdict.vaultId;
    try {
      if (!verdict.needsPass) {
        const status = await tryGetInstanceStatus(client, vaultInstanceId(vaultId));
        if (status !== undefined && isActiveRuntimeStatus(status.runtimeStatus)) {
          unchanged++;
          logDecision(context, { decision: 'sweep.unchanged', vaultId, correlationId, reason: verdict.reason });
          continue;
        }
      }
      const result = await signalVault(client, vaultId, { sentAt: currentTime().toISOString(), reason: 'sweep', correlationId });
      signalled++;
      logDecision(context, { decision: `signal.${result.delivery}`, vaultId, correlationId, reason: verdict.needsPass ? `sweep: ${verdict.reason}` : 'sweep: no live orchestration' });
    } catch (e) {
      failures.push(`${vaultId}: ${errorMessage(e)}`);
      logDecision(context, { decision: 'signal.failed', vaultId, correlationId, reason: 'sweep', error: errorMessage(e) }, 'error');
    }
  }
  const report: SweepReport = { vaults: vaultIds.length, signalled, unchanged, failed: failures.length };
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
