/**
 * The contract between observe, plan and apply (DESIGN.md, "Architecture").
 *
 *   observe (shared/reconcile, reads only)  →  ObservedVault
 *   plan    (shared/plan, pure)             →  VaultPlan: a dependency graph of PlannedActions + findings + checklist
 *   apply   (shared/reconcile, one action)  →  ActionOutcome
 *
 * Everything here is plain JSON: the Durable orchestration ships it between activities and keeps
 * it in history, and the CLI prints it. The planner never sees an SDK type.
 */
import type {
  ApprovalPolicy,
  ARecordSet,
  AzureCloud,
  Checklist,
  DnsPolicy,
  DnsZone,
  Finding,
  GeoCodeOverrides,
  PrivateEndpoint,
  PrivateEndpointClass,
  RoleAssignment,
  RolesPolicy,
  Subnet,
  Vault,
  VirtualNetworkLink,
  ZoneKind,
} from '../domain';

/** `audit` plans and reports only; `enforce` applies. */
export type Mode = 'audit' | 'enforce';

/**
 * The parts of the policy file the planner reads. shared/config's `Policy` (the zod output) is
 * assignable to it; the planner takes this narrower shape so that it stays free of zod.
 */
export interface PlanPolicy {
  readonly mode: Mode;
  readonly ownerId: string;
  readonly identity: {
    readonly enableSystemAssigned: boolean;
    /** Days an identity change stays an `error` finding (default 30). */
    readonly changeFindingDays?: number | undefined;
  };
  /** The subscriptions vaultlink manages: it may grant roles there (and in the DNS zones' subscription), nowhere else. Absent: anywhere. */
  readonly scope?: { readonly subscriptions: readonly string[] } | undefined;
  readonly roles: RolesPolicy;
  readonly approval: ApprovalPolicy;
  readonly dns: DnsPolicy;
  readonly geoCodes?: GeoCodeOverrides | undefined;
}

/** Settings the planner needs besides the policy. */
export interface PlanOptions {
  readonly cloud: AzureCloud;
}

// ---------------------------------------------------------------------------------------------
// Observed state

/** A private endpoint of the vault with what the planner needs around it. */
export interface ObservedPrivateEndpoint {
  readonly endpoint: PrivateEndpoint;
  /** `backup-primary` for the vault's own PEs, `backup-secondary` for the classic `_ecs`/`_prot` ones. */
  readonly classification: PrivateEndpointClass;
  /** The PE's subnet; undefined when it could not be read (see `readErrors`). */
  readonly subnet: Subnet | undefined;
}

/** One of the three zones where the policy places the vault's records. */
export interface ObservedZone {
  readonly kind: ZoneKind;
  /** Zone name, e.g. `privatelink.uks.backup.windowsazure.com`. */
  readonly name: string;
  /** Where the zone is, or would be created (central placement). */
  readonly resourceId: string;
  /** The zone when it exists. */
  readonly zone: DnsZone | undefined;
  readonly links: readonly VirtualNetworkLink[];
  /** A record sets of the zone that concern the vault's PEs (by name), owned or not. */
  readonly records: readonly ARecordSet[];
}

/** A read that failed: the planner reports it and plans nothing that depends on it. */
export interface ReadError {
  readonly resourceId: string;
  readonly operation: string;
  readonly code: string;
  readonly message: string;
}

