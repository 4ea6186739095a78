/**
 * The emulated Entra ID directory, as far as ARM's role assignments see it, and the identity
 * timing Azure users live with:
 *
 * - Directory replication. A principal just created (a vault's system-assigned identity turned
 *   on, or a principal a test creates through the control API) is not yet visible to the
 *   Authorization RP for a while. A role assignment write WITHOUT `principalType` then answers 400
 *   `PrincipalNotFound`; WITH `principalType` ARM skips the lookup and succeeds. Once the
 *   principal is visible, a `principalType` that is not its type answers 400
 *   `UnmatchedPrincipalType`. Sources: Azure/azure-cli#11594, Azure/avdaccelerator#99 (the
 *   `PrincipalNotFound` text below), Azure/modern-web-app-pattern-dotnet#129 (the
 *   `UnmatchedPrincipalType` text).
 * - Propagation. A new role assignment becomes effective for authorization only after a delay
 *   (learn.microsoft.com, "Troubleshoot Azure RBAC": up to 10 minutes). See auth.ts.
 *
 * Principals the directory never heard of are the emulator's implicit fixtures (any GUID a test
 * makes up): they count as existing since forever, with the type the request gives
 * (`ServicePrincipal` by default), so tests that do not care about the directory keep working.
 *
 * Time is `Date.now()` plus an offset that tests move forward ({@link IdentityClock.advance})
 * instead of sleeping through realistic delays.
 */
import { armCaseKey } from '../shared/domain/ids';
import { ArmError } from './arm';

export type PrincipalType = 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup' | 'Device';
export const PRINCIPAL_TYPES: readonly PrincipalType[] = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

export interface IdentityTimingOptions {
  /** How long a new principal stays invisible to role assignment writes; default {@link DEFAULT_REPLICATION_DELAY_MS}. */
  readonly replicationDelayMs?: number;
  /** How long a new role assignment takes to become effective; default 0 (unit tests). */
  readonly propagationDelayMs?: number;
}

/**
 * Default replication window: one minute. vaultlink always sends `principalType:
 * ServicePrincipal` (shared/azure/authorization.ts), so it never waits for replication; a test
 * or a change that drops the type meets `PrincipalNotFound` at once, as it would in Azure.
 */
export const DEFAULT_REPLICATION_DELAY_MS = 60_000;

/** What `identity: { … }` gives when asked for Azure-like timing (the latency profile). */
export const REALISTIC_IDENTITY_TIMING: Required<IdentityTimingOptions> = {
  // Entra ID replication is usually seconds to a couple of minutes (the issue threads above).
  replicationDelayMs: 120_000,
  // "Role assignment changes can take up to 10 minutes to take effect" (Troubleshoot Azure RBAC);
  // a few minutes is typical for a new assignment.
  propagationDelayMs: 300_000,
};

/** The emulator's clock for identity timing: real time plus an offset tests can advance. */
export class IdentityClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves time forward (never back): "ten minutes later" without waiting ten minutes. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new ArmError(400, 'InvalidRequestContent', `advance takes a non-negative number of milliseconds, got ${ms}.`);
    this.offsetMs += ms;
  }
}

interface DirectoryEntry {
  readonly principalType: PrincipalType;
  readonly createdAt: number;
}

export type PrincipalLookup =
  /** Not a principal the directory tracks: an implicit fixture. */
  | { readonly state: 'implicit' }
  /** Created less than the replication window ago: ARM cannot see it yet. */
  | { readonly state: 'replicating'; readonly principalType: PrincipalType }
  | { readonly state: 'visible'; readonly principalType: PrincipalType };

export class Directory {
  private readonly entries = new Map<string, DirectoryEntry>();
  replicationDelayMs: number;
  propagationDelayMs: number;

  constructor(
    readonly clock: IdentityClock,
    options: IdentityTimingOptions = {},
  ) {
    this.replicationDelayMs = options.replicationDelayMs ?? DEFAULT_REPLICATION_DELAY_MS;
    this.propagationDelayMs = options.propagationDelayMs ?? 0;
  }

  /** Records a principal created now (idempotent: a known principal keeps its creation time). */
  register(principalId: string, principalType: PrincipalType): void {
    const key = armCaseKey(principalId);
    if (!this.entries.has(key)) this.entries.set(key, { principalType, createdAt: this.clock.now() });
  }

  has(principalId: string): boolean {
    return this.entries.has(armCaseKey(principalId));
  }

  lookup(principalId: string): PrincipalLookup {
    const entry = this.entries.get(armCaseKey(principalId));
    if (!entry) return { state: 'implicit' };
    const visible = this.clock.now() - entry.createdAt >= this.replicationDelayMs;
    return { state: visible ? 'visible' : 'replicating', principalType: entry.principalType };
  }

  settings(): Required<IdentityTimingOptions> {
    return { replicationDelayMs: this.replicationDelayMs, propagationDelayMs: this.propagationDelayMs };
  }

  configure(options: IdentityTimingOptions): Required<IdentityTimingOptions> {
    for (const [k, v] of Object.entries(options)) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new ArmError(400, 'InvalidRequestContent', `${k} must be a non-negative number of milliseconds, got ${JSON.stringify(v)}.`);
    }
    if (options.replicationDelayMs !== undefined) this.replicationDelayMs = options.replicationDelayMs;
    if (options.propagationDelayMs !== undefined) this.propagationDelayMs = options.propagationDelayMs;
    return this.settings();
  }
}

export function isPrincipalType(value: unknown): value is PrincipalType {
  return typeof value === 'string' && (PRINCIPAL_TYPES as readonly string[]).includes(value);
}

/** 400 PrincipalNotFound, worded as ARM words it (Azure/avdaccelerator#99). */
export function principalNotFound(principalId: string, tenantId: string): ArmError {
  return new ArmError(
    400,
    'PrincipalNotFound',
    `Principal ${principalId.replace(/-/g, '')} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

/** 400 UnmatchedPrincipalType, worded as ARM words it (Azure/modern-web-app-pattern-dotnet#129, its typo included). */
export function unmatchedPrincipalType(principalId: string, actual: string, requested: string): ArmError {
  return new ArmError(400, 'UnmatchedPrincipalType', `The PrincipalId '${principalId.replace(/-/g, '')}' has type '${actual}' , which is different from specified PrinciaplType '${requested}'.`);
}
