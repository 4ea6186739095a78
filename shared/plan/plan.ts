/**
 * The pure planner: what Azure holds (ObservedVault) + the policy → the staged writes that make
 * it what the seed's procedure demands, the findings a person must act on, and the checklist.
 * No I/O, no clock, no randomness: the same input gives the same plan, in audit and in enforce.
 */
import {
  checkEligibility,
  type ChecklistEntries,
  type ChecklistItemKey,
  type ChecklistStatus,
  buildChecklist,
  type DesiredRoleAssignment,
  evaluateApproval,
  type Finding,
  type FindingSeverity,
  hasSystemAssignedIdentity,
  missingRoleAssignments,
  normalizeResourceId,
  preflightFindings,
  requiredRoleAssignments,
  resourceGroupResourceId,
  sameResourceId,
  type SecondaryRole,
  tryParseResourceId,
  type Vault,
  type VaultConnection,
  type RoleAssignment,
  type Subnet,
  armEquals,
} from '../domain';
import { isActivePrimary, planDns, vnetOfEndpoint, type ConnectionStanding, type DnsPrimary, type DnsSink } from './dns';
import { readErrorBlocking } from './read-errors';
import { connectionIdOf } from './targets';
import type {
  ActionKind,
  ObservedVault,
  PlanOptions,
  PlanPolicy,
  PlannedAction,
  ReadError,
  VaultPlan,
} from './types';

/** Follow-up when vaultlink waits on Azure (an identity's principal, Backup's secondary PEs, a failed read). */
export const FOLLOW_UP_ON_AZURE = 'PT5M';
/** Follow-up when vaultlink waits on people (a pending connection no rule matches). */
export const FOLLOW_UP_ON_PEOPLE = 'PT1H';

/** The order of the stages: each stage needs what the ones before it make (the seed's order). */
export const STAGE_ORDER: readonly (readonly ActionKind[])[] = [
  ['enable-identity'],
  ['grant-role'],
  ['approve-connection', 'reject-connection'],
  ['ensure-zone'],
  ['ensure-link', 'upsert-record', 'delete-record'],
];

// ---------------------------------------------------------------------------------------------
// Working state of one planning pass

interface Item {
  status: ChecklistStatus;
  details: { status: ChecklistStatus; text: string }[];
}

class Draft implements DnsSink {
  readonly actions: { action: PlannedAction; item: ChecklistItemKey }[] = [];
  readonly items = new Map<ChecklistItemKey, Item>();
  readonly findings: Finding[] = [];
  readonly followUps = new Set<string>();
  requeue = false;

  add(action: PlannedAction, item: ChecklistItemKey): void {
    if (!this.actions.some((a) => a.action.key === action.key)) this.actions.push({ action, item });
  }

  /** Sets an item; a worse status wins over a better one (failed > pending > ok > not-applicable). */
  set(key: ChecklistItemKey, status: ChecklistStatus, detail: string): void {
    const current = this.items.get(key);
    if (current === undefined) {
      this.items.set(key, { status, details: [{ status, text: detail }] });
      return;
    }
    if (RANK[status] > RANK[current.status]) current.status = status;
    current.details.push({ status, text: detail });
  }

  find(code: Finding['code'], severity: FindingSeverity, resourceId: string, message: string): void {
    this.findings.push({ code, severity, resourceId, message });
  }

  waitOnAzure(): void {
    this.followUps.add(FOLLOW_UP_ON_AZURE);
  }
}

const RANK: Readonly<Record<ChecklistStatus, number>> = { 'not-applicable': 0, ok: 1, pending: 2, failed: 3 };

// ---------------------------------------------------------------------------------------------
// Small helpers

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyOf(id: string): string {
  return tryParseResourceId(id)?.key ?? id.toLowerCase();
}

function nameOf(id: string): string {
  return tryParseResourceId(id)?.name ?? id;
}

function list(items: readonly string[]): string {
  return items.join(', ');
}

/** Tenant of a subscription from observe's map (keys lower-case; looked up case-insensitively anyway). */
function tenantOfSubscription(observed: ObservedVault, subscriptionId: string | undefined): string | undefined {
  if (subscriptionId === undefined) return undefined;
  for (const [s, t] of Object.entries(observed.subscriptionTenants)) if (armEquals(s, subscriptionId)) return t;
  return undefined;
}

