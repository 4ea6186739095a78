/**
 * Structured decision logs: one record per decision (event → hint → signal; pass → actions and
 * outcomes), always with the vault id and the correlation id of what triggered it when known, so
 * that Application Insights can follow a change from the ARM event to the write it caused.
 *
 * Two destinations, one record each, never both:
 * - With telemetry started (functions/telemetry.ts: an Application Insights connection string is
 *   set), a record is an OpenTelemetry log record whose attributes are the decision's fields: in
 *   Application Insights they are the trace's `customDimensions` (vaultId, correlationId, action,
 *   rule, outcome, decision, …) and the record carries the invocation's operation id. `context.log`
 *   cannot carry custom dimensions: the library joins its arguments into the message (maintainer's
 *   answer in Azure/azure-functions-nodejs-library issue 227), hence this route.
 * - Without it (local runs, tests, no connection string), a JSON line through the invocation's
 *   logger, as the Functions host shows and forwards it.
 */
import type { InvocationContext } from '@azure/functions';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ReconcileLogger } from '../shared/reconcile';

export type DecisionLevel = 'info' | 'warn' | 'error';

export interface DecisionRecord {
  /** What was decided, e.g. `event.hint`, `signal.raised`, `pass.completed`, `action.outcome`. */
  readonly decision: string;
  readonly vaultId?: string | undefined;
  readonly correlationId?: string | null | undefined;
  readonly [field: string]: unknown;
}

/**
 * Longest string a log field keeps, in UTF-16 code units: 1024. Fields come from outside (an event
 * subject, an error message quoting a request): a 1 MB subject must not become a 1 MB log line.
 * A longer string keeps its first 1024 code units (never splitting a surrogate pair) and says how
 * much was cut: `…[truncated 1048000 characters]`. Ids, GUIDs and messages fit whole.
 */
export const MAX_LOG_FIELD_LENGTH = 1024;

/** A string cut to {@link MAX_LOG_FIELD_LENGTH}, saying how much was cut. */
export function truncateLogField(value: string, max = MAX_LOG_FIELD_LENGTH): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
  return `${value.slice(0, end)}…[truncated ${value.length - end} characters]`;
}

/** Every string in a log record (at any depth), truncated; other values kept. Arrays past 100 items are cut too. */
export function truncateLogFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return truncateLogField(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, 100).map((v) => truncateLogFields(v, depth + 1));
    return value.length > 100 ? [...kept, `…[${value.length - 100} more items]`] : kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[truncateLogField(k, 128)] = truncateLogFields(v, depth + 1);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Telemetry: where records go when Application Insights is configured (functions/telemetry.ts).

/** A custom dimension's value: Application Insights keeps strings; numbers and booleans stay typed in the record. */
export type DimensionValue = string | number | boolean;
export type Dimensions = Readonly<Record<string, DimensionValue>>;

/**
 * Longest JSON text of an object or array dimension: 8192, Application Insights' limit for a
 * custom dimension's value. Its strings are already cut to {@link MAX_LOG_FIELD_LENGTH}, so the
 * text stays valid JSON unless the object itself is that large.
 */
export const MAX_DIMENSION_JSON_LENGTH = 8192;

/** What functions/telemetry.ts gives the loggers once started: one log record per call. */
export interface DecisionTelemetry {
  emit(level: DecisionLevel, body: string, dimensions: Dimensions): void;
}

let telemetry: DecisionTelemetry | undefined;

/** Sends every record to `next` from now on (undefined: back to the invocation's logger). Called by functions/telemetry.ts. */
export function routeLogsToTelemetry(next: DecisionTelemetry | undefined): void {
  telemetry = next;
}

/** What a logger knows of its invocation: its logger, and its ids when it is a real invocation. */
export type InvocationLogger = Pick<InvocationContext, 'log' | 'warn' | 'error'> & Partial<Pick<InvocationContext, 'invocationId' | 'functionName'>>;

/** Action kinds whose records (the activity's outcome, the reconciler's line) are the approval audit trail: never sampled out (functions/telemetry.ts). */
const APPROVAL_KINDS: ReadonlySet<unknown> = new Set(['approve-connection', 'reject-connection']);