/** What observe read about one vault. Reads only; its size does not grow with past events. */
export interface ObservedVault {
  /** The normalised vault id that was observed. */
  readonly vaultId: string;
  /** ISO time of the observation. */
  readonly observedAt: string;
  /** Undefined when the vault does not exist (deleted): nothing to do. */
  readonly vault: Vault | undefined;
  /** Primary PEs that target the vault (across the subscriptions in scope) and their classic secondaries. */
  readonly privateEndpoints: readonly ObservedPrivateEndpoint[];
  /** The three zones (empty when placement is `custom`, or the region's geo code is unknown). */
  readonly zones: readonly ObservedZone[];
  /**
   * Other zones with one of the three names (not where the policy places them), linked to a VNet
   * that must resolve the vault: what that VNet resolves through, wherever it lives. Absent when
   * observe did not look (older observations, placement custom).
   */
  readonly linkedZones?: readonly ObservedZone[] | undefined;
  /** Role assignments of the vault identity on the scopes the role profile concerns. */
  readonly roleAssignments: readonly RoleAssignment[];
  /** Subscription id (lower-case) → tenant id, for the subscriptions that could be read. */
  readonly subscriptionTenants: Readonly<Record<string, string>>;
  /** Subscription id → why its tenant could not be read (a tenant rule then does not match, and says this). */
  readonly subscriptionTenantErrors?: Readonly<Record<string, string>>;
  readonly readErrors: readonly ReadError[];
  /**
   * Backup's protection and registration attempts (configure-protection, registration), from the
   * Backup RP's jobs list: they decide eligibility for a vault that never had a private endpoint.
   * Absent when not read (tests, callers that predate it): eligibility then rests on the counts.
   */
  readonly backupJobs?: readonly BackupAttempt[] | undefined;
  /**
   * Role assignments that carry vaultlink's ownership marker naming this vault but belong to
   * another principal than the vault's current identity: what vaultlink granted to an identity
   * the vault no longer has (the identity was turned off and on again).
   */
  readonly staleRoleAssignments?: readonly RoleAssignment[] | undefined;
  /** What earlier passes saw (persisted by the orchestration across continueAsNew); absent: nothing remembered. */
  readonly memory?: VaultMemory | undefined;
}

/** One protection or registration attempt, as the Backup RP's jobs list shows it. */
export interface BackupAttempt {
  /** `properties.operation`: `ConfigureBackup`, `Register`, `Backup`, … */
  readonly operation: string;
  /** `properties.status`: `Completed`, `Failed`, `InProgress`, `CompletedWithWarnings`, … */
  readonly status: string;
  /** ISO `properties.startTime` (undefined when Azure gave none). */
  readonly startTime: string | undefined;
  /** `properties.entityFriendlyName` (the VM, server or database). */
  readonly entity: string;
}

/**
 * What vaultlink remembers about a vault between passes: the orchestration carries it across
 * continueAsNew, the CLI within one `plan --apply`. The planner returns the updated memory in
 * its plan (it is pure: the memory is input and output, never a hidden state).
 */
export interface VaultMemory {
  /** The vault's connection history as vaultlink saw it. */
  readonly connections: {
    /** ISO time vaultlink first saw the vault with a private endpoint connection (undefined: never). */
    readonly firstSeenAt: string | undefined;
    /** Normalised ids of every private endpoint vaultlink saw connected to the vault. */
    readonly privateEndpointIds: readonly string[];
  };
  /** Identity changes vaultlink detected, newest last; each is reported for `identity.changeFindingDays`. */
  readonly identityChanges: readonly IdentityChange[];
  /**
   * The principals vaultlink saw the vault's system-assigned identity have, oldest first (the last
   * {@link MAX_PRINCIPALS_SEEN}): the evidence that an identity now off was on before, and that a
   * new principal replaced one. Absent in memories persisted before it was kept.
   */
  readonly principalsSeen?: readonly PrincipalSeen[] | undefined;
  /** Grants Azure refused vaultlink (403): the endpoints that need them are not approved until the role is held. */
  readonly grantRefusals?: readonly GrantRefusal[] | undefined;
  /**
   * Links Azure refused (409) because the VNet is already linked to another zone of that name
   * that observe could not see (outside the subscriptions vaultlink reads): planned as a
   * `linked-zone-conflict` finding, not linked again, for {@link LINK_CONFLICT_RETRY_MS}.
   */
  readonly linkConflicts?: readonly LinkConflict[] | undefined;
}

