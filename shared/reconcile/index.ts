/** The reconciler: observe → plan → apply for one vault, over the Azure ports. */
export { observeVault, confirmWrites, canonicalVaultId, zoneIdsForVault, VaultReadError } from './observe';
export { applyAction, applyPlan, type ApplyPlanOptions } from './apply';
export { reconcileVault, observeAndPlan, confirmAndPlan, listVaultsInScope, vaultsForPrivateEndpoint, vaultsForDriftedResource, rememberOutcomes, MAX_PASSES, type ReconcileReport } from './reconcile';
export { SILENT_LOGGER, type Planner, type ReconcileContext, type ReconcileLogger } from './context';
export { observeSweep, sweepReadPorts, sweepVerdictOf, SWEEP_OBSERVE_CONCURRENCY, type SweepObservation, type SweepVerdict } from './observe-batch';