/** Why observe could not read a subscription's tenant, if it tried and failed. */
function tenantErrorOfSubscription(observed: ObservedVault, subscriptionId: string | undefined): string | undefined {
  if (subscriptionId === undefined) return undefined;
  for (const [s, reason] of Object.entries(observed.subscriptionTenantErrors ?? {})) if (armEquals(s, subscriptionId)) return reason;
  return undefined;
}

const vnetOf = vnetOfEndpoint;

function readErrorFinding(error: ReadError): Finding {
  return {
    code: 'read-failed',
    severity: 'warning',
    resourceId: error.resourceId,
    message: `${error.operation} failed (${error.code}): ${error.message}; writes that depend on it are not planned until it reads`,
  };
}

const SEVERITY_ORDER: Readonly<Record<FindingSeverity, number>> = { error: 0, warning: 1, info: 2 };

function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const k = `${f.code}|${f.resourceId.toLowerCase()}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      byCodePoint(a.code, b.code) ||
      byCodePoint(a.resourceId.toLowerCase(), b.resourceId.toLowerCase()) ||
      byCodePoint(a.message, b.message),
  );
}

function earliestFollowUp(followUps: ReadonlySet<string>): string | undefined {
  if (followUps.has(FOLLOW_UP_ON_AZURE)) return FOLLOW_UP_ON_AZURE;
  if (followUps.has(FOLLOW_UP_ON_PEOPLE)) return FOLLOW_UP_ON_PEOPLE;
  return undefined;
}

function emptyPlan(observed: ObservedVault, policy: PlanPolicy, status: ChecklistStatus, detail: string, findings: Finding[], followUpAfter: string | undefined): VaultPlan {
  const entries: ChecklistEntries = {};
  for (const item of buildChecklist({})) entries[item.key] = { status, detail };
  return { vaultId: observed.vaultId, mode: policy.mode, stages: [], findings: sortFindings(findings), checklist: buildChecklist(entries), requeue: false, followUpAfter };
}

// ---------------------------------------------------------------------------------------------
// The vault's private endpoints, as the planner sees them

type Primary = DnsPrimary;
const isActive = isActivePrimary;

// ---------------------------------------------------------------------------------------------

/**
 * Plans one vault.
 *
 * Decision table (first matching row decides the whole plan; then each step below):
 *
 * | observed                                              | actions | checklist                                   |
 * |-------------------------------------------------------|---------|---------------------------------------------|
 * | vault absent, no read error on it (deleted)           | none    | all `not-applicable`: nothing to do          |
 * | vault absent, its read failed                         | none    | all `pending`: waits for a read; PT5M        |
 * | vault read, but a read of the vault itself failed     | none    | all `pending`: eligibility unknown; PT5M     |
 * | items protected/registered and no PE connection ever  | none    | `eligible: failed` (+ vault-not-eligible)    |
 *
 * Steps of an eligible vault (stage → actions; `v2` vaults skip identity, roles, secondaries):
 *
 * | step          | condition                                             | action / checklist                                  |
 * |---------------|-------------------------------------------------------|-----------------------------------------------------|
 * | identity (v1) | system-assigned on, principal known                   | ok                                                   |
 * |               | off, policy.identity.enableSystemAssigned             | enable-identity; pending; requeue (roles need it)   |
 * |               | off, not allowed                                      | failed: a person turns it on                         |
 * | roles (v1)    | profile on VNet(s), PE RGs, zone RG of active PEs     | grant-role per missing assignment; else ok          |
 * |               | no principal id yet                                   | pending (next pass, after requeue)                   |
 * | approval      | Pending + an allowlist rule matches                   | approve-connection ("Approved by vaultlink rule 'x'")|
 * |               | … but a classic vault's identity has no principal yet | held back: pending until the roles (seed's order)    |
 * |               | Pending, no rule, unmatched = reject                  | reject-connection                                    |
 * |               | Pending, no rule, unmatched = leave-pending           | pending with every rule's reasons; PT1H              |
 * |               | Approved / Rejected / Disconnected                    | left as they are                                     |
 * | dns-zones     | placement central/zone-group, zone absent             | ensure-zone                                          |
 * |               | region without a geo code                             | failed (+ unknown-region-geo-code), no DNS actions   |
 * | dns-links     | VNet of an active PE (or its secondaries) or of       | ensure-link `vaultlink-<vnet>-<hash>` per zone;      |
 * |               | dns.linkVirtualNetworks, not linked (by anyone)       | an existing link for the VNet counts as done         |
 * | dns-records   | central: FQDN of an active primary, record absent     | upsert-record, etag undefined (create only)          |
 * | (+secondary-  | owned by us, other IPs/TTL/source                     | upsert-record with its etag                          |
 * |  records, v1) | exists, not owned                                     | no action; record-not-managed; failed if IPs differ  |
 * |               | owned, source PE gone, recordPolicy sync, no read err | delete-record with its etag                          |
 * |               | zone-group: PE's zone groups miss a zone              | no action; zone-group-mismatch; failed               |
 * |               | custom: no DNS writes                                 | not-applicable + custom-dns-records-needed (lines)   |
 * |               | PE not approved yet                                   | pending: records follow the approval                 |
 * | secondaries   | `_ecs` blob/queue or `_prot` blob PE not there yet    | pending (first registration / backup); PT5M          |
 *
 * Active PEs are primaries whose connection is Approved or approved by this plan: only they get
 * roles, links and records (a stranger's pending PE never earns the vault identity a role on its
 * resource group, nor a link to the zones). A read that failed blocks the writes under the
 * resource it read (read-errors.ts); their checklist item turns `pending` and the plan follows up.
 * Stages: [enable-identity] → [grant-role] → [approve/reject] → [ensure-zone] →
 * [ensure-link, upsert-record, delete-record]; empty stages are left out; actions are sorted by
 * key inside a stage. `policy.mode` is carried, never consulted: audit and enforce plan alike.
 */
export function planVault(observed: ObservedVault, policy: PlanPolicy, options: PlanOptions): VaultPlan {
  const readFindings = observed.readErrors.map(readErrorFinding);
  const vault = observed.vault;

  if (vault === undefined) {
    const failed = observed.readErrors.find((e) => sameResourceId(e.resourceId, observed.vaultId));
    if (failed !== undefined) {
      return emptyPlan(observed, policy, 'pending', `the vault could not be read (${failed.code}): nothing is planned until it reads`, readFindings, FOLLOW_UP_ON_AZURE);
    }
    return emptyPlan(observed, policy, 'not-applicable', 'the vault does not exist (deleted, or not created yet): nothing to do', readFindings, undefined);
  }

  const subnets = observed.privateEndpoints.map((p) => p.subnet).filter((s): s is Subnet => s !== undefined);
  const uniqueSubnets = [...new Map(subnets.map((s) => [keyOf(s.id), s])).values()];
  const preflight = preflightFindings({
    vault,
    privateEndpoints: observed.privateEndpoints.map((p) => p.endpoint),
    subnets: uniqueSubnets,
    subscriptionTenantId: tenantOfSubscription(observed, vault.subscriptionId),
    geoCodeOverrides: policy.geoCodes,
  });

  // Eligibility decides everything: an ineligible vault is reported and never touched.
  const vaultReadError = observed.readErrors.find((e) => sameResourceId(e.resourceId, vault.id));
  if (vaultReadError !== undefined) {
    return emptyPlan(
      observed,
      policy,
      'pending',
      `part of the vault could not be read (${vaultReadError.operation}: ${vaultReadError.code}), so its eligibility is unknown: nothing is planned until it reads`,
      [...preflight, ...readFindings],
      FOLLOW_UP_ON_AZURE,
    );
  }
  const ineligible = checkEligibility(vault);
  if (ineligible.length > 0) {
    const plan = emptyPlan(observed, policy, 'not-applicable', 'the vault is not eligible for private endpoints: vaultlink leaves it alone', [...preflight, ...readFindings], undefined);
    const why = ineligible.map((f) => f.message).join('; ');
    return { ...plan, checklist: plan.checklist.map((i) => (i.key === 'eligible' ? { ...i, status: 'failed', detail: why } : i)) };
  }

  const draft = new Draft();
  draft.findings.push(...preflight, ...readFindings);
  draft.set('eligible', 'ok', 'no item was protected or registered before private endpoints');

  const classic = vault.experience === 'classic';
  // The seed's order: identity, then roles, then approval. While a classic vault's identity has no
  // principal yet, its roles cannot be granted, so approvals wait for the pass that grants them
  // (the requeue right after the identity is turned on); rejections need no identity.
  const principalId = classic ? planIdentity(draft, vault, policy) : undefined;
  const decisions = planApprovals(draft, observed, vault, policy, classic && principalId === undefined);
  const primaries = primariesOf(observed, vault, decisions);

  if (classic) {
    planRoles(draft, vault, policy, primaries, principalId, observed.roleAssignments);
  } else {
    const na = 'v2 vault: Azure Backup needs no vault identity here';
    draft.set('identity', 'not-applicable', na);
    draft.set('roles', 'not-applicable', 'v2 vault: no role assignments needed');
    draft.set('secondary-records', 'not-applicable', 'v2 vault: Azure Backup creates no _ecs/_prot private endpoints');
  }

  planDns(draft, observed, vault, policy, options, primaries);

  return finish(draft, observed, policy);
}

// ---------------------------------------------------------------------------------------------
// Approval

interface Decision {
  readonly connection: VaultConnection;
  readonly standing: ConnectionStanding;
}

function planApprovals(draft: Draft, observed: ObservedVault, vault: Vault, policy: PlanPolicy, waitForIdentity: boolean): Decision[] {
  const decisions: Decision[] = [];
  const approving: string[] = [];
  const rejecting: string[] = [];
  const waiting: string[] = [];
  // Matched, but held back until the vault identity holds its roles (no follow-up timer: the plan requeues).
  const deferred: string[] = [];
  const settled: Record<'Approved' | 'Rejected' | 'Disconnected', number> = { Approved: 0, Rejected: 0, Disconnected: 0 };
  const vaultId = normalizeResourceId(vault.id);

  for (const connection of [...vault.connections].sort((a, b) => byCodePoint(a.name, b.name))) {
    const peName = nameOf(connection.privateEndpointId);
    if (connection.status !== 'Pending') {
      settled[connection.status]++;
      decisions.push({ connection, standing: connection.status === 'Approved' ? 'approved' : connection.status === 'Rejected' ? 'rejected' : 'disconnected' });
      continue;
    }
    const requesterSubscription = tryParseResourceId(connection.privateEndpointId)?.subscriptionId;
    const requesterTenantId = tenantOfSubscription(observed, requesterSubscription);
    const requesterTenantUnknownReason = tenantErrorOfSubscription(observed, requesterSubscription);
    const decision = evaluateApproval({ privateEndpointId: connection.privateEndpointId, requesterTenantId, requesterTenantUnknownReason, vault: { id: vault.id, tags: vault.tags } }, policy.approval.rules);
    const base = { vaultId, connectionName: connection.name, privateEndpointId: connection.privateEndpointId };
    const key = (kind: string) => `${kind}:${connectionIdOf(vaultId, connection.name)}`;
    if (decision.decision === 'approve' && waitForIdentity) {
      deferred.push(`${peName} (rule '${decision.rule.name}')`);
      decisions.push({ connection, standing: 'pending' });
    } else if (decision.decision === 'approve') {
      const rule = decision.rule.name;
      draft.add(
        {
          kind: 'approve-connection',
          key: key('approve-connection'),
          summary: `Approve the connection of private endpoint ${peName} to vault ${vault.name} (allowlist rule '${rule}')`,
          ...base,
          rule,
          description: `Approved by vaultlink rule '${rule}'`,
        },
        'approval',
      );
      approving.push(`${peName} (rule '${rule}')`);
      decisions.push({ connection, standing: 'approving' });
    } else if (policy.approval.unmatched === 'reject') {
      draft.add(
        {
          kind: 'reject-connection',
          key: key('reject-connection'),
          summary: `Reject the connection of private endpoint ${peName} to vault ${vault.name} (no allowlist rule matches; policy rejects unmatched requests)`,
          ...base,
          rule: undefined,
          description: 'Rejected by vaultlink: no allowlist rule matches this requester',
        },
        'approval',
      );
      rejecting.push(`${peName} (${decision.reasons.join('; ')})`);
      decisions.push({ connection, standing: 'rejecting' });
    } else {
      waiting.push(`${peName} waits for a person (no allowlist rule matches: ${decision.reasons.join('; ')})`);
      decisions.push({ connection, standing: 'pending' });
    }
  }

  if (approving.length > 0) draft.set('approval', 'pending', `approving ${list(approving)}`);
  if (rejecting.length > 0) draft.set('approval', 'pending', `rejecting ${list(rejecting)}`);
  if (deferred.length > 0) draft.set('approval', 'pending', `approving ${list(deferred)} once the vault identity holds its roles (the seed's order)`);
  if (waiting.length > 0) {
    draft.set('approval', 'pending', waiting.join('; '));
    draft.followUps.add(FOLLOW_UP_ON_PEOPLE);
  }
  if (vault.connections.length === 0) draft.set('approval', 'ok', 'no private endpoint connection to decide yet');
  else if (approving.length + rejecting.length + waiting.length + deferred.length === 0) {
    draft.set('approval', 'ok', `no pending connection (${settled.Approved} approved, ${settled.Rejected} rejected, ${settled.Disconnected} disconnected)`);
  }
  return decisions;
}

