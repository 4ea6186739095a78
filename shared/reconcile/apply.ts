/**
 * Apply: make one planned action real, idempotently; and a whole plan, stage by stage.
 *
 * Every action first reads the one resource it writes and writes only when Azure does not hold
 * the result already — so applying the same action twice makes no second write, and "already
 * done" is always confirmed by a read. The write itself is guarded against races: records are
 * created with `If-None-Match: *` and changed with `If-Match: <etag>`, zones and links are created
 * with `If-None-Match: *`, role assignments have deterministic names; a 409/412 is followed by a
 * re-read that decides between "already done" and "failed".
 *
 * Ownership, as defence in depth beside the planner: an A record set or a virtual network link
 * without vaultlink's ownership (`managedBy: vaultlink` and this policy's owner id) is never
 * updated or deleted; the action fails and says why. Everything vaultlink creates carries that
 * ownership (record set `metadata`, zone and link `tags`).
 *
 * `applyAction` never throws: a failure is an outcome with the classified cause.
 */
import { azureErrorCode, classifyAzureError, isConflict, isPreconditionFailed } from '../azure/errors';
import { registryMetadata, registryOf } from '../domain/dns';
import { sameResourceId } from '../domain/ids';
import { isOwnedBy, ownedSourceOf, ownershipMetadata, type ARecordSet, type StringMap, type VirtualNetworkLink } from '../domain/model';
import { grantsRoleAssignment } from '../domain/rbac';
import type {
  ActionOutcome,
  ActionOutcomeStatus,
  DecideConnectionAction,
  DeleteRecordAction,
  EnableIdentityAction,
  EnsureLinkAction,
  EnsureZoneAction,
  GrantRoleAction,
  PlannedAction,
  UpsertRecordAction,
  VaultPlan,
} from '../plan/types';
import { loggerOf, type ReconcileContext } from './context';

// ARM's answer when a principal created moments ago has not reached every replica of the
// directory yet: it is worth retrying, whatever its 400 status says.
const RETRYABLE_CODES = new Set(['principalnotfound']);

function outcome(action: PlannedAction, status: ActionOutcomeStatus, message: string): ActionOutcome {
  return { key: action.key, kind: action.kind, status, message };
}

function failed(action: PlannedAction, message: string, error: { code: string; message: string; transient: boolean }): ActionOutcome {
  return { key: action.key, kind: action.kind, status: 'failed', message, error };
}

function failedByAzure(action: PlannedAction, doing: string, e: unknown): ActionOutcome {
  const c = classifyAzureError(e);
  const transient = c.transient || RETRYABLE_CODES.has(c.code.toLowerCase());
  return failed(action, `${doing} failed: ${c.message}`, { code: c.code, message: c.message, transient });
}

/** A failure that vaultlink decided on (no Azure error): refused writes, state that changed under the plan. */
function refused(action: PlannedAction, code: string, message: string, transient = false): ActionOutcome {
  return failed(action, message, { code, message, transient });
}

/** Applies one action. Never throws. */
export async function applyAction(ctx: ReconcileContext, action: PlannedAction): Promise<ActionOutcome> {
  const log = loggerOf(ctx);
  // Audit writes nothing, whoever calls: the orchestration and applyPlan already skip audit plans;
  // this guard keeps any other caller of a single action from writing under an audit policy.
  if (ctx.policy.mode === 'audit') return outcome(action, 'skipped', `audit mode: would ${action.summary || action.kind}`);
  let result: ActionOutcome;
  try {
    result = await applyActionUnguarded(ctx, action);
  } catch (e) {
    result = failedByAzure(action, action.summary || action.kind, e);
  }
  const fields = { key: action.key, kind: action.kind, status: result.status, ...(result.error ? { code: result.error.code, transient: result.error.transient } : {}) };
  if (result.status === 'failed') log.error(result.message, fields);
  else log.info(result.message, fields);
  return result;
}

async function applyActionUnguarded(ctx: ReconcileContext, action: PlannedAction): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'enable-identity':
      return enableIdentity(ctx, action);
    case 'grant-role':
      return grantRole(ctx, action);
    case 'approve-connection':
    case 'reject-connection':
      return decideConnection(ctx, action);
    case 'ensure-zone':
      return ensureZone(ctx, action);
    case 'ensure-link':
      return ensureLink(ctx, action);
    case 'upsert-record':
      return upsertRecord(ctx, action);
    case 'delete-record':
      return deleteRecord(ctx, action);
  }
}

