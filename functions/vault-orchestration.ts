/**
 * The per-vault workflow: one Durable orchestration per vault (instance id from the vault id,
 * functions/instance-ids.ts), its two activities, and their names.
 *
 *   observeAndPlan (activity, retried; given the vault's memory) → { plan, observedAt, vaultExists }
 *   apply, as the plan's dependency graph, in waves: every action whose needs are done is
 *         scheduled in one `Task.all` (a zone beside an approval, links beside the grants' next
 *         steps), each retried on transient failures; after the last retry the action is reported
 *         failed and only the actions that need it (directly or not) are skipped
 *   remember (connection history, identity changes, grants Azure refused) → carried in the input
 *   publish the status (custom status, trimmed under 16 KB)
 *   another pass right away (continueAsNew) when the plan asks for it or something was applied
 *   (it confirms the writes and refreshes the checklist by re-reading what they wrote, the rest
 *   from this pass's observation, whose `observedAt` it keeps — shared/reconcile
 *   `confirmAndPlan`), else wait for a `signal` or a
 *   timer (the plan's follow-up while something is pending, a retry delay after a failure, or the
 *   idle re-check) → continueAsNew.
 *
 * Coalescing: a signal sent at or before the observation of the pass just done was covered by
 * that pass and is skipped, so any number of signals during a pass cause at most one more pass.
 * So is a signal from an event of vaultlink's own writes in an earlier pass (its ARM correlation
 * id is that pass's, shared/azure/correlation.ts): this pass observed after those writes ended.
 * continueAsNew after every pass keeps the history bounded however many events arrive.
 *
 * The orchestrator is deterministic: no I/O, no process.env, no Date.now; time only from
 * context.df.currentUtcDateTime. It logs only when not replaying.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { summariseChecklist } from '../shared/domain/checklist';
import type { Finding } from '../shared/domain/findings';
import type { ActionOutcome, ObservedVault, PlannedAction, VaultMemory, VaultPlan } from '../shared/plan/types';
import { refusedGrantFinding } from '../shared/reconcile/apply';
import { rememberOutcomes } from '../shared/reconcile/reconcile';
import { withArmCorrelationId } from '../shared/azure/correlation';
import { getVaultReconciler, type ObservedPlan } from './deps';
import { parseIsoDurationMs } from './duration';
import { errorMessage, logDecision, type DecisionLevel, type DecisionRecord } from './log';
import { declareFunction } from './registry';
import { SIGNAL_EVENT, VAULT_ORCHESTRATOR, type VaultOrchestrationInput, type VaultSignal } from './signal';
import { asVaultStatus, trimVaultStatus, type ActionReport, type PassState, type VaultStatus } from './vault-status';

export { VAULT_ORCHESTRATOR } from './signal';
export const OBSERVE_AND_PLAN_ACTIVITY = 'vaultlinkObserveAndPlan';
export const APPLY_ACTION_ACTIVITY = 'vaultlinkApplyAction';

/** Without a signal, look again after a day anyway (the sweep usually signals sooner). */
export const IDLE_RECHECK_MS = 24 * 3_600_000;
/** After a failed action or observation, look again after this long. */
export const FAILED_PASS_RETRY_MS = 5 * 60_000;
/** When the plan is pending but names no follow-up delay. */
export const DEFAULT_FOLLOW_UP_MS = 2 * 60_000;
/** Passes in a row without waiting (requeue, verification after writes) before the orchestration waits anyway: a planner that always finds work must not spin. */
export const MAX_CONSECUTIVE_PASSES = 5;
/** Stale signals one execution skips before it starts a fresh execution (each skipped wait adds a timer to the history). */
export const MAX_SKIPPED_SIGNALS = 50;
/** Correlation ids of earlier passes' writes kept (carried across continueAsNew): the events of older writes have long arrived. */
export const MAX_COVERED_WRITE_IDS = 8;

/** Attempts and back-off of the activities (transient Azure failures: throttling, 5xx, timeouts). */
export function activityRetryOptions(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 4);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return retry;
}

