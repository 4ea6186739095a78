import {
  backupGeoCode,
  backupMemberFqdn,
  CLASSIC_BACKUP_MEMBERS,
  freeAddressesRequiredForBackup,
  isStorageGroupId,
  normalizeRegion,
  privateLinkAlias,
  storageFqdn,
  V2_BACKUP_MEMBERS,
} from '../../emulator/providers/network-private-link';

describe('network-private-link', () => {
  describe('#backupGeoCode', () => {
    it.each([
      ['uksouth', 'uks'],
      ['UK South', 'uks'],
      ['westeurope', 'we'],
      ['eastus', 'eus'],
    ])('maps %s to %s', (region, geo) => {
      expect(backupGeoCode(region)).toBe(geo);
    });

    it('returns undefined for an unknown region rather than guessing', () => {
      expect(backupGeoCode('atlantis')).toBeUndefined();
    });

    it('lets an override win', () => {
      expect(backupGeoCode('uksouth', { uksouth: 'xyz' })).toBe('xyz');
    });
  });

  describe('#normalizeRegion', () => {
    it('removes spaces and lower-cases', () => {
      expect(normalizeRegion('West Europe')).toBe('westeurope');
    });
  });

  describe('#backupMemberFqdn', () => {
    it('builds the name customDnsConfigs shows, without privatelink.', () => {
      expect(backupMemberFqdn('1234567890123456789', 'fab1', 'uks')).toBe('1234567890123456789-ab-pod01-fab1.uks.backup.windowsazure.com');
    });

    it('has eight classic members and fewer v2 members', () => {
      expect(CLASSIC_BACKUP_MEMBERS).toHaveLength(8);
      expect(V2_BACKUP_MEMBERS.length).toBeLessThan(CLASSIC_BACKUP_MEMBERS.length);
    });
  });

  describe('#storageFqdn', () => {
    it.each([
      ['abcdeypod01ecs114', 'blob', 'abcdeypod01ecs114.blob.core.windows.net'],
      ['AbcQueue', 'queue', 'abcqueue.queue.core.windows.net'],
    ] as const)('names %s/%s', (account, group, fqdn) => {
      expect(storageFqdn(account, group)).toBe(fqdn);
    });
  });

  describe('#privateLinkAlias', () => {
    it.each([
      ['x.blob.core.windows.net', 'x.privatelink.blob.core.windows.net'],
      ['X.Blob.Core.Windows.Net.', 'x.privatelink.blob.core.windows.net'],
      ['1-ab-pod01-fc1.uks.backup.windowsazure.com', '1-ab-pod01-fc1.privatelink.uks.backup.windowsazure.com'],
      ['x.privatelink.blob.core.windows.net', 'x.privatelink.blob.core.windows.net'],
      ['localhost', 'localhost'],
    ])('points %s at %s', (fqdn, alias) => {
      expect(privateLinkAlias(fqdn)).toBe(alias);
    });
  });

  describe('#isStorageGroupId', () => {
    it.each([
      ['blob', true],
      ['Queue', true],
      ['AzureBackup', false],
      ['file', false],
    ])('%s → %s', (group, expected) => {
      expect(isStorageGroupId(group)).toBe(expected);
    });
  });

  describe('#freeAddressesRequiredForBackup', () => {
    it.each([
      ['uksouth', 'classic', {}, 11],
      ['uksouth', 'v2', {}, 10],
      ['uksouth', 'classic', { uksouth: 20 }, 20],
      ['UK South', 'classic', { uksouth: 40 }, 25],
      ['uksouth', 'classic', { uksouth: 5 }, 11],
      ['westeurope', 'classic', { uksouth: 20 }, 11],
    ] as const)('needs the right count in %s (%s, %j)', (region, experience, perRegion, expected) => {
      expect(freeAddressesRequiredForBackup(region, experience, perRegion)).toBe(expected);
    });
  });
});
