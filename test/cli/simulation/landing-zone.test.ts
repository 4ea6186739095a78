import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { Emulator } from '../../../emulator';
import { startSimulationEmulator } from '../../../cli/simulation/emulator';
import { layOutLandingZone, sdkOptions, SIMULATION_IDS, vaultlinkRoleAssignmentCondition, type LandingZone } from '../../../cli/simulation/landing-zone';
import contract from '../../../shared/contract.json';
import { restErrorOf } from '../../emulator/helpers';

/**
 * The simulation grants vaultlink RBAC Administrator with exactly the ABAC condition infra
 * deploys (infra/rbac-condition.txt, filled in as main.bicep and the access modules fill it), and
 * the emulator holds vaultlink to it.
 */
const RBAC_ADMINISTRATOR = contract.roleDefinitions.RoleBasedAccessControlAdministrator;

describe('simulation landing zone', () => {
  let emulator: Emulator;
  let zone: LandingZone;
  beforeAll(async () => {
    emulator = await startSimulationEmulator(1);
    zone = await layOutLandingZone(emulator, { separateHubSubscription: true });
  });
  afterAll(async () => emulator.close());

  const vaultlink = (subscriptionId: string) => new AuthorizationManagementClient(emulator.credentialFor(SIMULATION_IDS.vaultlinkPrincipalId), subscriptionId, { ...sdkOptions(emulator), retryOptions: { maxRetries: 0 } });
  const roleId = (subscriptionId: string, guid: string) => `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

  describe('#vaultlinkRoleAssignmentCondition', () => {
    it('fills infra/rbac-condition.txt with the profile\'s role definitions and vaultlink\'s principal id', () => {
      const template = readFileSync(join(__dirname, '..', '..', '..', 'infra', 'rbac-condition.txt'), 'utf8');
      const condition = vaultlinkRoleAssignmentCondition(['contributor'], SIMULATION_IDS.vaultlinkPrincipalId);
      expect(condition).toBe(
        template
          .trim()
          .replaceAll('__ROLE_DEFINITION_IDS__', `${contract.roleDefinitions.Contributor}, ${contract.roleDefinitions.PrivateDnsZoneContributor}`)
          .replaceAll('__VAULTLINK_PRINCIPAL_ID__', SIMULATION_IDS.vaultlinkPrincipalId),
      );
      expect(condition).not.toMatch(/__[A-Z_]+__/);
    });

    it('refuses a profile whose roles have no built-in GUID, naming the role', () => {
      expect(() => vaultlinkRoleAssignmentCondition(['least-privilege'], SIMULATION_IDS.vaultlinkPrincipalId)).toThrow(/PrivateEndpointContributor/);
    });
  });

  it('gives vaultlink RBAC Administrator only with that condition, on the spoke and on the DNS resource group', () => {
    const grants = emulator.store
      .list({ type: 'Microsoft.Authorization/roleAssignments' })
      .map((r) => r.resource['properties'] as { principalId: string; roleDefinitionId: string; condition: string | null; conditionVersion: string | null; scope: string })
      .filter((p) => p.principalId === SIMULATION_IDS.vaultlinkPrincipalId && p.roleDefinitionId.endsWith(RBAC_ADMINISTRATOR));
    expect(grants.map((g) => g.scope.toLowerCase()).sort()).toEqual([zone.dnsResourceGroupId.toLowerCase(), `/subscriptions/${zone.spokeSubscriptionId}`.toLowerCase()].sort());
    for (const g of grants) expect(g).toMatchObject({ conditionVersion: '2.0', condition: vaultlinkRoleAssignmentCondition(['contributor'], SIMULATION_IDS.vaultlinkPrincipalId) });
  });

  it('lets vaultlink grant the profile\'s roles to a service principal, and nothing else', async () => {
    const spoke = zone.spokeSubscriptionId;
    const scope = `/subscriptions/${spoke}/resourceGroups/${zone.networkResourceGroup}`;
    const client = vaultlink(spoke);
    const grant = (guid: string, principalId: string, principalType: string) => client.roleAssignments.create(scope, randomUUID(), { roleDefinitionId: roleId(spoke, guid), principalId, principalType });
    await expect(grant(contract.roleDefinitions.Contributor, randomUUID(), 'ServicePrincipal')).resolves.toMatchObject({ principalType: 'ServicePrincipal' });
    expect(await restErrorOf(grant(contract.roleDefinitions.Owner, randomUUID(), 'ServicePrincipal'))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(await restErrorOf(grant(contract.roleDefinitions.Contributor, randomUUID(), 'User'))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(await restErrorOf(grant(contract.roleDefinitions.Contributor, SIMULATION_IDS.vaultlinkPrincipalId, 'ServicePrincipal'))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
  });
});
