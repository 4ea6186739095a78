import { ROLE_ASSIGNMENT_PROPAGATION_MS, rolesEffectiveAfter, type RoleAssignment } from '../../../shared/domain';
import { planVault } from '../../../shared/plan';
import { applyInMemory, connectionFor, OBSERVED_AT, observed, policy, primaryEndpoint, vault } from './fixtures';

/**
 * Azure applies a new role assignment only after a delay (up to 10 minutes), and Azure Backup
 * acts as the vault identity: the planner says until when the identity's roles may not work yet.
 */
const at = (offsetMinutes: number): string => new Date(Date.parse(OBSERVED_AT) + offsetMinutes * 60_000).toISOString();
const options = { cloud: 'AzurePublicCloud' } as const;

function approvedVault() {
  const pe = primaryEndpoint('pe1', { status: 'Approved' });
  return observed({ vault: vault({ connections: [connectionFor(pe, 'Approved')] }), privateEndpoints: [pe] });
}

describe('role propagation', () => {
  describe('#rolesEffectiveAfter', () => {
    const role = (createdOn?: string): RoleAssignment => ({ id: 'x', name: 'x', scope: '/subscriptions/s', principalId: 'p', roleDefinitionGuid: 'g', description: '', ...(createdOn ? { createdOn } : {}) });

    it.each([
      ['a grant made now', [], true, at(10)],
      ['a role granted 3 minutes ago', [role(at(-3))], false, at(7)],
      ['the youngest of several', [role(at(-9)), role(at(-2))], false, at(8)],
      ['roles older than the window', [role(at(-11))], false, undefined],
      ['roles ARM gave no creation time for', [role()], false, undefined],
    ])('%s', (_what, held, grantingNow, expected) => {
      expect(rolesEffectiveAfter(held, grantingNow, OBSERVED_AT)).toBe(expected);
    });

    it('uses Azure\'s documented 10 minutes', () => {
      expect(ROLE_ASSIGNMENT_PROPAGATION_MS).toBe(600_000);
    });
  });

  describe('#planVault', () => {
    it('reports role-propagation (info) in the pass that grants the roles', () => {
      const plan = planVault(approvedVault(), policy(), options);
      expect(plan.actions.some((a) => a.kind === 'grant-role')).toBe(true);
      const finding = plan.findings.find((f) => f.code === 'role-propagation');
      expect(finding).toMatchObject({ severity: 'info' });
      expect(finding?.message).toContain(at(10));
      expect(finding?.message).toContain('AuthorizationFailed');
    });

    it('keeps reporting it while the granted roles are younger than the window, and stops after', () => {
      const first = approvedVault();
      const granted = applyInMemory(first, planVault(first, policy(), options).actions);
      const young = { ...granted, roleAssignments: granted.roleAssignments.map((r) => ({ ...r, createdOn: at(-4) })) };
      const old = { ...granted, roleAssignments: granted.roleAssignments.map((r) => ({ ...r, createdOn: at(-30) })) };
      const youngPlan = planVault(young, policy(), options);
      expect(youngPlan.actions).toEqual([]);
      expect(youngPlan.findings.find((f) => f.code === 'role-propagation')?.message).toContain(at(6));
      expect(planVault(old, policy(), options).findings.map((f) => f.code)).not.toContain('role-propagation');
    });
  });
});
