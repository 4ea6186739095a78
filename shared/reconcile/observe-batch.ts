/**
 * A sweep observed as a batch: the reads that many vaults share are made once per sweep, not once
 * per vault, so that a sweep's reads grow linearly with the fleet (issue 14).
 *
 * Per-vault observation ({@link observeVault}) lists, for every vault, the private endpoints of its
 * endpoints' resource groups, the links and A records of the three shared zones, and the role
 * assignments at every scope its identity needs: with n vaults in one landing zone each of those
 * lists holds O(n) items, so a sweep reads O(n²). Here the same {@link observeVault} runs for every
 * vault of the sweep over {@link sweepReadPorts}: ports that answer those reads from lists made
 * once per sweep and shared —
 *   - vaults: one list per subscription in scope (the vault bodies, with their usage summaries);
 *   - private endpoints: one list per subscription (a resource group's list, when the
 *     subscription-wide one is refused);
 *   - subnets, zones, zone links, zone A records, zone groups: one read per resource;
 *   - private DNS zones (what the vaults' VNets already resolve through): one list per subscription;
 *     a record read by name is answered from its zone's list;
 *   - role assignments: one list per subscription, every principal's (one per scope when the
 *     subscription-wide one is refused: vaultlink holds only the DNS resource group of a hub);
 *   - subscription tenants: one read per subscription.
 * Per vault remain the two Backup usage summaries (there is no list of them).
 *
 * Freshness: the shared lists live for one sweep only (a new {@link sweepReadPorts} each time).
 * The sweep uses what it saw only to decide which vaults need a pass; that pass — like every
 * event-triggered one — observes its vault afresh through the plain ports.
 */
import { keyOf } from '../plan/order';
import type { AzurePorts, NetworkPort, PrivateDnsPort, RecoveryServicesPort } from '../azure/ports';
import { classifyAzureError } from '../azure/errors';
import { armCaseKey, parseResourceId, tryParseResourceId } from '../domain/ids';
import type { ARecordSet, PrivateEndpoint, RoleAssignment, Vault } from '../domain/model';
import { planVault } from '../plan/plan';
import type { ObservedVault, VaultPlan } from '../plan/types';
import { loggerOf, type ReconcileContext } from './context';
import { observeVault } from './observe';

/** Vaults observed at once during a sweep (their shared reads are made once whatever the width). */
export const SWEEP_OBSERVE_CONCURRENCY = 16;

/** What a sweep concluded about one vault. */
export interface SweepVerdict {
  readonly vaultId: string;
  /** True when the vault's orchestration should run a pass (which observes it afresh). */
  readonly needsPass: boolean;
  /** Why, for the log: `2 action(s) to apply`, `converged`, … */
  readonly reason: string;
}

/** The sweep's verdict on one vault, from the batch observation and its plan. */
export function sweepVerdictOf(observed: ObservedVault, plan: VaultPlan): SweepVerdict {
  const vaultId = observed.vaultId;
  if (observed.vault === undefined) return { vaultId, needsPass: true, reason: 'listed but not readable now (deleted?)' };
  if (observed.readErrors.length > 0) return { vaultId, needsPass: true, reason: `${observed.readErrors.length} read error(s): ${observed.readErrors[0]?.operation ?? ''} ${observed.readErrors[0]?.resourceId ?? ''}`.trim() };
  const actions = plan.actions.length;
  if (actions > 0) return { vaultId, needsPass: true, reason: `${actions} action(s) to apply` };
  if (plan.requeue) return { vaultId, needsPass: true, reason: 'the plan asks for another pass' };
  // A pending checklist item with nothing to do now (a v1 vault waiting for Backup's endpoints)
  // is the orchestration's follow-up timer's business, not the sweep's.
  return { vaultId, needsPass: false, reason: 'nothing to do' };
}

/** One promise per key: concurrent vaults of the sweep share a read in flight, and its failure. */
class Shared<T> {
  private readonly entries = new Map<string, Promise<T>>();
  get(key: string, load: () => Promise<T>): Promise<T> {
    const k = armCaseKey(key);
    let entry = this.entries.get(k);
    if (entry === undefined) {
      entry = load();
      // observed by whoever awaits it; this keeps a failure nobody awaits yet from being "unhandled"
      entry.catch(() => undefined);
      this.entries.set(k, entry);
    }
    return entry;
  }
}


/** True when an assignment at `assignmentScope` applies at `scope` or below it (what ARM's list at `scope` returns). */
function concernsScope(assignmentScope: string, scope: string): boolean {
  const a = armCaseKey(assignmentScope).replace(/\/+$/, '');
  const s = armCaseKey(scope).replace(/\/+$/, '');
  return a === '' || a === '/' || s === a || s.startsWith(`${a}/`) || a.startsWith(`${s}/`);
}

/**
 * Ports for one sweep: reads shared across the sweep's vaults (see the module comment), writes
 * passed through untouched. Build a new one per sweep.
 */
