import { v5 as uuidv5 } from 'uuid';
import contract from '../../../shared/contract.json';
import type { RoleAssignment } from '../../../shared/domain/model';
import {
  missingRoleAssignments,
  requiredRoleAssignments,
  ROLE_ASSIGNMENT_NAMESPACE,
  roleAssignmentName,
  roleDefinitionGuidOf,
  roleDefinitionIdFor,
  type CustomRoleDefinitionIds,
  type RoleProfile,
} from '../../../shared/domain/rbac';
import { SUB, VNET_ID } from './builders';

const PRINCIPAL = '22222222-2222-2222-2222-222222222222';
const RG_NET = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const RG_PE = `/subscriptions/${SUB}/resourceGroups/rg-pe`;
const RG_DNS = `/subscriptions/${SUB}/resourceGroups/rg-dns`;
const CUSTOM: CustomRoleDefinitionIds = {
  PrivateEndpointContributor: 'aaaaaaaa-0000-0000-0000-000000000001',
  NetworkInterfaceReader: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/AAAAAAAA-0000-0000-0000-000000000002`,
  PrivateEndpointSubnetContributor: '/providers/Microsoft.Authorization/roleDefinitions/aaaaaaaa-0000-0000-0000-000000000003',
};
const base = { vnetIds: [VNET_ID], peResourceGroupIds: [RG_PE], dnsZoneResourceGroupIds: [RG_DNS], principalId: PRINCIPAL };

describe('rbac', () => {
  describe('#roleDefinitionGuidOf', () => {
    const guid = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
    it.each([
      ['subscription-scoped', `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`],
      ['provider-only', `/providers/Microsoft.Authorization/roleDefinitions/${guid}`],
      ['upper-case', `/providers/microsoft.authorization/RoleDefinitions/${guid.toUpperCase()}`],
      ['bare GUID', guid],
    ])('reads the GUID from the %s form', (_what, id) => {
      expect(roleDefinitionGuidOf(id)).toBe(guid);
    });

    it.each([
      ['not a GUID', '/providers/Microsoft.Authorization/roleDefinitions/contributor'],
      ['another type', `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${guid}`],
      ['a resource-group scoped id', `${RG_PE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`],
      ['a hostile id', `/providers/Microsoft.Authorization/roleDefinitions/../${guid}`],
      ['empty', ''],
    ])('refuses %s', (_what, id) => {
      expect(() => roleDefinitionGuidOf(id)).toThrow('not a role definition id');
    });

    it('round-trips through the subscription-scoped id sent in requests', () => {
      expect(roleDefinitionGuidOf(roleDefinitionIdFor(SUB, guid.toUpperCase()))).toBe(guid);
    });
  });

  describe('#roleAssignmentName', () => {
    it('is the UUIDv5 of scope|principal|role with the fixed namespace', () => {
      const expected = uuidv5(`${RG_PE.toLowerCase()}|${PRINCIPAL}|${contract.roleDefinitions.Contributor}`, ROLE_ASSIGNMENT_NAMESPACE);
      expect(roleAssignmentName(RG_PE, PRINCIPAL, contract.roleDefinitions.Contributor)).toBe(expected);
    });

    it('is the same for every spelling of the same triple', () => {
      const names = new Set([
        roleAssignmentName(RG_PE, PRINCIPAL, contract.roleDefinitions.Contributor),
        roleAssignmentName(`//subscriptions/${SUB}/resourcegroups/RG-PE/`, PRINCIPAL.toUpperCase(), `/providers/Microsoft.Authorization/roleDefinitions/${contract.roleDefinitions.Contributor}`),
      ]);
      expect(names.size).toBe(1);
    });

    it.each([
      ['scope', RG_NET, PRINCIPAL, contract.roleDefinitions.Contributor],
      ['principal', RG_PE, '33333333-3333-3333-3333-333333333333', contract.roleDefinitions.Contributor],
      ['role', RG_PE, PRINCIPAL, contract.roleDefinitions.Reader],
    ])('differs when the %s differs', (_what, scope, principal, role) => {
      expect(roleAssignmentName(scope, principal, role)).not.toBe(roleAssignmentName(RG_PE, PRINCIPAL, contract.roleDefinitions.Contributor));
    });
  });

  describe('#requiredRoleAssignments', () => {
    it('grants Contributor on the VNet, PE and DNS-zone resource groups for the contributor profile', () => {
      const got = requiredRoleAssignments({ ...base, profile: 'contributor' });
      expect(got.map((a) => [a.scope, a.roleName, a.roleDefinitionGuid])).toEqual([
        [RG_DNS, 'Contributor', contract.roleDefinitions.Contributor],
        [RG_NET, 'Contributor', contract.roleDefinitions.Contributor],
        [RG_PE, 'Contributor', contract.roleDefinitions.Contributor],
      ]);
      expect(got.every((a) => a.principalId === PRINCIPAL && a.name === roleAssignmentName(a.scope, PRINCIPAL, a.roleDefinitionGuid))).toBe(true);
    });

    it('grants the seed custom roles and Private DNS Zone Contributor for least-privilege, the subnet role on the VNet', () => {
      const got = requiredRoleAssignments({ ...base, profile: 'least-privilege', customRoleDefinitionIds: CUSTOM });
      expect(got.map((a) => [a.scope, a.roleName, a.roleDefinitionGuid])).toEqual([
        [RG_DNS, 'PrivateDnsZoneContributor', contract.roleDefinitions.PrivateDnsZoneContributor],
        [VNET_ID, 'PrivateEndpointSubnetContributor', 'aaaaaaaa-0000-0000-0000-000000000003'],
        [RG_PE, 'NetworkInterfaceReader', 'aaaaaaaa-0000-0000-0000-000000000002'],
        [RG_PE, 'PrivateEndpointContributor', 'aaaaaaaa-0000-0000-0000-000000000001'],
      ]);
    });

    it.each(['contributor', 'least-privilege'] as RoleProfile[])('grants only roles infra allows for the %s profile (contract.json roleProfiles)', (profile) => {
      const got = requiredRoleAssignments({ ...base, profile, customRoleDefinitionIds: CUSTOM });
      const allowed: string[] = contract.roleProfiles[profile];
      expect(got.length).toBeGreaterThan(0);
      for (const a of got) expect(allowed).toContain(a.roleName);
    });

    it('deduplicates scopes that are the same resource group in different spellings', () => {
      const got = requiredRoleAssignments({
        vnetIds: [VNET_ID, VNET_ID.replace('virtualNetworks/vnet1', 'virtualNetworks/vnet2')],
        peResourceGroupIds: [RG_NET.replace('resourceGroups', 'resourcegroups'), `//subscriptions/${SUB}/resourceGroups/RG-NET/`],
        dnsZoneResourceGroupIds: [RG_NET],
        principalId: PRINCIPAL,
        profile: 'contributor',
      });
      expect(got).toHaveLength(1);
      expect(got[0]?.scope).toBe(RG_NET);
    });

    it('accepts a resource id inside a resource group as its resource group', () => {
      const got = requiredRoleAssignments({ ...base, peResourceGroupIds: [`${RG_PE}/providers/Microsoft.Network/privateEndpoints/pe1`], profile: 'contributor' });
      expect(got.map((a) => a.scope)).toContain(RG_PE);
    });

    it('gives nothing when there is nothing to reach', () => {
      expect(requiredRoleAssignments({ ...base, vnetIds: [], peResourceGroupIds: [], dnsZoneResourceGroupIds: [], profile: 'contributor' })).toEqual([]);
    });

    it.each([
      ['least-privilege without custom role ids', { ...base, profile: 'least-privilege' as const }, 'customRoleDefinitionIds'],
      ['an empty principal', { ...base, principalId: ' ', profile: 'contributor' as const }, 'principal'],
      ['a hostile scope', { ...base, peResourceGroupIds: [`/subscriptions/${SUB}/resourceGroups/../rg`], profile: 'contributor' as const }, 'invalid resource id'],
    ])('refuses %s', (_what, input, message) => {
      expect(() => requiredRoleAssignments(input)).toThrow(message);
    });
  });

  describe('#missingRoleAssignments', () => {
    const desired = requiredRoleAssignments({ ...base, profile: 'contributor' });
    const existing = (scope: string, roleDefinitionGuid: string, principalId = PRINCIPAL): RoleAssignment => ({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/x`,
      name: 'hand-made',
      scope,
      principalId,
      roleDefinitionGuid,
      description: '',
    });

    it('counts an assignment made under another name and spelling as present', () => {
      const missing = missingRoleAssignments(desired, [existing(RG_PE.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'), contract.roleDefinitions.Contributor.toUpperCase())]);
      expect(missing.map((m) => m.scope)).toEqual([RG_DNS, RG_NET]);
    });

    it.each([
      ['another principal', existing(RG_PE, contract.roleDefinitions.Contributor, '33333333-3333-3333-3333-333333333333')],
      ['another role', existing(RG_PE, contract.roleDefinitions.Reader)],
      ['a broader scope', existing(`/subscriptions/${SUB}`, contract.roleDefinitions.Contributor)],
    ])('does not count %s', (_what, e) => {
      expect(missingRoleAssignments(desired, [e])).toHaveLength(3);
    });
  });
});
