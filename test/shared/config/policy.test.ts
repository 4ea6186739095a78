import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy, PolicyError, type PolicyProblem } from '../../../shared/config/load';
import { POLICY_FILE_NAME } from '../../../shared/config/policy';

const ROOT = join(__dirname, '..', '..', '..');
const SUB = '00000000-0000-0000-0000-000000000001';
const OTHER_SUB = '00000000-0000-0000-0000-000000000002';
const TENANT = '11111111-1111-1111-1111-111111111111';
const VAULT = `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-1`;
const VNET = `/subscriptions/${SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub`;

/** The smallest valid policy; each case below breaks one thing in it. */
function minimalPolicy(): Record<string, unknown> {
  return {
    version: 1,
    ownerId: 'alz-platform',
    scope: { subscriptions: [SUB] },
    dns: { placement: 'central', central: { subscriptionId: SUB, resourceGroup: 'rg-dns' } },
  };
}

function problemsOf(policy: unknown): PolicyProblem[] {
  try {
    parsePolicy(JSON.stringify(policy, null, 2), 'test.policy.json');
  } catch (e) {
    if (e instanceof PolicyError) return [...e.problems];
    throw e;
  }
  throw new Error('the policy was accepted');
}

describe('policy schema', () => {
  describe('shipped files', () => {
    const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.policy.json'));

    it.each([POLICY_FILE_NAME, ...examples.map((f) => join('examples', f))])('loads %s', (file) => {
      const policy = parsePolicy(readFileSync(join(ROOT, file), 'utf8'), file);
      expect(policy.version).toBe(1);
      expect(policy.scope.subscriptions.length).toBeGreaterThan(0);
    });

    it('ships the default policy in audit mode, naming the generated schema', () => {
      const policy = parsePolicy(readFileSync(join(ROOT, POLICY_FILE_NAME), 'utf8'), POLICY_FILE_NAME);
      expect(policy.mode).toBe('audit');
      expect(policy.$schema).toBe('./vaultlink.policy.schema.json');
    });

    it('ships at least two examples, one least-privilege with custom DNS', () => {
      const policies = examples.map((f) => parsePolicy(readFileSync(join(ROOT, 'examples', f), 'utf8'), f));
      expect(policies.length).toBeGreaterThanOrEqual(2);
      expect(policies.some((p) => p.roles.profile === 'least-privilege' && p.dns.placement === 'custom')).toBe(true);
    });
  });

  describe('defaults', () => {
    it('fills in every optional section of a minimal policy', () => {
      const policy = parsePolicy(JSON.stringify(minimalPolicy()), 'min.json');
      expect(policy).toEqual({
        version: 1,
        mode: 'audit',
        ownerId: 'alz-platform',
        scope: { subscriptions: [SUB] },
        identity: { enableSystemAssigned: true },
        roles: { profile: 'contributor' },
        approval: { unmatched: 'leave-pending', rules: [] },
        dns: { placement: 'central', central: { subscriptionId: SUB, resourceGroup: 'rg-dns' }, recordPolicy: 'upsert-only', ttl: 10, linkVirtualNetworks: [], linkedZones: 'report' },
        geoCodes: {},
      });
    });

    it('fills in defaults inside a partly written section', () => {
      const policy = parsePolicy(JSON.stringify({ ...minimalPolicy(), identity: {}, roles: {}, approval: { unmatched: 'reject' } }), 'partial.json');
      expect(policy.identity).toEqual({ enableSystemAssigned: true });
      expect(policy.roles).toEqual({ profile: 'contributor' });
      expect(policy.approval).toEqual({ unmatched: 'reject', rules: [] });
    });

    it('keeps what is written over the defaults', () => {
      const policy = parsePolicy(
        JSON.stringify({ ...minimalPolicy(), mode: 'enforce', identity: { enableSystemAssigned: false }, dns: { placement: 'custom', recordPolicy: 'sync', ttl: 3600, linkVirtualNetworks: [VNET] } }),
        'written.json',
      );
      expect(policy.mode).toBe('enforce');
      expect(policy.identity.enableSystemAssigned).toBe(false);
      expect(policy.dns).toEqual({ placement: 'custom', recordPolicy: 'sync', ttl: 3600, linkVirtualNetworks: [VNET], linkedZones: 'report' });
    });
  });

  describe('accepted variants', () => {
    const rule = (requester: Record<string, unknown>, vault?: Record<string, unknown>) => ({ name: 'r1', requester, ...(vault ? { vault } : {}) });
    it.each<[string, (p: Record<string, unknown>) => void]>([
      ['a rule naming only a tenant', (p) => (p.approval = { rules: [rule({ tenantId: TENANT })] })],
      ['a rule naming only a subscription', (p) => (p.approval = { rules: [rule({ subscriptionId: OTHER_SUB })] })],
      ['a vault id in lower-case ARM spelling', (p) => (p.approval = { rules: [rule({ subscriptionId: SUB }, { ids: [VAULT.toLowerCase()] })] })],
      ['a resource group name with parentheses and dots', (p) => (p.approval = { rules: [rule({ subscriptionId: SUB, resourceGroup: 'rg.spoke(a)' })] })],
      ['zone-group placement with central zones', (p) => (p.dns = { placement: 'zone-group', central: { subscriptionId: SUB, resourceGroup: 'rg-dns' } })],
      ['custom placement without central zones', (p) => (p.dns = { placement: 'custom' })],
      ['geo code overrides', (p) => (p.geoCodes = { newregion: 'nrg', uksouth: 'uks' })],
      ['a $schema reference', (p) => (p.$schema = './vaultlink.policy.schema.json')],
    ])('accepts %s', (_what, change) => {
      const policy = minimalPolicy();
      change(policy);
      expect(() => parsePolicy(JSON.stringify(policy), 'ok.json')).not.toThrow();
    });
  });

  describe('refinements and field checks', () => {
    const rule = (requester: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'spoke-a', requester, ...extra });
    // [what, change, JSON path, part of "expected", "found"]
    it.each<[string, (p: Record<string, unknown>) => void, string, string, string]>([
      ['a missing ownerId', (p) => delete p.ownerId, '$.ownerId', 'a string (required)', 'nothing'],
      ['another version', (p) => (p.version = 2), '$.version', 'version 1', '2'],
      ['an unknown mode', (p) => (p.mode = 'Audit'), '$.mode', 'one of "audit", "enforce"', '"Audit"'],
      ['an owner id with spaces', (p) => (p.ownerId = 'alz platform'), '$.ownerId', 'an owner id', '"alz platform"'],
      ['an empty scope', (p) => (p.scope = { subscriptions: [] }), '$.scope.subscriptions', 'at least one subscription id', 'an empty array'],
      ['a malformed subscription id in scope', (p) => (p.scope = { subscriptions: ['sub-1'] }), '$.scope.subscriptions[0]', 'a subscription id (a GUID', '"sub-1"'],
      ['a repeated subscription', (p) => (p.scope = { subscriptions: [SUB, SUB.toUpperCase()] }), '$.scope.subscriptions[1]', 'not repeating entry [0]', JSON.stringify(SUB.toUpperCase())],
      ['least-privilege without custom role ids', (p) => (p.roles = { profile: 'least-privilege' }), '$.roles.customRoleDefinitionIds', 'because profile is least-privilege', 'nothing'],
      [
        'a custom role id that is not a GUID',
        (p) => (p.roles = { profile: 'least-privilege', customRoleDefinitionIds: { PrivateEndpointContributor: 'x', NetworkInterfaceReader: TENANT, PrivateEndpointSubnetContributor: TENANT } }),
        '$.roles.customRoleDefinitionIds.PrivateEndpointContributor',
        'the GUID of the custom role',
        '"x"',
      ],
      ['central placement without central zones', (p) => (p.dns = { placement: 'central' }), '$.dns.central', 'because placement is central', 'nothing'],
      ['zone-group placement without central zones', (p) => (p.dns = { placement: 'zone-group' }), '$.dns.central', 'because placement is zone-group', 'nothing'],
      ['a missing DNS placement', (p) => (p.dns = { central: { subscriptionId: SUB, resourceGroup: 'rg-dns' } }), '$.dns.placement', 'one of "central", "zone-group", "custom"', 'nothing'],
      ['a TTL of zero', (p) => (p.dns = { placement: 'custom', ttl: 0 }), '$.dns.ttl', 'a TTL of at least 1 second', '0'],
      ['a fractional TTL', (p) => (p.dns = { placement: 'custom', ttl: 1.5 }), '$.dns.ttl', 'whole number', '1.5'],
      ['a TTL given as a string', (p) => (p.dns = { placement: 'custom', ttl: '10' }), '$.dns.ttl', 'a number', '"10"'],
      ['a subnet id where a VNet id belongs', (p) => (p.dns = { placement: 'custom', linkVirtualNetworks: [`${VNET}/subnets/s1`] }), '$.dns.linkVirtualNetworks[0]', 'the id of a Microsoft.Network/virtualNetworks resource', '"/subscriptions/'],
      ['a hostile VNet id', (p) => (p.dns = { placement: 'custom', linkVirtualNetworks: [`/subscriptions/${SUB}/resourceGroups/rg/../providers/Microsoft.Network/virtualNetworks/v`] }), '$.dns.linkVirtualNetworks[0]', 'relative segment ".."', '"/subscriptions/'],
      ['a repeated VNet in another casing', (p) => (p.dns = { placement: 'custom', linkVirtualNetworks: [VNET, VNET.replace('resourceGroups', 'resourcegroups')] }), '$.dns.linkVirtualNetworks[1]', 'not repeating entry [0]', '"/subscriptions/'],
      ['a rule requester with neither tenant nor subscription', (p) => (p.approval = { rules: [rule({ resourceGroup: 'rg-spoke-a' })] }), '$.approval.rules[0].requester', 'tenantId or subscriptionId', 'an object with property resourceGroup'],
      ['a malformed requester subscription', (p) => (p.approval = { rules: [rule({ subscriptionId: 'abc' })] }), '$.approval.rules[0].requester.subscriptionId', 'a subscription id (a GUID', '"abc"'],
      ['a malformed requester tenant', (p) => (p.approval = { rules: [rule({ tenantId: 'contoso.onmicrosoft.com' })] }), '$.approval.rules[0].requester.tenantId', 'a tenant id (a GUID', '"contoso.onmicrosoft.com"'],
      ['a resource group ending in a period', (p) => (p.approval = { rules: [rule({ subscriptionId: SUB, resourceGroup: 'rg.' })] }), '$.approval.rules[0].requester.resourceGroup', 'not ending in "."', '"rg."'],
      ['a PE name glob with a slash', (p) => (p.approval = { rules: [rule({ subscriptionId: SUB, privateEndpointName: 'rg/pe-*' })] }), '$.approval.rules[0].requester.privateEndpointName', 'without "/"', '"rg/pe-*"'],
      ['an empty PE name glob', (p) => (p.approval = { rules: [rule({ subscriptionId: SUB, privateEndpointName: '' })] }), '$.approval.rules[0].requester.privateEndpointName', 'non-empty', '""'],
      ['repeated rule names (case-insensitively)', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }), { ...rule({ tenantId: TENANT }), name: 'SPOKE-A' }] }), '$.approval.rules[1].name', 'a unique rule name', '"SPOKE-A"'],
      ['a rule name with spaces', (p) => (p.approval = { rules: [{ ...rule({ tenantId: TENANT }), name: 'spoke a' }] }), '$.approval.rules[0].name', 'a rule name of 1–64', '"spoke a"'],
      ['a vault id that names a VNet', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }, { vault: { ids: [VNET] } })] }), '$.approval.rules[0].vault.ids[0]', 'the id of a Microsoft.RecoveryServices/vaults resource', '"/subscriptions/'],
      ['a vault outside scope', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }, { vault: { ids: [VAULT.replace(SUB, OTHER_SUB)] } })] }), '$.approval.rules[0].vault.ids[0]', 'a vault in a subscription listed in scope.subscriptions', '"/subscriptions/'],
      ['an empty vault id list', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }, { vault: { ids: [] } })] }), '$.approval.rules[0].vault.ids', 'at least one vault id', 'an empty array'],
      ['tag names differing only by case', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }, { vault: { tags: { env: 'prod', ENV: 'test' } } })] }), '$.approval.rules[0].vault.tags', 'differ by more than case', 'an object with properties env, ENV'],
      ['a tag value that is not a string', (p) => (p.approval = { rules: [rule({ tenantId: TENANT }, { vault: { tags: { env: 1 } } })] }), '$.approval.rules[0].vault.tags.env', 'a string', '1'],
      ['an unknown unmatched action', (p) => (p.approval = { unmatched: 'approve' }), '$.approval.unmatched', 'one of "leave-pending", "reject"', '"approve"'],
      ['a region name with spaces', (p) => (p.geoCodes = { 'UK South': 'uks' }), '$.geoCodes["UK South"]', 'a region name as ARM writes it', 'property name "UK South"'],
      ['a one-letter geo code', (p) => (p.geoCodes = { uksouth: 'u' }), '$.geoCodes.uksouth', 'a Backup geo code', '"u"'],
      ['a misspelt property', (p) => (p.dns = { placement: 'custom', ttll: 5 }), '$.dns.ttll', 'did you mean "ttl"?', 'unknown property "ttll"'],
      ['an unknown top-level property', (p) => (p.approvals = {}), '$.approvals', 'did you mean "approval"?', 'unknown property "approvals"'],
      ['a section of the wrong type', (p) => (p.scope = []), '$.scope', 'an object', 'an empty array'],
    ])('refuses %s', (_what, change, path, expected, found) => {
      const policy = minimalPolicy();
      change(policy);
      const problems = problemsOf(policy);
      const problem = problems.find((p) => p.path === path);
      expect(problem).toBeDefined();
      expect(problem?.expected).toContain(expected);
      expect(problem?.found.startsWith(found)).toBe(true);
      expect(problem?.file).toBe('test.policy.json');
    });

    it('reports every problem of a file at once, in file order', () => {
      const policy = {
        version: 1,
        mode: 'on',
        ownerId: 'alz-platform',
        scope: { subscriptions: [SUB] },
        roles: { profile: 'least-privilege' },
        approval: { rules: [{ name: 'r', requester: {} }] },
        dns: { placement: 'central', ttl: -1 },
      };
      expect(problemsOf(policy).map((p) => p.path)).toEqual(['$.mode', '$.roles.customRoleDefinitionIds', '$.approval.rules[0].requester', '$.dns.central', '$.dns.ttl']);
    });
  });
});
