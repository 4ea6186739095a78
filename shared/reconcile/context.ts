/** What every reconcile step is given: the Azure ports, the policy, the cloud, the planner, a logger, a clock. */
import type { AzurePorts } from '../azure/ports';
import type { Policy } from '../config/policy';
import type { AzureCloud } from '../domain/dns';
import type { ObservedVault, PlanOptions, PlanPolicy, VaultPlan } from '../plan/types';

/** The pure planner's signature (shared/plan `planVault`). */
export type Planner = (observed: ObservedVault, policy: PlanPolicy, options: PlanOptions) => VaultPlan;

/** Structured log: a message and JSON-able fields (vault id, action key, error code…). */
export interface ReconcileLogger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface ReconcileContext {
  readonly azure: AzurePorts;
  readonly policy: Policy;
  readonly cloud: AzureCloud;
  /** Default: shared/plan's `planVault`. Injected in tests. */
  readonly planner?: Planner;
  readonly log?: ReconcileLogger;
  /** Default: `() => new Date()`. */
  readonly now?: () => Date;
}

/** A logger that drops everything (the default). */
export const SILENT_LOGGER: ReconcileLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function loggerOf(ctx: ReconcileContext): ReconcileLogger {
  return ctx.log ?? SILENT_LOGGER;
}

export function nowOf(ctx: ReconcileContext): Date {
  return ctx.now ? ctx.now() : new Date();
}
