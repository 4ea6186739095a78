/**
 * Apply: make one planned action real, idempotently; and a whole plan, as a dependency graph.
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
import { armCaseKey, armEquals, sameResourceId } from '../domain/ids';
import { isOwnedBy, ownedSourceOf, ownershipMetadata, type ARecordSet, type StringMap, type VirtualNetworkLink } from '../domain/model';
import { grantsRoleAssignment, markedVaultOf } from '../domain/rbac';
import type { Finding } from '../domain/findings';
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
  RevokeRoleAction,
  UpsertRecordAction,
  VaultPlan,
} from '../plan/types';
import { LINK_CONFLICT_RETRY_MS } from '../plan/types';
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
  const transient = c.transient || RETRYABLE_CODES.has(armCaseKey(c.code));
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
    case 'revoke-role':
      return revokeRole(ctx, action);
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
  const desired = { scope: action.scope, roleDefinitionGuid: armCaseKey(action.roleDefinitionGuid), principalId: action.principalId, name: action.name, roleName: action.roleName };
  const what = `${action.roleName} for ${action.principalId} at ${action.scope}`;
  const isGranted = async () => (await ctx.azure.authorization.listRoleAssignments(action.scope, action.principalId)).some((a) => grantsRoleAssignment(a, desired));
  if (await isGranted()) return outcome(action, 'already-done', `${what} was already granted`);
  try {
    await ctx.azure.authorization.createRoleAssignment(action.scope, action.name, { roleDefinitionGuid: action.roleDefinitionGuid, principalId: action.principalId, description: action.description });
    return outcome(action, 'applied', `granted ${what}`);
  } catch (e) {
    // RoleAssignmentExists: the same grant under another name (someone made it by hand, or a concurrent pass).
    if (isConflict(e) && (await isGranted())) return outcome(action, 'already-done', `${what} was already granted (${azureErrorCode(e)})`);
    return failedByAzure(action, `granting ${what}`, e);
  }
}

/**
 * Revokes a grant vaultlink made for an identity the vault no longer has. Re-reads the assignment
 * first: only one that still carries vaultlink's marker (this owner) and the old principal is
 * deleted; anything else is left alone.
 */
async function revokeRole(ctx: ReconcileContext, action: RevokeRoleAction): Promise<ActionOutcome> {
  const what = `role assignment ${action.assignmentId} of principal ${action.principalId}`;
  const current = (await ctx.azure.authorization.listRoleAssignments(action.scope, action.principalId)).find((a) => sameResourceId(a.id, action.assignmentId));
  if (current === undefined) return outcome(action, 'already-done', `${what} no longer exists`);
  if (markedVaultOf(current.description, ctx.policy.ownerId) === undefined || !armEquals(current.principalId, action.principalId)) {
    return refused(action, 'RoleAssignmentNotManaged', `${what} does not carry vaultlink's marker (owner ${ctx.policy.ownerId}) now: not revoked`);
  }
  try {
    await ctx.azure.authorization.deleteRoleAssignment(current.id);
    return outcome(action, 'applied', `revoked ${what} (vaultlink granted it to an identity the vault no longer has)`);
  } catch (e) {
    return failedByAzure(action, `revoking ${what}`, e);
  }
}

