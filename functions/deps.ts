/**
 * What the activities and triggers need from the reconciler (shared/reconcile), behind one small
 * interface: the Functions app decides *when* a vault is reconciled, the reconciler decides *what*
 * happens. Tests and the local driver inject fakes here; in Azure the default factory builds the
 * real reconciler once per worker from the app settings.
 */
// settings only: the policy loader (zod) is in the reconciler's module, which cold start does not parse
import { readSettings } from '../shared/config/settings';
import type { ActionOutcome, ObservedVault, PlannedAction, VaultMemory, VaultPlan } from '../shared/plan/types';
import type { ReconcileContext, SweepVerdict } from '../shared/reconcile';
import { currentTime } from './clock';
import { invocationReconcileLogger } from './log';

/**
 * The reconciler and the SDK clients load at the first invocation that needs them, not at module
 * load: the host loads the entry point at every cold start, and the Azure SDK clients are most of
 * what there is to evaluate (npm run bench:package measures it).
 */
async function reconcile(): Promise<typeof import('./reconciler')> {
  return loadReconcilerModule();
}

/** functions/reconciler.ts (dist/app/reconciler.js in the package), loaded on first use. */
export function loadReconcilerModule(): typeof import('./reconciler') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require: CommonJS for tsc, a separate file for esbuild (scripts/package.ts)
  return require('./reconciler') as typeof import('./reconciler');
}

/** The result of the `observeAndPlan` activity: plain JSON, it travels through orchestration history. */
export interface ObservedPlan {
  readonly plan: VaultPlan;
  /** ISO time the observation started: signals sent before it were covered by this pass. */
  readonly observedAt: string;
  /** False when the vault does not exist (deleted): the orchestration ends. */
  readonly vaultExists: boolean;
  /**
   * The observation itself, when the plan has writes to make (enforce): the pass that confirms
   * them re-reads what they wrote and takes the rest from it ({@link VaultReconciler.confirmAndPlan}).
   */
  readonly observed?: ObservedVault | undefined;
}

export interface VaultReconciler {
  /** Loads the policy, observes the vault and plans (reads only). */
  observeAndPlan(vaultId: string, memory?: VaultMemory): Promise<ObservedPlan>;
  /**
   * After a pass's writes: re-reads what `applied` wrote, takes the rest from `previous` (that
   * pass's observation, `observedAt` kept) and plans; observes in full when that cannot stand for
   * a fresh observation (shared/reconcile `confirmAndPlan`). Optional: without it the pass that
   * confirms writes observes in full.
   */
  confirmAndPlan?(vaultId: string, previous: ObservedVault, applied: readonly PlannedAction[], memory?: VaultMemory): Promise<ObservedPlan>;
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
  /**
   * The vault(s) a drifted record, link or deleted role assignment concerns, by re-reading Azure
   * (shared/reconcile). Optional for fakes that route only endpoints; the real reconciler has it.
   */
  vaultsForDriftedResource?(kind: 'dns-record' | 'dns-link' | 'role-assignment', resourceId: string): Promise<string[]>;
}

export type VaultReconcilerFactory = () => VaultReconciler | Promise<VaultReconciler>;

function observedPlanOf({ observed, plan }: { observed: ObservedVault; plan: VaultPlan }): ObservedPlan {
  // the observation travels through the orchestration's history only when a confirmation may follow
  const writes = plan.mode === 'enforce' && plan.actions.length > 0;
  return { plan, observedAt: observed.observedAt, vaultExists: observed.vault !== undefined, ...(writes ? { observed } : {}) };
}

/** The seam over shared/reconcile for one reconcile context. */
export function reconcilerFromContext(ctx: ReconcileContext): VaultReconciler {
  return {
    observeAndPlan: async (vaultId, memory) => observedPlanOf(await (await reconcile()).observeAndPlan(ctx, vaultId, memory)),
    confirmAndPlan: async (_vaultId, previous, applied, memory) => observedPlanOf(await (await reconcile()).confirmAndPlan(ctx, previous, applied, memory)),
    applyAction: async (action) => (await reconcile()).applyAction(ctx, action),
    listVaultsInScope: async () => (await reconcile()).listVaultsInScope(ctx),
    planSweep: async () => (await (await reconcile()).observeSweep(ctx)).map((o) => o.verdict),
    vaultsForPrivateEndpoint: async (privateEndpointId) => (await reconcile()).vaultsForPrivateEndpoint(ctx, privateEndpointId),
    vaultsForDriftedResource: async (kind, resourceId) => (await reconcile()).vaultsForDriftedResource(ctx, kind, resourceId),
  };
}

/**
 * In Azure: app settings (shared/config) → policy file → SDK clients with the app's managed
 * identity → the reconciler. Observations and signals share {@link currentTime}.
 */
export async function createVaultReconcilerFromSettings(env: Readonly<Record<string, string | undefined>> = process.env): Promise<VaultReconciler> {
  const settings = readSettings(env);
  const { ARM_READ_BUDGET, createAzureClients, loadPolicyFile } = await reconcile();
  const policy = await loadPolicyFile(settings.policyFile);
  const azure = createAzureClients({
    cloud: settings.cloud,
    managedIdentityClientId: settings.managedIdentityClientId,
    armEndpoint: settings.armEndpointOverridden ? settings.armEndpoint : undefined,
    // a sweep of a large fleet paces its reads to ARM's budget instead of earning 429s
    readBudget: ARM_READ_BUDGET,
  });
  return reconcilerFromContext({ azure, policy, cloud: settings.cloud, now: currentTime, log: invocationReconcileLogger });
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