function primariesOf(observed: ObservedVault, vault: Vault, decisions: readonly Decision[]): Primary[] {
  const primaries: Primary[] = [];
  for (const p of observed.privateEndpoints) {
    const c = p.classification;
    if (c.kind !== 'backup-primary' || !sameResourceId(c.vaultId, vault.id)) continue;
    // The vault's side of the connection is authoritative; the PE's own view is a fallback.
    const decided = decisions.find((d) => sameResourceId(d.connection.privateEndpointId, p.endpoint.id));
    let standing: ConnectionStanding = decided?.standing ?? 'unknown';
    if (decided === undefined) {
      const own = p.endpoint.connections.find((x) => sameResourceId(x.privateLinkServiceId, vault.id));
      if (own?.status === 'Approved') standing = 'approved';
    }
    const secondaries = observed.privateEndpoints
      .map((s) => ({ observed: s, c: s.classification }))
      .filter((s) => s.c.kind === 'backup-secondary' && sameResourceId(s.c.primaryId, p.endpoint.id))
      .map((s) => ({ observed: s.observed, role: (s.c as { role: SecondaryRole }).role }));
    primaries.push({ observed: p, standing, connectionName: decided?.connection.name, secondaries });
  }
  return primaries.sort((a, b) => byCodePoint(keyOf(a.observed.endpoint.id), keyOf(b.observed.endpoint.id)));
}

