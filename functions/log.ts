/**
 * Structured decision logs: one JSON object per decision (event → hint → signal; pass → actions
 * and outcomes), always with the vault id and the correlation id of what triggered it when known,
 * so that Application Insights can follow a change from the ARM event to the write it caused.
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

/** Writes one decision as a JSON line through the invocation's logger, every field truncated ({@link MAX_LOG_FIELD_LENGTH}). */
export function logDecision(context: Pick<InvocationContext, 'log' | 'warn' | 'error'>, record: DecisionRecord, level: DecisionLevel = 'info'): void {
  const line = JSON.stringify(truncateLogFields({ source: 'vaultlink', ...record }));
  if (level === 'warn') context.warn(line);
  else if (level === 'error') context.error(line);
  else context.log(line);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// Logs of code that holds no invocation context (the reconciler, built once per worker): they go
// through the logger of the invocation they run in, so that Application Insights ties them to it
// (operation id, invocation id, function name) like the trigger's own lines.

type InvocationLogger = Pick<InvocationContext, 'log' | 'warn' | 'error'>;

const currentInvocation = new AsyncLocalStorage<InvocationLogger>();

/** Runs `body` with `context` as the invocation that logs of deeper code belong to. */
export function runInInvocation<T>(context: InvocationLogger, body: () => T): T {
  return currentInvocation.run(context, body);
}

/** The reconciler's logger: one JSON line per message through the current invocation's logger (the console outside any invocation). */
export const invocationReconcileLogger: ReconcileLogger = {
  info: (message, fields) => reconcileLine('info', message, fields),
  warn: (message, fields) => reconcileLine('warn', message, fields),
  error: (message, fields) => reconcileLine('error', message, fields),
};

function reconcileLine(level: DecisionLevel, message: string, fields: Readonly<Record<string, unknown>> | undefined): void {
  const line = JSON.stringify(truncateLogFields({ source: 'vaultlink.reconcile', message, ...fields }));
  const context = currentInvocation.getStore();
  if (context === undefined) {
    if (level === 'warn') console.warn(line);
    else if (level === 'error') console.error(line);
    else console.info(line);
    return;
  }
  if (level === 'warn') context.warn(line);
  else if (level === 'error') context.error(line);
  else context.log(line);
}
