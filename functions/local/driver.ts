/**
 * DEVELOPMENT HARNESS — the local Durable driver. Never used in Azure, where the Durable Task
 * framework runs the orchestrations; it exists because no Functions host can run on the machines
 * that build and test vaultlink.
 *
 * It runs the registered orchestrators and activities in-process:
 * - history kept in memory per instance and replayed, at every step, through the SAME
 *   durable-functions replay engine the host would call (the handler `df.app.orchestration`
 *   registered, from the table in functions/registry.ts);
 * - activities executed for real (whatever reconciler is installed behind functions/deps.ts), the
 *   activities of one fan-out (`Task.all`) CONCURRENTLY, as the host runs them, up to
 *   `maxConcurrentActivityFunctions` in flight (the host.json setting of the same name); episodes
 *   of the orchestrators run one at a time, as the replay engine needs, while activities run;
 * - timers on a controllable clock: due timers fire when the driver is idle, `advance(ms)` moves
 *   the clock; activity retry back-offs advance it by themselves;
 * - external events, continueAsNew (a fresh history per execution; unconsumed events are dropped
 *   as Durable does; events not yet delivered go to the next execution), completion and failure;
 * - a durable client (startNew, raiseEvent, getStatus, getStatusAll) installed through
 *   functions/durable-client.ts, so that the real Event Grid, timer and HTTP handlers use it.
 *
 * Mirroring the engine: every scheduled activity or timer takes the next sequence number, in the
 * order the orchestrator scheduled them; a retried activity takes one for its retry timer when an
 * attempt fails and one for the next attempt when that timer fires (durable-functions'
 * RetryableTask). The driver feeds ONE new message per episode, so the numbers it hands out are
 * exactly the ones the engine derives while replaying.
 */
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setClock } from '../clock';
import { setDurableClientFactory, type OrchestrationInstanceStatus, type VaultlinkDurableClient } from '../durable-client';
import { STATUS_LIST_FUNCTION, STATUS_VAULT_FUNCTION } from '../status-http';
import { EVENT_GRID_FUNCTION } from '../event-grid';
import { SWEEP_FUNCTION } from '../sweep';
import { getRegisteredFunction } from '../registry';
import '../workflows';

/** History event types (durable-functions lib/src/history/HistoryEventType.js). */
export const HistoryEventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

/** Action types (durable-functions lib/src/actions/ActionType.js). */
const ActionType = { CallActivity: 0, CallActivityWithRetry: 1, ContinueAsNew: 4, CreateTimer: 5, WaitForExternalEvent: 6, WhenAny: 11, WhenAll: 12 } as const;

export interface HistoryEvent {
  readonly EventType: number;
  readonly EventId: number;
  readonly IsPlayed: boolean;
  readonly Timestamp: Date;
  readonly [field: string]: unknown;
}

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated';

export interface LogLine {
  readonly level: string;
  readonly functionName: string;
  readonly instanceId: string | undefined;
  readonly message: string;
}

