/**
 * The RBAC Administrator condition as deployed, enforced: the compiled infra/main.json is deployed
 * on paper for the emulator's subscription, the role assignment it would create for vaultlink —
 * condition string, principal and all — is written into the emulator through the real
 * @azure/arm-authorization client, and vaultlink's own role assignment requests
 * (SdkAuthorizationAdapter, what the reconciler calls) are then made as vaultlink. The emulator
 * evaluates the condition (emulator/abac.ts) the way Azure does, so what passes or is refused here
 * is decided by the deployed text.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import contract from '../../shared/contract.json';
import { SdkAuthorizationAdapter } from '../../shared/azure/authorization';
import { classifyAzureError } from '../../shared/azure/errors';
import { Emulator, authorizationClientFor, noRetrySdkClientOptions, restErrorOf, startTestEmulator } from '../emulator/helpers';
import { DeployedResource, deploy, record, resourcesOfType } from './arm';
import { INFRA_DIR } from './files';

const ROLE = contract.roleDefinitions;
const committedTemplate = JSON.parse(readFileSync(join(INFRA_DIR, 'main.json'), 'utf8')) as Record<string, unknown>;

/** vaultlink's RBAC Administrator assignment on one subscription, as the template deploys it, and the role definitions it creates. */
function deployedAdministrator(subscriptionId: string, profiles: string[]): { assignment: DeployedResource; vaultlinkPrincipal: string; roleDefinitions: DeployedResource[] } {
  const deployment = deploy(committedTemplate, { subscriptionIdsInScope: [subscriptionId], vaultIdentityRoleProfiles: profiles }, { subscriptionId });
  const roleDefinitions = resourcesOfType(deployment, 'Microsoft.Authorization/roleDefinitions');
  const [assignment] = resourcesOfType(deployment, 'Microsoft.Authorization/roleAssignments').filter(
    (a) => a.id.startsWith(`/subscriptions/${subscriptionId}/providers/`) && String(record(a.body.properties, 'properties').roleDefinitionId).endsWith(ROLE.RoleBasedAccessControlAdministrator),
  );
  if (assignment === undefined) throw new Error('the template deploys no RBAC Administrator assignment on the subscription');
  return { assignment, vaultlinkPrincipal: String(deployment.outputs.systemAssignedMIPrincipalId), roleDefinitions };
}