export function sweepReadPorts(azure: AzurePorts): AzurePorts & { vaultsOfSubscription(subscriptionId: string): Promise<Vault[]> } {
  const vaults = new Shared<Vault[]>();
  const endpointsOfSubscription = new Shared<PrivateEndpoint[]>();
  const endpointsOfGroup = new Shared<PrivateEndpoint[]>();
  const zoneGroups = new Shared<Awaited<ReturnType<NetworkPort['listPrivateDnsZoneGroups']>>>();
  const subnets = new Shared<Awaited<ReturnType<NetworkPort['getSubnet']>>>();
  const zones = new Shared<Awaited<ReturnType<PrivateDnsPort['getZone']>>>();
  const links = new Shared<Awaited<ReturnType<PrivateDnsPort['listVirtualNetworkLinks']>>>();
  const zonesOfSubscription = new Shared<Awaited<ReturnType<PrivateDnsPort['listZones']>>>();
  const records = new Shared<ARecordSet[]>();
  const assignmentsOfSubscription = new Shared<RoleAssignment[]>();
  const assignmentsAtScope = new Shared<RoleAssignment[]>();
  const tenants = new Shared<string | undefined>();

  const vaultsOfSubscription = (subscriptionId: string): Promise<Vault[]> => vaults.get(subscriptionId, () => azure.recoveryServices.listVaults(subscriptionId));

  const recoveryServices: RecoveryServicesPort = {
    getVault: async (vaultId) => {
      const p = tryParseResourceId(vaultId);
      if (p?.subscriptionId !== undefined) {
        try {
          const found = (await vaultsOfSubscription(p.subscriptionId)).find((v) => keyOf(v.id) === p.key);
          if (found !== undefined) return found;
        } catch {
          // the list was refused or failed: read the vault itself
        }
      }
      return azure.recoveryServices.getVault(vaultId);
    },
    listVaultIds: async (subscriptionId) => (await vaultsOfSubscription(subscriptionId)).map((v) => v.id),
    listVaults: (subscriptionId) => vaultsOfSubscription(subscriptionId),
    enableSystemAssignedIdentity: (vaultId) => azure.recoveryServices.enableSystemAssignedIdentity(vaultId),
    putConnectionState: (vaultId, connectionName, state) => azure.recoveryServices.putConnectionState(vaultId, connectionName, state),
    listProtectionAttempts: (vaultId) => azure.recoveryServices.listProtectionAttempts(vaultId),
  };

  const network: NetworkPort = {
    getPrivateEndpoint: (id, options) => azure.network.getPrivateEndpoint(id, options),
    listPrivateEndpoints: async (subscriptionId, resourceGroup) => {
      const ofSubscription = endpointsOfSubscription.get(subscriptionId, () => azure.network.listPrivateEndpoints(subscriptionId));
      if (resourceGroup === undefined) return ofSubscription;
      try {
        const rg = armCaseKey(resourceGroup);
        return (await ofSubscription).filter((pe) => armCaseKey(pe.resourceGroup) === rg);
      } catch {
        // vaultlink may read a resource group of a subscription it cannot list as a whole
        return endpointsOfGroup.get(`${subscriptionId}/${resourceGroup}`, () => azure.network.listPrivateEndpoints(subscriptionId, resourceGroup));
      }
    },
    listPrivateDnsZoneGroups: (id) => zoneGroups.get(keyOf(id), () => azure.network.listPrivateDnsZoneGroups(id)),
    getSubnet: (id) => subnets.get(keyOf(id), () => azure.network.getSubnet(id)),
  };

  const privateDns: PrivateDnsPort = {
    getZone: (zoneId) => zones.get(keyOf(zoneId), () => azure.privateDns.getZone(zoneId)),
    createZone: (zoneId, tags) => azure.privateDns.createZone(zoneId, tags),
    // the zones a vault's VNets already resolve through (observe's linked zones): one list per subscription per sweep
    listZones: (subscriptionId) => zonesOfSubscription.get(armCaseKey(subscriptionId), () => azure.privateDns.listZones(subscriptionId)),
    listVirtualNetworkLinks: (zoneId) => links.get(keyOf(zoneId), () => azure.privateDns.listVirtualNetworkLinks(zoneId)),
    createVirtualNetworkLink: (zoneId, linkName, vnetId, tags) => azure.privateDns.createVirtualNetworkLink(zoneId, linkName, vnetId, tags),
    listARecordSets: (zoneId) => records.get(keyOf(zoneId), () => azure.privateDns.listARecordSets(zoneId)),
    getARecordSet: async (zoneId, recordName) => {
      // a vault's records by name, from the zone's one list: n vaults, one list, not n × 8 reads
      const all = await records.get(keyOf(zoneId), () => azure.privateDns.listARecordSets(zoneId));
      const name = armCaseKey(recordName);
      return all.find((r) => armCaseKey(r.name) === name);
    },
    createARecordSet: (zoneId, recordName, content) => azure.privateDns.createARecordSet(zoneId, recordName, content),
    updateARecordSet: (zoneId, recordName, content, etag) => azure.privateDns.updateARecordSet(zoneId, recordName, content, etag),
    deleteARecordSet: (zoneId, recordName, etag) => azure.privateDns.deleteARecordSet(zoneId, recordName, etag),
  };

  const authorization: AzurePorts['authorization'] = {
    listRoleAssignments: async (scope, principalId) => {
      const subscriptionId = parseResourceId(scope).subscriptionId;
      // Without a principal: every assignment that concerns the scope (vaultlink's grants to an earlier identity among them).
      const principal = principalId === undefined ? undefined : armCaseKey(principalId);
      const mine = (all: readonly RoleAssignment[]): RoleAssignment[] => all.filter((a) => (principal === undefined || armCaseKey(a.principalId) === principal) && concernsScope(a.scope, scope));
      if (subscriptionId !== undefined) {
        try {
          return mine(await assignmentsOfSubscription.get(subscriptionId, () => azure.authorization.listRoleAssignmentsAtScope(`/subscriptions/${subscriptionId}`)));
        } catch {
          // vaultlink holds only a resource group of this subscription (a hub's DNS resource group)
        }
      }
      return mine(await assignmentsAtScope.get(scope, () => azure.authorization.listRoleAssignmentsAtScope(scope)));
    },
    listRoleAssignmentsAtScope: (scope) => assignmentsAtScope.get(scope, () => azure.authorization.listRoleAssignmentsAtScope(scope)),
    createRoleAssignment: (scope, name, assignment) => azure.authorization.createRoleAssignment(scope, name, assignment),
    deleteRoleAssignment: (assignmentId) => azure.authorization.deleteRoleAssignment(assignmentId),
  };

  return {
    recoveryServices,
    network,
    privateDns,
    authorization,
    subscriptions: { getSubscriptionTenantId: (subscriptionId) => tenants.get(subscriptionId, () => azure.subscriptions.getSubscriptionTenantId(subscriptionId)) },
    vaultsOfSubscription,
  };
}

