import { randomUUID } from 'node:crypto';
import { NetworkManagementClient } from '@azure/arm-network';
import { RecoveryServicesClient } from '@azure/arm-recoveryservices';
import { REALISTIC_IDENTITY_TIMING, type Emulator } from '../../emulator';
import { armRequest, authorizationClientFor, errorCode, noRetrySdkClient, restErrorOf, restErrorWithMessageOf, startTestEmulator } from './helpers';

/**
 * Identity and RBAC as Azure does them, through the real @azure/arm-authorization client:
 * directory replication (PrincipalNotFound / UnmatchedPrincipalType), propagation of new
 * assignments, and ABAC conditions on role assignment writes and deletes.
 */
const poll = { updateIntervalInMs: 1 };
const roles = {
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  PrivateDnsZoneContributor: 'b12aa53e-6015-4669-85d0-8515ebb3ae7f',
  RbacAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
};
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const DELETE = 'Microsoft.Authorization/roleAssignments/delete';

function roleDefinitionId(emu: Emulator, guid: string): string {
  return `/subscriptions/${emu.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

async function createPrincipal(emu: Emulator, principalType: string): Promise<string> {
  const r = await armRequest(emu, { method: 'POST', path: '/_emulator/principals', body: { principalType }, principalId: null });
  expect(r.status).toBe(201);
  return (r.body as { principalId: string }).principalId;
}

describe('identity and RBAC timing', () => {
  let emu: Emulator;
  let rgId: string;
  afterEach(async () => emu.close());

  describe('directory replication', () => {
    beforeEach(async () => {
      emu = await startTestEmulator();
      emu.control.createResourceGroup(emu.subscriptionId, 'rg1', 'uksouth');
      rgId = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg1`;
    });

    it('answers PrincipalNotFound for a new principal when the write names no principalType', async () => {
      const principalId = await createPrincipal(emu, 'ServicePrincipal');
      const error = await restErrorWithMessageOf(authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId }));
      expect(error).toMatchObject({ statusCode: 400, code: 'PrincipalNotFound' });
      expect(error.message).toContain('set the role assignment principalType property');
    });

    it('succeeds for that principal at once when the write says principalType ServicePrincipal', async () => {
      const principalId = await createPrincipal(emu, 'ServicePrincipal');
      const created = await authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId, principalType: 'ServicePrincipal' });
      expect(created).toMatchObject({ principalId, principalType: 'ServicePrincipal' });
    });

    it('finds the principal once the replication window has passed, and takes its type from the directory', async () => {
      const principalId = await createPrincipal(emu, 'Group');
      emu.authorization.advanceIdentityClock(emu.authorization.identitySettings().replicationDelayMs);
      const created = await authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId });
      expect(created.principalType).toBe('Group');
    });

    it('answers UnmatchedPrincipalType when a known principal is given another type', async () => {
      const principalId = await createPrincipal(emu, 'ServicePrincipal');
      emu.authorization.advanceIdentityClock(60 * 60 * 1000);
      const error = await restErrorWithMessageOf(authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId, principalType: 'User' }));
      expect(error).toMatchObject({ statusCode: 400, code: 'UnmatchedPrincipalType' });
      expect(error.message).toContain("has type 'ServicePrincipal'");
    });

    it('treats a vault identity just turned on as a new service principal', async () => {
      emu.control.createResourceGroup(emu.subscriptionId, 'rg-backup', 'uksouth');
      const vaults = noRetrySdkClient(emu, RecoveryServicesClient);
      const vault = await vaults.vaults.beginCreateOrUpdateAndWait('rg-backup', 'vault1', { location: 'uksouth', sku: { name: 'RS0', tier: 'Standard' }, identity: { type: 'SystemAssigned' } }, poll);
      const principalId = vault.identity?.principalId as string;
      const client = authorizationClientFor(emu);
      expect(await restErrorOf(client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId }))).toEqual({ statusCode: 400, code: 'PrincipalNotFound' });
      // what vaultlink sends (shared/azure/authorization.ts): the type, so no directory lookup
      await expect(client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId, principalType: 'ServicePrincipal' })).resolves.toMatchObject({ principalId });
      emu.authorization.advanceIdentityClock(REALISTIC_IDENTITY_TIMING.replicationDelayMs);
      expect(await restErrorOf(client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId, principalType: 'User' }))).toEqual({ statusCode: 400, code: 'UnmatchedPrincipalType' });
    });

    it('serves the replication and propagation settings on the control API', async () => {
      const put = await armRequest(emu, { method: 'PUT', path: '/_emulator/identity/settings', body: { replicationDelayMs: 5, propagationDelayMs: 7 }, principalId: null });
      expect(put.body).toEqual({ replicationDelayMs: 5, propagationDelayMs: 7 });
      const bad = await armRequest(emu, { method: 'PUT', path: '/_emulator/identity/settings', body: { propagationDelayMs: -1 }, principalId: null });
      expect(bad.status).toBe(400);
      expect(errorCode(bad)).toBe('InvalidRequestContent');
    });
  });

  describe('propagation', () => {
    beforeEach(async () => {
      emu = await startTestEmulator({ identity: { propagationDelayMs: 10 * 60 * 1000 } });
      emu.control.createResourceGroup(emu.subscriptionId, 'rg1', 'uksouth');
      rgId = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg1`;
    });

    it('makes a new role assignment effective only after the propagation delay', async () => {
      const principalId = randomUUID();
      await authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId, principalType: 'ServicePrincipal' });
      const network = noRetrySdkClient(emu, NetworkManagementClient, principalId);
      const body = { location: 'uksouth', addressSpace: { addressPrefixes: ['10.9.0.0/16'] } };
      expect(await restErrorOf(network.virtualNetworks.beginCreateOrUpdateAndWait('rg1', 'vnet1', body, poll))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
      emu.authorization.advanceIdentityClock(9 * 60 * 1000);
      expect(await restErrorOf(network.virtualNetworks.beginCreateOrUpdateAndWait('rg1', 'vnet1', body, poll))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
      emu.authorization.advanceIdentityClock(60 * 1000);
      await expect(network.virtualNetworks.beginCreateOrUpdateAndWait('rg1', 'vnet1', body, poll)).resolves.toMatchObject({ name: 'vnet1' });
    });

    it('keeps assignments seeded through the control API (the landing zone as it was) effective at once', async () => {
      const principalId = randomUUID();
      emu.control.grantRole({ role: 'Reader', principalId, scope: rgId });
      await expect(noRetrySdkClient(emu, NetworkManagementClient, principalId).virtualNetworks.list('rg1').next()).resolves.toBeDefined();
    });
  });

  describe('ABAC conditions on role assignment writes and deletes', () => {
    let delegate: string;
    /** vaultlink's grant in infra/main.bicep: RBAC Administrator that may only write or delete Contributor / Private DNS Zone Contributor for service principals, and never for itself. */
    const conditionFor = (self: string): string => {
      const set = `${roles.Contributor}, ${roles.PrivateDnsZoneContributor}`;
      const write = `(!(ActionMatches{'${WRITE}'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] GuidNotEquals ${self})`;
      const del = `(!(ActionMatches{'${DELETE}'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${set}} AND @Resource[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'})`;
      return `(${write}) AND (${del})`;
    };

    beforeEach(async () => {
      emu = await startTestEmulator();
      emu.control.createResourceGroup(emu.subscriptionId, 'rg1', 'uksouth');
      rgId = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg1`;
      delegate = randomUUID();
      // the platform team grants the delegate RBAC Administrator WITH the condition, through ARM
      emu.authorization.configureIdentity({ propagationDelayMs: 0 });
      await authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), {
        roleDefinitionId: roleDefinitionId(emu, roles.RbacAdministrator),
        principalId: delegate,
        principalType: 'ServicePrincipal',
        condition: conditionFor(delegate),
        conditionVersion: '2.0',
      });
    });

    it('lets the delegate grant an allowed role to a service principal, and read back the condition it holds', async () => {
      const client = authorizationClientFor(emu, delegate);
      await expect(client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId: randomUUID(), principalType: 'ServicePrincipal' })).resolves.toMatchObject({ principalType: 'ServicePrincipal' });
      const own = [];
      for await (const a of client.roleAssignments.listForScope(rgId, { filter: `principalId eq '${delegate}'` })) own.push(a);
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({ conditionVersion: '2.0', condition: conditionFor(delegate) });
    });

    it.each([
      ['Owner for a service principal', roles.Owner, 'ServicePrincipal'],
      ['Contributor for a user', roles.Contributor, 'User'],
      ['Contributor for a group', roles.Contributor, 'Group'],
    ])('refuses with 403 AuthorizationFailed a write of %s', async (_what, role, principalType) => {
      const error = await restErrorWithMessageOf(authorizationClientFor(emu, delegate).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, role), principalId: randomUUID(), principalType }));
      expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
      expect(error.message).toContain(WRITE);
    });

    it('refuses the delegate granting an allowed role to itself (GuidNotEquals on the principal id)', async () => {
      expect(await restErrorOf(authorizationClientFor(emu, delegate).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId: delegate, principalType: 'ServicePrincipal' }))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    });

    it('lets it delete only assignments the condition describes (@Resource attributes)', async () => {
      const client = authorizationClientFor(emu, delegate);
      const mine = await client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Contributor), principalId: randomUUID(), principalType: 'ServicePrincipal' });
      const owners = emu.control.grantRole({ role: 'Owner', principalId: randomUUID(), scope: rgId, principalType: 'ServicePrincipal' });
      const users = emu.control.grantRole({ role: 'Contributor', principalId: randomUUID(), scope: rgId, principalType: 'User' });
      expect(await restErrorOf(client.roleAssignments.deleteById(owners.id))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
      expect(await restErrorOf(client.roleAssignments.deleteById(users.id))).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
      await client.roleAssignments.deleteById(mine.id as string);
      expect(emu.store.has(mine.id as string)).toBe(false);
      expect(emu.store.has(owners.id)).toBe(true);
    });

    it('does not constrain a second, unconditioned grant of the same role (any grant allows)', async () => {
      emu.control.grantRole({ role: 'User Access Administrator', principalId: delegate, scope: rgId });
      await expect(authorizationClientFor(emu, delegate).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Owner), principalId: randomUUID(), principalType: 'User' })).resolves.toBeDefined();
    });

    it.each([
      ['an unparsable condition', `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roles.Owner}`, '2.0'],
      ['an unknown attribute', `@Resource[Microsoft.ServiceBus/namespaces/queues:Name] StringEquals 'foo'`, '2.0'],
      ['conditionVersion 1.0', `@Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEquals 'User'`, '1.0'],
    ])('answers 400 InvalidConditionExpression for %s', async (_what, condition, conditionVersion) => {
      const error = await restErrorWithMessageOf(
        authorizationClientFor(emu).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(emu, roles.Reader), principalId: randomUUID(), principalType: 'User', condition, conditionVersion }),
      );
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidConditionExpression' });
      expect(error.message).toContain('The given role assignment condition is invalid.');
    });
  });
});
