/**
 * One vault, end to end: observe → plan → apply, and the two questions the triggers ask ("which
 * vaults are in scope?", "which vault does this private endpoint concern?").
 */
import { classifyAzureError } from '../azure/errors';
import { backupConnectionOf, classifyPrivateEndpoint, PRIVATE_ENDPOINT_RESOURCE_TYPE } from '../domain/endpoints';
import { armCaseKey, armEquals, isResourceType, normalizeResourceId, parentResourceId, parseResourceId, sameResourceId, scopeOfRoleAssignmentId, tryParseResourceId } from '../domain/ids';
import { isOwnedBy, metadataValue, ownedSourceOf } from '../domain/model';
import { BUILT_IN_ROLE_GUIDS, roleAssignmentName, roleDefinitionGuidOf } from '../domain/rbac';
import { summariseChecklist } from '../domain/checklist';
import { planVault } from '../plan/plan';
import { EMPTY_MEMORY, type ActionOutcome, type GrantRefusal, type LinkConflict, type ObservedVault, type PassReport, type VaultMemory, type VaultPlan } from '../plan/types';
import { applyPlan, zoneIdNamedIn, type ApplyPlanOptions } from './apply';
import { loggerOf, nowOf, type Planner, type ReconcileContext } from './context';
import { observeVault } from './observe';

/** At most this many observe → plan → apply passes per call (the identity's principal id needs a second one). */
export const MAX_PASSES = 3;

function plannerOf(ctx: ReconcileContext): Planner {
  return ctx.planner ?? planVault;
}

/** Observes the vault and plans it (reads only). `memory`: what earlier passes saw (the orchestration carries it). */
export async function observeAndPlan(ctx: ReconcileContext, vaultId: string, memory?: VaultMemory): Promise<{ observed: ObservedVault; plan: VaultPlan }> {
  const observed = await observeVault(ctx, vaultId, { memory });
  const plan = plannerOf(ctx)(observed, ctx.policy, { cloud: ctx.cloud });
  return { observed, plan };
}

function actionCount(plan: VaultPlan): number {
  return plan.actions.length;
}

/**
 * The memory after a pass's outcomes: a grant Azure refused vaultlink (403) is remembered, so
 * that the next plan does not approve the endpoints that need it (and says why) until the role is
 * held; a link Azure refused for a same-named zone vaultlink cannot see (409), so that the next
 * plans report it instead of failing it again. Pure: the orchestration calls it with activity results.
 */