/** How long a refused link (409, a same-named zone vaultlink cannot see) is reported instead of tried again. */
export const LINK_CONFLICT_RETRY_MS = 6 * 60 * 60 * 1000;

export interface LinkConflict {
  readonly vnetId: string;
  /** The zone name (`privatelink.blob.core.windows.net`). */
  readonly zoneName: string;
  /** The central zone vaultlink tried to link. */
  readonly zoneId: string;
  /** The zone the VNet is linked to, when Azure's answer names it. */
  readonly linkedZoneId?: string | undefined;
  /** Azure's answer. */
  readonly message: string;
  /** ISO time of the refused write. */
  readonly at: string;
}

export interface GrantRefusal {
  readonly scope: string;
  readonly roleDefinitionGuid: string;
  readonly roleName: string;
  readonly code: string;
  /** ISO time of the refused write. */
  readonly at: string;
}

export interface PrincipalSeen {
  readonly principalId: string;
  /** ISO time of the observation that first showed it. */
  readonly firstSeenAt: string;
}

/** How many principals of a vault's identity the memory keeps (flips are rare; the memory must not grow without bound). */
export const MAX_PRINCIPALS_SEEN = 5;

export interface IdentityChange {
  readonly fromPrincipalId: string;
  readonly toPrincipalId: string;
  /** ISO time of the observation that found it. */
  readonly detectedAt: string;
}

/** Memory of a vault vaultlink never saw. */
export const EMPTY_MEMORY: VaultMemory = { connections: { firstSeenAt: undefined, privateEndpointIds: [] }, identityChanges: [], grantRefusals: [], principalsSeen: [] };

// ---------------------------------------------------------------------------------------------
// Actions

interface ActionBase {
  /** Stable identity of the action, e.g. `grant-role:<scope>|<role>`: logs, dedupe, outcomes. */
  readonly key: string;
  /** One line for people: what it does and why. */
  readonly summary: string;
  /**
   * Keys of the actions of the same plan this one needs first (the dependency graph): it runs only
   * once each of them is applied or already done, and is skipped when one fails. Never the key of
   * another endpoint's action.
   */
  readonly needs: readonly string[];
  /**
   * Set when the action follows from an earlier step of the plan that Azure must complete before
   * it can be written (the identity's principal id only exists once the identity is on): the key
   * of that step. Such an action is shown, never applied in this pass; the pass after plans it
   * again with what Azure then holds.
   */
  readonly followsFrom?: string | undefined;
}

export interface EnableIdentityAction extends ActionBase {
  readonly kind: 'enable-identity';
  readonly vaultId: string;
}

export interface GrantRoleAction extends ActionBase {
  readonly kind: 'grant-role';
  readonly scope: string;
  readonly roleDefinitionGuid: string;
  readonly roleName: string;
  readonly principalId: string;
  /** Deterministic UUIDv5 assignment name (rbac.ts). */
  readonly name: string;
  /** The assignment's `description`: vaultlink's ownership marker naming the vault (rbac.ts `roleAssignmentMarker`). */
  readonly description: string;
}

/** Removes a role assignment vaultlink made for an identity the vault no longer has. */
export interface RevokeRoleAction extends ActionBase {
  readonly kind: 'revoke-role';
  /** The assignment's id (it carries vaultlink's ownership marker naming the vault). */
  readonly assignmentId: string;
  readonly scope: string;
  readonly principalId: string;
  readonly roleDefinitionGuid: string;
}

export interface DecideConnectionAction extends ActionBase {
  readonly kind: 'approve-connection' | 'reject-connection';
  readonly vaultId: string;
  readonly connectionName: string;
  readonly privateEndpointId: string;
  /** The allowlist rule that matched (approve), or undefined (reject of an unmatched request). */
  readonly rule: string | undefined;
  /** Goes into `privateLinkServiceConnectionState.description`. */
  readonly description: string;
}