describe('the deployed RBAC Administrator condition, enforced by the emulator', () => {
  let emu: Emulator;
  let vaultlinkPrincipal: string;
  let vaultlink: SdkAuthorizationAdapter;
  let vaultlinkClient: AuthorizationManagementClient;
  let scope: string;

  beforeEach(async () => {
    emu = await startTestEmulator();
    emu.control.createResourceGroup(emu.subscriptionId, 'rg-network', 'uksouth');
    scope = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-network`;
    const deployed = deployedAdministrator(emu.subscriptionId, ['contributor']);
    vaultlinkPrincipal = deployed.vaultlinkPrincipal;
    const properties = record(deployed.assignment.body.properties, 'properties');
    // The platform team's deployment: the assignment exactly as the template writes it.
    await authorizationClientFor(emu).roleAssignments.create(`/subscriptions/${emu.subscriptionId}`, deployed.assignment.name, {
      roleDefinitionId: String(properties.roleDefinitionId),
      principalId: String(properties.principalId),
      principalType: 'ServicePrincipal',
      condition: String(properties.condition),
      conditionVersion: String(properties.conditionVersion),
    });
    vaultlinkClient = new AuthorizationManagementClient(emu.credentialFor(vaultlinkPrincipal), emu.subscriptionId, noRetrySdkClientOptions(emu));
    vaultlink = new SdkAuthorizationAdapter({ authorization: () => vaultlinkClient });
  });

  afterEach(async () => emu.close());

  it('holds the condition that names vaultlink\'s own principal', async () => {
    const own = [];
    for await (const a of vaultlinkClient.roleAssignments.listForScope(`/subscriptions/${emu.subscriptionId}`, { filter: `principalId eq '${vaultlinkPrincipal}'` })) own.push(a);
    expect(own).toHaveLength(1);
    expect(own[0]?.condition).toContain(`GuidNotEquals {${vaultlinkPrincipal}}`);
  });

  it.each([
    ['Contributor', ROLE.Contributor],
    ['Private DNS Zone Contributor', ROLE.PrivateDnsZoneContributor],
  ])('lets vaultlink grant a vault identity %s, as the reconciler asks', async (_name, roleDefinitionGuid) => {
    const vaultIdentity = randomUUID();
    const created = await vaultlink.createRoleAssignment(scope, randomUUID(), { principalId: vaultIdentity, roleDefinitionGuid });
    expect(created.principalId).toBe(vaultIdentity);
  });

  it('refuses vaultlink granting Contributor to its own identity', async () => {
    const refused = await vaultlink.createRoleAssignment(scope, randomUUID(), { principalId: vaultlinkPrincipal, roleDefinitionGuid: ROLE.Contributor }).then(
      () => 'granted',
      (e: unknown) => classifyAzureError(e).kind,
    );
    expect(refused).toBe('authorization-failed');
  });

  it('refuses it at the subscription too, where the escalation would count most', async () => {
    const refused = await vaultlink.createRoleAssignment(`/subscriptions/${emu.subscriptionId}`, randomUUID(), { principalId: vaultlinkPrincipal, roleDefinitionGuid: ROLE.Contributor }).then(
      () => 'granted',
      (e: unknown) => classifyAzureError(e).kind,
    );
    expect(refused).toBe('authorization-failed');
  });

  it.each([
    ['Owner to a service principal', ROLE.Owner, 'ServicePrincipal'],
    ['User Access Administrator to a service principal', ROLE.UserAccessAdministrator, 'ServicePrincipal'],
    ['RBAC Administrator to a service principal', ROLE.RoleBasedAccessControlAdministrator, 'ServicePrincipal'],
    ['Contributor to a user', ROLE.Contributor, 'User'],
    ['Contributor to a group', ROLE.Contributor, 'Group'],
  ])('refuses %s', async (_what, roleDefinitionGuid, principalType) => {
    const error = await restErrorOf(
      vaultlinkClient.roleAssignments.create(scope, randomUUID(), {
        roleDefinitionId: `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionGuid}`,
        principalId: randomUUID(),
        principalType,
      }),
    );
    expect(error).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
  });

  it('lets vaultlink delete a vault identity\'s assignment it may write, and not a Contributor assignment of its own', async () => {
    const vaultIdentity = randomUUID();
    const granted = await vaultlink.createRoleAssignment(scope, randomUUID(), { principalId: vaultIdentity, roleDefinitionGuid: ROLE.Contributor });
    // Someone else gave vaultlink Contributor: vaultlink may not remove (or re-create) it either.
    const own = await authorizationClientFor(emu).roleAssignments.create(scope, randomUUID(), {
      roleDefinitionId: `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.Contributor}`,
      principalId: vaultlinkPrincipal,
      principalType: 'ServicePrincipal',
    });
    expect(await restErrorOf(vaultlinkClient.roleAssignments.deleteById(String(own.id)))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    await vaultlinkClient.roleAssignments.deleteById(granted.id);
    expect(emu.store.has(granted.id)).toBe(false);
    expect(emu.store.has(String(own.id))).toBe(true);
  });
});

describe('the deployed condition with the least-privilege profile, enforced by the emulator', () => {
  let emu: Emulator;
  afterEach(async () => emu.close());

  it('lets vaultlink grant the seed\'s custom roles the deployment created, and no longer Contributor', async () => {
    emu = await startTestEmulator();
    emu.control.createResourceGroup(emu.subscriptionId, 'rg-network', 'uksouth');
    const scope = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-network`;
    const deployed = deployedAdministrator(emu.subscriptionId, ['least-privilege']);
    const owner = authorizationClientFor(emu);
    // The role definitions as the deployment creates them, then the conditioned assignment.
    for (const definition of deployed.roleDefinitions) {
      const p = record(definition.body.properties, 'properties');
      await owner.roleDefinitions.createOrUpdate(`/subscriptions/${emu.subscriptionId}`, definition.name, {
        roleName: String(p.roleName),
        description: String(p.description),
        roleType: 'CustomRole',
        permissions: p.permissions as { actions: string[] }[],
        assignableScopes: p.assignableScopes as string[],
      });
    }
    const properties = record(deployed.assignment.body.properties, 'properties');
    await owner.roleAssignments.create(`/subscriptions/${emu.subscriptionId}`, deployed.assignment.name, {
      roleDefinitionId: String(properties.roleDefinitionId),
      principalId: deployed.vaultlinkPrincipal,
      principalType: 'ServicePrincipal',
      condition: String(properties.condition),
      conditionVersion: String(properties.conditionVersion),
    });
    const client = new AuthorizationManagementClient(emu.credentialFor(deployed.vaultlinkPrincipal), emu.subscriptionId, noRetrySdkClientOptions(emu));
    const vaultlink = new SdkAuthorizationAdapter({ authorization: () => client });
    const custom = deployed.roleDefinitions.filter((d) => record(d.body.properties, 'properties').roleName !== 'vaultlink operator');
    expect(custom.map((d) => record(d.body.properties, 'properties').roleName).sort()).toEqual(['NetworkInterfaceReader', 'PrivateEndpointContributor', 'PrivateEndpointSubnetContributor']);
    for (const definition of custom) {
      const vaultIdentity = randomUUID();
      await expect(vaultlink.createRoleAssignment(scope, randomUUID(), { principalId: vaultIdentity, roleDefinitionGuid: definition.name })).resolves.toMatchObject({ principalId: vaultIdentity });
    }
    const contributor = await vaultlink.createRoleAssignment(scope, randomUUID(), { principalId: randomUUID(), roleDefinitionGuid: ROLE.Contributor }).then(
      () => 'granted',
      (e: unknown) => classifyAzureError(e).kind,
    );
    expect(contributor).toBe('authorization-failed');
  });
});