/** A vault of the sweep as the batch saw it. */
export interface SweepObservation {
  readonly observed: ObservedVault;
  readonly plan: VaultPlan;
  readonly verdict: SweepVerdict;
}

/**
 * Observes and plans every vault in the policy's subscriptions as one batch (reads only). A
 * subscription whose vaults cannot be listed is logged and skipped; when none can be, the first
 * error is thrown (as {@link listVaultsInScope}). A vault whose observation throws (its own read
 * failed transiently) gets a verdict that asks for a pass: the pass retries on its own.
 */
export async function observeSweep(ctx: ReconcileContext, options: { concurrency?: number } = {}): Promise<SweepObservation[]> {
  const log = loggerOf(ctx);
  const ports = sweepReadPorts(ctx.azure);
  const batchCtx: ReconcileContext = { ...ctx, azure: ports };
  const ids = new Map<string, string>();
  const errors: unknown[] = [];
  for (const subscriptionId of ctx.policy.scope.subscriptions) {
    try {
      for (const v of await ports.vaultsOfSubscription(subscriptionId)) {
        const p = tryParseResourceId(v.id);
        if (p) ids.set(p.key, p.id);
      }
    } catch (e) {
      errors.push(e);
      log.error('vaults of a subscription could not be listed', { subscriptionId, code: classifyAzureError(e).code });
    }
  }
  if (errors.length > 0 && errors.length === ctx.policy.scope.subscriptions.length) throw errors[0];
  const vaultIds = [...ids.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);

  const planner = ctx.planner ?? planVault;
  const results: SweepObservation[] = new Array<SweepObservation>(vaultIds.length);
  let next = 0;
  const width = Math.max(1, options.concurrency ?? SWEEP_OBSERVE_CONCURRENCY);
  await Promise.all(
    Array.from({ length: Math.min(width, vaultIds.length) }, async () => {
      for (let i = next++; i < vaultIds.length; i = next++) {
        const vaultId = vaultIds[i] as string;
        try {
          const observed = await observeVault(batchCtx, vaultId);
          const plan = planner(observed, ctx.policy, { cloud: ctx.cloud });
          results[i] = { observed, plan, verdict: sweepVerdictOf(observed, plan) };
        } catch (e) {
          const observed: ObservedVault = { vaultId, observedAt: new Date(0).toISOString(), vault: undefined, privateEndpoints: [], zones: [], roleAssignments: [], subscriptionTenants: {}, readErrors: [] };
          const plan = planner(observed, ctx.policy, { cloud: ctx.cloud });
          results[i] = { observed, plan, verdict: { vaultId, needsPass: true, reason: `observing failed: ${classifyAzureError(e).message}` } };
        }
      }
    }),
  );
  return results;
}
