import fc from 'fast-check';
import { evaluateApproval, type ApprovalRequest, type ApprovalRule } from '../../../shared/domain/approval';
import { peId, SUB, TENANT, VAULT_ID } from './builders';

const SPOKE_SUB = '33333333-3333-3333-3333-333333333333';
const request = (overrides: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  privateEndpointId: peId('pe-backup-01', 'rg-spoke-a', SPOKE_SUB),
  requesterTenantId: TENANT,
  vault: { id: VAULT_ID, tags: { landingZone: 'corp' } },
  ...overrides,
});
const rule = (requester: ApprovalRule['requester'], vault?: ApprovalRule['vault'], name = 'spoke-a'): ApprovalRule => ({ name, requester, vault });

describe('approval', () => {
  describe('#evaluateApproval', () => {
    it.each([
      ['the subscription', rule({ subscriptionId: SPOKE_SUB })],
      ['the subscription in upper case', rule({ subscriptionId: SPOKE_SUB.toUpperCase() })],
      ['the tenant', rule({ tenantId: TENANT.toUpperCase() })],
      ['subscription, resource group and name glob', rule({ subscriptionId: SPOKE_SUB, resourceGroup: 'RG-Spoke-A', privateEndpointName: 'PE-BACKUP-*' })],
      ['a vault id in another spelling', rule({ subscriptionId: SPOKE_SUB }, { ids: [`//subscriptions/${SUB}/resourcegroups/rg-backup/providers/Microsoft.RecoveryServices/Vaults/VAULT1/`] })],
      ['a vault tag with another key casing', rule({ tenantId: TENANT }, { tags: { LandingZone: 'corp' } })],
    ])('approves when the rule names %s', (_what, r) => {
      expect(evaluateApproval(request(), [r])).toEqual({ decision: 'approve', rule: r });
    });

    it.each([
      ['another subscription', rule({ subscriptionId: SUB }), 'requires subscription'],
      ['a subscription that is a prefix', rule({ subscriptionId: SPOKE_SUB.slice(0, -1) }), 'requires subscription'],
      ['another resource group', rule({ subscriptionId: SPOKE_SUB, resourceGroup: 'rg-spoke' }), 'requires resource group'],
      ['a name glob that does not fit', rule({ subscriptionId: SPOKE_SUB, privateEndpointName: 'pe-sql-*' }), 'private endpoint name'],
      ['another tenant', rule({ tenantId: '44444444-4444-4444-4444-444444444444' }), 'requires tenant'],
      ['another vault', rule({ subscriptionId: SPOKE_SUB }, { ids: [VAULT_ID.replace('vault1', 'vault2')] }), 'not in the rule'],
      ['an empty vault list', rule({ subscriptionId: SPOKE_SUB }, { ids: [] }), 'not in the rule'],
      ['a tag value in another casing', rule({ subscriptionId: SPOKE_SUB }, { tags: { landingZone: 'Corp' } }), 'is not "Corp"'],
      ['a missing tag', rule({ subscriptionId: SPOKE_SUB }, { tags: { landingZone: 'corp', env: 'prod' } }), 'no tag "env"'],
      ['neither tenant nor subscription', rule({ resourceGroup: 'rg-spoke-a' }), 'matches nothing'],
    ])('does not approve %s, and says why', (_what, r, reason) => {
      const d = evaluateApproval(request(), [r]);
      expect(d.decision).toBe('no-match');
      expect(d.decision === 'no-match' && d.reasons.join('\n')).toContain(reason);
    });

    it('does not approve a tenant rule when the requester tenant is unknown', () => {
      const d = evaluateApproval(request({ requesterTenantId: undefined }), [rule({ tenantId: TENANT })]);
      expect(d).toEqual({ decision: 'no-match', reasons: [expect.stringContaining('tenant is unknown')] });
    });

    it('never approves on a partial match: every criterion must hold', () => {
      const d = evaluateApproval(request(), [rule({ tenantId: TENANT, subscriptionId: SUB })]);
      expect(d.decision).toBe('no-match');
    });

    it('lets the first matching rule win and reports every rule that did not', () => {
      const rules = [rule({ subscriptionId: SUB }, undefined, 'hub'), rule({ subscriptionId: SPOKE_SUB }, undefined, 'first'), rule({ tenantId: TENANT }, undefined, 'second')];
      const d = evaluateApproval(request(), rules);
      expect(d.decision === 'approve' && d.rule.name).toBe('first');
      const none = evaluateApproval(request(), [rules[0] as ApprovalRule, rule({ subscriptionId: SUB }, undefined, 'other')]);
      expect(none.decision === 'no-match' && none.reasons.map((r) => r.split(':')[0])).toEqual(['rule "hub"', 'rule "other"']);
    });

    it('does not approve without rules', () => {
      expect(evaluateApproval(request(), [])).toEqual({ decision: 'no-match', reasons: ['the policy has no approval rules'] });
    });

    it.each([
      ['a relative segment', `/subscriptions/${SPOKE_SUB}/resourceGroups/rg-spoke-a/providers/Microsoft.Network/privateEndpoints/../pe`],
      ['an encoded separator', `/subscriptions/${SPOKE_SUB}%2Fx/resourceGroups/rg-spoke-a/providers/Microsoft.Network/privateEndpoints/pe`],
      ['an empty segment', `/subscriptions/${SPOKE_SUB}/resourceGroups//providers/Microsoft.Network/privateEndpoints/pe`],
      ['another resource type', `/subscriptions/${SPOKE_SUB}/resourceGroups/rg-spoke-a/providers/Microsoft.Network/networkInterfaces/pe`],
      ['a child of a PE', `${peId('pe', 'rg-spoke-a', SPOKE_SUB)}/privateDnsZoneGroups/default`],
    ])('refuses a requesting PE id with %s, quoting why', (_what, id) => {
      const d = evaluateApproval(request({ privateEndpointId: id }), [rule({ tenantId: TENANT })]);
      expect(d.decision).toBe('no-match');
      expect(d.decision === 'no-match' && d.reasons[0]).toContain('requesting private endpoint');
    });

    it('refuses a malformed vault id', () => {
      const d = evaluateApproval(request({ vault: { id: VAULT_ID + '/..', tags: {} } }), [rule({ tenantId: TENANT })]);
      expect(d.decision === 'no-match' && d.reasons[0]).toContain('vault');
    });
  });

  describe('#evaluateApproval (properties)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/);
    const requestIn = (sub: string, rg: string, name: string) => request({ privateEndpointId: peId(name, rg, sub), requesterTenantId: undefined });

    it('never matches a subscription rule against a PE in that subscription id plus any suffix', () => {
      fc.assert(
        fc.property(segment, segment, segment, segment, (s, x, rg, name) => {
          const d = evaluateApproval(requestIn(s + x, rg, name), [rule({ subscriptionId: s })]);
          return d.decision === 'no-match';
        }),
      );
    });

    it('never matches a resource group rule against a longer resource group', () => {
      fc.assert(
        fc.property(segment, segment, segment, segment, (s, rg, x, name) => {
          return evaluateApproval(requestIn(s, rg + x, name), [rule({ subscriptionId: s, resourceGroup: rg })]).decision === 'no-match';
        }),
      );
    });

    it('matches exactly the subscription and resource group in any casing', () => {
      fc.assert(
        fc.property(segment, segment, segment, fc.boolean(), (s, rg, name, upper) => {
          const r = rule({ subscriptionId: upper ? s.toUpperCase() : s.toLowerCase(), resourceGroup: upper ? rg.toLowerCase() : rg.toUpperCase() });
          return evaluateApproval(requestIn(s, rg, name), [r]).decision === 'approve';
        }),
      );
    });

    const hostile = fc.constantFrom('..', '.', '%2F', '%2f', '%2E%2E', '', 'a\\b');
    it('never matches ids with "..", encoded separators or empty segments, wherever they sit', () => {
      fc.assert(
        fc.property(segment, segment, segment, hostile, fc.nat(5), (s, rg, name, bad, where) => {
          const parts = ['subscriptions', s, 'resourceGroups', rg, 'providers', 'Microsoft.Network', 'privateEndpoints', name];
          parts.splice(Math.min(where + 1, parts.length), 0, bad);
          const id = '/' + parts.join('/');
          // a permissive rule that matches the clean id
          const permissive = [rule({ tenantId: TENANT })];
          const clean = evaluateApproval(request({ privateEndpointId: peId(name, rg, s) }), permissive);
          const d = evaluateApproval(request({ privateEndpointId: id }), permissive);
          return clean.decision === 'approve' && d.decision === 'no-match';
        }),
      );
    });

    it('never matches when a hostile fragment replaces the subscription segment', () => {
      fc.assert(
        fc.property(segment, segment, hostile, (rg, name, bad) => {
          const id = `/subscriptions/${bad}/resourceGroups/${rg}/providers/Microsoft.Network/privateEndpoints/${name}`;
          return evaluateApproval(request({ privateEndpointId: id }), [rule({ tenantId: TENANT })]).decision === 'no-match';
        }),
      );
    });
  });
});
