/**
 * What issue 11's situations need beside the standalone harness (harness.ts): the CLI's `status`,
 * people's verbs on identities, tenants and another subscription, and Azure's answers about
 * identities, connections and role assignments — each through the real SDK clients or the
 * emulator's control API, never in-process.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/identity';
import { FAST_POLLING, REGION, SIMULATION_IDS, networkClient, recoveryServicesClient, sdkOptions } from '../../../cli/simulation/landing-zone';
import type { Finding } from '../../../shared/domain';
import { parseResourceId, resourceGroupResourceId } from '../../../shared/domain/ids';
import type { StandaloneEmulator, StandaloneLandingZone } from './harness';

/** `status --output json` of some vaults, as vaultlink's principal. */
export interface StatusRun {
  readonly code: number;
  readonly stderr: string;
  readonly converged: boolean;
  readonly vaults: readonly { readonly id: string; readonly checklist: Readonly<Record<string, string>>; readonly findings: readonly Finding[] }[];
}

export async function status(lz: StandaloneLandingZone, options: { policyPath?: string; vaults: readonly string[] }): Promise<StatusRun> {
  const args = ['status', '--endpoint', lz.emulator.endpoint, '--ca', lz.emulator.line.caFile, '--principal', lz.vaultlinkPrincipalId, '--policy', options.policyPath ?? lz.policyPath];
  const run = await lz.vaultlink([...args, ...options.vaults.flatMap((v) => ['--vault', v]), '--output', 'json']);
  let parsed: Pick<StatusRun, 'converged' | 'vaults'>;
  try {
    parsed = JSON.parse(run.stdout) as Pick<StatusRun, 'converged' | 'vaults'>;
  } catch (e) {
    throw new Error(`status printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 500) || run.stdout.slice(0, 500)}`, { cause: e });
  }
  return { code: run.code, stderr: run.stderr, ...parsed };
}

/** The vault's identity as Azure shows it (the platform team reads the vault). */
export async function vaultIdentityOf(emulator: StandaloneEmulator, vaultId: string): Promise<{ type: string | undefined; principalId: string | undefined; tenantId: string | undefined }> {
  const v = parseResourceId(vaultId);
  const vault = await recoveryServicesClient(emulator, SIMULATION_IDS.platformPrincipalId, v.subscriptionId as string).vaults.get(v.resourceGroup as string, v.name);
  return { type: vault.identity?.type, principalId: vault.identity?.principalId, tenantId: vault.identity?.tenantId };
}

/** A person of the platform team sets the vault's identity type (turning it off is what the seed forbids). */
export async function setVaultIdentity(emulator: StandaloneEmulator, vaultId: string, type: 'None' | 'SystemAssigned'): Promise<void> {
  const v = parseResourceId(vaultId);
  await recoveryServicesClient(emulator, SIMULATION_IDS.platformPrincipalId, v.subscriptionId as string).vaults.beginUpdateAndWait(v.resourceGroup as string, v.name, { identity: { type } }, FAST_POLLING);
}

/** The vault's connections as the vault lists them: endpoint name → status. */
export async function connectionStatesOf(emulator: StandaloneEmulator, vaultId: string): Promise<Record<string, string>> {
  const v = parseResourceId(vaultId);
  const vault = await recoveryServicesClient(emulator, SIMULATION_IDS.platformPrincipalId, v.subscriptionId as string).vaults.get(v.resourceGroup as string, v.name);
  const out: Record<string, string> = {};
  for (const c of vault.properties?.privateEndpointConnections ?? []) {
    const pe = c.properties?.privateEndpoint?.id;
    if (pe !== undefined) out[parseResourceId(pe).name] = c.properties?.privateLinkServiceConnectionState?.status ?? '(none)';
  }
  return out;
}

/** Role assignments of `principalId` at and under `scope`, as ARM lists them to the platform team. */
export async function roleAssignmentsOf(emulator: StandaloneEmulator, scope: string, principalId: string): Promise<{ id: string; scope: string; roleDefinitionId: string; description: string }[]> {
  const client = new AuthorizationManagementClient(emulator.credentialFor(SIMULATION_IDS.platformPrincipalId), parseResourceId(scope).subscriptionId as string, sdkOptions(emulator));
  const out: { id: string; scope: string; roleDefinitionId: string; description: string }[] = [];
  for await (const a of client.roleAssignments.listForScope(scope, { filter: `principalId eq '${principalId}'` })) {
    if (a.principalId?.toLowerCase() !== principalId.toLowerCase()) continue;
    out.push({ id: a.id ?? '', scope: a.scope ?? '', roleDefinitionId: a.roleDefinitionId ?? '', description: a.description ?? '' });
  }
  return out;
}

/** A credential of `principalId` in another tenant (the emulator mints the token). */
export function credentialInTenant(emulator: StandaloneEmulator, principalId: string, tenantId: string): TokenCredential {
  return { getToken: async () => ({ token: await emulator.control.token(principalId, tenantId), expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** A tenant move of the subscription (the emulator's control API: `POST subscriptions/{id}/move`). */
export async function moveSubscription(emulator: StandaloneEmulator, subscriptionId: string, tenantId: string): Promise<void> {
  await emulator.control.call('POST', `subscriptions/${subscriptionId}/move`, { tenantId });
}

/**
 * Another subscription, outside the policy's scope, where the spoke team may create endpoints and
 * vaultlink may only read: what vaultlink cannot grant the vault identity its roles on.
 */
export async function createSandbox(emulator: StandaloneEmulator, subscriptionId: string, resourceGroup: string): Promise<string> {
  await emulator.control.createSubscription({ subscriptionId, displayName: 'sandbox' });
  await emulator.control.createResourceGroup(subscriptionId, resourceGroup, REGION);
  await emulator.control.grantRole({ role: 'Contributor', principalId: SIMULATION_IDS.spokeTeamPrincipalId, scope: resourceGroupResourceId(subscriptionId, resourceGroup), principalType: 'Group' });
  await emulator.control.grantRole({ role: 'Reader', principalId: SIMULATION_IDS.vaultlinkPrincipalId, scope: `/subscriptions/${subscriptionId}`, principalType: 'ServicePrincipal' });
  return resourceGroupResourceId(subscriptionId, resourceGroup);
}

/** The spoke team's endpoint in another subscription's resource group, on a spoke subnet (Pending until approved). */
export async function createEndpointIn(emulator: StandaloneEmulator, subscriptionId: string, resourceGroup: string, name: string, vaultId: string, subnetId: string): Promise<string> {
  const pe = await networkClient(emulator, SIMULATION_IDS.spokeTeamPrincipalId, subscriptionId).privateEndpoints.beginCreateOrUpdateAndWait(
    resourceGroup,
    name,
    { location: REGION, subnet: { id: subnetId }, manualPrivateLinkServiceConnections: [{ name, privateLinkServiceId: vaultId, groupIds: ['AzureBackup'], requestMessage: 'spoke team asks for backup over private link' }] },
    FAST_POLLING,
  );
  return pe.id as string;
}
