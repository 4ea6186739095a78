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

/** Writes one decision as a JSON line through the invocation's logger. */
export function logDecision(context: Pick<InvocationContext, 'log' | 'warn' | 'error'>, record: DecisionRecord, level: DecisionLevel = 'info'): void {
  const line = JSON.stringify({ source: 'vaultlink', ...record });
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
  const line = JSON.stringify({ source: 'vaultlink.reconcile', message, ...fields });
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