async function decideConnection(ctx: ReconcileContext, action: DecideConnectionAction): Promise<ActionOutcome> {
  const target = action.kind === 'approve-connection' ? 'Approved' : 'Rejected';
  const verb = action.kind === 'approve-connection' ? 'approved' : 'rejected';
  const what = `connection ${action.connectionName} of ${action.vaultId}`;
  const current = async () => (await ctx.azure.recoveryServices.getVault(action.vaultId))?.connections.find((c) => armEquals(c.name, action.connectionName));
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
    byName: links.find((l) => armEquals(l.name, action.linkName)),
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
    const o = failedByAzure(action, `linking ${action.vnetId} to ${action.zoneId}`, e);
    // No link of this VNet to the zone, and Azure says conflict: the VNet is linked to another zone
    // of that name that observe could not see. Say so now; the next plans report it (memory).
    return isConflict(e) && /overlapping namespaces|already linked/i.test(o.error?.message ?? '') ? { ...o, finding: refusedLinkFinding(action, o.error?.message ?? '') } : o;
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

/** Attempts of one record write within a pass: each 412 re-reads the record and writes again with what it now holds. */
const RECORD_WRITE_ATTEMPTS = 3;

/**
 * Creates or updates an owned A record. "412 means look again": when the record changed since the
 * plan (a concurrent pass, a person), the action re-reads that one record and re-plans itself
 * against it — create when it is gone, update with its current etag when it is still vaultlink's,
 * refuse when it is not — instead of retrying a stale `If-Match` that can only fail again.
 */
async function upsertRecord(ctx: ReconcileContext, action: UpsertRecordAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  const what = `A record ${action.recordName} in ${action.zoneId}`;
  const content = { ttl: action.ttl, ipv4Addresses: [...action.ipv4Addresses], metadata: { ...ownershipMetadata(ctx.policy.ownerId, action.sourcePrivateEndpointId), ...registryMetadata(action) } as StringMap };
  const judgeExisting = (record: ARecordSet): ActionOutcome | undefined => {
    if (recordMatches(ctx, record, action)) return outcome(action, 'already-done', `${what} already holds ${action.ipv4Addresses.join(', ')}`);
    if (!isOwnedBy(record.metadata, ctx.policy.ownerId)) return refused(action, 'RecordNotManaged', `${what} exists and vaultlink does not own it: not modified`);
    return undefined;
  };

  let current = await dns.getARecordSet(action.zoneId, action.recordName);
  let replanned = false;
  for (let attempt = 1; ; attempt++) {
    if (current !== undefined) {
      const judged = judgeExisting(current);
      if (judged !== undefined) return judged;
    }
    // The etag to write with is what Azure holds now (undefined: create only), whatever the plan saw.
    const etag = current?.etag;
    if (etag !== action.etag) replanned = true;
    try {
      if (etag === undefined) await dns.createARecordSet(action.zoneId, action.recordName, content);
      else await dns.updateARecordSet(action.zoneId, action.recordName, content, etag);
      const how = replanned ? ' (re-planned against the record as it is now: it changed since the plan)' : '';
      return outcome(action, 'applied', `${etag === undefined ? 'created' : 'updated'} ${what}: ${action.ipv4Addresses.join(', ')}${how}`);
    } catch (e) {
      if (!isPreconditionFailed(e)) return failedByAzure(action, `writing ${what}`, e);
      if (attempt >= RECORD_WRITE_ATTEMPTS) {
        return refused(action, 'RecordChanged', `${what} changed under every one of ${RECORD_WRITE_ATTEMPTS} writes (${azureErrorCode(e)}): left for the next pass, which plans it from a fresh observation`);
      }
      // 412: look again at that one record.
      current = await dns.getARecordSet(action.zoneId, action.recordName);
    }
  }
}

async function deleteRecord(ctx: ReconcileContext, action: DeleteRecordAction): Promise<ActionOutcome> {
  const dns = ctx.azure.privateDns;
  const what = `A record ${action.recordName} in ${action.zoneId}`;
  const before = await dns.getARecordSet(action.zoneId, action.recordName);
  if (before === undefined) return outcome(action, 'already-done', `${what} does not exist`);
  if (!isOwnedBy(before.metadata, ctx.policy.ownerId)) return refused(action, 'RecordNotManaged', `${what} is not owned by vaultlink: not deleted`);
  // A changed record may now serve a live endpoint: the delete is re-planned by the next pass, never retried blindly.
  if (before.etag !== action.etag) return refused(action, 'RecordChanged', `${what} changed since the plan was made: not deleted; the next pass decides again`);
  try {
    await dns.deleteARecordSet(action.zoneId, action.recordName, action.etag);
    return outcome(action, 'applied', `deleted ${what}`);
  } catch (e) {
    if (isPreconditionFailed(e)) return refused(action, 'RecordChanged', `${what} changed since the plan was made: not deleted; the next pass decides again`);
    return failedByAzure(action, `deleting ${what}`, e);
  }
}

// ---------------------------------------------------------------------------------------------
// Plans

export interface ApplyPlanOptions {
  /** At most this many actions at once (default 4). */
  readonly concurrency?: number;
  /** How one action is applied (default {@link applyAction} on the context): the seam that lets the graph's scheduling be tested alone. */
  readonly applyOne?: (action: PlannedAction) => Promise<ActionOutcome>;
}

function succeeded(o: ActionOutcome | undefined): boolean {
  return o !== undefined && (o.status === 'applied' || o.status === 'already-done');
}

/** The zone id an ARM message names (`…/privateDnsZones/<name>`), if any. */
export function zoneIdNamedIn(message: string): string | undefined {
  return /\/subscriptions\/[^\s/]+\/resourceGroups\/[^\s/]+\/providers\/Microsoft\.Network\/privateDnsZones\/[A-Za-z0-9._-]+[A-Za-z0-9_-]/i.exec(message)?.[0];
}

/**
 * The finding a refused link raises (409: the VNet is already linked to a same-named zone that
 * vaultlink could not see): the zone Azure names, and the choices.
 */
export function refusedLinkFinding(action: EnsureLinkAction, azureMessage: string): Finding {
  const zoneName = action.zoneId.slice(action.zoneId.lastIndexOf('/') + 1);
  const vnetName = action.vnetId.slice(action.vnetId.lastIndexOf('/') + 1);
  const other = zoneIdNamedIn(azureMessage);
  return {
    code: 'linked-zone-conflict',
    severity: 'error',
    resourceId: other ?? action.vnetId,
    message:
      `Azure refused to link virtual network ${vnetName} to ${action.zoneId}: it is already linked to another zone named ${zoneName}${other ? ` (${other})` : ''}, outside what vaultlink reads. ` +
      `vaultlink does not try that link again for ${LINK_CONFLICT_RETRY_MS / 3_600_000} hours. Choices: give vaultlink Reader where that zone lives (then dns.linkedZones "adopt" can write the records there); ` +
      `or remove that link so that vaultlink links the central zone; or write the records there yourself (dns export). Azure: ${azureMessage}`,
  };
}

/**
 * The finding a refused grant raises: the endpoints whose approval it held back, the resource
 * group, and the right vaultlink lacks.
 */
export function refusedGrantFinding(action: GrantRoleAction, o: ActionOutcome, skipped: readonly PlannedAction[]): Finding | undefined {
  const code = o.error?.code ?? '';
  if (!/^(AuthorizationFailed|Forbidden|LinkedAuthorizationFailed|HTTP403)$/i.test(code)) return undefined;
  const endpoints = skipped.filter((a): a is DecideConnectionAction => a.kind === 'approve-connection').map((a) => a.privateEndpointId);
  const names = endpoints.map((id) => id.slice(id.lastIndexOf('/') + 1));
  return {
    code: 'roles-not-grantable',
    severity: 'error',
    resourceId: endpoints[0] ?? action.scope,
    message:
      `vaultlink could not grant ${action.roleName} on ${action.scope} to the vault identity (${code}: it lacks Microsoft.Authorization/roleAssignments/write there)` +
      (names.length > 0 ? `; private endpoint(s) ${names.join(', ')} not approved until it can` : ''),
  };
}

/**
 * Applies a plan as its dependency graph: an action starts once every action it needs (in the
 * plan) is applied or already done, at most `concurrency` at once; independent chains never wait
 * for each other. A failure skips only the actions that need it, directly or not, and its outcome
 * names them. An action that follows from a step Azure must complete first (`followsFrom`) is
 * skipped, with its dependents: the next pass plans it with what Azure then holds. In `audit`
 * mode (the plan's or the policy's) every action is `skipped` and nothing is written. Outcomes
 * come in plan order.
 */
export async function applyPlan(ctx: ReconcileContext, plan: VaultPlan, options: ApplyPlanOptions = {}): Promise<ActionOutcome[]> {
  if (plan.mode === 'audit' || ctx.policy.mode === 'audit') {
    return plan.actions.map((a) => outcome(a, 'skipped', `audit mode: would ${a.summary || a.kind}`));
  }
  const limit = Math.max(1, options.concurrency ?? 4);
  const applyOne = options.applyOne ?? ((a: PlannedAction) => applyAction(ctx, a));
  const inPlan = new Set(plan.actions.map((a) => a.key));
  const results = new Map<string, ActionOutcome>();
  /** Skipped action → the failed (or deferred) action at the root of its skip. */
  const rootOf = new Map<string, string>();
  const waiting = [...plan.actions];
  const running = new Map<string, Promise<void>>();

  const settleSkips = (): boolean => {
    let any = false;
    for (let i = 0; i < waiting.length; i++) {
      const a = waiting[i] as PlannedAction;
      let reason: string | undefined;
      let root: string | undefined;
      if (a.followsFrom !== undefined && !a.needs.some((k) => inPlan.has(k) && !results.has(k))) {
        reason = `follows from ${a.followsFrom}: planned again with what Azure holds once that step is done`;
        root = a.followsFrom;
      } else {
        const blocker = a.needs.find((k) => inPlan.has(k) && results.has(k) && !succeeded(results.get(k)));
        if (blocker !== undefined) {
          root = rootOf.get(blocker) ?? blocker;
          reason = `skipped: needs ${blocker}, which ${results.get(blocker)?.status === 'failed' ? 'failed' : 'was skipped'}`;
        }
      }
      if (reason === undefined) continue;
      results.set(a.key, outcome(a, 'skipped', reason));
      if (root !== undefined) rootOf.set(a.key, root);
      waiting.splice(i--, 1);
      any = true;
    }
    return any;
  };

  for (;;) {
    while (settleSkips());
    for (let i = 0; i < waiting.length && running.size < limit; i++) {
      const a = waiting[i] as PlannedAction;
      if (!a.needs.every((k) => !inPlan.has(k) || succeeded(results.get(k)))) continue;
      waiting.splice(i--, 1);
      running.set(
        a.key,
        applyOne(a).then((o) => {
          results.set(a.key, o);
          running.delete(a.key);
        }),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  // Anything left waits on an action outside the graph's reach (a cycle would be a planner bug): say so rather than hang.
  for (const a of waiting) results.set(a.key, outcome(a, 'skipped', `skipped: its needs (${a.needs.join(', ')}) never completed`));

  return plan.actions.map((a) => {
    const o = results.get(a.key) as ActionOutcome;
    if (o.status !== 'failed') return o;
    const skipped = plan.actions.filter((x) => rootOf.get(x.key) === a.key);
    if (skipped.length === 0) return o;
    const finding = a.kind === 'grant-role' ? refusedGrantFinding(a, o, skipped) : undefined;
    return {
      ...o,
      message: `${o.message}; skipped ${skipped.length} action(s) that need it: ${skipped.map((x) => x.key).join(', ')}`,
      skippedDependents: skipped.map((x) => x.key),
      ...(finding === undefined ? {} : { finding }),
    };
  });
}