async function enableIdentity(ctx: ReconcileContext, action: EnableIdentityAction): Promise<ActionOutcome> {
  let result;
  try {
    result = await ctx.azure.recoveryServices.enableSystemAssignedIdentity(action.vaultId);
  } catch (e) {
    return failedByAzure(action, `enabling the system-assigned identity of ${action.vaultId}`, e);
  }
  if (result.alreadyEnabled) return outcome(action, 'already-done', `the system-assigned identity of ${action.vaultId} was already on`);
  if (result.identity.principalId === undefined) {
    return refused(action, 'IdentityNotReported', `enabled the system-assigned identity of ${action.vaultId}, but ARM reports no principal id yet`, true);
  }
  return outcome(action, 'applied', `enabled the system-assigned identity of ${action.vaultId} (principal ${result.identity.principalId})`);
}

async function grantRole(ctx: ReconcileContext, action: GrantRoleAction): Promise<ActionOutcome> {
  const desired = { scope: action.scope, roleDefinitionGuid: action.roleDefinitionGuid.toLowerCase(), principalId: action.principalId, name: action.name, roleName: action.roleName };
  const what = `${action.roleName} for ${action.principalId} at ${action.scope}`;
  const isGranted = async () => (await ctx.azure.authorization.listRoleAssignments(action.scope, action.principalId)).some((a) => grantsRoleAssignment(a, desired));
  if (await isGranted()) return outcome(action, 'already-done', `${what} was already granted`);
  try {
    await ctx.azure.authorization.createRoleAssignment(action.scope, action.name, { roleDefinitionGuid: action.roleDefinitionGuid, principalId: action.principalId });
    return outcome(action, 'applied', `granted ${what}`);
  } catch (e) {
    // RoleAssignmentExists: the same grant under another name (someone made it by hand, or a concurrent pass).
    if (isConflict(e) && (await isGranted())) return outcome(action, 'already-done', `${what} was already granted (${azureErrorCode(e)})`);
    return failedByAzure(action, `granting ${what}`, e);
  }
}

async function decideConnection(ctx: ReconcileContext, action: DecideConnectionAction): Promise<ActionOutcome> {
  const target = action.kind === 'approve-connection' ? 'Approved' : 'Rejected';
  const verb = action.kind === 'approve-connection' ? 'approved' : 'rejected';
  const what = `connection ${action.connectionName} of ${action.vaultId}`;
  const current = async () => (await ctx.azure.recoveryServices.getVault(action.vaultId))?.connections.find((c) => c.name.toLowerCase() === action.connectionName.toLowerCase());
  const before = await current();
  if (before === undefined) return refused(action, 'ConnectionNotFound', `${what} no longer exists`);
  if (before.status === target) return outcome(action, 'already-done', `${what} was already ${target}`);
  // Only a pending request is decided: a person may have decided meanwhile, and vaultlink does not overrule them.
  if (before.status !== 'Pending') return refused(action, 'ConnectionNotPending', `${what} is ${before.status} now, not Pending: left as it is`);
  if (!sameResourceId(before.privateEndpointId, action.privateEndpointId)) {
    return refused(action, 'ConnectionEndpointChanged', `${what} now belongs to ${before.privateEndpointId}, not ${action.privateEndpointId}: not decided`);
  }
  let status;
  try {
    status = await ctx.azure.recoveryServices.putConnectionState(action.vaultId, action.connectionName, {
      status: target,
      description: action.description,
      privateEndpointId: before.privateEndpointId,
    });
  } catch (e) {
    return failedByAzure(action, `setting ${what} to ${target}`, e);
  }
  if (status !== target) return refused(action, 'ConnectionStateNotApplied', `${what} reads ${status} after the write, not ${target}`, true);
  return outcome(action, 'applied', `${verb} ${what}${action.rule ? ` (rule ${action.rule})` : ''}`);
}

async function ensureZone(ctx: ReconcileContext, action: EnsureZoneAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  if ((await dns.getZone(action.zoneId)) !== undefined) return outcome(action, 'already-done', `zone ${action.zoneName} exists`);
  try {
    await dns.createZone(action.zoneId, ownershipMetadata(ctx.policy.ownerId));
    return outcome(action, 'applied', `created zone ${action.zoneName}`);
  } catch (e) {
    if ((isPreconditionFailed(e) || isConflict(e)) && (await dns.getZone(action.zoneId)) !== undefined) return outcome(action, 'already-done', `zone ${action.zoneName} exists (created concurrently)`);
    return failedByAzure(action, `creating zone ${action.zoneName}`, e);
  }
}