export function rememberOutcomes(memory: VaultMemory | undefined, plan: VaultPlan, outcomes: readonly ActionOutcome[], at: string): VaultMemory {
  const base = memory ?? plan.memory ?? EMPTY_MEMORY;
  const refusals: GrantRefusal[] = [...(base.grantRefusals ?? [])];
  const conflicts: LinkConflict[] = [...(base.linkConflicts ?? [])];
  for (const o of outcomes) {
    // A link Azure refused because the VNet is linked to a same-named zone vaultlink cannot see
    // (apply raised linked-zone-conflict): the next plans report it instead of trying it again.
    if (o.status === 'failed' && o.kind === 'ensure-link' && o.finding?.code === 'linked-zone-conflict') {
      const action = plan.actions.find((a) => a.key === o.key);
      if (action?.kind !== 'ensure-link') continue;
      const zoneName = parseResourceId(action.zoneId).name;
      const kept = conflicts.filter((c) => !(armEquals(c.vnetId, action.vnetId) && armEquals(c.zoneName, zoneName)));
      const linkedZoneId = zoneIdNamedIn(o.error?.message ?? '');
      conflicts.splice(0, conflicts.length, ...kept, { vnetId: action.vnetId, zoneName, zoneId: action.zoneId, ...(linkedZoneId ? { linkedZoneId } : {}), message: o.error?.message ?? o.message, at });
      continue;
    }
    if (o.status !== 'failed' || o.kind !== 'grant-role' || !/^(AuthorizationFailed|Forbidden|LinkedAuthorizationFailed|HTTP403)$/i.test(o.error?.code ?? '')) continue;
    const action = plan.actions.find((a) => a.key === o.key);
    if (action?.kind !== 'grant-role') continue;
    if (refusals.some((r) => armEquals(r.scope, action.scope) && r.roleDefinitionGuid === action.roleDefinitionGuid)) continue;
    refusals.push({ scope: action.scope, roleDefinitionGuid: action.roleDefinitionGuid, roleName: action.roleName, code: o.error?.code ?? 'AuthorizationFailed', at });
  }
  return { ...base, grantRefusals: refusals, linkConflicts: conflicts };
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
export async function reconcileVault(ctx: ReconcileContext, vaultId: string, options: ApplyPlanOptions & { readonly memory?: VaultMemory } = {}): Promise<ReconcileReport> {
  const log = loggerOf(ctx);
  const startedAt = nowOf(ctx).toISOString();
  const outcomes: ActionOutcome[] = [];
  let passes = 0;
  let { plan } = await observeAndPlan(ctx, vaultId, options.memory);
  for (;;) {
    if (actionCount(plan) === 0) break;
    passes++;
    const applied = await applyPlan(ctx, plan, options);
    outcomes.push(...applied);
    if (plan.mode === 'audit' || ctx.policy.mode === 'audit') break;
    const anyFailed = applied.some((o) => o.status === 'failed');
    const requeue = plan.requeue;
    const memory = rememberOutcomes(plan.memory, plan, applied, nowOf(ctx).toISOString());
    // Re-read to report (and, on requeue, to continue from) what Azure holds now.
    ({ plan } = await observeAndPlan(ctx, vaultId, memory));
    if (anyFailed || !requeue || passes >= MAX_PASSES) break;
  }
  const failedCount = outcomes.filter((o) => o.status === 'failed').length;
  const summary = summariseChecklist(plan.checklist);
  // The health item fails while an error finding stands: such a vault is never converged.
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
  // only its connections matter here: its zone groups would be one more read per event
  const pe = await ctx.azure.network.getPrivateEndpoint(p.id, { zoneGroups: false });
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

/** Metadata key of the vault a record or link was made for (the DNS registry's; shared/domain/dns.ts once merged). */
const REGISTRY_VAULT_METADATA_KEY = 'vaultlinkVault';

/**
 * The vault(s) a drift hint concerns — a record set or a virtual network link written or deleted
 * in the DNS zones' resource group, or a role assignment deleted — found by re-reading Azure,
 * never from the event:
 * - a record or link that exists and that vaultlink owns: the vault its metadata names (or the
 *   vault of the private endpoint it was made for);
 * - one that is gone, or that is not vaultlink's now (a person replaced it): every vault that
 *   vaultlink's owned records and links in that zone were made for — the zone's registry;
 * - a role assignment that is gone: the vaults in scope whose identity's deterministic grant at
 *   that scope has that name (rbac.ts `roleAssignmentName`), read from each vault's identity.
 * Anything outside the policy's DNS zone resource group, or naming no vault, → [].
 */
export async function vaultsForDriftedResource(ctx: ReconcileContext, kind: 'dns-record' | 'dns-link' | 'role-assignment', resourceId: string): Promise<string[]> {
  const p = tryParseResourceId(resourceId);
  if (p === undefined) return [];
  if (kind === 'role-assignment') return vaultsForRoleAssignment(ctx, p.id, p.name);
  const zoneId = parentResourceId(p.id);
  const central = ctx.policy.dns.central;
  const zone = zoneId === undefined ? undefined : tryParseResourceId(zoneId);
  if (zone === undefined || central === undefined || ctx.policy.dns.placement === 'custom') return [];
  if (zone.subscriptionId === undefined || zone.resourceGroup === undefined || !armEquals(zone.subscriptionId, central.subscriptionId) || !armEquals(zone.resourceGroup, central.resourceGroup)) return [];
  const owner = ctx.policy.ownerId;
  const vaultsOf = async (metadata: Readonly<Record<string, string>>): Promise<string[]> => {
    const named = metadataValue(metadata, REGISTRY_VAULT_METADATA_KEY);
    if (named !== undefined && tryParseResourceId(named) !== undefined) return [normalizeResourceId(named)];
    const source = ownedSourceOf(metadata);
    return source === undefined ? [] : vaultsForPrivateEndpoint(ctx, source).catch(() => []);
  };
  const dns = ctx.azure.privateDns;
  if (kind === 'dns-record') {
    const record = await dns.getARecordSet(zone.id, p.name);
    if (record !== undefined && isOwnedBy(record.metadata, owner)) {
      const found = await vaultsOf(record.metadata);
      if (found.length > 0) return found;
    }
  } else {
    const link = (await dns.listVirtualNetworkLinks(zone.id)).find((l) => armEquals(l.name, p.name));
    if (link !== undefined && isOwnedBy(link.metadata, owner)) {
      const found = await vaultsOf(link.metadata);
      if (found.length > 0) return found;
    }
  }
  // Gone or no longer ours: the vaults vaultlink wrote this zone for look again (each re-plans what it needs).
  const [records, links] = await Promise.all([dns.listARecordSets(zone.id), dns.listVirtualNetworkLinks(zone.id)]);
  const owned = [...records.map((r) => r.metadata), ...links.map((l) => l.metadata)].filter((m) => isOwnedBy(m, owner));
  const vaults = new Map<string, string>();
  for (const m of owned) for (const v of await vaultsOf(m)) vaults.set(armCaseKey(v), v);
  return [...vaults.values()].sort();
}

async function vaultsForRoleAssignment(ctx: ReconcileContext, assignmentId: string, name: string): Promise<string[]> {
  const scope = scopeOfRoleAssignmentId(assignmentId);
  if (scope === '/') return [];
  const scopeSub = tryParseResourceId(scope)?.subscriptionId;
  const central = ctx.policy.dns.central?.subscriptionId;
  if (scopeSub === undefined || (!ctx.policy.scope.subscriptions.some((s) => armEquals(s, scopeSub)) && (central === undefined || !armEquals(scopeSub, central)))) return [];
  const guids = profileRoleGuids(ctx);
  const out: string[] = [];
  for (const vaultId of await listVaultsInScope(ctx)) {
    const vault = await ctx.azure.recoveryServices.getVault(vaultId).catch(() => undefined);
    const principal = vault?.identity.principalId;
    if (vault === undefined || principal === undefined || vault.experience !== 'classic') continue;
    if (guids.some((g) => roleAssignmentName(scope, principal, g) === armCaseKey(name))) out.push(normalizeResourceId(vault.id));
  }
  return out;
}

/** The role definition GUIDs the policy's profile grants. */
function profileRoleGuids(ctx: ReconcileContext): string[] {
  const roles = ctx.policy.roles;
  if (roles.profile === 'contributor') return [BUILT_IN_ROLE_GUIDS.Contributor];
  const custom = roles.customRoleDefinitionIds;
  const ids = custom === undefined ? [] : [custom.PrivateEndpointContributor, custom.NetworkInterfaceReader, custom.PrivateEndpointSubnetContributor];
  return [...ids, BUILT_IN_ROLE_GUIDS.PrivateDnsZoneContributor].map((g) => roleDefinitionGuidOf(g));
}
