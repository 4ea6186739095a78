/**
 * What `plan` and `status` share: the policy, the connection, and which vaults to look at.
 */
import { resolve } from 'node:path';
import { loadPolicyFile, PolicyError, formatPolicyProblem, type Policy } from '../../shared/config';
import { isResourceType, normalizeResourceId, tryParseResourceId } from '../../shared/domain/ids';
import type { VaultlinkBackend } from '../backend';
import { UsageError } from '../errors';
import type { CliIO } from '../io';
import { progressOn } from '../progress';

/** How to reach Azure: the real one (DefaultAzureCredential) or an emulator. */
export interface ConnectionOptions {
  /** Start an embedded emulator (empty but for a landing zone, see connect.ts). */
  readonly emulator: boolean;
  /** ARM endpoint of a running emulator (or another ARM endpoint). */
  readonly endpoint: string | undefined;
  /** PEM file of the endpoint's certificate authority (an emulator's self-signed certificate). */
  readonly ca: string | undefined;
  /** Emulator principal to act as (tokens from the emulator's /_emulator/tokens). */
  readonly principal: string | undefined;
  readonly cloud: string | undefined;
  /** `--policy` was given (else the embedded emulator brings its own policy). */
  readonly policyGiven: boolean;
}

export interface ScanOptions extends ConnectionOptions {
  readonly subscription: readonly string[];
  readonly vault: readonly string[];
  readonly policy: string | undefined;
}

/** Opens the backend for a policy; `enforce` forces enforce mode whatever the file says (plan --apply). */
export type ConnectBackend = (io: CliIO, policy: Policy | undefined, options: ConnectionOptions & { readonly enforce: boolean }) => Promise<VaultlinkBackend>;

/** The policy file, unless the embedded emulator brings its own (`--emulator` without `--policy`). */
export async function policyForScan(io: CliIO, options: ScanOptions): Promise<Policy | undefined> {
  return options.emulator && !options.policyGiven ? undefined : loadPolicyForCli(io, options.policy);
}

export function policyPathOf(io: CliIO, option: string | undefined): string {
  return resolve(io.cwd, option ?? io.env['VAULTLINK_POLICY_FILE'] ?? 'vaultlink.policy.json');
}

export async function loadPolicyForCli(io: CliIO, option: string | undefined): Promise<Policy> {
  const path = policyPathOf(io, option);
  try {
    return await loadPolicyFile(path);
  } catch (e) {
    if (e instanceof PolicyError) {
      throw new UsageError(`policy file ${path} is refused:\n${e.problems.map((p) => `  ${formatPolicyProblem(p)}`).join('\n')}\n(check it with: vaultlink config check ${path})`, { cause: e });
    }
    throw e;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The vaults to look at: `--vault` ids when given (each in a subscription of the policy's scope),
 * else every vault of `--subscription` (default: the policy's scope). Refuses ids outside the
 * scope: vaultlink never acts on a vault its policy does not manage.
 */
export async function vaultsToScan(io: CliIO, backend: VaultlinkBackend, options: ScanOptions): Promise<string[]> {
  const policy = backend.policy;
  const inScope = new Set(policy.scope.subscriptions.map((s) => s.toLowerCase()));
  for (const s of options.subscription) {
    if (!GUID.test(s)) throw new UsageError(`--subscription ${s}: expected a subscription id (a GUID)`);
    if (!inScope.has(s.toLowerCase())) throw new UsageError(`--subscription ${s} is not in the policy's scope.subscriptions`);
  }
  if (options.vault.length > 0) {
    return options.vault.map((raw) => {
      const id = tryParseResourceId(raw);
      if (!id || !isResourceType(id, 'Microsoft.RecoveryServices/vaults')) throw new UsageError(`--vault ${raw}: expected a Recovery Services vault id (/subscriptions/…/resourceGroups/…/providers/Microsoft.RecoveryServices/vaults/NAME)`);
      if (!id.subscriptionId || !inScope.has(id.subscriptionId.toLowerCase())) throw new UsageError(`--vault ${raw} is not in a subscription of the policy's scope`);
      return normalizeResourceId(raw);
    });
  }
  const subscriptions = options.subscription.length > 0 ? options.subscription : policy.scope.subscriptions;
  const progress = progressOn(io.stderr);
  progress.update(0, subscriptions.length, 'listing vaults');
  try {
    return await backend.listVaults(subscriptions);
  } finally {
    progress.done();
  }
}

/** Runs `perVault` over the vaults in order, with a progress line on a TTY. */
export async function eachVault<T>(io: CliIO, vaultIds: readonly string[], perVault: (vaultId: string) => Promise<T>): Promise<T[]> {
  const progress = progressOn(io.stderr);
  const results: T[] = [];
  try {
    for (const [i, vaultId] of vaultIds.entries()) {
      progress.update(i, vaultIds.length, vaultId);
      results.push(await perVault(vaultId));
    }
  } finally {
    progress.done();
  }
  return results;
}