export interface ObserveAndPlanInput {
  readonly vaultId: string;
  readonly correlationId: string | null;
  /** What earlier passes saw (carried across continueAsNew). */
  readonly memory?: VaultMemory | undefined;
  /** The previous pass's observation and the actions of it that wrote: this pass confirms them. */
  readonly confirm?: ConfirmWrites | undefined;
}

/** What a pass that confirms the previous pass's writes starts from. */
export interface ConfirmWrites {
  readonly observed: ObservedVault;
  readonly applied: readonly PlannedAction[];
}

export interface ApplyActionInput {
  readonly vaultId: string;
  readonly correlationId: string | null;
  readonly action: PlannedAction;
  /** ARM correlation id of the pass's writes: the events they raise carry it back. */
  readonly writeCorrelationId?: string | undefined;
}

/** Thrown by the apply activity for a transient failure, so that Durable's retry applies. */
export class TransientActionError extends Error {
  override readonly name = 'TransientActionError';
  constructor(readonly outcome: ActionOutcome) {
    super(`transient failure of ${outcome.key}: ${outcome.error?.code ?? 'unknown'}: ${outcome.error?.message ?? outcome.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Activities

export async function observeAndPlanActivity(input: unknown, context: InvocationContext): Promise<ObservedPlan> {
  const { vaultId, correlationId, memory, confirm } = input as ObserveAndPlanInput;
  const reconciler = await getVaultReconciler();
  const result =
    confirm !== undefined && reconciler.confirmAndPlan !== undefined ? await reconciler.confirmAndPlan(vaultId, confirm.observed, confirm.applied, memory) : await reconciler.observeAndPlan(vaultId, memory);
  logDecision(context, {
    decision: 'pass.planned',
    vaultId,
    correlationId,
    observedAt: result.observedAt,
    vaultExists: result.vaultExists,
    mode: result.plan.mode,
    actions: result.plan.actions.length,
    findings: result.plan.findings.length,
    requeue: result.plan.requeue,
    followUpAfter: result.plan.followUpAfter ?? null,
  });
  return result;
}

export async function applyActionActivity(input: unknown, context: InvocationContext): Promise<ActionOutcome> {
  const { vaultId, correlationId, action, writeCorrelationId } = input as ApplyActionInput;
  const reconciler = await getVaultReconciler();
  const outcome = await (writeCorrelationId === undefined ? reconciler.applyAction(action) : withArmCorrelationId(writeCorrelationId, () => reconciler.applyAction(action)));
  const transient = outcome.status === 'failed' && outcome.error?.transient === true;
  logDecision(
    context,
    { decision: 'action.outcome', vaultId, correlationId, action: action.key, kind: action.kind, rule: 'rule' in action ? (action.rule ?? null) : null, outcome: outcome.status, status: outcome.status, message: outcome.message, error: outcome.error ?? null, willRetry: transient },
    outcome.status === 'failed' ? 'warn' : 'info',
  );
  if (transient) throw new TransientActionError(outcome);
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

function logUnlessReplaying(context: OrchestrationContext, record: DecisionRecord, level: DecisionLevel = 'info'): void {
  if (!context.df.isReplaying) logDecision(context, record, level);
}

function iso(date: Date): string {
  return date.toISOString();
}

function isVaultSignal(value: unknown): value is VaultSignal {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['sentAt'] === 'string' && typeof v['reason'] === 'string';
}

function report(action: PlannedAction, stage: number, status: ActionReport['status'], message: string, attempts?: number): ActionReport {
  return { key: action.key, kind: action.kind, summary: action.summary, stage, status, message, ...(attempts === undefined ? {} : { attempts }) };
}

interface AppliedPlan {
  readonly reports: ActionReport[];
  /** Outcomes of the actions that ran (activity results), for memory and findings. */
  readonly outcomes: ActionOutcome[];
  /** Findings raised by outcomes (a grant Azure refused, and the endpoint not approved for it). */
  readonly findings: Finding[];
}

/**
 * Applies the plan's dependency graph in waves: each wave schedules, in one `Task.all`, every
 * action whose needs are all applied or already done; an action whose need failed or was skipped
 * is skipped (and the failure names it); an action that follows from the identity step is skipped
 * for this pass. Returns one report per planned action, in plan order (`stage` is its wave).
 */
function* applyPlan(context: OrchestrationContext, plan: VaultPlan, correlationId: string | null, writeCorrelationId: string): Generator<Task, AppliedPlan, unknown> {
  const actions = plan.actions;
  if (plan.mode === 'audit') {
    return { reports: actions.map((a) => report(a, 0, 'skipped', 'audit mode: planned, not applied')), outcomes: [], findings: [] };
  }
  const inPlan = new Set(actions.map((a) => a.key));
  const done = new Map<string, ActionReport>();
  const rootOf = new Map<string, string>();
  const outcomes: ActionOutcome[] = [];
  const ok = (k: string) => {
    const r = done.get(k);
    return r !== undefined && (r.status === 'applied' || r.status === 'already-done');
  };
  const retry = activityRetryOptions();
  for (let wave = 0; done.size < actions.length; wave++) {
    // Skips first, to a fixed point: they cost no activity.
    for (let changed = true; changed; ) {
      changed = false;
      for (const a of actions) {
        if (done.has(a.key)) continue;
        if (a.followsFrom !== undefined && a.needs.every((k) => !inPlan.has(k) || done.has(k))) {
          done.set(a.key, report(a, wave, 'skipped', `follows from ${a.followsFrom}: planned again with the principal id in the next pass`));
          rootOf.set(a.key, a.followsFrom);
          changed = true;
          continue;
        }
        const blocker = a.needs.find((k) => inPlan.has(k) && done.has(k) && !ok(k));
        if (blocker === undefined) continue;
        done.set(a.key, report(a, wave, 'skipped', `not applied: needs ${blocker}, which ${done.get(blocker)?.status === 'failed' ? 'failed' : 'was skipped'}`));
        rootOf.set(a.key, rootOf.get(blocker) ?? blocker);
        changed = true;
      }
    }
    const ready = actions.filter((a) => !done.has(a.key) && a.needs.every((k) => !inPlan.has(k) || ok(k)));
    if (ready.length === 0) {
      // nothing can run and nothing is running: what is left waits on itself (a planner bug), never hang
      for (const a of actions) if (!done.has(a.key)) done.set(a.key, report(a, wave, 'skipped', 'not applied: its needs never completed'));
      break;
    }
    const tasks = ready.map((action) => context.df.callActivityWithRetry(APPLY_ACTION_ACTIVITY, retry, { vaultId: plan.vaultId, correlationId, action, writeCorrelationId } satisfies ApplyActionInput));
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // Task.all fails on the first failed action; wait for the others one by one (re-yielding a
      // scheduled task schedules nothing new, unlike wrapping it in another Task.all)
      for (const task of tasks) {
        if (task.isCompleted || task.isFaulted) continue;
        try {
          yield task;
        } catch {
          // reported below
        }
      }
    }
    ready.forEach((action, i) => {
      const task = tasks[i] as Task;
      if (task.isCompleted) {
        const outcome = task.result as ActionOutcome;
        outcomes.push(outcome);
        done.set(action.key, report(action, wave, outcome.status, outcome.message));
      } else {
        done.set(action.key, report(action, wave, 'failed', `gave up after ${retry.maxNumberOfAttempts} attempts: ${errorMessage(task.result)}`, retry.maxNumberOfAttempts));
      }
    });
  }
  const findings: Finding[] = [];
  const reports = actions.map((a) => {
    const r = done.get(a.key) as ActionReport;
    if (r.status !== 'failed') return r;
    const skipped = actions.filter((x) => rootOf.get(x.key) === a.key);
    if (skipped.length === 0) return r;
    const outcome = outcomes.find((o) => o.key === a.key);
    const finding = a.kind === 'grant-role' && outcome !== undefined ? refusedGrantFinding(a, outcome, skipped) : undefined;
    if (finding !== undefined) findings.push(finding);
    return { ...r, message: `${r.message}; skipped ${skipped.length} action(s) that need it: ${skipped.map((x) => x.key).join(', ')}` };
  });
  for (const r of reports) {
    logUnlessReplaying(context, { decision: 'action.reported', vaultId: plan.vaultId, correlationId, action: r.key, kind: r.kind, stage: r.stage, status: r.status, message: r.message }, r.status === 'failed' ? 'warn' : 'info');
  }
  return { reports, outcomes, findings };
}

interface WaitResult {
  /** The signal that asks for another pass, or undefined when the timer fired. */
  readonly signal: VaultSignal | undefined;
  readonly skipped: number;
}

/**
 * Waits for a signal newer than `observedAt`, or until `deadline` (none: wait for a signal only).
 * Skipped signals were covered by the pass just done: sent before its observation, or raised by
 * the writes of an earlier pass (`coveredWrites`: their correlation ids), which it observed after.
 */
function* waitForNextPass(
  context: OrchestrationContext,
  vaultId: string,
  observedAt: string | undefined,
  deadline: Date | undefined,
  coveredWrites: readonly string[] = [],
): Generator<Task, WaitResult, unknown> {
  const coveredUntil = observedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(observedAt);
  for (let skipped = 0; ; skipped++) {
    if (skipped >= MAX_SKIPPED_SIGNALS) {
      return { signal: { sentAt: iso(context.df.currentUtcDateTime), reason: `skipped ${skipped} covered signals: starting afresh to keep the history bounded`, correlationId: null }, skipped };
    }
    if (deadline !== undefined && deadline.getTime() <= context.df.currentUtcDateTime.getTime()) return { signal: undefined, skipped };
    const signalTask = context.df.waitForExternalEvent(SIGNAL_EVENT);
    if (deadline === undefined) {
      yield signalTask;
    } else {
      // a fresh timer per wait: a task already scheduled must not be wrapped in a new Task.any
      const timer = context.df.createTimer(deadline);
      const winner = yield context.df.Task.any([signalTask, timer]);
      if (winner === timer) return { signal: undefined, skipped };
      // the signal won: a timer left pending keeps the orchestration from completing and fires for nothing
      timer.cancel();
    }
    const body = signalTask.result;
    if (!isVaultSignal(body)) {
      // a signal nobody can date is never skipped: one pass too many beats one change missed
      return { signal: { sentAt: iso(context.df.currentUtcDateTime), reason: 'signal without a readable body', correlationId: null }, skipped };
    }
    const sentAt = Date.parse(body.sentAt);
    const ownWrite = body.correlationId !== null && coveredWrites.includes(body.correlationId);
    if ((!Number.isNaN(sentAt) && sentAt <= coveredUntil) || ownWrite) {
      logUnlessReplaying(context, { decision: 'signal.coalesced', vaultId, correlationId: body.correlationId, reason: body.reason, sentAt: body.sentAt, observedAt, ...(ownWrite ? { covered: 'an event of vaultlink’s own write, observed since' } : {}) });
      continue;
    }
    return { signal: body, skipped };
  }
}

function nextPassDelay(plan: VaultPlan, state: PassState): number | undefined {
  if (state === 'failed' || state === 'observe-failed') return FAILED_PASS_RETRY_MS;
  if (state === 'pending' && plan.followUpAfter !== undefined) return parseIsoDurationMs(plan.followUpAfter) ?? DEFAULT_FOLLOW_UP_MS;
  return IDLE_RECHECK_MS;
}

function inProgressStatus(input: VaultOrchestrationInput, passStartedAt: string): VaultStatus {
  const previous = asVaultStatus(input.previousStatus);
  if (previous !== undefined) return { ...previous, passStartedAt };
  return {
    vaultId: input.vaultId,
    mode: undefined,
    state: 'in-progress',
    lastPassAt: undefined,
    observedAt: input.lastObservedAt,
    converged: false,
    summary: 'first pass in progress',
    checklist: [],
    findings: [],
    lastPlan: { actions: [], omitted: 0 },
    nextPassAt: undefined,
    triggeredBy: input.trigger === undefined ? undefined : { reason: input.trigger.reason, correlationId: input.trigger.correlationId },
    passStartedAt,
  };
}

/** Counts passes in a row without a wait, and the vault's memory; carried in the input across continueAsNew. */
interface ChainedInput extends VaultOrchestrationInput {
  readonly consecutivePasses?: number | undefined;
  /** The connection history, identity changes and refused grants vaultlink saw (shared/plan `VaultMemory`). */
  readonly memory?: VaultMemory | undefined;
  /** ARM correlation ids of earlier passes' writes, all ended before this execution's observation. */
  readonly coveredWrites?: readonly string[] | undefined;
  /** Set when this execution confirms the previous one's writes. */
  readonly confirm?: ConfirmWrites | undefined;
}

export function* vaultOrchestrator(context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const input = context.df.getInput<ChainedInput>();
  const vaultId = input.vaultId;
  const passStartedAt = iso(context.df.currentUtcDateTime);
  const trigger = input.trigger;
  const correlationId = trigger?.correlationId ?? null;
  const triggeredBy = trigger === undefined ? undefined : { reason: trigger.reason, correlationId: trigger.correlationId };
  context.df.setCustomStatus(trimVaultStatus(inProgressStatus(input, passStartedAt)));
  logUnlessReplaying(context, { decision: 'pass.started', vaultId, correlationId, reason: trigger?.reason ?? 'started', instanceId: context.df.instanceId });

  let observed: ObservedPlan;
  try {
    observed = (yield context.df.callActivityWithRetry(OBSERVE_AND_PLAN_ACTIVITY, activityRetryOptions(), { vaultId, correlationId, memory: input.memory, confirm: input.confirm } satisfies ObserveAndPlanInput)) as ObservedPlan;
  } catch (e) {
    const previous = asVaultStatus(input.previousStatus);
    const deadline = new Date(context.df.currentUtcDateTime.getTime() + FAILED_PASS_RETRY_MS);
    const status: VaultStatus = {
      ...inProgressStatus(input, passStartedAt),
      ...(previous ?? {}),
      state: 'observe-failed',
      converged: false,
      error: errorMessage(e),
      nextPassAt: iso(deadline),
      triggeredBy,
      passStartedAt: undefined,
    };
    context.df.setCustomStatus(trimVaultStatus(status));
    logUnlessReplaying(context, { decision: 'pass.observe-failed', vaultId, correlationId, error: errorMessage(e), retryAt: iso(deadline) }, 'error');
    // nothing was observed: the earlier writes are not covered yet (the next observation covers them)
    const wait = yield* waitForNextPass(context, vaultId, input.lastObservedAt, deadline);
    context.df.continueAsNew({
      vaultId,
      lastObservedAt: input.lastObservedAt,
      trigger: wait.signal ?? { sentAt: iso(context.df.currentUtcDateTime), reason: 'retry after a failed observation', correlationId },
      previousStatus: status,
      consecutivePasses: 0,
      memory: input.memory,
      coveredWrites: input.coveredWrites,
    } satisfies ChainedInput);
    return undefined;
  }

  const { plan, observedAt } = observed;
  if (!observed.vaultExists) {
    const status: VaultStatus = {
      ...inProgressStatus(input, passStartedAt),
      mode: plan.mode,
      state: 'vault-not-found',
      lastPassAt: passStartedAt,
      observedAt,
      converged: false,
      summary: 'the vault does not exist (deleted?): nothing to do until it is signalled again',
      checklist: plan.checklist,
      findings: plan.findings,
      lastPlan: { actions: [], omitted: 0 },
      nextPassAt: undefined,
      triggeredBy,
      passStartedAt: undefined,
    };
    context.df.setCustomStatus(trimVaultStatus(status));
    logUnlessReplaying(context, { decision: 'pass.vault-not-found', vaultId, correlationId, observedAt });
    // ends the instance: a deleted vault keeps no orchestration waiting; a later signal starts it again
    return { vaultId, state: status.state, observedAt };
  }

  // deterministic (replay gives the same id): the events of this pass's writes carry it back
  const writeCorrelationId = context.df.newGuid(`${context.df.instanceId}|writes`);
  const { reports, outcomes, findings: outcomeFindings } = yield* applyPlan(context, plan, correlationId, writeCorrelationId);
  const wrote = reports.some((r) => r.status !== 'skipped');
  // for the next execution: its observation comes after every write of this one
  const coveredWrites = [...(input.coveredWrites ?? []), ...(wrote ? [writeCorrelationId] : [])].slice(-MAX_COVERED_WRITE_IDS);
  const memory = rememberOutcomes(plan.memory, plan, outcomes, passStartedAt);
  const failed = reports.filter((r) => r.status === 'failed');
  const applied = reports.filter((r) => r.status === 'applied');
  const checklistSummary = summariseChecklist(plan.checklist);
  const state: PassState = failed.length > 0 ? 'failed' : checklistSummary.converged && applied.length === 0 ? 'converged' : 'pending';
  const consecutivePasses = (input.consecutivePasses ?? 0) + 1;
  // after writes, one more pass re-reads Azure: it confirms them and refreshes the checklist
  const passAgain = failed.length === 0 && plan.mode === 'enforce' && (plan.requeue || applied.length > 0) && consecutivePasses < MAX_CONSECUTIVE_PASSES;
  const delay = passAgain ? undefined : nextPassDelay(plan, state);
  const deadline = delay === undefined ? undefined : new Date(context.df.currentUtcDateTime.getTime() + delay);
  const status = trimVaultStatus({
    vaultId,
    mode: plan.mode,
    state,
    lastPassAt: passStartedAt,
    observedAt,
    converged: state === 'converged',
    summary: failed.length > 0 ? `${failed.length} action(s) failed; ${checklistSummary.text}` : checklistSummary.text,
    checklist: plan.checklist,
    findings: [...plan.findings, ...outcomeFindings],
    lastPlan: { actions: reports, omitted: 0 },
    nextPassAt: passAgain ? iso(context.df.currentUtcDateTime) : deadline === undefined ? undefined : iso(deadline),
    triggeredBy,
  });
  context.df.setCustomStatus(status);
  logUnlessReplaying(
    context,
    {
      decision: 'pass.completed',
      vaultId,
      correlationId,
      mode: plan.mode,
      state,
      observedAt,
      applied: applied.length,
      failed: failed.length,
      skipped: reports.filter((r) => r.status === 'skipped').length,
      alreadyDone: reports.filter((r) => r.status === 'already-done').length,
      findings: plan.findings.length,
      summary: status.summary,
      next: passAgain ? 'pass again now' : status.nextPassAt,
    },
    failed.length > 0 ? 'warn' : 'info',
  );

  if (passAgain) {
    const reason = plan.requeue ? 'the plan needs another pass (requeue)' : 'verify the writes of the previous pass';
    // the next pass re-reads what this one wrote (the identity: the vault and its principal's role
    // assignments) and takes the rest from this observation
    const confirm: ConfirmWrites | undefined = observed.observed === undefined ? undefined : { observed: observed.observed, applied: plan.actions.filter((a) => applied.some((r) => r.key === a.key)) };
    context.df.continueAsNew({ vaultId, lastObservedAt: observedAt, trigger: { sentAt: passStartedAt, reason, correlationId }, previousStatus: status, consecutivePasses, memory, coveredWrites, confirm } satisfies ChainedInput);
    return undefined;
  }
  const wait = yield* waitForNextPass(context, vaultId, observedAt, deadline, input.coveredWrites);
  const nextTrigger: VaultSignal = wait.signal ?? { sentAt: iso(context.df.currentUtcDateTime), reason: state === 'pending' ? 'follow-up timer' : state === 'failed' ? 'retry after failed actions' : 'idle re-check', correlationId: null };
  context.df.continueAsNew({ vaultId, lastObservedAt: observedAt, trigger: nextTrigger, previousStatus: status, consecutivePasses: 0, memory, coveredWrites } satisfies ChainedInput);
  return undefined;
}

declareFunction({ kind: 'orchestration', name: VAULT_ORCHESTRATOR, orchestrator: vaultOrchestrator });
declareFunction({ kind: 'activity', name: OBSERVE_AND_PLAN_ACTIVITY, options: { handler: observeAndPlanActivity } });
declareFunction({ kind: 'activity', name: APPLY_ACTION_ACTIVITY, options: { handler: applyActionActivity } });
