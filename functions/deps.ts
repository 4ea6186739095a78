/**
 * What the activities and triggers need from the reconciler (shared/reconcile), behind one small
 * interface: the Functions app decides *when* a vault is reconciled, the reconciler decides *what*
 * happens. Tests and the local driver inject fakes here; in Azure the default factory builds the
 * real reconciler once per worker from the app settings.
 */
import { createAzureClients } from '../shared/azure';
import { loadPolicyFile, readSettings } from '../shared/config';
import type { ActionOutcome, PlannedAction, VaultPlan } from '../shared/plan/types';
import { applyAction, listVaultsInScope, observeAndPlan, observeSweep, vaultsForPrivateEndpoint, type ReconcileContext, type ReconcileLogger, type SweepVerdict } from '../shared/reconcile';
import { currentTime } from './clock';

/** The result of the `observeAndPlan` activity: plain JSON, it travels through orchestration history. */
export interface ObservedPlan {
  readonly plan: VaultPlan;
  /** ISO time the observation started: signals sent before it were covered by this pass. */
  readonly observedAt: string;
  /** False when the vault does not exist (deleted): the orchestration ends. */
  readonly vaultExists: boolean;
}

export interface VaultReconciler {
  /** Loads the policy, observes the vault and plans (reads only). */
  observeAndPlan(vaultId: string): Promise<ObservedPlan>;
  /**
   * Applies one planned action (idempotent). Resolves with the outcome, `failed` ones included;
   * the activity turns a transient failure into a throw so that Durable retries it.
   */
  applyAction(action: PlannedAction): Promise<ActionOutcome>;
  /** Normalised ids of every vault in the subscriptions in scope. */
  listVaultsInScope(): Promise<string[]>;
  /**
   * Every vault in scope observed and planned as one batch (shared reads, shared/reconcile/
   * observe-batch.ts), with whether it needs a pass. Optional: without it the sweep signals every
   * vault of {@link listVaultsInScope}.
   */
  planSweep?(): Promise<SweepVerdict[]>;
  /** The vault(s) a private endpoint concerns (a classic secondary maps to its primary's vault). */
  vaultsForPrivateEndpoint(privateEndpointId: string): Promise<string[]>;
}

export type VaultReconcilerFactory = () => VaultReconciler | Promise<VaultReconciler>;

/** The seam over shared/reconcile for one reconcile context. */
export function reconcilerFromContext(ctx: ReconcileContext): VaultReconciler {
  return {
    observeAndPlan: async (vaultId) => {
      const { observed, plan } = await observeAndPlan(ctx, vaultId);
      return { plan, observedAt: observed.observedAt, vaultExists: observed.vault !== undefined };
    },
    applyAction: (action) => applyAction(ctx, action),
    listVaultsInScope: () => listVaultsInScope(ctx),
    planSweep: async () => (await observeSweep(ctx)).map((o) => o.verdict),
    vaultsForPrivateEndpoint: (privateEndpointId) => vaultsForPrivateEndpoint(ctx, privateEndpointId),
  };
}

/**
 * The reconciler's own log lines, as JSON on the console: the context lives as long as the worker,
 * longer than any invocation's logger, and the Functions host collects console output.
 */
const consoleReconcileLogger: ReconcileLogger = {
  info: (message, fields) => console.info(JSON.stringify({ source: 'vaultlink.reconcile', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ source: 'vaultlink.reconcile', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ source: 'vaultlink.reconcile', message, ...fields })),
};

/**
 * In Azure: app settings (shared/config) → policy file → SDK clients with the app's managed
 * identity → the reconciler. Observations and signals share {@link currentTime}.
 */
export async function createVaultReconcilerFromSettings(env: Readonly<Record<string, string | undefined>> = process.env): Promise<VaultReconciler> {
  const settings = readSettings(env);
  const policy = await loadPolicyFile(settings.policyFile);
  const azure = createAzureClients({
    cloud: settings.cloud,
    managedIdentityClientId: settings.managedIdentityClientId,
    armEndpoint: settings.armEndpointOverridden ? settings.armEndpoint : undefined,
  });
  return reconcilerFromContext({ azure, policy, cloud: settings.cloud, now: currentTime, log: consoleReconcileLogger });
}

const defaultFactory: VaultReconcilerFactory = () => createVaultReconcilerFromSettings();

let factory: VaultReconcilerFactory = defaultFactory;
let instance: Promise<VaultReconciler> | undefined;

/** The reconciler for this worker, built once (policy, credentials and SDK clients are reused across invocations). */
export function getVaultReconciler(): Promise<VaultReconciler> {
  if (instance === undefined) {
    const building = Promise.resolve().then(() => factory());
    // a failed build (bad settings, unreadable policy) is retried at the next invocation
    building.catch(() => {
      if (instance === building) instance = undefined;
    });
    instance = building;
  }
  return instance;
}

/** Replaces the reconciler factory (tests, local driver); returns a function that restores the previous one. */
export function setVaultReconcilerFactory(next: VaultReconcilerFactory): () => void {
  const previous = factory;
  factory = next;
  instance = undefined;
  return () => {
    factory = previous;
    instance = undefined;
  };
}