// ---------------------------------------------------------------------------------------------
// Identity and roles (classic vaults)

function planIdentity(draft: Draft, vault: Vault, policy: PlanPolicy): string | undefined {
  const on = hasSystemAssignedIdentity(vault.identity);
  const principalId = vault.identity.principalId?.trim();
  if (on && principalId) {
    draft.set('identity', 'ok', `system-assigned identity on (principal ${principalId})`);
    return principalId;
  }
  if (on) {
    draft.set('identity', 'pending', 'system-assigned identity is on but Azure reports no principal id yet');
    draft.followUps.add(FOLLOW_UP_ON_AZURE);
    return undefined;
  }
  if (!policy.identity.enableSystemAssigned) {
    draft.set(
      'identity',
      'failed',
      `the system-assigned identity is off (type ${vault.identity.type}) and the policy does not let vaultlink turn it on (identity.enableSystemAssigned is false): turn it on; Azure Backup needs it to create its own private endpoints`,
    );
    return undefined;
  }
  const vaultId = normalizeResourceId(vault.id);
  draft.add(
    {
      kind: 'enable-identity',
      key: `enable-identity:${vaultId}`,
      summary: `Turn on the system-assigned identity of classic vault ${vault.name} (now ${vault.identity.type}): Azure Backup creates its own private endpoints with it`,
      vaultId,
    },
    'identity',
  );
  draft.set('identity', 'pending', 'turning on the system-assigned identity (it is never turned off again)');
  // The roles need the principal id that Azure only hands out once the identity is on.
  draft.requeue = true;
  return undefined;
}

