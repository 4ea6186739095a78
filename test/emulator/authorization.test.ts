import { randomUUID } from 'node:crypto';
import contract from '../../shared/contract.json';
import { armRequest, authorizationClientFor, errorCode, newPrincipalId, restErrorOf, startTestEmulator, type Emulator } from './helpers';

const roles = contract.roleDefinitions;

describe('authorization provider (real @azure/arm-authorization client)', () => {
  let emulator: Emulator;
  let rgId: string;
  const roleDefinitionId = (guid: string) => `/subscriptions/${emulator.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    rgId = emulator.control.createResourceGroup(emulator.subscriptionId, 'rg-authz', 'westeurope').id;
  });
  afterAll(() => emulator.close());

  describe('roleAssignments#create', () => {
    it('creates an assignment and answers the fields of the REST example', async () => {
      const client = authorizationClientFor(emulator);
      const principalId = newPrincipalId();
      const name = randomUUID();
      const created = await client.roleAssignments.create(rgId, name, { roleDefinitionId: roleDefinitionId(roles.Contributor), principalId, principalType: 'ServicePrincipal' });
      expect(created).toMatchObject({
        id: `${rgId}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        type: 'Microsoft.Authorization/roleAssignments',
        scope: rgId,
        principalId,
        principalType: 'ServicePrincipal',
        roleDefinitionId: roleDefinitionId(roles.Contributor),
      });
      expect(created.createdOn).toBeInstanceOf(Date);
    });

    it('answers 409 RoleAssignmentExists for the same scope, principal and role under another name', async () => {
      const client = authorizationClientFor(emulator);
      const principalId = newPrincipalId();
      const body = { roleDefinitionId: roleDefinitionId(roles.Reader), principalId };
      await client.roleAssignments.create(rgId, randomUUID(), body);
      expect(await restErrorOf(client.roleAssignments.create(rgId, randomUUID(), body))).toEqual({ statusCode: 409, code: 'RoleAssignmentExists' });
    });

    it('accepts the same assignment again under the same name (idempotent PUT)', async () => {
      const client = authorizationClientFor(emulator);
      const name = randomUUID();
      const body = { roleDefinitionId: roleDefinitionId(roles.Reader), principalId: newPrincipalId() };
      const first = await client.roleAssignments.create(rgId, name, body);
      const second = await client.roleAssignments.create(rgId, name, body);
      expect(second.id).toBe(first.id);
    });

    it.each([
      ['a name that is not a GUID', 'not-a-guid', roles.Reader, 'InvalidRoleAssignmentId'],
      ['an unknown role definition', randomUUID(), randomUUID(), 'RoleDefinitionDoesNotExist'],
    ])('answers 400 for %s', async (_what, name, roleGuid, code) => {
      const client = authorizationClientFor(emulator);
      expect(await restErrorOf(client.roleAssignments.create(rgId, name, { roleDefinitionId: roleDefinitionId(roleGuid), principalId: newPrincipalId() }))).toEqual({ statusCode: 400, code });
    });

    it.each([
      ['Contributor', roles.Contributor, 403],
      ['Network Contributor', roles.NetworkContributor, 403],
      ['Role Based Access Control Administrator', roles.RoleBasedAccessControlAdministrator, 201],
      ['User Access Administrator', roles.UserAccessAdministrator, 201],
    ])('lets a %s at the subscription assign roles: %s', async (_role, guid, expected) => {
      const admin = newPrincipalId();
      emulator.control.grantRole({ role: guid, principalId: admin, scope: `/subscriptions/${emulator.subscriptionId}` });
      const call = authorizationClientFor(emulator, admin).roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(roles.Reader), principalId: newPrincipalId() });
      if (expected === 201) await expect(call).resolves.toMatchObject({ scope: rgId });
      else expect(await restErrorOf(call)).toEqual({ statusCode: 403, code: 'AuthorizationFailed' });
    });
  });

  describe('roleAssignments#getById / #listForScope / #delete', () => {
    it('reads an assignment by id (the client sends //subscriptions/…), lists it by principal and deletes it', async () => {
      const client = authorizationClientFor(emulator);
      const principalId = newPrincipalId();
      const vnetScope = `${rgId}/providers/Microsoft.Network/virtualNetworks/vnet-a`;
      const name = randomUUID();
      const created = await client.roleAssignments.create(vnetScope, name, { roleDefinitionId: roleDefinitionId(roles.NetworkContributor), principalId });
      expect((await client.roleAssignments.getById(created.id as string)).principalId).toBe(principalId);

      const listed = [];
      for await (const a of client.roleAssignments.listForScope(rgId, { filter: `principalId eq '${principalId}'` })) listed.push(a);
      expect(listed.map((a) => a.name)).toEqual([name]);

      const atScope = [];
      for await (const a of client.roleAssignments.listForScope(rgId, { filter: 'atScope()' })) atScope.push(a);
      expect(atScope.map((a) => a.name)).not.toContain(name); // atScope() leaves out assignments below the scope
      expect(atScope.some((a) => a.principalId === emulator.ownerPrincipalId)).toBe(true); // …and includes inherited ones

      await client.roleAssignments.delete(vnetScope, name);
      expect(await restErrorOf(client.roleAssignments.getById(created.id as string))).toEqual({ statusCode: 404, code: 'RoleAssignmentNotFound' });
    });

    it('lists the subscription-level assignments', async () => {
      const all = [];
      for await (const a of authorizationClientFor(emulator).roleAssignments.listForSubscription()) all.push(a);
      expect(all.some((a) => a.principalId === emulator.ownerPrincipalId && a.roleDefinitionId?.endsWith(roles.Owner))).toBe(true);
    });
  });

  describe('roleDefinitions', () => {
    it('answers a built-in role with its real action list', async () => {
      const contributor = await authorizationClientFor(emulator).roleDefinitions.get(`/subscriptions/${emulator.subscriptionId}`, roles.Contributor);
      expect(contributor).toMatchObject({ roleName: 'Contributor', roleType: 'BuiltInRole', assignableScopes: ['/'] });
      expect(contributor.permissions?.[0]?.actions).toEqual(['*']);
      expect(contributor.permissions?.[0]?.notActions).toEqual(expect.arrayContaining(['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/elevateAccess/Action']));
    });

    it('creates a custom role that then authorizes exactly its actions', async () => {
      const client = authorizationClientFor(emulator);
      const guid = randomUUID();
      const scope = `/subscriptions/${emulator.subscriptionId}`;
      const created = await client.roleDefinitions.createOrUpdate(scope, guid, {
        roleName: 'vaultlink test: resource group reader',
        description: 'reads resource groups',
        roleType: 'CustomRole',
        permissions: [{ actions: ['Microsoft.Resources/subscriptions/resourceGroups/read'], notActions: [] }],
        assignableScopes: [scope],
      });
      expect(created).toMatchObject({ name: guid, roleType: 'CustomRole', roleName: 'vaultlink test: resource group reader' });

      const byName = [];
      for await (const d of client.roleDefinitions.list(scope, { filter: "roleName eq 'vaultlink test: resource group reader'" })) byName.push(d);
      expect(byName.map((d) => d.name)).toEqual([guid]);

      const principalId = newPrincipalId();
      await client.roleAssignments.create(rgId, randomUUID(), { roleDefinitionId: roleDefinitionId(guid), principalId });
      const read = await armRequest(emulator, { path: `${rgId}?api-version=2021-04-01`, principalId });
      expect(read.status).toBe(200);
      const write = await armRequest(emulator, { method: 'PUT', path: `${rgId}?api-version=2021-04-01`, principalId, body: { location: 'westeurope' } });
      expect(write.status).toBe(403);
      expect(errorCode(write)).toBe('AuthorizationFailed');
    });

    it('answers 409 for a custom role named like a built-in role', async () => {
      const scope = `/subscriptions/${emulator.subscriptionId}`;
      const call = authorizationClientFor(emulator).roleDefinitions.createOrUpdate(scope, randomUUID(), {
        roleName: 'Reader',
        permissions: [{ actions: ['*/read'] }],
        assignableScopes: [scope],
      });
      expect(await restErrorOf(call)).toEqual({ statusCode: 409, code: 'RoleDefinitionWithSameNameExists' });
    });
  });
});
