import contract from '../../shared/contract.json';
import { actionMatches, authenticate, Authorizer, builtInRole, createAccessToken, credentialFor, roleDefinitionGuid, roleGrants } from '../../emulator/auth';
import { ArmError } from '../../emulator/arm';
import { ResourceStore } from '../../emulator/store';

const SUB = '11111111-1111-1111-1111-111111111111';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
const roles = contract.roleDefinitions;

describe('auth', () => {
  describe('#createAccessToken / #authenticate', () => {
    it('round-trips the oid and tid claims of a token', () => {
      const token = createAccessToken({ principalId: 'p-1', tenantId: 't-1' });
      const claims = authenticate(`Bearer ${token}`);
      expect(claims).toMatchObject({ principalId: 'p-1', tenantId: 't-1' });
      expect(claims.claims['aud']).toBe('https://management.azure.com/');
    });

    it('hands out tokens through a TokenCredential for any principal', async () => {
      const token = await credentialFor({ principalId: 'vault-mi', tenantId: 't-2' }).getToken('https://management.azure.com/.default');
      expect(token).not.toBeNull();
      expect(authenticate(`Bearer ${token?.token}`).principalId).toBe('vault-mi');
    });

    it.each([[undefined], [''], ['Bearer'], ['Bearer a.b'], ['Bearer !!!.@@@.']])('rejects %p with 401', (header) => {
      expect(() => authenticate(header)).toThrow(ArmError);
      try {
        authenticate(header);
      } catch (e) {
        expect((e as ArmError).status).toBe(401);
        expect((e as ArmError).code).toBe('InvalidAuthenticationToken');
      }
    });
  });

  describe('#actionMatches', () => {
    it.each([
      ['*', 'Microsoft.Network/privateEndpoints/write', true],
      ['*/read', 'Microsoft.Network/privateEndpoints/read', true],
      ['*/read', 'Microsoft.Network/privateEndpoints/write', false],
      ['Microsoft.Network/*', 'Microsoft.Network/virtualNetworks/subnets/join/action', true],
      ['Microsoft.Network/*', 'Microsoft.RecoveryServices/vaults/read', false],
      ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/roleAssignments/write', true],
      ['microsoft.network/privateendpoints/*', 'Microsoft.Network/privateEndpoints/delete', true],
      ['Microsoft.Network/privateEndpoints/read', 'Microsoft.Network/privateEndpoints/reader', false],
    ])('%s matches %s: %s', (pattern, action, expected) => {
      expect(actionMatches(pattern, action)).toBe(expected);
    });
  });

  describe('#roleGrants', () => {
    const approval = contract.approvalAction;
    it.each([
      [roles.Owner, 'Microsoft.Authorization/roleAssignments/write', true],
      [roles.Contributor, 'Microsoft.Network/privateEndpoints/write', true],
      [roles.Contributor, approval, true],
      [roles.Contributor, 'Microsoft.Authorization/roleAssignments/write', false],
      [roles.Contributor, 'Microsoft.Authorization/roleAssignments/delete', false],
      [roles.Contributor, 'Microsoft.Authorization/elevateAccess/Action', false],
      [roles.Contributor, 'Microsoft.Authorization/roleAssignments/read', true],
      [roles.Reader, 'Microsoft.RecoveryServices/vaults/read', true],
      [roles.Reader, 'Microsoft.RecoveryServices/vaults/write', false],
      [roles.NetworkContributor, 'Microsoft.Network/virtualNetworks/subnets/join/action', true],
      [roles.NetworkContributor, 'Microsoft.Network/privateDnsZones/A/write', true],
      [roles.NetworkContributor, approval, false],
      [roles.PrivateDnsZoneContributor, 'Microsoft.Network/privateDnsZones/A/write', true],
      [roles.PrivateDnsZoneContributor, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/write', true],
      [roles.PrivateDnsZoneContributor, 'Microsoft.Network/privateEndpoints/write', false],
      [roles.RoleBasedAccessControlAdministrator, 'Microsoft.Authorization/roleAssignments/write', true],
      [roles.RoleBasedAccessControlAdministrator, 'Microsoft.Authorization/roleDefinitions/write', false],
      [roles.UserAccessAdministrator, 'Microsoft.Authorization/roleDefinitions/write', true],
      [roles.UserAccessAdministrator, 'Microsoft.Network/privateEndpoints/write', false],
    ])('role %s grants %s: %s', (guid, action, expected) => {
      const role = builtInRole(guid);
      expect(role).toBeDefined();
      expect(roleGrants(role!, action)).toBe(expected);
    });
  });

  describe('#roleDefinitionGuid', () => {
    it.each([
      [`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roles.Reader}`, roles.Reader],
      [`/providers/Microsoft.Authorization/roleDefinitions/${roles.Reader.toUpperCase()}`, roles.Reader],
      [roles.Reader, roles.Reader],
    ])('reads the GUID of %s', (id, guid) => {
      expect(roleDefinitionGuid(id)).toBe(guid);
    });
  });

  describe('Authorizer', () => {
    function assign(store: ResourceStore, scope: string, principalId: string, roleGuid: string, name = `${principalId}-${roleGuid}`.slice(0, 36)): void {
      const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
      store.put(id, { id, properties: { principalId, roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}` } });
    }

    describe('#isAuthorized', () => {
      it('grants from an assignment at a parent scope and not from one at a child scope', () => {
        const store = new ResourceStore();
        assign(store, RG, 'p1', roles.NetworkContributor);
        assign(store, VNET, 'p2', roles.NetworkContributor);
        const authz = new Authorizer(store);
        expect(authz.isAuthorized('p1', 'Microsoft.Network/virtualNetworks/subnets/join/action', `${VNET}/subnets/s1`)).toBe(true);
        expect(authz.isAuthorized('p2', 'Microsoft.Network/privateEndpoints/write', `${RG}/providers/Microsoft.Network/privateEndpoints/pe1`)).toBe(false);
        expect(authz.isAuthorized('p2', 'Microsoft.Network/virtualNetworks/write', VNET)).toBe(true);
      });

      it('compares scopes case-insensitively and ignores a leading double slash', () => {
        const store = new ResourceStore();
        assign(store, RG.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions'), 'p1', roles.Reader);
        const authz = new Authorizer(store);
        expect(authz.isAuthorized('p1', 'Microsoft.Network/virtualNetworks/read', '/' + VNET.toLowerCase())).toBe(true);
      });

      it('does not confuse a resource group with another whose name it prefixes', () => {
        const store = new ResourceStore();
        assign(store, RG, 'p1', roles.Owner);
        const authz = new Authorizer(store);
        expect(authz.isAuthorized('p1', 'Microsoft.Network/virtualNetworks/read', `${RG}2/providers/Microsoft.Network/virtualNetworks/v`)).toBe(false);
      });

      it('sees assignments and custom roles written after the first check', () => {
        const store = new ResourceStore();
        const authz = new Authorizer(store);
        const action = 'Microsoft.Network/networkInterfaces/read';
        expect(authz.isAuthorized('p1', action, RG)).toBe(false);
        const customGuid = 'c0000000-0000-0000-0000-000000000001';
        const defId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${customGuid}`;
        store.put(defId, { id: defId, properties: { roleName: 'NIC reader', permissions: [{ actions: [action], notActions: [] }], assignableScopes: [`/subscriptions/${SUB}`] } });
        assign(store, RG, 'p1', customGuid);
        expect(authz.isAuthorized('p1', action, RG)).toBe(true);
        expect(authz.isAuthorized('p1', 'Microsoft.Network/networkInterfaces/write', RG)).toBe(false);
      });

      it('ignores an assignment whose role definition does not exist', () => {
        const store = new ResourceStore();
        assign(store, RG, 'p1', 'deadbeef-0000-0000-0000-000000000000');
        expect(new Authorizer(store).isAuthorized('p1', 'Microsoft.Network/virtualNetworks/read', RG)).toBe(false);
      });
    });

    describe('#assertLinkedAuthorized', () => {
      it('throws 403 LinkedAuthorizationFailed naming the action and linked scope', () => {
        const authz = new Authorizer(new ResourceStore());
        expect(() => authz.assertLinkedAuthorized('p1', contract.approvalAction, VNET)).toThrow(/LinkedAuthorizationFailed|linked scope/);
        try {
          authz.assertLinkedAuthorized('p1', contract.approvalAction, VNET);
        } catch (e) {
          expect((e as ArmError).code).toBe('LinkedAuthorizationFailed');
          expect((e as ArmError).status).toBe(403);
          expect((e as ArmError).message).toContain(VNET);
        }
      });
    });
  });
});