export interface EnsureZoneAction extends ActionBase {
  readonly kind: 'ensure-zone';
  readonly zoneId: string;
  readonly zoneName: string;
}

export interface EnsureLinkAction extends ActionBase {
  readonly kind: 'ensure-link';
  readonly zoneId: string;
  readonly vnetId: string;
  /** Deterministic link name. */
  readonly linkName: string;
  /** The vault that first needed the link (ownership registry in the link's tags). */
  readonly vaultId?: string | undefined;
}

export interface UpsertRecordAction extends ActionBase {
  readonly kind: 'upsert-record';
  readonly zoneId: string;
  readonly recordName: string;
  readonly ipv4Addresses: readonly string[];
  readonly ttl: number;
  readonly sourcePrivateEndpointId: string;
  /** The vault and the connection the record serves (ownership registry in its metadata). */
  readonly vaultId?: string | undefined;
  readonly connectionName?: string | undefined;
  /** Undefined: create only (`If-None-Match: *`). Set: update an owned record (`If-Match`). */
  readonly etag: string | undefined;
}

export interface DeleteRecordAction extends ActionBase {
  readonly kind: 'delete-record';
  readonly zoneId: string;
  readonly recordName: string;
  readonly etag: string;
}

export type PlannedAction =
  | EnableIdentityAction
  | GrantRoleAction
  | RevokeRoleAction
  | DecideConnectionAction
  | EnsureZoneAction
  | EnsureLinkAction
  | UpsertRecordAction
  | DeleteRecordAction;

export type ActionKind = PlannedAction['kind'];

/**
 * The plan for one vault: `actions` form a dependency graph through their `needs`, listed in an
 * order consistent with it (every action after the ones it needs). Actions that do not need each
 * other may run concurrently. In `audit` mode the same plan is produced and nothing is applied.
 */
export interface VaultPlan {
  readonly vaultId: string;
  readonly mode: Mode;
  readonly actions: readonly PlannedAction[];
  readonly findings: readonly Finding[];
  /** The checklist as it stands now (before the actions are applied). */
  readonly checklist: Checklist;
  /**
   * True when the plan will need another pass right after this one is applied, because a later
   * step needs what an earlier one makes (the identity's principal id only exists after the
   * identity is enabled).
   */
  readonly requeue: boolean;
  /**
   * When something is `pending` on Azure or on people (secondaries expected after registration,
   * a pending connection nobody has matched yet), how soon a follow-up pass is worth it (ISO
   * 8601 duration), else undefined.
   */
  readonly followUpAfter: string | undefined;
  /** The memory to carry into the next pass (absent from plans of a vault that does not exist). */
  readonly memory?: VaultMemory | undefined;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/** `applied`: the write succeeded; `already-done`: Azure already held it (confirmed by a re-read); `failed`; `skipped` (audit mode, or a dependency failed). */
export type ActionOutcomeStatus = 'applied' | 'already-done' | 'failed' | 'skipped';

export interface ActionOutcome {
  readonly key: string;
  readonly kind: ActionKind;
  readonly status: ActionOutcomeStatus;
  readonly message: string;
  /** For `failed`: the classified cause. `transient` failures are worth retrying. */
  readonly error?: { readonly code: string; readonly message: string; readonly transient: boolean } | undefined;
  /** For `failed`: the keys of the actions skipped because they needed this one. */
  readonly skippedDependents?: readonly string[] | undefined;
  /** A finding the outcome raises for people (a role vaultlink could not grant, and the endpoint it therefore did not approve). */
  readonly finding?: Finding | undefined;
}

/** One whole pass over a vault: what was observed, planned and applied. */
export interface PassReport {
  readonly vaultId: string;
  readonly mode: Mode;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly plan: VaultPlan;
  readonly outcomes: readonly ActionOutcome[];
  /** Every item of the checklist ok or not-applicable AND nothing failed in this pass. */
  readonly converged: boolean;
}
