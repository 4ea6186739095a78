/**
 * Verbs of the day-2 scenarios (people changing what vaultlink set up), played as steps of the
 * simulation so that the timeline shows them and vaultlink's reaction to each.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { parseResourceId } from '../../shared/domain/ids';
import { FAST_POLLING, SIMULATION_IDS, networkClient, privateDnsClient, recoveryServicesClient, sdkOptions } from '../simulation/landing-zone';
import type { Simulation } from '../simulation/world';

/** The spoke team deletes one of its private endpoints. */
export async function deletePrivateEndpoint(sim: Simulation, name: string, resourceGroup = sim.zone.networkResourceGroup, subscriptionId = sim.zone.spokeSubscriptionId): Promise<void> {
  const client = networkClient(sim.emulator, SIMULATION_IDS.spokeTeamPrincipalId, subscriptionId);
  await sim.step('spoke-team', `deletes private endpoint ${name}`, () => client.privateEndpoints.beginDeleteAndWait(resourceGroup, name, FAST_POLLING));
}

/** A person of the platform team sets the vault's identity type (turning it off, which the seed forbids). */
export async function setVaultIdentity(sim: Simulation, vaultId: string, type: 'None' | 'SystemAssigned'): Promise<void> {
  const p = parseResourceId(vaultId);
  const client = recoveryServicesClient(sim.emulator, SIMULATION_IDS.platformPrincipalId, p.subscriptionId as string);
  const text = type === 'None' ? `turns the system-assigned identity of vault ${p.name} off (the seed: never, not even temporarily)` : `turns the system-assigned identity of vault ${p.name} on`;
  await sim.step('platform', text, () => client.vaults.beginUpdateAndWait(p.resourceGroup as string, p.name, { identity: { type } }, FAST_POLLING));
}

/** A person deletes an A record set in a central zone. */
export async function deleteRecord(sim: Simulation, zoneName: string, recordName: string): Promise<void> {
  const dns = privateDnsClient(sim.emulator, SIMULATION_IDS.platformPrincipalId, sim.zone.hubSubscriptionId);
  const rg = parseResourceId(sim.zone.dnsResourceGroupId).name;
  await sim.step('platform', `deletes A record ${recordName}.${zoneName} by hand`, () => dns.recordSets.delete(rg, zoneName, 'A', recordName));
}

/** A person deletes the role assignment of `principalId` at `scope` (the first one listed). */
export async function deleteRoleAssignment(sim: Simulation, scope: string, principalId: string, label: string): Promise<void> {
  const p = parseResourceId(scope);
  const client = new AuthorizationManagementClient(sim.emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), p.subscriptionId as string, sdkOptions(sim.emulator));
  const all = [];
  for await (const a of client.roleAssignments.listForScope(scope, { filter: `principalId eq '${principalId}'` })) all.push(a);
  const target = all.find((a) => a.scope?.toLowerCase() === p.id.toLowerCase());
  if (target?.id === undefined) throw new Error(`no role assignment of ${principalId} at ${scope} to delete`);
  const id = target.id;
  await sim.step('platform', `deletes ${label} by hand`, () => client.roleAssignments.deleteById(id));
}

/** The vault's system-assigned principal, as Azure holds it. */
export function vaultPrincipalOf(sim: Simulation, vaultId: string): string | undefined {
  return (sim.emulator.store.get(vaultId)?.resource['identity'] as { principalId?: string } | undefined)?.principalId;
}

/** Role assignments of `principalId` in the emulator (Azure's view), with their descriptions. */
export function assignmentsOf(sim: Simulation, principalId: string): { id: string; scope: string; description: string | null }[] {
  const out: { id: string; scope: string; description: string | null }[] = [];
  for (const r of sim.emulator.store.list({ type: 'Microsoft.Authorization/roleAssignments' })) {
    const props = r.resource['properties'] as { principalId?: string; scope?: string; description?: string | null };
    if (props.principalId?.toLowerCase() !== principalId.toLowerCase()) continue;
    out.push({ id: r.id, scope: props.scope ?? '', description: props.description ?? null });
  }
  return out;
}
