/**
 * The pure planner: what Azure holds (ObservedVault) + the policy → the staged writes that make
 * it what the seed's procedure demands, the findings a person must act on, and the checklist.
 * No I/O, no clock, no randomness: the same input gives the same plan, in audit and in enforce.
 */
import { armCaseKey } from '../domain/ids';
import { byCodePoint, keyOf, nameOf } from './order';
import {
  type ChecklistEntries,
  type ChecklistItemKey,
  type ChecklistStatus,
  buildChecklist,
  type DesiredRoleAssignment,
  evaluateApproval,
  type Finding,
  type FindingSeverity,
  hasSystemAssignedIdentity,
  grantsRoleAssignment,
  missingRoleAssignments,
  rolesEffectiveAfter,
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
  roleAssignmentMarker,
  markedVaultOf,
  markedIdentityChangeOf,
  BUILT_IN_ROLE_GUIDS,
  armEquals,
} from '../domain';
import { isActivePrimary, linkConflictStands, planDns, vnetOfEndpoint, type ConnectionStanding, type DnsPrimary, type DnsSink } from './dns';
import { readErrorBlocking } from './read-errors';
import { connectionIdOf } from './targets';
import {
  EMPTY_MEMORY,
  MAX_PRINCIPALS_SEEN,
  type IdentityChange,
  type VaultMemory,
} from './types';
import type {
  ActionKind,
  ObservedPrivateEndpoint,
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

/**
 * The seed's order of the kinds of action, used only to list a plan's actions in a stable order
 * (and as the reference order of the property tests). What must run before what is the graph of
 * the actions' `needs`, never this list: a zone does not wait for an approval, and one endpoint's
 * failed grant holds back only that endpoint's approval and records.
 */
export const KIND_ORDER: readonly ActionKind[] = [
  'enable-identity',
  'grant-role',
  'revoke-role',
  'approve-connection',
  'reject-connection',
  'ensure-zone',
  'ensure-link',
  'upsert-record',
  'delete-record',
];

/** Principal id of the grants planned for an identity that is not on yet: shown in plans, never written. */
export const PLACEHOLDER_PRINCIPAL = "the vault's identity, once on";

/** How long an identity change stays an `error` finding when the policy does not say (days). */
export const DEFAULT_IDENTITY_CHANGE_FINDING_DAYS = 30;

/** The seed's warning about the vault identity, quoted by the identity-changed finding. */
export const IDENTITY_WARNING = 'Once enabled, the Managed Identity must not be disabled (even temporarily). Disabling the managed identity may lead to inconsistent behavior.';

// ---------------------------------------------------------------------------------------------
// Working state of one planning pass

interface Item {
  status: ChecklistStatus;
  details: { status: ChecklistStatus; text: string }[];
}

/** A planned action before the graph is drawn (finish() fills in `needs`). */
type Unlinked<A> = A extends PlannedAction ? Omit<A, 'needs'> : never;
export type DraftAction = Unlinked<PlannedAction>;

class Draft implements DnsSink {
  readonly actions: { action: DraftAction; item: ChecklistItemKey }[] = [];
  /** Primary PE key → the keys of the scopes its roles go on (its resource groups, its VNet). */
  readonly endpointScopes = new Map<string, Set<string>>();
  /** PE key (primary or secondary) → key of the primary PE whose approval its records follow. */
  readonly primaryOf = new Map<string, string>();
  /** Approval action key → the primary PE key it approves. */
  readonly approvalOf = new Map<string, string>();
  memory: VaultMemory = EMPTY_MEMORY;
  readonly items = new Map<ChecklistItemKey, Item>();
  readonly findings: Finding[] = [];
  readonly followUps = new Set<string>();
  requeue = false;

  add(action: DraftAction, item: ChecklistItemKey): void {
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
    const k = `${f.code}|${armCaseKey(f.resourceId)}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      byCodePoint(a.code, b.code) ||
      byCodePoint(armCaseKey(a.resourceId), armCaseKey(b.resourceId)) ||
      byCodePoint(a.message, b.message),
  );
}

function earliestFollowUp(followUps: ReadonlySet<string>): string | undefined {
  if (followUps.has(FOLLOW_UP_ON_AZURE)) return FOLLOW_UP_ON_AZURE;
  if (followUps.has(FOLLOW_UP_ON_PEOPLE)) return FOLLOW_UP_ON_PEOPLE;
  return undefined;
}

function emptyPlan(observed: ObservedVault, policy: PlanPolicy, status: ChecklistStatus, detail: string, findings: Finding[], followUpAfter: string | undefined, memory?: VaultMemory): VaultPlan {
  const entries: ChecklistEntries = {};
  for (const item of buildChecklist({})) entries[item.key] = { status, detail };
  const sorted = sortFindings(findings);
  // Nothing else to say about a vault that is not there (or not read): health follows the rest, unless an error stands.
  const health = healthOf(sorted);
  entries.health = health.status === 'failed' ? health : { status, detail };
  return { vaultId: observed.vaultId, mode: policy.mode, actions: [], findings: sorted, checklist: buildChecklist(entries), requeue: false, followUpAfter, ...(memory === undefined ? {} : { memory }) };
}

/** The `health` item: failed while an `error` finding stands (a person must act), ok otherwise. */
function healthOf(findings: readonly Finding[]): { status: ChecklistStatus; detail: string } {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const codes = [...new Set(errors.map((f) => f.code))];
    return { status: 'failed', detail: `${errors.length} error finding(s) a person must act on: ${list(codes)}` };
  }
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return { status: 'ok', detail: warnings > 0 ? `no error finding (${warnings} warning(s))` : 'no error finding' };
}

/** The memory after this observation: the connections and the identity's principal seen now join the history. */
function rememberObservation(observed: ObservedVault, vault: Vault): VaultMemory {
  const memory = observed.memory ?? EMPTY_MEMORY;
  const seen = new Map(memory.connections.privateEndpointIds.map((id) => [keyOf(id), id]));
  for (const c of vault.connections) {
    const p = tryParseResourceId(c.privateEndpointId);
    if (p !== undefined && !seen.has(p.key)) seen.set(p.key, p.id);
  }
  const ids = [...seen.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, id]) => id);
  const firstSeenAt = memory.connections.firstSeenAt ?? (vault.connections.length > 0 ? observed.observedAt : undefined);
  // The identity's principal: the evidence, later, that an identity now off was on (checkIdentity)
  // and that a new principal replaced it (planIdentityChange). Only a new one is appended.
  let principalsSeen = memory.principalsSeen ?? [];
  const principalId = hasSystemAssignedIdentity(vault.identity) ? vault.identity.principalId?.trim() : undefined;
  const lastSeen = principalsSeen.at(-1)?.principalId;
  if (principalId && (lastSeen === undefined || !armEquals(lastSeen, principalId))) {
    principalsSeen = [...principalsSeen, { principalId, firstSeenAt: observed.observedAt }].slice(-MAX_PRINCIPALS_SEEN);
  }
  // Refusals are carried on by ungrantableScopes() only while they still matter; refused links
  // for LINK_CONFLICT_RETRY_MS, after which the link is tried again (the conflict may be gone).
  const linkConflicts = (memory.linkConflicts ?? []).filter((c) => linkConflictStands(c, observed.observedAt));
  return { ...memory, connections: { firstSeenAt, privateEndpointIds: ids }, grantRefusals: [], linkConflicts, principalsSeen };
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
 * | not eligible (below)                                  | none    | `eligible: failed` (+ vault-not-eligible)    |
 *
 * Eligibility, with memory (findings.ts `checkEligibility`). Evidence that the vault has or had a
 * private endpoint: a connection now, one in vaultlink's connection history (the orchestration's
 * memory), or `privateEndpointStateForBackup: Enabled`.
 *
 * | evidence of a private endpoint | Backup's jobs (ConfigureBackup, Register, Backup)  | counts      | eligible                      |
 * |--------------------------------|-----------------------------------------------------|-------------|-------------------------------|
 * | yes                            | any                                                 | any         | yes, forever (FAQ 3)          |
 * | no                             | any attempt, failed or succeeded                    | any         | no (FAQ 2: "any attempts")    |
 * | no                             | none (or not read)                                  | items > 0   | no (FAQ 1)                    |
 * | no                             | none                                                | none        | yes                           |
 *
 * Azure refuses an endpoint to a vault that had an attempt, so an attempt "before the first
 * connection" is one made while no connection was ever seen.
 *
 * Steps of an eligible vault (`v2` vaults skip identity, roles, secondaries):
 *
 * | step          | condition                                             | action / checklist                                  |
 * |---------------|-------------------------------------------------------|-----------------------------------------------------|
 * | identity (v1) | system-assigned on, principal known                   | ok                                                   |
 * |               | off, policy.identity.enableSystemAssigned             | enable-identity; pending; requeue; roles and        |
 * |               |                                                       | approvals planned against PLACEHOLDER_PRINCIPAL,    |
 * |               |                                                       | `followsFrom` the identity step (shown, not written)|
 * |               | off, not allowed                                      | failed: a person turns it on                         |
 * |               | off and never seen on (a new vault)                   | no finding: turning it on is a step (pending)        |
 * |               | in another tenant than the subscription (tenant-moved)| failed; no grant, no approval (held back, failed)   |
 * |               | off, but seen on before (a principal in memory, or    | identity-disabled (error); the grants wait for the  |
 * |               |   vaultlink's marked grants for a principal)          |   new principal (revoked in the pass that sees it)   |
 * |               | vaultlink's marked grants, or the principal memory    | identity-changed (error, identity.changeFindingDays)|
 * |               |   saw last, belong to another principal               | + revoke-role for each; others' grants untouched     |
 * | roles (v1)    | profile on VNet(s), PE RGs, zone RG of active PEs     | grant-role per missing assignment (marker in its    |
 * |               |                                                       | description); else ok                               |
 * |               | scope outside scope.subscriptions (and the DNS sub)   | no grant; its endpoint not approved; failed         |
 * | approval      | Pending + an allowlist rule matches                   | approve-connection ("Approved by vaultlink rule 'x'")|
 * |               | … classic, its roles cannot be granted (outside scope,| not approved: roles-not-grantable (error) naming    |
 * |               |   or Azure refused vaultlink's grant: memory)         | endpoint, group, right; other endpoints go on       |
 * |               | … but the identity is off and may not be turned on    | held back: pending (the seed's order)                |
 * |               | Pending, no rule, unmatched = reject                  | reject-connection                                    |
 * |               | Pending, no rule, unmatched = leave-pending           | pending with every rule's reasons; PT1H              |
 * |               | Approved / Rejected / Disconnected                    | left as they are                                     |
 * | dns-*         | shared/plan DNS steps (zones, links, records)         | ensure-zone, ensure-link, upsert-/delete-record      |
 * | secondaries   | `_ecs` blob/queue or `_prot` blob PE not there yet    | pending (first registration / backup); PT5M          |
 * | health        | an `error` finding stands                             | failed (the vault is not converged); else ok         |
 *
 * Active PEs are primaries whose connection is Approved or approved by this plan: only they get
 * roles, links and records (a stranger's pending PE never earns the vault identity a role on its
 * resource group, nor a link to the zones). A read that failed blocks the writes under the
 * resource it read (read-errors.ts), and what needs them; their checklist item turns `pending`.
 *
 * The graph (each action's `needs`): grant-role → enable-identity (when planned); an endpoint's
 * approve-connection → the grants on ITS resource groups and VNet; upsert-record → its endpoint's
 * approval and its zone's ensure-zone; ensure-link → its zone's ensure-zone; nothing else, and
 * never another endpoint's actions. Actions are listed in KIND_ORDER, then by key: an order
 * consistent with the graph. `policy.mode` is carried, never consulted: audit and enforce plan alike.
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

  const memory = rememberObservation(observed, vault);
  const subnets = observed.privateEndpoints.map((p) => p.subnet).filter((s): s is Subnet => s !== undefined);
  const uniqueSubnets = [...new Map(subnets.map((s) => [keyOf(s.id), s])).values()];
  const preflight = preflightFindings({
    vault,
    privateEndpoints: observed.privateEndpoints.map((p) => p.endpoint),
    subnets: uniqueSubnets,
    subscriptionTenantId: tenantOfSubscription(observed, vault.subscriptionId),
    geoCodeOverrides: policy.geoCodes,
    eligibility: { jobs: observed.backupJobs, everConnected: observed.memory?.connections.privateEndpointIds },
    identity: {
      principalsSeen: (observed.memory?.principalsSeen ?? []).map((p) => p.principalId),
      markedPrincipals: (observed.staleRoleAssignments ?? []).filter((a) => markedVaultOf(a.description, policy.ownerId) !== undefined).map((a) => a.principalId),
    },
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
      memory,
    );
  }
  const ineligible = preflight.filter((f) => f.code === 'vault-not-eligible');
  if (ineligible.length > 0) {
    const plan = emptyPlan(observed, policy, 'not-applicable', 'the vault is not eligible for private endpoints: vaultlink leaves it alone', [...preflight, ...readFindings], undefined, memory);
    const why = ineligible.map((f) => f.message).join('; ');
    return { ...plan, checklist: plan.checklist.map((i) => (i.key === 'eligible' ? { ...i, status: 'failed', detail: why } : i)) };
  }

  const draft = new Draft();
  draft.memory = memory;
  draft.findings.push(...preflight, ...readFindings);
  draft.set('eligible', 'ok', eligibleDetail(vault, memory));

  const classic = vault.experience === 'classic';
  // The seed's order: identity, then roles, then approval. While a classic vault's identity is
  // off, the roles and approvals are planned against a placeholder principal and marked as
  // following from the identity step: the plan shows all of it (audit), and the pass after the
  // identity is on writes it with the real principal id.
  // A vault whose identity belongs to another tenant than its subscription (tenant-moved): a grant
  // to that principal cannot work, and an approval would break Backup for the vault. Nothing is
  // granted or approved until a person gives it a new identity (the seed's remediation).
  const moved = classic ? preflight.find((f) => f.code === 'tenant-moved') : undefined;
  const identity = !classic ? undefined : moved === undefined ? planIdentity(draft, vault, policy) : holdIdentity(draft, vault);
  const refusals = classic ? ungrantableScopes(draft, observed, vault, policy) : new Map<string, Refusal>();
  const heldBack = moved === undefined ? undefined : 'the vault moved tenants, its identity belongs to the old one (finding tenant-moved)';
  const decisions = planApprovals(draft, observed, vault, policy, classic && identity?.principalId === undefined && identity?.placeholder !== true, refusals, heldBack);
  const primaries = primariesOf(observed, vault, decisions);
  for (const p of primaries) {
    draft.primaryOf.set(keyOf(p.observed.endpoint.id), keyOf(p.observed.endpoint.id));
    for (const s of p.secondaries) draft.primaryOf.set(keyOf(s.observed.endpoint.id), keyOf(p.observed.endpoint.id));
  }

  if (classic) {
    // The change first: the grants for a new identity record it in their marker.
    planIdentityChange(draft, observed, vault, policy, identity?.principalId);
    if (moved === undefined) planRoles(draft, vault, policy, primaries, identity, observed.roleAssignments, refusals, observed.observedAt);
    else draft.set('roles', 'failed', `no role is granted to an identity of another tenant (${vault.identity.tenantId ?? 'unknown'}): see finding tenant-moved`);
  } else {
    const na = 'v2 vault: Azure Backup needs no vault identity here';
    draft.set('identity', 'not-applicable', na);
    draft.set('roles', 'not-applicable', 'v2 vault: no role assignments needed');
    draft.set('secondary-records', 'not-applicable', 'v2 vault: Azure Backup creates no _ecs/_prot private endpoints');
  }

  planDns(draft, observed, vault, policy, options, primaries);

  return finish(draft, observed, policy);
}

function eligibleDetail(vault: Vault, memory: VaultMemory): string {
  if (vault.connections.length > 0) return `the vault has private endpoint connections (first seen by vaultlink ${memory.connections.firstSeenAt ?? 'now'}): it stays eligible`;
  if (memory.connections.privateEndpointIds.length > 0) {
    return `no connection now, but the vault had private endpoints (${memory.connections.privateEndpointIds.length} seen by vaultlink since ${memory.connections.firstSeenAt ?? 'an earlier pass'}): endpoints may be added again`;
  }
  if (vault.privateEndpointStateForBackup === 'Enabled') return 'no connection now, but Azure reports privateEndpointStateForBackup Enabled: endpoints may be added again';
  return 'no item was protected or registered, and Backup records no attempt: private endpoints can be created';
}

// ---------------------------------------------------------------------------------------------
// Approval

interface Decision {
  readonly connection: VaultConnection;
  readonly standing: ConnectionStanding;
}

function planApprovals(
  draft: Draft,
  observed: ObservedVault,
  vault: Vault,
  policy: PlanPolicy,
  waitForIdentity: boolean,
  refusals: ReadonlyMap<string, Refusal>,
  /** Why no connection of this vault may be approved now (a person must act first), if so. */
  heldBack?: string,
): Decision[] {
  const decisions: Decision[] = [];
  // Matched, but nothing of this vault may be approved now (heldBack).
  const held: string[] = [];
  // Matched, but the vault identity cannot get its roles on the endpoint's resource groups: never approved.
  const ungrantable: string[] = [];
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
    const refused = decision.decision === 'approve' && vault.experience === 'classic' ? refusalFor(observed, policy, connection.privateEndpointId, refusals) : undefined;
    if (decision.decision === 'approve' && heldBack !== undefined) {
      held.push(`${peName} (rule '${decision.rule.name}')`);
      decisions.push({ connection, standing: 'pending' });
    } else if (refused !== undefined) {
      // Approving would make Backup's registration fail for the whole vault (its identity could not
      // create the endpoint's _ecs/_prot endpoints): the endpoint waits, the others go on.
      draft.find(
        'roles-not-grantable',
        'error',
        connection.privateEndpointId,
        `private endpoint ${peName} is not approved: the identity of vault ${vault.name} needs ${refused.roleName} on ${describeScope(refused.scope)}, and ${refused.reason}; ` +
          `give vaultlink ${ROLE_ASSIGNMENT_WRITE} there (or grant the role yourself), and vaultlink approves it on its next pass`,
      );
      ungrantable.push(`${peName}: ${refused.roleName} on ${describeScope(refused.scope)} cannot be granted`);
      decisions.push({ connection, standing: 'pending' });
    } else if (decision.decision === 'approve' && waitForIdentity) {
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
      draft.approvalOf.set(key('approve-connection'), keyOf(connection.privateEndpointId));
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
  if (held.length > 0) draft.set('approval', 'failed', `not approving ${list(held)}: ${heldBack ?? ''}`);
  if (ungrantable.length > 0) draft.set('approval', 'failed', `not approving ${list(ungrantable)} (finding roles-not-grantable: a person gives vaultlink the right)`);
  if (waiting.length > 0) {
    draft.set('approval', 'pending', waiting.join('; '));
    draft.followUps.add(FOLLOW_UP_ON_PEOPLE);
  }
  if (vault.connections.length === 0) draft.set('approval', 'ok', 'no private endpoint connection to decide yet');
  else if (approving.length + rejecting.length + waiting.length + deferred.length + ungrantable.length + held.length === 0) {
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

/** Where a classic vault's identity stands for the steps that need it. */
interface IdentityStanding {
  /** The principal id the roles go to, when Azure reports one. */
  readonly principalId: string | undefined;
  /** True when this plan turns the identity on: roles and approvals then follow from that step. */
  readonly placeholder: boolean;
  /** Key of the enable-identity action, when planned. */
  readonly enableKey: string | undefined;
}

/** The identity of a vault that moved tenants: left as it is (a person re-creates it in the new tenant). */
function holdIdentity(draft: Draft, vault: Vault): IdentityStanding {
  draft.set('identity', 'failed', `the system-assigned identity belongs to tenant ${vault.identity.tenantId ?? 'unknown'}, not the subscription's: see finding tenant-moved`);
  return { principalId: undefined, placeholder: false, enableKey: undefined };
}

function planIdentity(draft: Draft, vault: Vault, policy: PlanPolicy): IdentityStanding {
  const on = hasSystemAssignedIdentity(vault.identity);
  const principalId = vault.identity.principalId?.trim();
  if (on && principalId) {
    draft.set('identity', 'ok', `system-assigned identity on (principal ${principalId})`);
    return { principalId, placeholder: false, enableKey: undefined };
  }
  if (on) {
    draft.set('identity', 'pending', 'system-assigned identity is on but Azure reports no principal id yet');
    draft.followUps.add(FOLLOW_UP_ON_AZURE);
    return { principalId: undefined, placeholder: false, enableKey: undefined };
  }
  if (!policy.identity.enableSystemAssigned) {
    draft.set(
      'identity',
      'failed',
      `the system-assigned identity is off (type ${vault.identity.type}) and the policy does not let vaultlink turn it on (identity.enableSystemAssigned is false): turn it on; Azure Backup needs it to create its own private endpoints`,
    );
    return { principalId: undefined, placeholder: false, enableKey: undefined };
  }
  const vaultId = normalizeResourceId(vault.id);
  const enableKey = `enable-identity:${vaultId}`;
  draft.add(
    {
      kind: 'enable-identity',
      key: enableKey,
      summary: `Turn on the system-assigned identity of classic vault ${vault.name} (now ${vault.identity.type}): Azure Backup creates its own private endpoints with it`,
      vaultId,
    },
    'identity',
  );
  draft.set('identity', 'pending', 'turning on the system-assigned identity (it is never turned off again)');
  // The roles need the principal id that Azure only hands out once the identity is on.
  draft.requeue = true;
  return { principalId: undefined, placeholder: true, enableKey };
}

/** The right vaultlink needs to grant the vault identity its roles. */
const ROLE_ASSIGNMENT_WRITE = 'Microsoft.Authorization/roleAssignments/write';

/** Why a scope's role cannot be granted (policy scope, or Azure refused vaultlink's grant). */
interface Refusal {
  readonly scope: string;
  readonly roleName: string;
  readonly reason: string;
}

/** The role assignments the profile wants for one endpoint (scopes and roles; the principal does not matter here). */
function endpointGrants(policy: PlanPolicy, pe: ObservedPrivateEndpoint): DesiredRoleAssignment[] {
  const vnet = vnetOf(pe);
  try {
    return requiredRoleAssignments({
      vnetIds: vnet === undefined ? [] : [vnet],
      peResourceGroupIds: [resourceGroupResourceId(pe.endpoint.subscriptionId, pe.endpoint.resourceGroup)],
      dnsZoneResourceGroupIds: [],
      principalId: PLACEHOLDER_PRINCIPAL,
      profile: policy.roles.profile,
      customRoleDefinitionIds: policy.roles.customRoleDefinitionIds,
    });
  } catch {
    return [];
  }
}

/**
 * Scopes (by key) where vaultlink may not or could not grant: outside the subscriptions it
 * manages (and not the DNS zones' subscription, which infra grants it), or refused by Azure in an
 * earlier pass (remembered) while the role is still not held.
 */
function ungrantableScopes(draft: Draft, observed: ObservedVault, vault: Vault, policy: PlanPolicy): Map<string, Refusal> {
  const refusals = new Map<string, Refusal>();
  const managed = policy.scope === undefined ? undefined : new Set(policy.scope.subscriptions.map((x) => armCaseKey(x)));
  const dnsSub = policy.dns.placement === 'custom' ? undefined : (policy.dns.central === undefined ? undefined : armCaseKey(policy.dns.central.subscriptionId));
  const held = (scope: string, guid: string) =>
    observed.roleAssignments.some((a) => tryParseResourceId(a.scope)?.key === tryParseResourceId(scope)?.key && armEquals(a.roleDefinitionGuid, guid));
  for (const pe of observed.privateEndpoints) {
    if (pe.classification.kind !== 'backup-primary' || !sameResourceId(pe.classification.vaultId, vault.id)) continue;
    for (const g of endpointGrants(policy, pe)) {
      const p = tryParseResourceId(g.scope);
      if (p === undefined || held(g.scope, g.roleDefinitionGuid)) continue;
      const sub = p.subscriptionId === undefined ? undefined : armCaseKey(p.subscriptionId);
      if (managed !== undefined && sub !== undefined && !managed.has(sub) && sub !== dnsSub) {
        refusals.set(p.key, { scope: p.id, roleName: g.roleName, reason: `subscription ${p.subscriptionId} is outside what vaultlink may grant in (scope.subscriptions)` });
      }
    }
  }
  for (const r of observed.memory?.grantRefusals ?? []) {
    const p = tryParseResourceId(r.scope);
    if (p === undefined || refusals.has(p.key) || held(r.scope, r.roleDefinitionGuid)) continue;
    refusals.set(p.key, { scope: p.id, roleName: r.roleName, reason: `Azure refused vaultlink's grant at ${r.at} (${r.code}: vaultlink lacks ${ROLE_ASSIGNMENT_WRITE} there)` });
    draft.memory = { ...draft.memory, grantRefusals: [...(draft.memory.grantRefusals ?? []).filter((x) => !sameResourceId(x.scope, r.scope)), r] };
  }
  return refusals;
}

/** The first refusal among the scopes an endpoint's roles go on. */
function refusalFor(observed: ObservedVault, policy: PlanPolicy, privateEndpointId: string, refusals: ReadonlyMap<string, Refusal>): Refusal | undefined {
  if (refusals.size === 0) return undefined;
  const pe = observed.privateEndpoints.find((p) => sameResourceId(p.endpoint.id, privateEndpointId));
  if (pe === undefined) return undefined;
  for (const g of endpointGrants(policy, pe)) {
    const r = refusals.get(keyOf(g.scope));
    if (r !== undefined) return r;
  }
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
  identity: IdentityStanding | undefined,
  existing: readonly RoleAssignment[],
  refusals: ReadonlyMap<string, Refusal>,
  observedAt: string,
): void {
  const placeholder = identity?.placeholder === true;
  const principalId = identity?.principalId ?? (placeholder ? PLACEHOLDER_PRINCIPAL : undefined);
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
  // Which endpoint's approval needs which scope: its own resource groups and VNet, never another's.
  for (const p of active) draft.endpointScopes.set(keyOf(p.observed.endpoint.id), new Set(endpointGrants(policy, p.observed).map((g) => keyOf(g.scope))));
  const missing = placeholder ? desired : missingRoleAssignments(desired, existing);
  const notAllowed = missing.filter((d) => refusals.get(keyOf(d.scope))?.reason.includes('scope.subscriptions') === true);
  const change = principalId === PLACEHOLDER_PRINCIPAL ? undefined : draft.memory.identityChanges.filter((c) => armEquals(c.toPrincipalId, principalId)).at(-1);
  const description = roleAssignmentMarker(policy.ownerId, vault.id, change === undefined ? undefined : { fromPrincipalId: change.fromPrincipalId, detectedAt: change.detectedAt });
  for (const d of missing) {
    if (notAllowed.includes(d)) continue;
    draft.add(
      {
        kind: 'grant-role',
        key: `grant-role:${d.scope}|${d.roleDefinitionGuid}`,
        summary: `Grant ${d.roleName} on ${describeScope(d.scope)} to the identity of vault ${vault.name}${placeholder ? ' (its principal id exists once the identity is on)' : ''}`,
        scope: d.scope,
        roleDefinitionGuid: d.roleDefinitionGuid,
        roleName: d.roleName,
        principalId: d.principalId,
        name: placeholder ? '' : d.name,
        description,
        ...(placeholder && identity?.enableKey !== undefined ? { followsFrom: identity.enableKey } : {}),
      },
      'roles',
    );
  }
  const held = desired.length - missing.length;
  if (notAllowed.length > 0) draft.set('roles', 'failed', `vaultlink may not grant ${list(notAllowed.map((d) => `${d.roleName} on ${describeScope(d.scope)}`))} (outside scope.subscriptions)`);
  // Azure applies new roles after a delay, and Backup acts as the vault identity: say when it can.
  const effectiveAfter = placeholder ? undefined : rolesEffectiveAfter(existing.filter((e) => desired.some((d) => grantsRoleAssignment(e, d))), missing.length > 0, observedAt);
  if (effectiveAfter !== undefined) {
    draft.findings.push({
      code: 'role-propagation',
      severity: 'info',
      resourceId: vault.id,
      message: `the roles of vault ${vault.name}'s identity take effect in Azure only by ${effectiveAfter} (up to 10 minutes after a grant): until then Azure Backup cannot create its own private endpoints as the vault identity, so a VM registration or first backup fails with AuthorizationFailed; register VMs after that time, or retry a failed registration then`,
    });
  }
  if (placeholder) draft.set('roles', 'pending', `granting ${list(missing.map((d) => `${d.roleName} on ${describeScope(d.scope)}`))} once the identity is on`);
  else if (missing.length === 0) draft.set('roles', 'ok', `the identity holds all ${desired.length} role assignment(s) of the profile`);
  else draft.set('roles', 'pending', `granting ${list(missing.map((d) => `${d.roleName} on ${describeScope(d.scope)}`))} (${held} of ${desired.length} held)`);
}

/**
 * Identity changes: role assignments vaultlink made (its marker names this vault) for another
 * principal than the vault's identity now has, or another principal last seen in vaultlink's
 * memory, mean the identity was turned off and on again, which the seed forbids. Reported as an `error` for `identity.changeFindingDays`; vaultlink's own
 * grants to the old principal are revoked (never anyone else's: only marked ones are observed).
 */
function planIdentityChange(draft: Draft, observed: ObservedVault, vault: Vault, policy: PlanPolicy, principalId: string | undefined): void {
  const stale = observed.staleRoleAssignments ?? [];
  let changes: readonly IdentityChange[] = draft.memory.identityChanges;
  if (principalId !== undefined) {
    // Changes recorded in the markers of vaultlink's grants to the current identity (Azure's own memory of them).
    for (const a of observed.roleAssignments) {
      const marked = markedVaultOf(a.description, policy.ownerId) === undefined ? undefined : markedIdentityChangeOf(a.description);
      if (marked === undefined || changes.some((c) => armCaseKey(c.fromPrincipalId) === marked.fromPrincipalId && armEquals(c.toPrincipalId, principalId))) continue;
      changes = [...changes, { fromPrincipalId: marked.fromPrincipalId, toPrincipalId: principalId, detectedAt: marked.detectedAt }];
    }
    const from = [...new Set(stale.filter((a) => !armEquals(a.principalId, principalId)).map((a) => armCaseKey(a.principalId)))].sort(byCodePoint);
    // vaultlink's own memory of the principal it saw last: a change shows even where it granted nothing.
    const last = observed.memory?.principalsSeen?.at(-1)?.principalId;
    if (last !== undefined && !armEquals(last, principalId) && !from.includes(armCaseKey(last))) from.push(armCaseKey(last));
    for (const f of from) {
      if (changes.some((c) => armCaseKey(c.fromPrincipalId) === f && armEquals(c.toPrincipalId, principalId))) continue;
      changes = [...changes, { fromPrincipalId: f, toPrincipalId: principalId, detectedAt: observed.observedAt }];
    }
  }
  const days = policy.identity.changeFindingDays ?? DEFAULT_IDENTITY_CHANGE_FINDING_DAYS;
  const now = Date.parse(observed.observedAt);
  // Reported while young enough; remembered as long as reported.
  changes = changes.filter((c) => Number.isNaN(now) || now - Date.parse(c.detectedAt) < days * 86_400_000);
  draft.memory = { ...draft.memory, identityChanges: changes };
  for (const c of changes) {
    draft.find(
      'identity-changed',
      'error',
      vault.id,
      `the system-assigned identity of vault ${vault.name} changed from principal ${c.fromPrincipalId} to ${c.toPrincipalId} (detected ${c.detectedAt}): it was turned off and on again. ` +
        `The seed: "${IDENTITY_WARNING}" Remediation: re-register the vault's servers and containers with Azure Backup; if backups still fail, delete and re-create the vault's private endpoints. ` +
        `vaultlink grants the new identity its roles and revokes those it made for the old one. This finding stays ${days} day(s) (identity.changeFindingDays).`,
    );
  }
  if (changes.length > 0) draft.set('identity', 'failed', `the identity was turned off and on again (principal ${list(changes.map((c) => c.fromPrincipalId))} → ${changes[changes.length - 1]?.toPrincipalId}): see finding identity-changed`);
  // Revoked only once the identity is on again: while it is off, these grants are the evidence of
  // the breach (checkIdentity), and the pass that sees the new principal records the change.
  if (principalId === undefined) return;
  for (const a of stale) {
    if (armEquals(a.principalId, principalId)) continue;
    if (markedVaultOf(a.description, policy.ownerId) === undefined) continue;
    draft.add(
      {
        kind: 'revoke-role',
        key: `revoke-role:${normalizeResourceId(a.id)}`,
        summary: `Revoke ${roleNameOf(a.roleDefinitionGuid)} on ${describeScope(a.scope)} that vaultlink granted to principal ${a.principalId}, an identity vault ${vault.name} no longer has`,
        assignmentId: a.id,
        scope: a.scope,
        principalId: a.principalId,
        roleDefinitionGuid: a.roleDefinitionGuid,
      },
      'roles',
    );
  }
}

function roleNameOf(guid: string): string {
  const known: Record<string, string> = Object.fromEntries(Object.entries(BUILT_IN_ROLE_GUIDS).map(([name, g]) => [armCaseKey(String(g)), name]));
  return known[armCaseKey(guid)] ?? `role ${guid}`;
}

function describeScope(scope: string): string {
  const p = tryParseResourceId(scope);
  if (p === undefined) return scope;
  if (p.segments.length === 0 && p.resourceGroup !== undefined) return `resource group ${p.resourceGroup}`;
  return `${p.type.split('/').pop() ?? p.type} ${p.name}`;
}

// ---------------------------------------------------------------------------------------------
// Blocking, stages, checklist

/** The keys each drafted action needs (the dependency graph), among the drafted actions. */
function linkActions(draft: Draft): Map<string, string[]> {
  const keys = new Set(draft.actions.map((a) => a.action.key));
  const approvalOfEndpoint = new Map<string, string>();
  for (const [approvalKey, pe] of draft.approvalOf) if (keys.has(approvalKey)) approvalOfEndpoint.set(pe, approvalKey);
  const enable = draft.actions.find((a) => a.action.kind === 'enable-identity')?.action.key;
  const grants = draft.actions.map((a) => a.action).filter((a): a is Extract<DraftAction, { kind: 'grant-role' }> => a.kind === 'grant-role');
  const zoneKey = (zoneId: string) => {
    const k = `ensure-zone:${normalizeResourceId(zoneId)}`;
    return keys.has(k) ? [k] : [];
  };
  const needs = new Map<string, string[]>();
  for (const { action } of draft.actions) {
    let n: string[] = [];
    switch (action.kind) {
      case 'grant-role':
        n = enable === undefined ? [] : [enable];
        break;
      case 'approve-connection': {
        // The identity's roles on THIS endpoint's resource groups and VNet; never another endpoint's.
        const scopes = draft.endpointScopes.get(draft.approvalOf.get(action.key) ?? '') ?? new Set<string>();
        n = grants.filter((g) => scopes.has(keyOf(g.scope))).map((g) => g.key);
        if (n.length === 0 && enable !== undefined) n = [enable];
        break;
      }
      case 'upsert-record': {
        const primary = draft.primaryOf.get(keyOf(action.sourcePrivateEndpointId));
        const approval = primary === undefined ? undefined : approvalOfEndpoint.get(primary);
        n = [...(approval === undefined ? [] : [approval]), ...zoneKey(action.zoneId)];
        break;
      }
      case 'ensure-link':
        n = zoneKey(action.zoneId);
        break;
      default:
        n = [];
    }
    needs.set(action.key, [...new Set(n)].sort(byCodePoint));
  }
  return needs;
}

function finish(draft: Draft, observed: ObservedVault, policy: PlanPolicy): VaultPlan {
  const needs = linkActions(draft);
  const dropped = new Map<string, string>();
  for (const { action, item } of draft.actions) {
    const blocker = readErrorBlocking(action as PlannedAction, observed.readErrors);
    if (blocker === undefined) continue;
    dropped.set(action.key, action.key);
    draft.set(item, 'pending', `not planned: ${action.summary} — waiting for ${blocker.operation} on ${blocker.resourceId} to read (${blocker.code})`);
    draft.followUps.add(FOLLOW_UP_ON_AZURE);
  }
  // What needs a dropped action is dropped too: it would be written without what it needs.
  for (let changed = dropped.size > 0; changed; ) {
    changed = false;
    for (const { action, item } of draft.actions) {
      if (dropped.has(action.key)) continue;
      const missing = (needs.get(action.key) ?? []).find((k) => dropped.has(k));
      if (missing === undefined) continue;
      dropped.set(action.key, missing);
      draft.set(item, 'pending', `not planned: ${action.summary} — it needs ${missing}, which waits for a read`);
      changed = true;
    }
  }
  const rank = (kind: ActionKind) => KIND_ORDER.indexOf(kind);
  // KIND_ORDER agrees with every edge of the graph, so this order lists each action after what it needs.
  const ordered = draft.actions
    .map((a) => a.action)
    .filter((a) => !dropped.has(a.key))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || byCodePoint(a.key, b.key));
  const followsFrom = new Map<string, string>();
  const actions: PlannedAction[] = ordered.map((a) => {
    const n = needs.get(a.key) ?? [];
    const from = a.followsFrom ?? n.map((k) => followsFrom.get(k)).find((k) => k !== undefined);
    if (from !== undefined) followsFrom.set(a.key, from);
    return { ...a, needs: n, ...(from === undefined ? {} : { followsFrom: from }) } as PlannedAction;
  });
  // A requeue only makes sense when the identity is actually being turned on.
  const requeue = draft.requeue && actions.some((a) => a.kind === 'enable-identity');

  const findings = sortFindings(draft.findings);
  const entries: ChecklistEntries = {};
  for (const [key, item] of draft.items) entries[key] = { status: item.status, detail: detailOf(item) };
  entries.health = healthOf(findings);

  return {
    vaultId: observed.vaultId,
    mode: policy.mode,
    actions,
    findings,
    checklist: buildChecklist(entries),
    requeue,
    followUpAfter: earliestFollowUp(draft.followUps),
    memory: draft.memory,
  };
}

/** The item's details, the ones that explain its status first. */
function detailOf(item: Item): string {
  const ordered = [...item.details].sort((a, b) => RANK[b.status] - RANK[a.status]);
  return [...new Set(ordered.map((d) => d.text))].join('; ');
}