export interface ActivityCall {
  readonly instanceId: string;
  readonly name: string;
  readonly input: unknown;
  readonly attempt: number;
  readonly ok: boolean;
  /** Wall-clock start and end (`performance.now()`, ms): where the time of a pass goes, for bench/converge.ts. */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

export interface InstanceView {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly error: string | undefined;
  /** Executions so far (1 + continueAsNew count). */
  readonly executions: number;
  readonly history: readonly HistoryEvent[];
  /** The longest history any execution of this instance reached. */
  readonly maxHistoryLength: number;
}

export interface LocalDurableDriverOptions {
  /** Start of the controllable clock. Default: the real time at construction. */
  readonly startAt?: Date;
  /** Work items `idle()` runs before it gives up (a runaway loop is a bug to report, not to wait out). Default 20 000. */
  readonly maxSteps?: number;
  /** Receives every log line of every invocation; they are also kept in `logs`. */
  readonly onLog?: (line: LogLine) => void;
  /** Replay schema the driver announces (durable-functions ReplaySchema). Default V3 (2). */
  readonly upperSchemaVersion?: number;
  /**
   * Activities in flight at once, across instances: the stand-in for the host's
   * `extensions.durableTask.maxConcurrentActivityFunctions` (host.json). Default 10 (the host's
   * default is 10 × the worker's cores); 1 runs them one at a time.
   */
  readonly maxConcurrentActivityFunctions?: number;
  /**
   * Chaos (bench/chaos.ts): called after an activity ran and returned; true makes the driver act
   * as if the worker crashed before reporting the result, so the result is lost and Durable runs
   * the activity again (at-least-once: the activity's writes must be idempotent).
   */
  readonly crashAfterActivity?: (activity: { readonly name: string; readonly instanceId: string; readonly attempt: number }) => boolean;
}

interface RetryPolicy {
  readonly firstRetryIntervalInMilliseconds: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient?: number;
  readonly maxRetryIntervalInMilliseconds?: number;
}

interface RetryState {
  readonly name: string;
  readonly input: unknown;
  readonly policy: RetryPolicy;
  /** Attempts started so far. */
  attempt: number;
}

type Message = { readonly generation: number | undefined; readonly event: Record<string, unknown> & { EventType: number } };

interface InstanceRecord {
  readonly name: string;
  readonly instanceId: string;
  input: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  runtimeStatus: RuntimeStatus;
  customStatus: unknown;
  output: unknown;
  error: string | undefined;
  generation: number;
  executions: number;
  history: HistoryEvent[];
  maxHistoryLength: number;
  inbox: Message[];
  dispatched: number;
  nextSequence: number;
  retries: Map<number, RetryState>;
}

type WorkItem =
  | { readonly kind: 'episode'; readonly instanceId: string }
  | { readonly kind: 'activity'; readonly instanceId: string; readonly generation: number; readonly taskId: number; readonly name: string; readonly input: unknown; readonly attempt: number };

interface PendingTimer {
  readonly instanceId: string;
  readonly generation: number;
  readonly timerId: number;
  readonly fireAt: Date;
  /** Retry back-off timers are the driver's own stand-in for Durable's retry: idle() advances the clock to them. */
  readonly kind: 'timer' | 'retry';
}

interface FlatAction {
  readonly actionType: number;
  readonly functionName?: string;
  readonly input?: unknown;
  readonly retryOptions?: RetryPolicy;
  readonly fireAt?: Date;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function flattenActions(actions: unknown): FlatAction[] {
  const out: FlatAction[] = [];
  const visit = (a: unknown): void => {
    if (Array.isArray(a)) return a.forEach(visit);
    const action = a as FlatAction & { compoundActions?: unknown[] };
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) return (action.compoundActions ?? []).forEach(visit);
    out.push(action);
  };
  visit(actions);
  return out;
}

function isTerminal(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated';
}

/** Raised by the driver's client on a start over a running instance, like the host's 409. */
export class InstanceAlreadyRunningError extends Error {
  override readonly name = 'InstanceAlreadyRunningError';
}

export class LocalDurableDriver {
  readonly logs: LogLine[] = [];
  readonly activityCalls: ActivityCall[] = [];
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly queue: WorkItem[] = [];
  private timers: PendingTimer[] = [];
  /** Activities whose result was lost to an injected crash (and that ran again). */
  crashedActivities = 0;
  private clock: number;
  private readonly maxSteps: number;
  private readonly upperSchemaVersion: number;
  private readonly maxConcurrentActivities: number;
  /** Activities running now; each settles by delivering its completion (or failure) to its instance. */
  private readonly inFlight = new Set<Promise<void>>();
  /** The first error of an activity run that escaped the driver itself (not the activity's): idle() rethrows it. */
  private driverFailure: unknown;
  private uninstall: (() => void) | undefined;