function dnsZoneResourceGroupId(policy: PlanPolicy): string | undefined {
  const central = policy.dns.central;
  if (policy.dns.placement === 'custom' || central === undefined) return undefined;
  return resourceGroupResourceId(central.subscriptionId, central.resourceGroup);
}

function planRoles(
  draft: Draft,
  vault: Vault,
  policy: PlanPolicy,
  primaries: readonly Primary[],
  principalId: string | undefined,
  existing: readonly RoleAssignment[],
): void {
  if (principalId === undefined) {
    draft.set('roles', 'pending', "waiting for the system-assigned identity's principal id");
    return;
  }
  const active = primaries.filter(isActive);
  if (active.length === 0) {
    draft.set('roles', 'pending', 'no approved or allowlisted private endpoint yet: the roles go on its resource groups when one appears');
    return;
  }
  // Zone groups need the DNS zone resource group too: Backup writes the secondaries' zone groups with the vault identity.
  const dnsRg = dnsZoneResourceGroupId(policy);
  let desired: DesiredRoleAssignment[];
  try {
    desired = requiredRoleAssignments({
      vnetIds: active.map((p) => vnetOf(p.observed)).filter((v): v is string => v !== undefined),
      peResourceGroupIds: active.map((p) => resourceGroupResourceId(p.observed.endpoint.subscriptionId, p.observed.endpoint.resourceGroup)),
      dnsZoneResourceGroupIds: dnsRg === undefined ? [] : [dnsRg],
      principalId,
      profile: policy.roles.profile,
      customRoleDefinitionIds: policy.roles.customRoleDefinitionIds,
    });
  } catch (e) {
    draft.set('roles', 'failed', `the role profile cannot be worked out: ${(e as Error).message}`);
    return;
  }
  const missing = missingRoleAssignments(desired, existing);
  for (const d of missing) {
    draft.add(
      {
        kind: 'grant-role',
        key: `grant-role:${d.scope}|${d.roleDefinitionGuid}`,
        summary: `Grant ${d.roleName} on ${describeScope(d.scope)} to the identity of vault ${vault.name}`,
        scope: d.scope,
        roleDefinitionGuid: d.roleDefinitionGuid,
        roleName: d.roleName,
        principalId: d.principalId,
        name: d.name,
      },
      'roles',
    );
  }
  const held = desired.length - missing.length;
  if (missing.length === 0) draft.set('roles', 'ok', `the identity holds all ${desired.length} role assignment(s) of the profile`);
  else draft.set('roles', 'pending', `granting ${list(missing.map((d) => `${d.roleName} on ${describeScope(d.scope)}`))} (${held} of ${desired.length} held)`);
}

