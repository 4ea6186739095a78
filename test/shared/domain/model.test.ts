import {
  backupExperienceOf,
  hasSystemAssignedIdentity,
  isOwnedBy,
  managedIdentityTypeOf,
  ownedSourceOf,
  ownershipMetadata,
  usableIpv4AddressCount,
} from '../../../shared/domain/model';

describe('model', () => {
  describe('#backupExperienceOf', () => {
    it.each([
      [undefined, 'classic'],
      ['V1', 'classic'],
      ['Unassigned', 'classic'],
      ['', 'classic'],
      ['V2', 'v2'],
      ['v2', 'v2'],
    ])('reads backupStorageVersion %j as %s', (raw, experience) => {
      expect(backupExperienceOf(raw)).toBe(experience);
    });
  });

  describe('#managedIdentityTypeOf', () => {
    it.each([
      [undefined, 'None', false],
      ['None', 'None', false],
      ['systemassigned', 'SystemAssigned', true],
      ['SystemAssigned', 'SystemAssigned', true],
      ['UserAssigned', 'UserAssigned', false],
      ['SystemAssigned,UserAssigned', 'SystemAssigned, UserAssigned', true],
      ['UserAssigned, SystemAssigned', 'SystemAssigned, UserAssigned', true],
      ['Something', 'None', false],
    ] as const)('reads %j as %s', (raw, type, system) => {
      expect(managedIdentityTypeOf(raw)).toBe(type);
      expect(hasSystemAssignedIdentity({ type: managedIdentityTypeOf(raw) })).toBe(system);
    });
  });

  describe('#isOwnedBy', () => {
    const pe = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1';
    it.each([
      ['what it wrote', ownershipMetadata('alz-platform', pe), true],
      ['keys in another casing', { managedby: 'vaultlink', VAULTLINKOWNER: 'alz-platform' }, true],
      ['another owner', ownershipMetadata('someone-else'), false],
      ['an owner differing in case', ownershipMetadata('ALZ-platform'), false],
      ['no managedBy', { vaultlinkOwner: 'alz-platform' }, false],
      ['managedBy of another tool', { managedBy: 'external-dns', vaultlinkOwner: 'alz-platform' }, false],
      ['no metadata', undefined, false],
    ])('with %s is %s', (_what, metadata, owned) => {
      expect(isOwnedBy(metadata, 'alz-platform')).toBe(owned);
    });

    it('never owns anything for an empty owner id', () => {
      expect(isOwnedBy({ managedBy: 'vaultlink', vaultlinkOwner: '' }, '')).toBe(false);
    });

    it('records the source PE', () => {
      expect(ownedSourceOf(ownershipMetadata('o', pe))).toBe(pe);
      expect(ownedSourceOf(ownershipMetadata('o'))).toBeUndefined();
    });
  });

  describe('#usableIpv4AddressCount', () => {
    it.each([
      [['10.0.1.0/24'], 251],
      [['10.0.1.0/28'], 11],
      [['10.0.1.0/29'], 3],
      [['10.0.1.0/24', '10.0.2.0/28'], 262],
      [['10.0.1.0/32'], 0],
      [['fd00::/64'], 0],
      [['not-a-prefix'], 0],
    ])('gives %j usable addresses: %i', (prefixes, n) => {
      expect(usableIpv4AddressCount(prefixes)).toBe(n);
    });
  });
});
