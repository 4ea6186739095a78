import contract from '../../../shared/contract.json';
import { BicepEvaluator, BicepFile, BicepValue, isObject } from '../bicep';
import { moduleBicep } from '../files';

const SUBSCRIPTIONS = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
const file = BicepFile.load(moduleBicep('role-definitions'));

function record(value: BicepValue | undefined, what: string): Record<string, BicepValue> {
  if (value === undefined || !isObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

function evaluate(parameters: Record<string, BicepValue>): BicepEvaluator {
  return new BicepEvaluator(file, { subscriptionIdsInScope: SUBSCRIPTIONS, operatorRoleDefinitionGuid: 'op-guid', operatorRoleName: 'vaultlink operator', ...parameters });
}

function roleProperties(body: Record<string, BicepValue>): { actions: string[]; assignableScopes: string[]; roleName: string } {
  const properties = record(body.properties, 'properties');
  const [permissions] = properties.permissions as BicepValue[];
  return { actions: record(permissions, 'permissions').actions as string[], assignableScopes: properties.assignableScopes as string[], roleName: String(properties.roleName) };
}

describe('infra/modules/role-definitions.bicep', () => {
  describe('#operatorRole', () => {
    it.each<[string, boolean, string[]]>([
      ['identity enabling allowed', true, [contract.approvalAction, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.Network/virtualNetworks/join/action', 'Microsoft.RecoveryServices/vaults/write']],
      ['identity enabling not allowed', false, [contract.approvalAction, 'Microsoft.RecoveryServices/vaults/privateEndpointConnections/write', 'Microsoft.Network/virtualNetworks/join/action']],
    ])('holds exactly the approval, connection and VNet link actions, and vaults/write only when %s', (_what, allowed, expected) => {
      const [operator] = evaluate({ vaultIdentityEnablingAllowed: allowed }).bodies('resource', 'operatorRole');
      const role = roleProperties(operator?.body ?? {});
      expect([...role.actions].sort()).toEqual([...expected].sort());
      expect(role.actions.some((a) => a.includes('*'))).toBe(false);
    });

    it('is assignable on exactly the subscriptions in scope, under the GUID it is given', () => {
      const [operator] = evaluate({ vaultIdentityEnablingAllowed: false }).bodies('resource', 'operatorRole');
      expect(operator?.body.name).toBe('op-guid');
      expect(roleProperties(operator?.body ?? {}).assignableScopes).toEqual(SUBSCRIPTIONS.map((s) => `/subscriptions/${s}`));
    });
  });

  describe('#leastPrivilegeRoles', () => {
    it('creates the seed\'s roles with the contract\'s names and actions under the given GUIDs', () => {
      const guids = { NetworkInterfaceReader: 'g-nic', PrivateEndpointContributor: 'g-pe', PrivateEndpointSubnetContributor: 'g-subnet' };
      const roles = evaluate({ vaultIdentityEnablingAllowed: false, leastPrivilegeRoleDefinitionGuids: guids }).bodies('resource', 'leastPrivilegeRoles');
      const byName = Object.fromEntries(roles.map(({ body }) => [roleProperties(body).roleName, { name: body.name, actions: roleProperties(body).actions }]));
      expect(byName).toEqual({
        NetworkInterfaceReader: { name: 'g-nic', actions: contract.leastPrivilegeCustomRoles.NetworkInterfaceReader },
        PrivateEndpointContributor: { name: 'g-pe', actions: contract.leastPrivilegeCustomRoles.PrivateEndpointContributor },
        PrivateEndpointSubnetContributor: { name: 'g-subnet', actions: contract.leastPrivilegeCustomRoles.PrivateEndpointSubnetContributor },
      });
    });

    it('creates none when no GUIDs are given', () => {
      expect(evaluate({ vaultIdentityEnablingAllowed: true }).bodies('resource', 'leastPrivilegeRoles')).toEqual([]);
    });
  });
});