function describeScope(scope: string): string {
  const p = tryParseResourceId(scope);
  if (p === undefined) return scope;
  if (p.segments.length === 0 && p.resourceGroup !== undefined) return `resource group ${p.resourceGroup}`;
  return `${p.type.split('/').pop() ?? p.type} ${p.name}`;
}

// ---------------------------------------------------------------------------------------------
// Blocking, stages, checklist

function finish(draft: Draft, observed: ObservedVault, policy: PlanPolicy): VaultPlan {
  const kept: PlannedAction[] = [];
  for (const { action, item } of draft.actions) {
    const blocker = readErrorBlocking(action, observed.readErrors);
    if (blocker === undefined) {
      kept.push(action);
      continue;
    }
    draft.set(item, 'pending', `not planned: ${action.summary} — waiting for ${blocker.operation} on ${blocker.resourceId} to read (${blocker.code})`);
    draft.followUps.add(FOLLOW_UP_ON_AZURE);
  }
  // A requeue only makes sense when the identity is actually being turned on.
  const requeue = draft.requeue && kept.some((a) => a.kind === 'enable-identity');

  const stages = STAGE_ORDER.map((kinds) =>
    kept.filter((a) => kinds.includes(a.kind)).sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || byCodePoint(a.key, b.key)),
  ).filter((stage) => stage.length > 0);

  const entries: ChecklistEntries = {};
  for (const [key, item] of draft.items) entries[key] = { status: item.status, detail: detailOf(item) };

  return {
    vaultId: observed.vaultId,
    mode: policy.mode,
    stages,
    findings: sortFindings(draft.findings),
    checklist: buildChecklist(entries),
    requeue,
    followUpAfter: earliestFollowUp(draft.followUps),
  };
}

/** The item's details, the ones that explain its status first. */
function detailOf(item: Item): string {
  const ordered = [...item.details].sort((a, b) => RANK[b.status] - RANK[a.status]);
  return [...new Set(ordered.map((d) => d.text))].join('; ');
}