function linkFor(links: readonly VirtualNetworkLink[], action: EnsureLinkAction): { byName: VirtualNetworkLink | undefined; byVnet: VirtualNetworkLink | undefined } {
  return {
    byName: links.find((l) => l.name.toLowerCase() === action.linkName.toLowerCase()),
    byVnet: links.find((l) => sameResourceId(l.vnetId, action.vnetId)),
  };
}

async function ensureLink(ctx: ReconcileContext, action: EnsureLinkAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  const what = `link of ${action.vnetId} to ${action.zoneId}`;
  const decide = (links: readonly VirtualNetworkLink[]): ActionOutcome | undefined => {
    const { byName, byVnet } = linkFor(links, action);
    // A link of this VNet, whoever made it, is what was wanted: nothing is written to it.
    if (byVnet !== undefined) return outcome(action, 'already-done', `${what} exists (${byVnet.name})`);
    // The name is taken by a link to another VNet: changing it would be a write to a link that
    // is not this action's to change (and, unowned, not vaultlink's at all).
    if (byName !== undefined) {
      const owner = isOwnedBy(byName.metadata, ctx.policy.ownerId) ? 'a vaultlink link' : 'a link vaultlink does not own';
      return refused(action, 'LinkNameTaken', `${action.linkName} in ${action.zoneId} is ${owner} to ${byName.vnetId}: not modified`);
    }
    return undefined;
  };
  const before = decide(await dns.listVirtualNetworkLinks(action.zoneId));
  if (before !== undefined) return before;
  try {
    await dns.createVirtualNetworkLink(action.zoneId, action.linkName, action.vnetId, { ...ownershipMetadata(ctx.policy.ownerId), ...registryMetadata({ vaultId: action.vaultId }) });
    return outcome(action, 'applied', `linked ${action.vnetId} to ${action.zoneId} (${action.linkName})`);
  } catch (e) {
    if (isPreconditionFailed(e) || isConflict(e)) {
      const after = decide(await dns.listVirtualNetworkLinks(action.zoneId));
      if (after !== undefined) return after;
    }
    return failedByAzure(action, `linking ${action.vnetId} to ${action.zoneId}`, e);
  }
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The record's registry names the vault and connection the action writes (an older record without them is adopted by a write). */
function registryHolds(record: ARecordSet, action: UpsertRecordAction): boolean {
  const entry = registryOf(record.metadata);
  const vaultOk = action.vaultId === undefined || (entry.vaultId !== undefined && sameResourceId(entry.vaultId, action.vaultId));
  return vaultOk && (action.connectionName === undefined || entry.connectionName === action.connectionName);
}

/** The record already holds what the action wants: same addresses, TTL, and made for the same PE by this owner. */
function recordMatches(ctx: ReconcileContext, record: ARecordSet, action: UpsertRecordAction): boolean {
  const source = ownedSourceOf(record.metadata);
  return (
    isOwnedBy(record.metadata, ctx.policy.ownerId) &&
    source !== undefined &&
    sameResourceId(source, action.sourcePrivateEndpointId) &&
    registryHolds(record, action) &&
    record.ttl === action.ttl &&
    sameAddresses(record.ipv4Addresses, action.ipv4Addresses)
  );
}

async function upsertRecord(ctx: ReconcileContext, action: UpsertRecordAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  const what = `A record ${action.recordName} in ${action.zoneId}`;
  const content = { ttl: action.ttl, ipv4Addresses: [...action.ipv4Addresses], metadata: { ...ownershipMetadata(ctx.policy.ownerId, action.sourcePrivateEndpointId), ...registryMetadata(action) } as StringMap };
  const judgeExisting = (record: ARecordSet): ActionOutcome | undefined => {
    if (recordMatches(ctx, record, action)) return outcome(action, 'already-done', `${what} already holds ${action.ipv4Addresses.join(', ')}`);
    if (!isOwnedBy(record.metadata, ctx.policy.ownerId)) return refused(action, 'RecordNotManaged', `${what} exists and vaultlink does not own it: not modified`);
    return undefined;
  };

  const before = await dns.getARecordSet(action.zoneId, action.recordName);
  if (before !== undefined) {
    const judged = judgeExisting(before);
    if (judged !== undefined) return judged;
    if (action.etag === undefined) {
      // The plan saw no record; an owned one appeared since (a concurrent pass): the next pass updates it with its etag.
      return refused(action, 'RecordChanged', `${what} appeared since the plan was made: left for the next pass`, true);
    }
  } else if (action.etag !== undefined) {
    return refused(action, 'RecordChanged', `${what} was deleted since the plan was made: left for the next pass`, true);
  }

  try {
    if (action.etag === undefined) await dns.createARecordSet(action.zoneId, action.recordName, content);
    else await dns.updateARecordSet(action.zoneId, action.recordName, content, action.etag);
    return outcome(action, 'applied', `${action.etag === undefined ? 'created' : 'updated'} ${what}: ${action.ipv4Addresses.join(', ')}`);
  } catch (e) {
    if (isPreconditionFailed(e)) {
      const after = await dns.getARecordSet(action.zoneId, action.recordName);
      const judged = after === undefined ? undefined : judgeExisting(after);
      if (judged !== undefined) return judged;
      return refused(action, 'RecordChanged', `${what} changed since the plan was made (${azureErrorCode(e)}): left for the next pass`, true);
    }
    return failedByAzure(action, `writing ${what}`, e);
  }
}

async function deleteRecord(ctx: ReconcileContext, action: DeleteRecordAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  const what = `A record ${action.recordName} in ${action.zoneId}`;
  const before = await dns.getARecordSet(action.zoneId, action.recordName);
  if (before === undefined) return outcome(action, 'already-done', `${what} does not exist`);
  if (!isOwnedBy(before.metadata, ctx.policy.ownerId)) return refused(action, 'RecordNotManaged', `${what} is not owned by vaultlink: not deleted`);
  if (before.etag !== action.etag) return refused(action, 'RecordChanged', `${what} changed since the plan was made: not deleted`, true);
  try {
    await dns.deleteARecordSet(action.zoneId, action.recordName, action.etag);
    return outcome(action, 'applied', `deleted ${what}`);
  } catch (e) {
    if (isPreconditionFailed(e)) return refused(action, 'RecordChanged', `${what} changed since the plan was made: not deleted`, true);
    return failedByAzure(action, `deleting ${what}`, e);
  }
}

// ---------------------------------------------------------------------------------------------
// Plans

export interface ApplyPlanOptions {
  /** At most this many actions of a stage at once (default 4). */
  readonly concurrency?: number;
}

/**
 * True when `failedAction` failing makes `action` pointless: it writes at or under what failed
 * (a link or record of a zone that could not be created), or it grants a role to an identity
 * that could not be enabled.
 */
function dependsOn(action: PlannedAction, failedAction: PlannedAction): boolean {
  if (failedAction.kind === 'enable-identity') return action.kind === 'grant-role';
  if (failedAction.kind !== 'ensure-zone') return false;
  return (action.kind === 'ensure-link' || action.kind === 'upsert-record' || action.kind === 'delete-record') && sameResourceId(action.zoneId, failedAction.zoneId);
}

/** Runs `work` over `items` with at most `limit` at once; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Applies a plan: stages in order, the actions of a stage concurrently (bounded). One failure
 * never stops the other actions; an action whose dependency failed in an earlier stage is
 * `skipped` with the reason. In `audit` mode (the plan's or the policy's) every action is
 * `skipped` and nothing is written. Outcomes come in plan order.
 */
export async function applyPlan(ctx: ReconcileContext, plan: VaultPlan, options: ApplyPlanOptions = {}): Promise<ActionOutcome[]> {
  if (plan.mode === 'audit' || ctx.policy.mode === 'audit') {
    return plan.stages.flat().map((a) => outcome(a, 'skipped', `audit mode: would ${a.summary || a.kind}`));
  }
  const concurrency = options.concurrency ?? 4;
  const outcomes: ActionOutcome[] = [];
  const failures: PlannedAction[] = [];
  for (const stage of plan.stages) {
    const stageOutcomes = await mapBounded(stage, concurrency, async (action) => {
      const blocker = failures.find((f) => dependsOn(action, f));
      if (blocker !== undefined) return outcome(action, 'skipped', `skipped: ${blocker.key} failed`);
      return applyAction(ctx, action);
    });
    stageOutcomes.forEach((o, i) => {
      if (o.status === 'failed') failures.push(stage[i] as PlannedAction);
    });
    outcomes.push(...stageOutcomes);
  }
  return outcomes;
}
