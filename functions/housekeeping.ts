/**
 * Durable housekeeping: the task hub keeps every instance's history until someone purges it, and
 * one routing instance per private endpoint event would otherwise pile up forever. Once a day:
 *
 *   Completed instances created more than COMPLETED_RETENTION_MS ago   → purged
 *     (routing instances finish within minutes; a vault orchestration completes only when its
 *     vault is gone, and a later signal starts it afresh)
 *   Failed / Terminated instances older than FAILED_RETENTION_MS       → purged
 *     (kept longer: they are what someone investigates)
 *
 * Running vault orchestrations are never selected: continueAsNew already keeps their history to
 * one pass. The schedule is fixed, not a setting, so that no setting can stop the purge.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { currentTime } from './clock';
import { getDurableClient } from './durable-client';
import { logDecision } from './log';
import { declareFunction } from './registry';

export const HOUSEKEEPING_FUNCTION = 'vaultlinkHousekeeping';
/** Every day at 03:15 UTC (NCRONTAB, seconds first). */
export const HOUSEKEEPING_SCHEDULE = '0 15 3 * * *';
export const COMPLETED_RETENTION_MS = 24 * 3_600_000;
export const FAILED_RETENTION_MS = 30 * 24 * 3_600_000;

export interface HousekeepingReport {
  readonly completedPurged: number;
  readonly failedPurged: number;
}

export async function purgeFinishedInstances(_timer: Timer | unknown, context: InvocationContext): Promise<HousekeepingReport> {
  const client = getDurableClient(context);
  const now = currentTime().getTime();
  const epoch = new Date(0);
  const completed = await client.purgeInstanceHistoryBy({ createdTimeFrom: epoch, createdTimeTo: new Date(now - COMPLETED_RETENTION_MS), runtimeStatus: [df.OrchestrationRuntimeStatus.Completed] });
  const failed = await client.purgeInstanceHistoryBy({
    createdTimeFrom: epoch,
    createdTimeTo: new Date(now - FAILED_RETENTION_MS),
    runtimeStatus: [df.OrchestrationRuntimeStatus.Failed, df.OrchestrationRuntimeStatus.Terminated],
  });
  const report: HousekeepingReport = { completedPurged: completed.instancesDeleted, failedPurged: failed.instancesDeleted };
  logDecision(context, { decision: 'housekeeping.purged', correlationId: `housekeeping:${context.invocationId}`, outcome: 'purged', ...report });
  return report;
}

declareFunction({ kind: 'timer', name: HOUSEKEEPING_FUNCTION, options: { schedule: HOUSEKEEPING_SCHEDULE, handler: purgeFinishedInstances, extraInputs: [df.input.durableClient()] } });