/**
 * A record's fields as custom dimensions: strings truncated ({@link MAX_LOG_FIELD_LENGTH}), numbers
 * and booleans kept, objects and arrays as JSON text (Application Insights' dimensions are flat; at
 * most {@link MAX_DIMENSION_JSON_LENGTH}), null/undefined left out. Plus `InvocationId` and
 * `functionName` (the names the Functions host gives its own lines, so that one query joins both)
 * and `audit: approval` on records of approvals and rejections of connections.
 */
export function decisionDimensions(fields: Readonly<Record<string, unknown>>, invocation?: InvocationLogger): Record<string, DimensionValue> {
  const out: Record<string, DimensionValue> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    const name = truncateLogField(key, 128);
    if (typeof value === 'string') out[name] = truncateLogField(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = value;
    else out[name] = truncateLogField(JSON.stringify(truncateLogFields(value)) ?? String(value), MAX_DIMENSION_JSON_LENGTH);
  }
  if (invocation?.invocationId !== undefined) out['InvocationId'] = invocation.invocationId;
  if (invocation?.functionName !== undefined) out['functionName'] = invocation.functionName;
  if (APPROVAL_KINDS.has(fields['kind'])) out['audit'] = 'approval';
  return out;
}

/** The readable message of a decision record (its fields are the dimensions): `action.outcome applied approve-connection:… (vault …)`. */
function decisionMessage(record: DecisionRecord): string {
  const parts = [`vaultlink ${record.decision}`];
  for (const key of ['outcome', 'action', 'reason'] as const) {
    const value = record[key];
    if (typeof value === 'string') parts.push(value);
  }
  if (typeof record.vaultId === 'string') parts.push(`(vault ${record.vaultId})`);
  return truncateLogField(parts.join(' '));
}

function writeLine(context: Pick<InvocationContext, 'log' | 'warn' | 'error'>, level: DecisionLevel, line: string): void {
  if (level === 'warn') context.warn(line);
  else if (level === 'error') context.error(line);
  else context.log(line);
}

/**
 * Writes one decision: a telemetry record with the fields as custom dimensions when telemetry is
 * started, else a JSON line through the invocation's logger; every field truncated ({@link MAX_LOG_FIELD_LENGTH}).
 */
export function logDecision(context: InvocationLogger, record: DecisionRecord, level: DecisionLevel = 'info'): void {
  const fields = { source: 'vaultlink', ...record };
  if (telemetry !== undefined) telemetry.emit(level, decisionMessage(record), decisionDimensions(fields, context));
  else writeLine(context, level, JSON.stringify(truncateLogFields(fields)));
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Logs of code that holds no invocation context (the reconciler, built once per worker): they go
// through the logger of the invocation they run in, so that Application Insights ties them to it
// (operation id, invocation id, function name) like the trigger's own lines.

const currentInvocation = new AsyncLocalStorage<InvocationLogger>();

/** Runs `body` with `context` as the invocation that logs of deeper code belong to. */
export function runInInvocation<T>(context: InvocationLogger, body: () => T): T {
  return currentInvocation.run(context, body);
}

/**
 * The reconciler's logger: one record per message, tied to the current invocation — a telemetry
 * record with the fields as dimensions (and the invocation's ids), or a JSON line through the
 * invocation's logger; the console outside any invocation and without telemetry.
 */
export const invocationReconcileLogger: ReconcileLogger = {
  info: (message, fields) => reconcileLine('info', message, fields),
  warn: (message, fields) => reconcileLine('warn', message, fields),
  error: (message, fields) => reconcileLine('error', message, fields),
};

function reconcileLine(level: DecisionLevel, message: string, fields: Readonly<Record<string, unknown>> | undefined): void {
  const record = { source: 'vaultlink.reconcile', message, ...fields };
  const context = currentInvocation.getStore();
  if (telemetry !== undefined) {
    telemetry.emit(level, truncateLogField(message), decisionDimensions(record, context));
    return;
  }
  const line = JSON.stringify(truncateLogFields(record));
  if (context !== undefined) writeLine(context, level, line);
  else if (level === 'warn') console.warn(line);
  else if (level === 'error') console.error(line);
  else console.info(line);
}
