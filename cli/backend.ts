/**
 * What `plan` and `status` need from vaultlink's core, in the CLI's words. connect.ts binds it to
 * shared/reconcile over real Azure or an emulator; tests may bind it to anything that honours it.
 */
import type { Policy } from '../shared/config';
import type { AzureCloud } from '../shared/domain/dns';
import type { ObservedVault, PassReport, VaultPlan } from '../shared/plan/types';

export interface VaultlinkBackend {
  /** The policy in effect (mode forced to enforce for `plan --apply`). */
  readonly policy: Policy;
  /** The cloud whose DNS suffixes apply. */
  readonly cloud: AzureCloud;
  /** Vault ids (normalised) in the given subscriptions. */
  listVaults(subscriptionIds: readonly string[]): Promise<string[]>;
  /** Observes one vault and plans it, writing nothing. */
  planVault(vaultId: string): Promise<VaultPlan>;
  /** Observes one vault, writing nothing (what `dns export` reads). */
  observeVault(vaultId: string): Promise<ObservedVault>;
  /** One enforce pass over the vault: observe, plan, apply (writes). */
  reconcileVault(vaultId: string): Promise<PassReport>;
  /** Releases connections (and stops an embedded emulator). */
  close(): Promise<void>;
}
