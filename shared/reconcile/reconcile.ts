/**
 * One vault, end to end: observe → plan → apply, and the two questions the triggers ask ("which
 * vaults are in scope?", "which vault does this private endpoint concern?").
 */
import { classifyAzureError } from '../azure/errors';
import { backupConnectionOf, classifyPrivateEndpoint, PRIVATE_ENDPOINT_RESOURCE_TYPE } from '../domain/endpoints';
import { isResourceType, normalizeResourceId, parseResourceId, sameResourceId, tryParseResourceId } from '../domain/ids';
import { summariseChecklist } from '../domain/checklist';
import { planVault } from '../plan/plan';
import type { ActionOutcome, ObservedVault, PassReport, VaultPlan } from '../plan/types';
import { applyPlan, type ApplyPlanOptions } from './apply';
import { loggerOf, nowOf, type Planner, type ReconcileContext } from './context';
import { observeVault } from './observe';

/** At most this many observe → plan → apply passes per call (the identity's principal id needs a second one). */
export const MAX_PASSES = 3;

function plannerOf(ctx: ReconcileContext): Planner {
  return ctx.planner ?? planVault;
}

/** Observes the vault and plans it (reads only). */
export async function observeAndPlan(ctx: ReconcileContext, vaultId: string): Promise<{ observed: ObservedVault; plan: VaultPlan }> {
  const observed = await observeVault(ctx, vaultId);
  const plan = plannerOf(ctx)(observed, ctx.policy, { cloud: ctx.cloud });
  return { observed, plan };
}

function actionCount(plan: VaultPlan): number {
  return plan.stages.reduce((n, s) => n + s.length, 0);
}

/** The report of {@link reconcileVault}: a {@link PassReport} plus how many passes applied something. */
export interface ReconcileReport extends PassReport {
  /** Passes that applied (or, in audit mode, reported) a plan with actions. */
  readonly passes: number;
}

/**
 * Reconciles one vault: observe → plan → apply, again at once while the plan says `requeue` (the
 * identity's principal id exists only after the identity is on), at most {@link MAX_PASSES}
 * times. After the last apply it observes and plans once more (reads only), so that the report's
 * `plan` and checklist show where the vault stands after the writes, not before them.
 *
 * The report: `plan` is that final plan (in `audit` mode, the one plan with every action enforce
 * would take); `outcomes` are every action of every pass; `converged` holds when the final
 * checklist is all ok/not-applicable, the final plan has nothing left to do and nothing failed.
 */
export async function reconcileVault(ctx: ReconcileContext, vaultId: string, options: ApplyPlanOptions = {}): Promise<ReconcileReport> {
  const log = loggerOf(ctx);
  const startedAt = nowOf(ctx).toISOString();
  const outcomes: ActionOutcome[] = [];
  let passes = 0;
  let { plan } = await observeAndPlan(ctx, vaultId);
  for (;;) {
    if (actionCount(plan) === 0) break;
    passes++;
    const applied = await applyPlan(ctx, plan, options);
    outcomes.push(...applied);
    if (plan.mode === 'audit' || ctx.policy.mode === 'audit') break;
    const anyFailed = applied.some((o) => o.status === 'failed');
    const requeue = plan.requeue;
    // Re-read to report (and, on requeue, to continue from) what Azure holds now.
    ({ plan } = await observeAndPlan(ctx, vaultId));
    if (anyFailed || !requeue || passes >= MAX_PASSES) break;
  }
  const failedCount = outcomes.filter((o) => o.status === 'failed').length;
  const summary = summariseChecklist(plan.checklist);
  const converged = summary.converged && actionCount(plan) === 0 && failedCount === 0;
  const report: ReconcileReport = {
    vaultId: plan.vaultId,
    mode: plan.mode,
    startedAt,
    finishedAt: nowOf(ctx).toISOString(),
    plan,
    outcomes,
    converged,
    passes,
  };
  log.info('vault reconciled', { vaultId: report.vaultId, mode: report.mode, passes, actions: outcomes.length, failed: failedCount, converged });
  return report;
}

/**
 * Normalised ids of the vaults in the policy's subscriptions, sorted. A subscription that cannot
 * be listed is logged and skipped (the others still get their sweep); when none can be listed,
 * the first error is thrown.
 */
export async function listVaultsInScope(ctx: ReconcileContext): Promise<string[]> {
  const log = loggerOf(ctx);
  const ids = new Map<string, string>();
  const errors: unknown[] = [];
  for (const subscriptionId of ctx.policy.scope.subscriptions) {
    try {
      for (const id of await ctx.azure.recoveryServices.listVaultIds(subscriptionId)) {
        const p = tryParseResourceId(id);
        if (p) ids.set(p.key, p.id);
      }
    } catch (e) {
      errors.push(e);
      log.error('vaults of a subscription could not be listed', { subscriptionId, code: classifyAzureError(e).code });
    }
  }
  if (errors.length > 0 && errors.length === ctx.policy.scope.subscriptions.length) throw errors[0];
  return [...ids.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
}

/**
 * The vault(s) a private endpoint concerns: a Backup primary → its vault; a classic `_ecs`/`_prot`
 * secondary → its primary's vault (found among the PEs of its resource group); anything else → [].
 *
 * A PE that no longer exists → []: there is nothing left to read it by, and nothing to do on its
 * account that its vault's own signals do not cover — deleting a PE removes the vault's connection,
 * which raises an event on the vault itself (`…/privateEndpointConnections/delete`), and the
 * periodic sweep re-checks every vault in scope.
 */
export async function vaultsForPrivateEndpoint(ctx: ReconcileContext, privateEndpointId: string): Promise<string[]> {
  const p = parseResourceId(privateEndpointId);
  if (!isResourceType(p, PRIVATE_ENDPOINT_RESOURCE_TYPE) || p.subscriptionId === undefined || p.resourceGroup === undefined) return [];
  const pe = await ctx.azure.network.getPrivateEndpoint(p.id);
  if (pe === undefined) return [];
  const primary = backupConnectionOf(pe);
  if (primary !== undefined) return [normalizeResourceId(primary.vaultId)];
  const peers = await ctx.azure.network.listPrivateEndpoints(p.subscriptionId, p.resourceGroup);
  const c = classifyPrivateEndpoint(pe, peers);
  if (c.kind !== 'backup-secondary') return [];
  const primaryPe = peers.find((x) => sameResourceId(x.id, c.primaryId));
  const vault = primaryPe === undefined ? undefined : backupConnectionOf(primaryPe);
  return vault === undefined ? [] : [normalizeResourceId(vault.vaultId)];
}
