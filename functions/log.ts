/**
 * Structured decision logs: one JSON object per decision (event → hint → signal; pass → actions
 * and outcomes), always with the vault id and the correlation id of what triggered it when known,
 * so that Application Insights can follow a change from the ARM event to the write it caused.
 */
import type { InvocationContext } from '@azure/functions';

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