  /** The durable client the handlers use once {@link install} ran. */
  readonly client: VaultlinkDurableClient = {
    startNew: async (name, options) => this.startNew(name, options?.instanceId, options?.input),
    raiseEvent: async (instanceId, eventName, eventData) => this.raiseEvent(instanceId, eventName, eventData),
    getStatus: async (instanceId) => {
      const record = this.instances.get(instanceId);
      if (record === undefined) {
        throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response. This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`);
      }
      return this.statusOf(record);
    },
    getStatusAll: async () => [...this.instances.values()].map((r) => this.statusOf(r)),
    purgeInstanceHistoryBy: async (filter) => {
      let instancesDeleted = 0;
      for (const [id, r] of this.instances) {
        const t = r.createdTime.getTime();
        if (filter.createdTimeFrom !== undefined && t < filter.createdTimeFrom.getTime()) continue;
        if (filter.createdTimeTo !== undefined && t >= filter.createdTimeTo.getTime()) continue;
        if (filter.runtimeStatus !== undefined && !filter.runtimeStatus.some((s) => s === r.runtimeStatus)) continue;
        this.instances.delete(id);
        instancesDeleted++;
      }
      return { instancesDeleted };
    },
  };

  constructor(private readonly options: LocalDurableDriverOptions = {}) {
    this.clock = (options.startAt ?? new Date()).getTime();
    this.maxSteps = options.maxSteps ?? 20_000;
    this.upperSchemaVersion = options.upperSchemaVersion ?? 2;
    const bound = options.maxConcurrentActivityFunctions ?? 10;
    if (!Number.isInteger(bound) || bound < 1) throw new RangeError(`local driver: maxConcurrentActivityFunctions must be an integer ≥ 1, got ${bound}`);
    this.maxConcurrentActivities = bound;
  }

  /** Activities running at this moment (at most `maxConcurrentActivityFunctions`). */
  activitiesInFlight(): number {
    return this.inFlight.size;
  }

  /** Makes the Functions handlers use this driver's client and clock; returns (and remembers) the undo. */
  install(): () => void {
    if (this.uninstall === undefined) {
      const restoreClient = setDurableClientFactory(() => this.client);
      const restoreClock = setClock(() => this.now());
      this.uninstall = () => {
        restoreClock();
        restoreClient();
        this.uninstall = undefined;
      };
    }
    return this.uninstall;
  }

  dispose(): void {
    this.uninstall?.();
  }

  now(): Date {
    return new Date(this.clock);
  }

  // -------------------------------------------------------------------------------------------
  // Triggers, as the host would invoke them

  /** Invokes the Event Grid function once per event of the delivery, as the host does; returns the events whose invocation failed (Event Grid would redeliver them). */
  async deliverEvents(delivery: unknown): Promise<{ event: unknown; error: string }[]> {
    const handler = getRegisteredFunction(EVENT_GRID_FUNCTION, 'eventGrid').handler;
    const failed: { event: unknown; error: string }[] = [];
    for (const event of Array.isArray(delivery) ? delivery : [delivery]) {
      try {
        await handler(clone(event), this.invocationContext(EVENT_GRID_FUNCTION, undefined));
      } catch (e) {
        failed.push({ event, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return failed;
  }

  /** Invokes the sweep as its timer would. */
  async runSweep(): Promise<unknown> {
    const handler = getRegisteredFunction(SWEEP_FUNCTION, 'timer').handler;
    const at = this.now().toISOString();
    return handler({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: at, next: at, lastUpdated: at } }, this.invocationContext(SWEEP_FUNCTION, undefined));
  }

  /** GET on the status API (`/api/vaults`, `/api/vaults/{sub}/{rg}/{vault}`) through the registered HTTP handlers. */
  async httpGet(path: string): Promise<HttpResponseInit> {
    const url = new URL(path, 'http://localhost:7071');
    const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (segments[0] !== 'api' || segments[1] !== 'vaults') return { status: 404, jsonBody: { error: { code: 'NoRoute', message: `no route for ${path}` } } };
    if (segments.length === 2) {
      return getRegisteredFunction(STATUS_LIST_FUNCTION, 'http').handler(new HttpRequest({ method: 'GET', url: url.href }), this.invocationContext(STATUS_LIST_FUNCTION, undefined));
    }
    if (segments.length === 5) {
      const [, , subscriptionId, resourceGroup, vaultName] = segments as [string, string, string, string, string];
      return getRegisteredFunction(STATUS_VAULT_FUNCTION, 'http').handler(
        new HttpRequest({ method: 'GET', url: url.href, params: { subscriptionId, resourceGroup, vaultName } }),
        this.invocationContext(STATUS_VAULT_FUNCTION, undefined),
      );
    }
    return { status: 404, jsonBody: { error: { code: 'NoRoute', message: `no route for ${path}` } } };
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /**
   * Runs until nothing is runnable: no queued work, no activity in flight, no due timer, no
   * pending retry back-off. Episodes run one at a time, in arrival order; an activity starts as
   * soon as it is scheduled while fewer than `maxConcurrentActivityFunctions` run, and its
   * completion becomes the next message of its instance when it settles (so the completions of a
   * fan-out arrive in the order the activities finish, as on the host). Timers fire, and the clock
   * jumps to a retry back-off, only when nothing runs.
   */
  async idle(): Promise<void> {
    for (let steps = 0; ; steps++) {
      if (steps > this.maxSteps) throw new Error(`local driver: still busy after ${this.maxSteps} steps (an orchestration that never waits?)`);
      this.rethrowDriverFailure();
      const index = this.queue.findIndex((w) => w.kind === 'episode' || this.inFlight.size < this.maxConcurrentActivities);
      if (index >= 0) {
        const [item] = this.queue.splice(index, 1) as [WorkItem];
        if (item.kind === 'episode') await this.runEpisode(item.instanceId);
        else this.startActivity(item);
        continue;
      }
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (this.fireDueTimers()) continue;
      const retry = this.timers.filter((t) => t.kind === 'retry').sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime())[0];
      if (retry !== undefined) {
        this.clock = Math.max(this.clock, retry.fireAt.getTime());
        continue;
      }
      return;
    }
  }

  /** Moves the clock forward and runs what became due. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('the clock only moves forward');
    this.clock += ms;
    await this.idle();
  }

  /** Moves the clock to the earliest pending timer (if any) and runs; returns its fire time. */
  async advanceToNextTimer(): Promise<Date | undefined> {
    const next = [...this.timers].sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime())[0];
    if (next === undefined) return undefined;
    this.clock = Math.max(this.clock, next.fireAt.getTime());
    await this.idle();
    return next.fireAt;
  }

  /** Fire times of the timers still pending, earliest first. */
  pendingTimers(): { instanceId: string; fireAt: Date }[] {
    return [...this.timers].sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime()).map((t) => ({ instanceId: t.instanceId, fireAt: t.fireAt }));
  }

  instance(instanceId: string): InstanceView | undefined {
    const r = this.instances.get(instanceId);
    if (r === undefined) return undefined;
    return {
      name: r.name,
      instanceId: r.instanceId,
      runtimeStatus: r.runtimeStatus,
      customStatus: clone(r.customStatus),
      output: clone(r.output),
      error: r.error,
      executions: r.executions,
      history: [...r.history],
      maxHistoryLength: r.maxHistoryLength,
    };
  }

  instanceIds(): string[] {
    return [...this.instances.keys()];
  }

  // -------------------------------------------------------------------------------------------
  // Client operations

  private startNew(name: string, instanceId: string | undefined, input: unknown): string {
    getRegisteredFunction(name, 'orchestration');
    const id = instanceId ?? randomUUID();
    const existing = this.instances.get(id);
    if (existing !== undefined && !isTerminal(existing.runtimeStatus)) {
      throw new InstanceAlreadyRunningError(`An orchestration instance with ID '${id}' is already ${existing.runtimeStatus} (409 Conflict).`);
    }
    const now = this.now();
    const record: InstanceRecord = {
      name,
      instanceId: id,
      input: clone(input),
      createdTime: now,
      lastUpdatedTime: now,
      runtimeStatus: 'Pending',
      customStatus: undefined,
      output: undefined,
      error: undefined,
      generation: (existing?.generation ?? 0) + 1,
      executions: 1,
      history: [],
      maxHistoryLength: 0,
      inbox: [],
      dispatched: 0,
      nextSequence: 0,
      retries: new Map(),
    };
    this.instances.set(id, record);
    this.deliver(record, { generation: record.generation, event: { EventType: HistoryEventType.ExecutionStarted, Name: name, Input: JSON.stringify(input ?? null) } });
    return id;
  }

  private raiseEvent(instanceId: string, eventName: string, eventData: unknown): void {
    const record = this.instances.get(instanceId);
    if (record === undefined) throw new Error(`No instance with ID '${instanceId}' found.`);
    // like the host's 410: an event for a finished instance has no effect
    if (isTerminal(record.runtimeStatus)) return;
    // no generation: an event goes to whichever execution is current when it is delivered
    this.deliver(record, { generation: undefined, event: { EventType: HistoryEventType.EventRaised, Name: eventName, Input: JSON.stringify(eventData ?? null) } });
  }

  private statusOf(r: InstanceRecord): OrchestrationInstanceStatus {
    return {
      name: r.name,
      instanceId: r.instanceId,
      runtimeStatus: r.runtimeStatus,
      createdTime: r.createdTime,
      lastUpdatedTime: r.lastUpdatedTime,
      input: clone(r.input),
      output: clone(r.output),
      customStatus: clone(r.customStatus),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private deliver(record: InstanceRecord, message: Message): void {
    record.inbox.push(message);
    this.queue.push({ kind: 'episode', instanceId: record.instanceId });
  }

  private invocationContext(functionName: string, instanceId: string | undefined): InvocationContext {
    return new InvocationContext({
      functionName,
      invocationId: randomUUID(),
      logHandler: (level, ...args) => this.log(level, functionName, instanceId, args),
    });
  }

  private log(level: string, functionName: string, instanceId: string | undefined, args: unknown[]): void {
    const line: LogLine = { level, functionName, instanceId, message: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') };
    this.logs.push(line);
    this.options.onLog?.(line);
  }

  private fireDueTimers(): boolean {
    const due = this.timers.filter((t) => t.fireAt.getTime() <= this.clock).sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
    if (due.length === 0) return false;
    this.timers = this.timers.filter((t) => !due.includes(t));
    for (const t of due) {
      const record = this.instances.get(t.instanceId);
      if (record === undefined || record.generation !== t.generation || isTerminal(record.runtimeStatus)) continue;
      this.deliver(record, { generation: t.generation, event: { EventType: HistoryEventType.TimerFired, TimerId: t.timerId, FireAt: t.fireAt.toISOString() } });
    }
    return true;
  }

  private event(record: InstanceRecord, fields: Record<string, unknown> & { EventType: number }): HistoryEvent {
    return { EventId: -1, IsPlayed: false, Timestamp: this.now(), ...fields } as HistoryEvent;
  }

  private retryDelay(policy: RetryPolicy, attemptsSoFar: number): number {
    const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(policy.backoffCoefficient ?? 1, attemptsSoFar - 1);
    return policy.maxRetryIntervalInMilliseconds && policy.maxRetryIntervalInMilliseconds > 0 ? Math.min(delay, policy.maxRetryIntervalInMilliseconds) : delay;
  }

  private scheduleActivity(record: InstanceRecord, taskId: number, name: string, input: unknown, attempt: number): void {
    record.history.push(this.event(record, { EventType: HistoryEventType.TaskScheduled, EventId: taskId, Name: name, Input: JSON.stringify(input ?? null) }));
    this.queue.push({ kind: 'activity', instanceId: record.instanceId, generation: record.generation, taskId, name, input, attempt });
  }

  private startActivity(item: Extract<WorkItem, { kind: 'activity' }>): void {
    const running: Promise<void> = this.runActivity(item).then(
      () => {
        this.inFlight.delete(running);
      },
      (e: unknown) => {
        this.inFlight.delete(running);
        this.driverFailure ??= e;
      },
    );
    this.inFlight.add(running);
  }

  private rethrowDriverFailure(): void {
    if (this.driverFailure === undefined) return;
    const e = this.driverFailure;
    this.driverFailure = undefined;
    throw e;
  }

  private async runActivity(item: Extract<WorkItem, { kind: 'activity' }>): Promise<void> {
    const handler = getRegisteredFunction(item.name, 'activity').handler;
    let message: Message;
    const startedAtMs = performance.now();
    try {
      const result: unknown = await handler(clone(item.input), this.invocationContext(item.name, item.instanceId));
      if (this.options.crashAfterActivity?.({ name: item.name, instanceId: item.instanceId, attempt: item.attempt }) === true) {
        // The worker died after the activity's writes and before its result was recorded: the
        // work item is redelivered, as Durable redelivers an unacknowledged activity message.
        this.crashedActivities++;
        this.queue.push(item);
        return;
      }
      this.activityCalls.push({ instanceId: item.instanceId, name: item.name, input: clone(item.input), attempt: item.attempt, ok: true, startedAtMs, finishedAtMs: performance.now() });
      message = { generation: item.generation, event: { EventType: HistoryEventType.TaskCompleted, TaskScheduledId: item.taskId, Result: JSON.stringify(result ?? null) } };
    } catch (e) {
      this.activityCalls.push({ instanceId: item.instanceId, name: item.name, input: clone(item.input), attempt: item.attempt, ok: false, startedAtMs, finishedAtMs: performance.now() });
      const err = e instanceof Error ? e : new Error(String(e));
      message = { generation: item.generation, event: { EventType: HistoryEventType.TaskFailed, TaskScheduledId: item.taskId, Reason: `Activity function '${item.name}' failed: ${err.message}`, Details: err.stack ?? '' } };
    }
    const record = this.instances.get(item.instanceId);
    // results for an execution that has moved on are discarded, as Durable does
    if (record === undefined || record.generation !== item.generation || isTerminal(record.runtimeStatus)) return;
    this.deliver(record, message);
  }

  private async runEpisode(instanceId: string): Promise<void> {
    const record = this.instances.get(instanceId);
    if (record === undefined) return;
    const message = record.inbox.shift();
    if (message === undefined) return;
    if (isTerminal(record.runtimeStatus) || (message.generation !== undefined && message.generation !== record.generation)) return;

    const now = this.now();
    record.history.push(this.event(record, { EventType: HistoryEventType.OrchestratorStarted }));
    record.history.push(this.event(record, message.event));
    if (message.event.EventType === HistoryEventType.ExecutionStarted) record.runtimeStatus = 'Running';
    this.mirrorRetry(record, message.event);

    const handler = getRegisteredFunction(record.name, 'orchestration').handler;
    const context = new df.DummyOrchestrationContext(record.name, randomUUID(), (level, ...args) => this.log(level, record.name, instanceId, args));
    const trigger = {
      history: record.history,
      input: clone(record.input),
      instanceId,
      isReplaying: false,
      parentInstanceId: '',
      upperSchemaVersion: this.upperSchemaVersion,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    let state: { isDone: boolean; actions: unknown; output: unknown; customStatus?: unknown };
    try {
      state = (await handler(trigger, context)) as typeof state;
    } catch (e) {
      record.runtimeStatus = 'Failed';
      record.error = e instanceof Error ? e.message : String(e);
      record.lastUpdatedTime = now;
      this.log('error', record.name, instanceId, [`orchestration failed: ${record.error}`]);
      return;
    }
    record.customStatus = clone(state.customStatus);
    record.lastUpdatedTime = now;

    const actions = flattenActions(state.actions);
    const fresh = actions.slice(record.dispatched);
    record.dispatched = actions.length;
    let continueWith: { input: unknown } | undefined;
    for (const action of fresh) {
      switch (action.actionType) {
        case ActionType.CallActivity:
          this.scheduleActivity(record, record.nextSequence++, action.functionName as string, action.input, 1);
          break;
        case ActionType.CallActivityWithRetry: {
          const taskId = record.nextSequence++;
          record.retries.set(taskId, { name: action.functionName as string, input: action.input, policy: action.retryOptions as RetryPolicy, attempt: 1 });
          this.scheduleActivity(record, taskId, action.functionName as string, action.input, 1);
          break;
        }
        case ActionType.CreateTimer: {
          const timerId = record.nextSequence++;
          const fireAt = new Date(action.fireAt as Date);
          record.history.push(this.event(record, { EventType: HistoryEventType.TimerCreated, EventId: timerId, FireAt: fireAt.toISOString() }));
          this.timers.push({ instanceId, generation: record.generation, timerId, fireAt, kind: 'timer' });
          break;
        }
        case ActionType.WaitForExternalEvent:
          break;
        case ActionType.ContinueAsNew:
          continueWith = { input: action.input };
          break;
        default:
          throw new Error(`local driver: action type ${action.actionType} of ${record.name} is not supported`);
      }
    }
    record.history.push(this.event(record, { EventType: HistoryEventType.OrchestratorCompleted }));
    record.maxHistoryLength = Math.max(record.maxHistoryLength, record.history.length);

    if (continueWith !== undefined) {
      // a new execution: fresh history; unconsumed raised events die with the old one, those
      // still undelivered (inbox) go to the new one
      record.generation++;
      record.executions++;
      record.input = clone(continueWith.input);
      record.history = [];
      record.dispatched = 0;
      record.nextSequence = 0;
      record.retries.clear();
      record.inbox = record.inbox.filter((m) => m.generation === undefined);
      record.inbox.unshift({ generation: record.generation, event: { EventType: HistoryEventType.ExecutionStarted, Name: record.name, Input: JSON.stringify(continueWith.input ?? null) } });
      this.timers = this.timers.filter((t) => t.instanceId !== instanceId);
      this.queue.push({ kind: 'episode', instanceId });
    } else if (state.isDone) {
      record.runtimeStatus = 'Completed';
      record.output = clone(state.output);
      this.timers = this.timers.filter((t) => t.instanceId !== instanceId);
    }
  }

  /** Hands out the sequence numbers durable-functions' RetryableTask takes while this message is replayed. */
  private mirrorRetry(record: InstanceRecord, event: Record<string, unknown> & { EventType: number }): void {
    if (event.EventType === HistoryEventType.TaskCompleted) {
      record.retries.delete(event['TaskScheduledId'] as number);
      return;
    }
    if (event.EventType === HistoryEventType.TaskFailed) {
      const attemptId = event['TaskScheduledId'] as number;
      const retry = record.retries.get(attemptId);
      if (retry === undefined) return;
      record.retries.delete(attemptId);
      const timerId = record.nextSequence++;
      // after the last attempt the engine still waits for one timer before it reports the failure
      const delay = retry.attempt < retry.policy.maxNumberOfAttempts ? this.retryDelay(retry.policy, retry.attempt) : 0;
      const fireAt = new Date(this.clock + delay);
      record.retries.set(timerId, retry);
      record.history.push(this.event(record, { EventType: HistoryEventType.TimerCreated, EventId: timerId, FireAt: fireAt.toISOString() }));
      this.timers.push({ instanceId: record.instanceId, generation: record.generation, timerId, fireAt, kind: 'retry' });
      return;
    }
    if (event.EventType === HistoryEventType.TimerFired) {
      const timerId = event['TimerId'] as number;
      const retry = record.retries.get(timerId);
      if (retry === undefined) return;
      record.retries.delete(timerId);
      if (retry.attempt >= retry.policy.maxNumberOfAttempts) return;
      retry.attempt++;
      const attemptId = record.nextSequence++;
      record.retries.set(attemptId, retry);
      this.scheduleActivity(record, attemptId, retry.name, retry.input, retry.attempt);
    }
  }
}
