import {
  childResourceId,
  InvalidResourceIdError,
  normalizeResourceId,
  parentResourceId,
  parseResourceId,
  resourceInGroupId,
  sameResourceId,
  scopeOfRoleAssignmentId,
} from '../../../shared/domain/ids';

const vault = '/subscriptions/s1/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/v1';

describe('ids', () => {
  describe('#parseResourceId', () => {
    it.each([
      ['mixed keyword casing', '/subscriptions/s1/resourcegroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/v1'],
      ['a leading double slash', '//subscriptions/s1/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/v1'],
      ['a trailing slash', vault + '/'],
      ['upper-case type', '/SUBSCRIPTIONS/s1/RESOURCEGROUPS/rg-backup/PROVIDERS/Microsoft.RecoveryServices/Vaults/v1'],
    ])('gives the same key for %s', (_what, raw) => {
      expect(parseResourceId(raw).key).toBe(parseResourceId(vault).key);
    });

    it('splits a nested id into its parts', () => {
      const p = parseResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z.net/A/rec');
      expect(p).toMatchObject({ subscriptionId: 's', resourceGroup: 'rg', type: 'Microsoft.Network/privateDnsZones/A', name: 'rec' });
    });

    it.each([
      ['/subscriptions/s/../x', 'relative segment'],
      ['/subscriptions/s%2Fx', '"%"'],
      ['/subscriptions//x', 'empty segment'],
      ['subscriptions/s', 'does not start'],
      ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network', 'no resource type'],
      ['/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints', 'has no name'],
      ['', 'empty'],
    ])('refuses %s, quoting it', (raw, reason) => {
      expect(() => parseResourceId(raw)).toThrow(InvalidResourceIdError);
      expect(() => parseResourceId(raw)).toThrow(reason);
      expect(() => parseResourceId(raw)).toThrow(JSON.stringify(raw));
    });
  });

  describe('#sameResourceId', () => {
    it('compares case-insensitively and never matches a prefix', () => {
      expect(sameResourceId(vault, vault.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'))).toBe(true);
      expect(sameResourceId('/subscriptions/abc', '/subscriptions/abcd')).toBe(false);
      expect(sameResourceId('/subscriptions/abc/x', '/subscriptions/abc/x')).toBe(false);
    });
  });

  describe('#scopeOfRoleAssignmentId', () => {
    it('cuts at the last roleAssignments keyword, in any ASCII case, and keeps the scope as written', () => {
      const rg = '/subscriptions/s1/resourceGroups/rg-İstanbul';
      // 'İ'.toLowerCase() is two code units: an index taken from a lower-cased copy lands one too far.
      expect(scopeOfRoleAssignmentId(`${rg}/providers/Microsoft.Authorization/roleAssignments/a1`)).toBe(rg);
      expect(scopeOfRoleAssignmentId(`${rg}/PROVIDERS/microsoft.authorization/ROLEASSIGNMENTS/a1`)).toBe(rg);
      expect(scopeOfRoleAssignmentId('/providers/Microsoft.Authorization/roleAssignments/a1')).toBe('/');
      // ARM's rule, not toLowerCase(): U+017F (long s) upper-cases to S, so this IS the keyword;
      // U+0131 (dotless i) stays itself, so this is no role assignment id at all.
      expect(scopeOfRoleAssignmentId(`${rg}/providers/Microsoft.Authorization/roleA\u017F\u017Fignments/a1`)).toBe(rg);
      expect(scopeOfRoleAssignmentId(`${rg}/providers/Microsoft.Author\u0131zation/roleAssignments/a1`)).toBe('/');
    });
  });

  describe('builders', () => {
    it('builds children and parents that round-trip', () => {
      const zone = resourceInGroupId('s', 'rg', 'Microsoft.Network/privateDnsZones', 'privatelink.blob.core.windows.net');
      const record = childResourceId(zone, 'A', 'acct');
      expect(record).toBe(normalizeResourceId(zone + '/A/acct'));
      expect(parentResourceId(record)).toBe(zone);
      expect(parentResourceId(zone)).toBe('/subscriptions/s/resourceGroups/rg');
      expect(parentResourceId('/subscriptions/s/resourceGroups/rg')).toBe('/subscriptions/s');
    });

    it('refuses a name with a separator', () => {
      expect(() => resourceInGroupId('s', 'rg', 'Microsoft.Network/privateEndpoints', 'a/b')).toThrow(InvalidResourceIdError);
    });
  });
});
